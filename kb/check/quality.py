"""Quality warnings: forecasts, contradictory stances, and records nothing grounds or uses."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from kb.check.context import CheckContext
from kb.check.quotes import quoted
from kb.errors import Problem, Severity
from kb.model.kb import KnowledgeBase
from kb.model.records import Position, RelationType

W = Severity.warning
MAX_QUOTE_WORDS = 60


def forecasts(kb: KnowledgeBase, context: CheckContext) -> list[Problem]:
    """Report forecast blocks missing or misplaced (KB506), resolutions without evidence (KB507)."""
    problems: list[Problem] = []
    for c in kb.claims.values():
        where = kb.where[c.id]
        if c.kind == "forecast" and c.forecast is None:
            problems.append(
                Problem(
                    "KB506",
                    W,
                    where.value("kind"),
                    f"forecast {c.id!r} has no 'forecast:' block",
                    "add 'forecast:' with 'resolves:' and 'criteria:'",
                )
            )
        elif c.forecast is not None and c.kind != "forecast":
            problems.append(
                Problem(
                    "KB506",
                    W,
                    where.key("forecast"),
                    f"claim {c.id!r} has a forecast block but kind {c.kind}",
                    "set 'kind: forecast'",
                )
            )
        if c.forecast and c.forecast.resolution != "open" and not c.forecast.resolved_by:
            problems.append(
                Problem(
                    "KB507",
                    W,
                    where.at(("forecast", "resolution")),
                    f"forecast {c.id!r} is resolved {c.forecast.resolution} without evidence",
                    "list the evidence that settled it in 'resolved_by'",
                )
            )
    return problems


def contradictory_stances(kb: KnowledgeBase, context: CheckContext) -> list[Problem]:
    """Report actors who assert two claims that contradict each other (KB208)."""
    # claim -> actor -> the stance asserting it; pairs are then checked in linear time.
    asserted: dict[str, dict[str, str]] = defaultdict(dict)
    for st in kb.stances.values():
        if st.position is Position.asserts:
            asserted[st.claim][st.actor] = st.id
    pairs = [(r.from_, r.to) for r in kb.relations.values() if r.type is RelationType.contradicts]
    pairs += [(c.id, c.negation) for c in kb.claims.values() if c.negation]
    problems: list[Problem] = []
    for a, b in pairs:
        both = asserted.get(a, {}).keys() & asserted.get(b, {}).keys()
        for actor in sorted(both):
            problems.append(
                Problem(
                    "KB208",
                    W,
                    kb.where[asserted[b][actor]].location,
                    f"{actor!r} asserts both {a!r} and {b!r}, which contradict each other",
                    "make one stance 'qualifies', or check the contradiction",
                    related=(kb.where[asserted[a][actor]].location,),
                )
            )
    return problems


def quality(kb: KnowledgeBase, context: CheckContext) -> list[Problem]:
    """Report ungrounded, unused, silent, one-sided and overlong records (KB501-KB505)."""
    return [
        *_ungrounded(kb),
        *_unused_sources(kb),
        *_silent_actors(kb),
        *_one_sided(kb),
        *_long_quotes(kb),
    ]


def _ungrounded(kb: KnowledgeBase) -> Iterator[Problem]:
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


def _unused_sources(kb: KnowledgeBase) -> Iterator[Problem]:
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


def _silent_actors(kb: KnowledgeBase) -> Iterator[Problem]:
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


def _one_sided(kb: KnowledgeBase) -> Iterator[Problem]:
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


def _long_quotes(kb: KnowledgeBase) -> Iterator[Problem]:
    # A quote of n words has at least 2n - 1 characters: shorter ones need no split.
    shortest = 2 * MAX_QUOTE_WORDS + 1
    for rid, quote in quoted(kb):
        if len(quote) < shortest:
            continue
        words = len(quote.split())
        if words > MAX_QUOTE_WORDS:
            yield Problem(
                "KB505",
                W,
                kb.where[rid].value("quote"),
                f"quote of {words} words is longer than {MAX_QUOTE_WORDS}",
                "quote a sentence or two",
            )
