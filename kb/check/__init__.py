"""Cross-record checks: references, links, dates, cycles, quotes and quality warnings."""

from __future__ import annotations

import datetime as dt
import difflib
import html
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from kb.analysis.af import strongly_connected
from kb.check.memo import CheckInputs, CheckMemo
from kb.errors import Problem, ProblemsFound, Severity, did_you_mean
from kb.load import KnowledgeBase, Loader, ParseCache, display_path, load
from kb.model.records import KINDS, Direction, Position, RelationType

E, W = Severity.error, Severity.warning
MAX_QUOTE_WORDS = 60
SAFE_SCHEMES = ("http://", "https://", "doi:")
_SUGGEST_LIMIT = 200


def check(
    kb: KnowledgeBase,
    earlier: Iterable[Problem] = (),
    archive: Path | None = None,
    today: dt.date | None = None,
    advice: bool = False,
) -> list[Problem]:
    """Run every check over a loaded knowledge base and return the problems found.

    With `advice`, the gap checks of kb.gaps (which `kb check` runs) add their advice, when
    neither loading (`earlier`) nor the checks found an error.
    """
    from kb.check import gaps

    checker = _Checker(kb, today or dt.date.today())
    problems = [
        *checker.references(),
        *checker.relations(),
        *checker.links_and_dates(),
        *checker.forecasts(),
        *checker.support_cycles(),
        *checker.contradictory_stances(),
        *checker.quality(),
        *gaps.placeholders(kb),
    ]
    if archive is not None:
        problems += checker.quotes(Path(archive))
    earlier = list(earlier)
    if advice and not any(p.severity is E for p in (*earlier, *problems)):
        problems += gaps.advice(kb)  # on a broken KB, advice would only add noise
    return problems


class _Checker:
    def __init__(self, kb: KnowledgeBase, today: dt.date) -> None:
        self.kb = kb
        self.tables = {kind: kb.table(kind) for kind in KINDS}
        self.today = today.isoformat()
        self.suggestions = 0

    def _ref(
        self, owner: str, field: str, target: str, kinds: tuple[str, ...], index: int | None = None
    ) -> Problem | None:
        for k in kinds:  # the common case, without looking through every table
            if target in self.tables[k]:
                return None
        kind = self.kb.kind_of(target)
        if kind in kinds or target in self.kb.invalid_ids:
            return None
        where = self.kb.where[owner].value(field, index)
        wanted = " or ".join(kinds)
        if kind is not None:
            return Problem(
                "KB203",
                E,
                where,
                f"{field}: {target!r} is {_a(kind)}, expected {_a(wanted)}",
                f"point '{field}' at the ID of {_a(wanted)}",
            )
        hint = None
        if self.suggestions < _SUGGEST_LIMIT:
            self.suggestions += 1
            pool = [i for k in kinds for i in self.kb.table(k)]
            hint = did_you_mean(target, pool)
        return Problem(
            "KB202",
            E,
            where,
            f"{field}: no {wanted} with id {target!r}",
            hint or f"define {_a(kinds[0])} with 'id: {target}', or fix the reference",
        )

    def references(self) -> Iterator[Problem]:
        kb = self.kb
        checks: list[Problem | None] = []
        for q in kb.questions.values():
            for side in ("pro", "con", "mixed"):
                for claim_id in getattr(q.positions, side):
                    if claim_id in kb.claims:
                        continue
                    if q.id in kb.where and claim_id in _raw_list(kb, q.id, "positions", side):
                        items = _raw_list(kb, q.id, "positions", side)
                        at = kb.where[q.id].at(("positions", side, items.index(claim_id)))
                        checks.append(
                            Problem(
                                "KB202",
                                E,
                                at,
                                f"positions.{side}: no claim {claim_id!r}",
                                did_you_mean(claim_id, kb.claims) or "list claim IDs here",
                            )
                        )
        for c in kb.claims.values():
            if c.negation:
                checks.append(self._ref(c.id, "negation", c.negation, ("claim",)))
            for i, answer in enumerate(c.answers):
                if answer.question not in kb.questions:
                    at = kb.where[c.id].at(("answers", i, "question"))
                    if isinstance(kb.where[c.id].raw.get("answers"), dict):
                        at = kb.where[c.id].at(("answers", "question"))
                    checks.append(
                        Problem(
                            "KB202",
                            E,
                            at,
                            f"answers: no question with id {answer.question!r}",
                            did_you_mean(answer.question, kb.questions) or "name a question ID",
                        )
                    )
            if c.forecast:
                for i, ev in enumerate(c.forecast.resolved_by):
                    if ev not in kb.evidence:
                        at = kb.where[c.id].at(("forecast", "resolved_by", i))
                        checks.append(
                            Problem(
                                "KB202",
                                E,
                                at,
                                f"resolved_by: no evidence with id {ev!r}",
                                did_you_mean(ev, kb.evidence) or "list evidence IDs here",
                            )
                        )
        for s in kb.sources.values():
            for i, author in enumerate(s.authors):
                checks.append(self._ref(s.id, "authors", author, ("actor",), i))
            if s.cited_via:
                checks.append(self._ref(s.id, "cited_via", s.cited_via, ("source",)))
            for i, cited in enumerate(s.cites):
                checks.append(self._ref(s.id, "cites", cited, ("source",), i))
        for st in kb.stances.values():
            checks.append(self._ref(st.id, "actor", st.actor, ("actor",)))
            checks.append(self._ref(st.id, "claim", st.claim, ("claim",)))
            checks.append(self._ref(st.id, "source", st.source, ("source",)))
        for ev in kb.evidence.values():
            checks.append(self._ref(ev.id, "claim", ev.claim, ("claim",)))
            checks.append(self._ref(ev.id, "source", ev.source, ("source",)))
        for r in kb.relations.values():
            checks.append(self._ref(r.id, "from", r.from_, ("claim",)))
            if r.type is not RelationType.undercuts:
                checks.append(self._ref(r.id, "to", r.to, ("claim",)))
            if r.source:
                checks.append(self._ref(r.id, "source", r.source, ("source",)))
        yield from (p for p in checks if p is not None)

    def relations(self) -> Iterator[Problem]:
        kb = self.kb
        for r in kb.relations.values():
            where = kb.where[r.id]
            if r.from_ == r.to:
                yield Problem(
                    "KB204",
                    E,
                    where.value("from"),
                    f"{r.from_!r} {r.type} itself",
                    "a claim cannot be linked to itself",
                )
            if r.type is RelationType.undercuts:
                target = kb.relations.get(r.to)
                evidence = kb.evidence.get(r.to)
                if target is None and evidence is None:
                    kind = kb.kind_of(r.to)
                    hint = did_you_mean(r.to, [*kb.relations, *kb.evidence])
                    yield Problem(
                        "KB207",
                        E,
                        where.value("to"),
                        f"undercuts: {r.to!r} is "
                        + (f"a {kind}" if kind else "not a relation or evidence ID")
                        + "; an undercut targets a support link",
                        hint or "name a support such as 'a--supports--b' or an evidence ID",
                    )
                elif (target is not None and target.type is not RelationType.supports) or (
                    evidence is not None and evidence.direction is not Direction.supports
                ):
                    yield Problem(
                        "KB207",
                        E,
                        where.value("to"),
                        f"undercuts: {r.to!r} is not a support link",
                        "an undercut attacks the link between a supporter and what it supports",
                    )
                elif target is not None and r.from_ in (target.from_, target.to):
                    yield Problem(
                        "KB204",
                        E,
                        where.value("to"),
                        f"{r.from_!r} undercuts a link it is part of",
                        "a claim cannot attack its own support; rebut the claim instead",
                    )
                elif evidence is not None and r.from_ == evidence.claim:
                    yield Problem(
                        "KB204",
                        E,
                        where.value("to"),
                        f"{r.from_!r} undercuts evidence for itself",
                        "a claim cannot attack its own support; rebut the evidence's claim instead",
                    )

    def links_and_dates(self) -> Iterator[Problem]:
        kb = self.kb
        for s in kb.sources.values():
            for name in ("url", "archived_url"):
                yield from self._link(s.id, name, getattr(s, name))
            for name in ("date", "accessed"):
                yield from self._not_future(s.id, name, getattr(s, name))
        for a in kb.actors.values():
            yield from self._link(a.id, "homepage", a.homepage)

    def _link(self, owner: str, name: str, value: str | None) -> Iterator[Problem]:
        if value is None:
            return
        if not value.lower().startswith(SAFE_SCHEMES) or any(ch.isspace() for ch in value):
            yield Problem(
                "KB301",
                E,
                self.kb.where[owner].value(name),
                f"{name}: {value[:80]!r} is not an http, https or doi link",
                "write a full address such as 'https://example.org/page'",
            )

    def _not_future(self, owner: str, name: str, value: str | None) -> Iterator[Problem]:
        if value and value > self.today[: len(value)]:
            yield Problem(
                "KB302",
                E,
                self.kb.where[owner].value(name),
                f"{name}: {value} is in the future",
                "only a forecast's resolution date may lie ahead",
            )

    def forecasts(self) -> Iterator[Problem]:
        for c in self.kb.claims.values():
            where = self.kb.where[c.id]
            if c.kind == "forecast" and c.forecast is None:
                yield Problem(
                    "KB506",
                    W,
                    where.value("kind"),
                    f"forecast {c.id!r} has no 'forecast:' block",
                    "add 'forecast:' with 'resolves:' and 'criteria:'",
                )
            elif c.forecast is not None and c.kind != "forecast":
                yield Problem(
                    "KB506",
                    W,
                    where.key("forecast"),
                    f"claim {c.id!r} has a forecast block but kind {c.kind}",
                    "set 'kind: forecast'",
                )
            if c.forecast and c.forecast.resolution != "open" and not c.forecast.resolved_by:
                yield Problem(
                    "KB507",
                    W,
                    where.at(("forecast", "resolution")),
                    f"forecast {c.id!r} is resolved {c.forecast.resolution} without evidence",
                    "list the evidence that settled it in 'resolved_by'",
                )

    def support_cycles(self) -> Iterator[Problem]:
        edges: dict[tuple[str, str], str] = {}  # one link per ordered pair, the last written
        for r in self.kb.relations.values():
            if r.type is RelationType.supports and r.from_ != r.to:
                edges[r.from_, r.to] = r.id
        successors: dict[str, list[str]] = defaultdict(list)
        for a, b in edges:
            successors[a].append(b)
        # kb.af's Tarjan imports no graph library: networkx would add a tenth of a second.
        sccs = strongly_connected(sorted(successors), successors)
        cycles = [c for c in sccs if len(c) > 1]
        cycle_of = {member: i for i, c in enumerate(cycles) for member in c}
        inside: list[list[str]] = [[] for _ in cycles]
        for (a, b), rid in edges.items():
            if a in cycle_of and cycle_of[a] == cycle_of.get(b):
                inside[cycle_of[a]].append(rid)
        for component, ids in zip(cycles, inside, strict=True):
            members = sorted(component)
            rel_ids = sorted(ids)
            yield Problem(
                "KB205",
                W,
                self.kb.where[rel_ids[0]].location,
                f"support cycle among {', '.join(members[:6])}"
                + (" ..." if len(members) > 6 else ""),
                "circular support adds no independent reason; break one link",
                related=tuple(self.kb.where[r].location for r in rel_ids[1:4]),
            )

    def contradictory_stances(self) -> Iterator[Problem]:
        kb = self.kb
        # claim -> actor -> the stance asserting it; pairs are then checked in linear time.
        asserted: dict[str, dict[str, str]] = defaultdict(dict)
        for st in kb.stances.values():
            if st.position is Position.asserts:
                asserted[st.claim][st.actor] = st.id
        pairs = [
            (r.from_, r.to) for r in kb.relations.values() if r.type is RelationType.contradicts
        ]
        pairs += [(c.id, c.negation) for c in kb.claims.values() if c.negation]
        for a, b in pairs:
            both = asserted.get(a, {}).keys() & asserted.get(b, {}).keys()
            for actor in sorted(both):
                yield Problem(
                    "KB208",
                    W,
                    kb.where[asserted[b][actor]].location,
                    f"{actor!r} asserts both {a!r} and {b!r}, which contradict each other",
                    "make one stance 'qualifies', or check the contradiction",
                    related=(kb.where[asserted[a][actor]].location,),
                )

    def quality(self) -> Iterator[Problem]:
        kb = self.kb
        grounded = {s.claim for s in kb.stances.values()} | {e.claim for e in kb.evidence.values()}
        for c in kb.claims.values():
            if c.id not in grounded:
                yield Problem(
                    "KB501",
                    W,
                    kb.where[c.id].key("id"),
                    f"claim {c.id!r} has no stance and no evidence",
                    "add a stance or evidence quoting a source",
                )
        used = {s.source for s in kb.stances.values()} | {e.source for e in kb.evidence.values()}
        used |= {r.source for r in kb.relations.values() if r.source}
        for s in kb.sources.values():
            used.update(s.cites)
            if s.cited_via:
                used.add(s.id)
        for s in kb.sources.values():
            if s.id not in used:
                yield Problem(
                    "KB502",
                    W,
                    kb.where[s.id].key("id"),
                    f"source {s.id!r} is not cited by anything",
                    "quote it in a stance or evidence, or list it in another source's 'cites'",
                )
        speaking = {s.actor for s in kb.stances.values()}
        for a in kb.actors.values():
            if a.id not in speaking:
                yield Problem(
                    "KB503",
                    W,
                    kb.where[a.id].key("id"),
                    f"actor {a.id!r} has no stance",
                    "add a stance grounded in a quote of theirs",
                )
        for q in kb.questions.values():
            sides = [s for s in ("pro", "con") if getattr(q.positions, s)]
            if len(sides) < 2:
                missing = "pro" if "pro" not in sides else "con"
                yield Problem(
                    "KB504",
                    W,
                    kb.where[q.id].key("id"),
                    f"question {q.id!r} has no {missing} position",
                    "a question needs claims on both sides to be a debate",
                )
        for rid, quote in _quotes(kb):
            words = len(quote.split())
            if words > MAX_QUOTE_WORDS:
                yield Problem(
                    "KB505",
                    W,
                    kb.where[rid].value("quote"),
                    f"quote of {words} words is longer than {MAX_QUOTE_WORDS}",
                    "quote a sentence or two",
                )

    def quotes(self, folder: Path) -> list[Problem]:
        kb = self.kb
        problems: list[Problem] = []
        texts: dict[str, str | None] = {}
        for s in kb.sources.values():
            if not s.archive:
                continue
            path = folder / s.archive
            if path.is_file():
                texts[s.id] = normalise(read_archive(path))
            else:
                texts[s.id] = None
                problems.append(
                    Problem(
                        "KB402",
                        E,
                        kb.where[s.id].value("archive"),
                        f"archive {s.archive!r} not found in {folder}",
                        did_you_mean(
                            s.archive, [p.name for p in folder.glob("*")] if folder.is_dir() else []
                        ),
                    )
                )
        for rid, quote in _quotes(kb):
            record = kb.get(rid)
            text = texts.get(getattr(record, "source", None) or "")
            if text is None:
                continue
            if not quote_in(quote, text):
                problems.append(
                    Problem(
                        "KB401",
                        E,
                        kb.where[rid].value("quote"),
                        f"quote not found in the archived text of {record.source!r}",  # type: ignore[union-attr]
                        f"closest passage: {closest_passage(quote, text)!r}",
                    )
                )
        return problems


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def _raw_list(kb: KnowledgeBase, rid: str, *path: str) -> list:
    node = kb.where[rid].raw
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    return list(node) if isinstance(node, list) else []


def _quotes(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    for table in (kb.stances, kb.evidence, kb.relations):
        for rid, record in table.items():
            if record.quote:
                yield rid, record.quote


_TAG_RE = re.compile(r"<[^>]*>")
_MD_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_ESCAPE_RE = re.compile(r"\\(.)")
_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "--",
        "\u2014": "--",
        "\u2015": "--",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "*": None,
        "_": None,
        "`": None,
    }
)
_DASH_RE = re.compile(r"\s*-{2,}\s*|\s+-\s+")
_WS_RE = re.compile(r"\s+")
_ELLIPSIS_RE = re.compile(r"\s*(?:\[\s*(?:\.\.\.|\u2026)\s*\]|\.\.\.|\u2026)\s*")


@lru_cache(maxsize=64)
def read_archive(path: Path) -> str:
    """Read an archived source text, as UTF-8, replacing undecodable bytes."""
    return path.read_text(encoding="utf-8", errors="replace")


def normalise(text: str) -> str:
    """Fold markup, quote marks, dashes, spacing and case so quotes compare as read."""
    if "<p>" in text or "</" in text:
        text = _TAG_RE.sub(" ", text)
    text = html.unescape(text)
    text = _MD_LINK_RE.sub(r"\1", text)
    text = _ESCAPE_RE.sub(r"\1", text)
    text = text.translate(_FOLD)
    text = _DASH_RE.sub(" - ", text)
    return _WS_RE.sub(" ", text).strip().casefold()


def quote_in(quote: str, text: str) -> bool:
    """Tell whether a quote (with `...` elisions) occurs, in order, in a normalised text."""
    parts = [normalise(p) for p in _ELLIPSIS_RE.split(quote)]
    position = 0
    for part in parts:
        if not part:
            continue
        found = text.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return True


def closest_passage(quote: str, text: str) -> str:
    """Return the passage of a normalised text that best matches a quote."""
    wanted = normalise(quote.replace("...", " "))
    matcher = difflib.SequenceMatcher(None, text, wanted, autojunk=False)
    match = matcher.find_longest_match(0, len(text), 0, len(wanted))
    start = max(0, match.a - match.b)
    return text[start : start + len(wanted) + 10].strip()


def run_check(
    root: Path,
    archive: Path | None = None,
    cache: ParseCache | None = None,
    advice: bool = False,
    memo: CheckMemo | None = None,
    inputs: CheckInputs | None = None,
) -> list[Problem]:
    """Load and check a knowledge base; return every problem, loading's and the checks'.

    With a `cache` (kb.load.default_parse_cache), files unchanged since an earlier run are not
    parsed again; with a `memo` (kb.check_memo.default_check_memo), an unchanged knowledge base
    is not checked again (`inputs`: the memo's reading, already found missing); with `advice`,
    the gap checks' advice is included.
    """

    if memo is not None and inputs is None and archive is None:
        inputs = memo.inputs(root, advice)
        found = memo.get(inputs.key) if inputs is not None else None
        if found is not None:
            return found
    if inputs is None:
        kb, problems = load(root, cache=cache)
    else:
        loader = PrereadLoader(Path(root), inputs.reads)
        kb, problems = load(root, loader=loader, cache=cache, listing=inputs.listing)
    today = inputs.today if inputs is not None else None
    problems += check(kb, problems, archive=archive, today=today, advice=advice)
    problems.sort(key=Problem.sort_key)
    if memo is not None and inputs is not None:
        memo.put(inputs.key, problems)
    return problems


class PrereadLoader(Loader):
    """A Loader given the file texts the memo's key was computed from, so that what is checked
    is exactly what the key stands for."""

    def __init__(self, root: Path, reads: dict[Path, tuple[str | None, Problem | None]]) -> None:
        super().__init__(root)
        self.reads = reads

    def add_file(self, path: Path, text: str | None = None) -> None:
        if text is None and path in self.reads:
            text, problem = self.reads.pop(path)  # each text is held only until it is loaded
            if problem is not None:  # as the Loader reports a file it cannot read
                self.kb.files.append(display_path(path))
                self.problems.append(problem)
                return
        super().add_file(path, text)


def load_kb(
    root: Path, archive: Path | None = None, cache: ParseCache | None = None
) -> KnowledgeBase:
    """Load and check a knowledge base; raise ProblemsFound if it has any error."""
    kb, problems = load(root, cache=cache)
    problems += check(kb, problems, archive=archive)
    if any(p.severity is Severity.error for p in problems):
        raise ProblemsFound(problems)
    return kb
