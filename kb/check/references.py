"""Reference checks: every ID a record names exists and is of the kind expected; links are sound."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kb.check.context import CheckContext
from kb.errors import Problem, Severity, did_you_mean
from kb.model.kb import KnowledgeBase
from kb.model.located import Where
from kb.model.records import KINDS, Claim, Direction, Relation, RelationType

E = Severity.error
_SUGGEST_LIMIT = 200  # "did you mean" compares with every ID: bounded on a KB full of typos


def references(kb: KnowledgeBase, context: CheckContext) -> list[Problem]:
    """Report references to IDs that are missing (KB202) or of the wrong kind (KB203)."""
    return [p for p in _References(kb).all() if p is not None]


def relations(kb: KnowledgeBase, context: CheckContext) -> list[Problem]:
    """Report links from a claim to itself (KB204) and undercuts of what is no support (KB207)."""
    problems: list[Problem] = []
    for r in kb.relations.values():
        where = kb.where[r.id]
        if r.from_ == r.to:
            problems.append(
                Problem(
                    "KB204",
                    E,
                    where.value("from"),
                    f"{r.from_!r} {r.type} itself",
                    "a claim cannot be linked to itself",
                )
            )
        if r.type is RelationType.undercuts:
            problems.extend(_undercut(kb, r, where))
    return problems


class _References:
    """The reference checks of one knowledge base, which share a budget of suggestions."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.tables = {kind: kb.table(kind) for kind in KINDS}
        self.suggestions = 0

    def all(self) -> list[Problem | None]:
        """Return the problem with each broken reference, in the order of the records."""
        # Each reference is looked up here in the one table its kind names, and only a miss goes
        # to ref(): calling it for each of a large KB's references cost most of the check.
        # One list appended to throughout: generators would cost a tenth more on a large KB.
        out: list[Problem | None] = list(self.positions())
        for c in self.kb.claims.values():
            if c.negation or c.answers or c.forecast:
                self.claim(c, out)
        self.sources(out)
        self.quoting(out)
        return out

    def sources(self, out: list[Problem | None]) -> None:
        """Check the authors, cited_via and cites of every source."""
        ref, actors, sources = self.ref, self.kb.actors, self.kb.sources
        for s in sources.values():
            for i, author in enumerate(s.authors):
                if author not in actors:
                    out.append(ref(s.id, "authors", author, ("actor",), i))
            if s.cited_via and s.cited_via not in sources:
                out.append(ref(s.id, "cited_via", s.cited_via, ("source",)))
            for i, cited in enumerate(s.cites):
                if cited not in sources:
                    out.append(ref(s.id, "cites", cited, ("source",), i))

    def quoting(self, out: list[Problem | None]) -> None:
        """Check the actor, claim and source of every stance, evidence and relation."""
        kb, ref = self.kb, self.ref
        actors, claims, sources = kb.actors, kb.claims, kb.sources
        for st in kb.stances.values():
            if st.actor not in actors:
                out.append(ref(st.id, "actor", st.actor, ("actor",)))
            if st.claim not in claims:
                out.append(ref(st.id, "claim", st.claim, ("claim",)))
            if st.source not in sources:
                out.append(ref(st.id, "source", st.source, ("source",)))
        for ev in kb.evidence.values():
            if ev.claim not in claims:
                out.append(ref(ev.id, "claim", ev.claim, ("claim",)))
            if ev.source not in sources:
                out.append(ref(ev.id, "source", ev.source, ("source",)))
        undercuts = RelationType.undercuts
        for r in kb.relations.values():
            if r.from_ not in claims:
                out.append(ref(r.id, "from", r.from_, ("claim",)))
            if r.type is not undercuts and r.to not in claims:
                out.append(ref(r.id, "to", r.to, ("claim",)))
            if r.source and r.source not in sources:
                out.append(ref(r.id, "source", r.source, ("source",)))

    def ref(
        self, owner: str, field: str, target: str, kinds: tuple[str, ...], index: int | None = None
    ) -> Problem | None:
        """Return the problem with one reference to an ID of one of kinds, or None."""
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

    def positions(self) -> Iterator[Problem]:
        """Report the claims a question lists that do not exist."""
        kb = self.kb
        for q in kb.questions.values():
            for side in ("pro", "con", "mixed"):
                for claim_id in getattr(q.positions, side):
                    if claim_id in kb.claims:
                        continue
                    if q.id in kb.where and claim_id in _raw_list(kb, q.id, "positions", side):
                        items = _raw_list(kb, q.id, "positions", side)
                        at = kb.where[q.id].at(("positions", side, items.index(claim_id)))
                        yield Problem(
                            "KB202",
                            E,
                            at,
                            f"positions.{side}: no claim {claim_id!r}",
                            did_you_mean(claim_id, kb.claims) or "list claim IDs here",
                        )

    def claim(self, c: Claim, out: list[Problem | None]) -> None:
        """Check a claim's negation, the questions it answers and the evidence resolving it."""
        kb = self.kb
        if c.negation:
            out.append(self.ref(c.id, "negation", c.negation, ("claim",)))
        for i, answer in enumerate(c.answers):
            if answer.question not in kb.questions:
                at = kb.where[c.id].at(("answers", i, "question"))
                raw = kb.where[c.id].raw
                if raw is not None and isinstance(raw.get("answers"), dict):
                    at = kb.where[c.id].at(("answers", "question"))
                out.append(
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
                    out.append(
                        Problem(
                            "KB202",
                            E,
                            kb.where[c.id].at(("forecast", "resolved_by", i)),
                            f"resolved_by: no evidence with id {ev!r}",
                            did_you_mean(ev, kb.evidence) or "list evidence IDs here",
                        )
                    )


def _undercut(kb: KnowledgeBase, r: Relation, at: Where) -> Iterator[Problem]:
    """Report an undercut that targets no support link, or one its attacker is part of."""
    target = kb.relations.get(r.to)
    evidence = kb.evidence.get(r.to)
    if target is None and evidence is None:
        kind = kb.kind_of(r.to)
        hint = did_you_mean(r.to, [*kb.relations, *kb.evidence])
        yield Problem(
            "KB207",
            E,
            at.value("to"),
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
            at.value("to"),
            f"undercuts: {r.to!r} is not a support link",
            "an undercut attacks the link between a supporter and what it supports",
        )
    elif target is not None and r.from_ in (target.from_, target.to):
        yield Problem(
            "KB204",
            E,
            at.value("to"),
            f"{r.from_!r} undercuts a link it is part of",
            "a claim cannot attack its own support; rebut the claim instead",
        )
    elif evidence is not None and r.from_ == evidence.claim:
        yield Problem(
            "KB204",
            E,
            at.value("to"),
            f"{r.from_!r} undercuts evidence for itself",
            "a claim cannot attack its own support; rebut the evidence's claim instead",
        )


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def _raw_list(kb: KnowledgeBase, rid: str, *path: str) -> list[Any]:
    node: Any = kb.where[rid].raw
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    return list(node) if isinstance(node, list) else []
