"""Gap checks: placeholders, unreached claims, one-sided questions, no engagement, loose quotes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from kb.analysis.engagement import Engagements, positions, reached
from kb.check.context import CheckContext
from kb.check.words import WordMemo, shared_share
from kb.errors import Problem, Severity
from kb.load.new import SKELETONS
from kb.model.kb import KnowledgeBase
from kb.model.records import Direction, Evidence, Position, Stance

W, A = Severity.warning, Severity.advice
# Placeholder problems are warnings (errors under --strict) that `kb build` refuses to publish.
BLOCKS_PUBLISHING = frozenset({"KB601"})
PLACEHOLDER_RE = re.compile(r"\b(?:TODO|FIXME)\b")
# The free-text fields of each kind (a forecast's criteria too); IDs and links are checked apart.
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "question": ("title", "framing", "summary"),
    "claim": ("text", "notes", "aka"),
    "source": ("title", "publisher", "notes"),
    "actor": ("name", "affiliation", "description"),
    "stance": ("quote", "locator", "note"),
    "evidence": ("quote", "locator", "summary"),
    "relation": ("quote", "locator", "rationale", "scheme"),
}
# A stance or evidence is flagged when fewer than this share of its claim's content words
# (those of its statement or of any alternative phrasing) appear in its quote, after stemming:
# on the bundled debate, quotes under 5% are pointers ("this view rests on a misconception")
# or off the claim, while those from 6% up paraphrase it or give an example in other words.
MIN_SHARED = 0.05
_ELISION_RE = re.compile(r"\[?(?:\.\.\.|\u2026)\]?")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?:;])[\s\"'\u2019\u201d)\]]*\s+")
_TRAILING = " \t\n\"'\u2019\u201d)]*_"


def unpublishable(problems: list[Problem]) -> list[Problem]:
    """Return problems with those that block publishing (placeholders) raised to errors."""
    return [
        replace(p, severity=Severity.error) if p.code in BLOCKS_PUBLISHING else p for p in problems
    ]


def placeholders(kb: KnowledgeBase) -> Iterator[Problem]:
    """Report text that `kb new` left for the author to replace, in any text field."""
    for kind, names in TEXT_FIELDS.items():
        table = kb.table(kind)
        for rid in _placeholder_ids(table, names):
            record = table[rid]
            where = kb.where.get(rid)
            if where is None or where.fixed:  # a record derived from a claim's field has no text
                continue
            for path, text in _texts(record, names):
                if _is_placeholder(text):
                    yield Problem(
                        "KB601",
                        W,
                        where.at(path) if len(path) > 1 else where.value(str(path[0])),
                        f"placeholder text {text[:60]!r} left by 'kb new'; "
                        "kb build refuses to publish it",
                        "write the real text in place of the placeholder",
                    )


def _placeholder_ids(table: dict[str, Any], names: tuple[str, ...]) -> list[str]:
    """Return the IDs of the records with a placeholder among the values _texts yields."""
    # The screen of the common case, in one loop: a value is a placeholder only when it names
    # TODO or FIXME or is short enough to be a template sentence; _is_placeholder decides those.
    longest = _LONGEST_TEMPLATE
    found: list[str] = []
    for rid, record in table.items():
        fields = vars(record)
        for name in names:
            value = fields.get(name)
            if isinstance(value, str):
                if "TODO" not in value and "FIXME" not in value and len(value) > longest:
                    continue
                if _is_placeholder(value):
                    break
            elif isinstance(value, list) and value and any(map(_is_placeholder, value)):
                break
        else:
            forecast = fields.get("forecast")
            if forecast is None or not _is_placeholder(forecast.criteria):
                continue
        found.append(rid)
    return found


def _texts(record: Any, names: tuple[str, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Yield a record's free-text values with their paths in the record."""
    fields = vars(record)  # a model's fields, without pydantic's attribute lookup
    for name in names:
        value = fields.get(name)
        if isinstance(value, str):
            yield (name,), value
        elif isinstance(value, list):
            for i, item in enumerate(value):
                yield (name, i), item
    forecast = fields.get("forecast")
    if forecast is not None:
        yield ("forecast", "criteria"), forecast.criteria


def _template_sentences() -> frozenset[str]:
    values = (v for fields in SKELETONS.values() for v in fields.values())
    return frozenset(_bare(v.removeprefix("TODO:")) for v in values if v.startswith("TODO:"))


def _bare(text: str) -> str:
    return text.strip().rstrip(".?!").strip().casefold()


def _is_placeholder(text: str) -> bool:
    if ("TODO" in text or "FIXME" in text) and PLACEHOLDER_RE.search(text):
        return True
    if len(text) > _LONGEST_TEMPLATE or text.lstrip()[:2].lower() not in _TEMPLATE_STARTS:
        return False
    return _bare(text) in _TEMPLATE_SENTENCES


_TEMPLATE_SENTENCES = _template_sentences()
_TEMPLATE_STARTS = frozenset(t[:2] for t in _TEMPLATE_SENTENCES)
_LONGEST_TEMPLATE = max(map(len, _TEMPLATE_SENTENCES), default=0) + 8  # room for spaces, "?"


def placeholder_check(kb: KnowledgeBase, context: CheckContext) -> list[Problem]:
    """Report placeholder text (KB601), which `kb build` refuses to publish."""
    return list(placeholders(kb))


def advice_check(kb: KnowledgeBase, context: CheckContext) -> list[Problem]:
    """Advise on the gaps in the map's structure and grounding (KB602-KB606)."""
    return list(advice(kb, context.memo.words))


def advice(kb: KnowledgeBase, words: WordMemo | None = None) -> Iterator[Problem]:
    """Report the gaps in the map's structure and grounding, as advice."""
    words = words or WordMemo()
    if kb.questions:
        yield from unreached(kb)
        e = Engagements(kb)
        yield from one_sided(kb, e)
        yield from no_engagement(kb, e)
    yield from question_quotes(kb)
    yield from unrelated_quotes(kb, words)


def unreached(kb: KnowledgeBase) -> Iterator[Problem]:
    """Report claims that no question reaches through any chain of links."""
    found = reached(kb)
    for cid in kb.claims:
        if cid not in found and cid in kb.where:
            yield Problem(
                "KB602",
                A,
                kb.where[cid].key("id"),
                f"claim {cid!r} is reached by no question",
                "answer a question with it ('answers:'), or link it to a claim that does",
            )


def one_sided(kb: KnowledgeBase, e: Engagements) -> Iterator[Problem]:
    """Report question sides whose claims are all asserted by one voice, or by none."""
    for q in kb.questions.values():
        for side in ("pro", "con"):
            claims = [c for c in getattr(q.positions, side) if c in kb.claims]
            if not claims:
                continue  # KB504 reports an empty side
            names = sorted({v.name for c in claims for v in e.claim_voices(c)})
            if len(names) > 1:
                continue
            who = f"only by {names[0]}" if names else "by no actor"
            yield Problem(
                "KB603",
                A,
                kb.where[q.id].at(("positions", side)),
                f"the {side} side of {q.id!r} is asserted {who}",
                "add the claims of other actors who take this side, quoted in their words",
            )


def no_engagement(kb: KnowledgeBase, e: Engagements) -> Iterator[Problem]:
    """Report questions on which no claim asserted by one actor attacks another actor's."""
    for q in kb.questions.values():
        if not positions(kb, q.id):
            continue
        scope = e.scopes.of(q.id)
        if e.engaged(scope):
            continue
        yield Problem(
            "KB604",
            A,
            kb.where[q.id].key("id"),
            f"on {q.id!r}, no claim one actor asserts attacks a claim another asserts "
            f"({e.scopes.size(scope)} claims bear on it)",
            "map where the authors answer each other: a rebut, undercut or contradicts "
            "between their own claims, quoted at both ends",
        )


def question_quotes(kb: KnowledgeBase) -> Iterator[Problem]:
    """Report quotes given as support that are questions."""
    given: list[Stance | Evidence] = [
        s for s in kb.stances.values() if s.position is Position.asserts
    ]
    given += [ev for ev in kb.evidence.values() if ev.direction is Direction.supports]
    for record in given:
        # Most quotes hold no question mark: skip splitting them into sentences.
        if "?" in record.quote and is_question(record.quote) and record.id in kb.where:
            yield Problem(
                "KB605",
                A,
                kb.where[record.id].value("quote"),
                f"the quote of {record.id!r} is a question, given as support for {record.claim!r}",
                "a question asserts nothing: quote the answer, or make the stance 'qualifies'",
            )


def is_question(quote: str) -> bool:
    """Tell whether every sentence of a quote is a question."""
    # A rhetorical question after a statement does not make the quote a question.
    text = _ELISION_RE.sub(" ", quote)
    sentences = [t.rstrip(_TRAILING) for t in _SENTENCE_END_RE.split(text)]
    sentences = [t for t in sentences if t]
    return bool(sentences) and all(t.endswith("?") for t in sentences)


def _attribution(kb: KnowledgeBase, record: Stance | Evidence, words: WordMemo) -> bool:
    """Tell whether a stance quotes another's text naming its actor: that grounds who, not what."""
    if not isinstance(record, Stance) or record.actor not in kb.actors:
        return False
    source = kb.sources.get(record.source)
    if source is not None and record.actor in source.authors:
        return False
    return bool(
        words.content_words(kb.actors[record.actor].name) & words.content_words(record.quote)
    )


def unrelated_quotes(kb: KnowledgeBase, words: WordMemo) -> Iterator[Problem]:
    """Report stances and evidence whose quote shares almost no content words with its claim."""
    records: list[Stance | Evidence] = [*kb.stances.values(), *kb.evidence.values()]
    claims, where = kb.claims, kb.where
    words_of = words.content_words
    for record in records:
        claim = claims.get(record.claim)
        if claim is None or record.id not in where:
            continue
        if claim.aka:
            share = shared_share(record.quote, [claim.text, *claim.aka], words_of)
        else:  # shared_share's one claim text, without its call and list
            claimed = words_of(claim.text)
            share = len(claimed & words_of(record.quote)) / len(claimed) if claimed else 0.0
        if share < MIN_SHARED and not _attribution(kb, record, words):
            yield Problem(
                "KB606",
                A,
                kb.where[record.id].value("quote"),
                f"the quote of {record.id!r} shares {share:.0%} of the content words "
                f"of claim {claim.id!r} (below {MIN_SHARED:.0%})",
                "check that the quote says what the claim says, or quote the passage that does",
            )
