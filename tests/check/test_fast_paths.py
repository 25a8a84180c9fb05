"""The checks' fast paths report exactly what their plain definitions (kept here) report."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kb.check import gaps, links, quality, references
from kb.check.context import CheckContext
from kb.check.quotes import quoted
from kb.check.words import WordMemo, shared_share
from kb.errors import Problem
from kb.load.loader import load
from kb.load.new import SKELETONS
from kb.model.kb import KnowledgeBase
from kb.model.records import RelationType

CONTENT = Path(__file__).parents[2] / "claims"
TEMPLATES = [v for fields in SKELETONS.values() for v in fields.values() if isinstance(v, str)]
# Texts near the fast paths' screens: template sentences with and without TODO:, spacing and
# case, TODO and FIXME inside and next to words, and lengths either side of the bounds.
texts = st.one_of(
    st.sampled_from(TEMPLATES),
    st.sampled_from(TEMPLATES).map(lambda t: "  " + t.removeprefix("TODO:").upper() + " "),
    st.sampled_from(["TODO", "FIXME", "TODOs", "xTODO", "FIXMEx", "todo", "TODO later"]),
    st.text(alphabet=" \t\nab.?TODOFIXME", max_size=130),
    st.text(max_size=70),
)


@pytest.fixture(scope="module")
def content() -> KnowledgeBase:
    """Return the bundled debate, loaded once; tests restore what they change."""
    kb, problems = load(CONTENT)
    assert not problems
    return kb


class Edits:
    """Field values set on records, each put back on exit."""

    def __init__(self) -> None:
        self.undo: list[tuple[Any, str, Any]] = []

    def set(self, record: Any, name: str, value: Any) -> None:
        self.undo.append((record, name, vars(record)[name]))
        vars(record)[name] = value  # as loaded values are: without validation

    def __enter__(self) -> Edits:
        return self

    def __exit__(self, *exc: object) -> None:
        for record, name, value in reversed(self.undo):
            vars(record)[name] = value


def _pick(kb: KnowledgeBase, kind: str, n: int) -> Any:
    table = list(kb.table(kind).values())
    return table[n % len(table)]


# The plain definitions, as they were before the fast paths.


def old_placeholders(kb: KnowledgeBase) -> Iterator[Problem]:
    for kind, names in gaps.TEXT_FIELDS.items():
        for rid, record in kb.table(kind).items():
            where = kb.where.get(rid)
            if where is None or where.fixed:
                continue
            for path, text in gaps._texts(record, names):
                if gaps._is_placeholder(text):
                    yield Problem(
                        "KB601",
                        gaps.W,
                        where.at(path) if len(path) > 1 else where.value(str(path[0])),
                        f"placeholder text {text[:60]!r} left by 'kb new'; "
                        "kb build refuses to publish it",
                        "write the real text in place of the placeholder",
                    )


def old_references(kb: KnowledgeBase) -> list[Problem]:
    refs = references._References(kb)
    ref = refs.ref
    out: list[Problem | None] = list(refs.positions())
    for c in kb.claims.values():
        refs.claim(c, out)
    for s in kb.sources.values():
        for i, author in enumerate(s.authors):
            out.append(ref(s.id, "authors", author, ("actor",), i))
        if s.cited_via:
            out.append(ref(s.id, "cited_via", s.cited_via, ("source",)))
        for i, cited in enumerate(s.cites):
            out.append(ref(s.id, "cites", cited, ("source",), i))
    for stance in kb.stances.values():
        out.append(ref(stance.id, "actor", stance.actor, ("actor",)))
        out.append(ref(stance.id, "claim", stance.claim, ("claim",)))
        out.append(ref(stance.id, "source", stance.source, ("source",)))
    for ev in kb.evidence.values():
        out.append(ref(ev.id, "claim", ev.claim, ("claim",)))
        out.append(ref(ev.id, "source", ev.source, ("source",)))
    for r in kb.relations.values():
        out.append(ref(r.id, "from", r.from_, ("claim",)))
        if r.type is not RelationType.undercuts:
            out.append(ref(r.id, "to", r.to, ("claim",)))
        if r.source:
            out.append(ref(r.id, "source", r.source, ("source",)))
    return [p for p in out if p is not None]


def old_long_quotes(kb: KnowledgeBase) -> list[tuple[str, int]]:
    found = [(rid, len(q.split())) for rid, q in quoted(kb)]
    return [(rid, n) for rid, n in found if n > quality.MAX_QUOTE_WORDS]


def old_unrelated_quotes(kb: KnowledgeBase, words: WordMemo) -> Iterator[Problem]:
    for record in [*kb.stances.values(), *kb.evidence.values()]:
        claim = kb.claims.get(record.claim)
        if claim is None or record.id not in kb.where:
            continue
        share = shared_share(record.quote, [claim.text, *claim.aka], words.content_words)
        if share < gaps.MIN_SHARED and not gaps._attribution(kb, record, words):
            yield Problem(
                "KB606",
                gaps.A,
                kb.where[record.id].value("quote"),
                f"the quote of {record.id!r} shares {share:.0%} of the content words "
                f"of claim {claim.id!r} (below {gaps.MIN_SHARED:.0%})",
                "check that the quote says what the claim says, or quote the passage that does",
            )


def test_the_bundled_debate_reports_the_same(content: KnowledgeBase) -> None:
    context = CheckContext()
    assert list(gaps.placeholders(content)) == list(old_placeholders(content))
    assert references.references(content, context) == old_references(content)
    words = WordMemo()
    assert list(gaps.unrelated_quotes(content, words)) == list(
        old_unrelated_quotes(content, WordMemo())
    )


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edits=st.lists(
        st.tuples(
            st.sampled_from(sorted(gaps.TEXT_FIELDS)), st.integers(0, 400), st.integers(0, 3), texts
        ),
        max_size=8,
    )
)
def test_placeholders_match_the_plain_definition(content: KnowledgeBase, edits: list) -> None:
    with Edits() as change:
        for kind, n, field, text in edits:
            record = _pick(content, kind, n)
            name = gaps.TEXT_FIELDS[kind][field % len(gaps.TEXT_FIELDS[kind])]
            if isinstance(vars(record)[name], list):
                change.set(record, name, [text, text[::-1]])
            elif name in vars(record):
                change.set(record, name, text)
        claim = _pick(content, "claim", len(edits))
        if claim.forecast is not None and edits:
            change.set(claim.forecast, "criteria", edits[0][3])
        assert list(gaps.placeholders(content)) == list(old_placeholders(content))


REFERENCING = [
    ("stance", "actor"),
    ("stance", "claim"),
    ("stance", "source"),
    ("evidence", "claim"),
    ("evidence", "source"),
    ("relation", "from_"),
    ("relation", "to"),
    ("relation", "source"),
    ("source", "cited_via"),
    ("source", "authors"),
    ("source", "cites"),
    ("claim", "negation"),
]


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_references_match_the_plain_definition(content: KnowledgeBase, data: Any) -> None:
    # Targets of every kind, missing ones, and an invalid ID (known, not reported).
    ids = sorted(content.where)[::7] + ["no-such-id", "claim-that-is-not", ""]
    edits = data.draw(
        st.lists(st.tuples(st.sampled_from(REFERENCING), st.integers(0, 400)), max_size=6)
    )
    with Edits() as change:
        content.invalid_ids.add("known-but-invalid")
        for (kind, name), n in edits:
            record = _pick(content, kind, n)
            target = data.draw(st.sampled_from([*ids, "known-but-invalid"]))
            is_list = isinstance(vars(record)[name], list)
            change.set(record, name, [target, *vars(record)[name]] if is_list else target)
        try:
            assert references.references(content, CheckContext()) == old_references(content)
        finally:
            content.invalid_ids.discard("known-but-invalid")


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    quotes=st.lists(
        st.tuples(
            st.integers(0, 400),
            st.lists(st.sampled_from(["a", "b ", " ", "\n", "\u00a0", "\u2003", "cat "])).map(
                "".join
            ),
        ),
        max_size=6,
    )
)
@example(quotes=[(0, " ".join("a" * 61)), (1, " ".join("a" * 60)), (2, "a\n" * 61)])
def test_long_quotes_match_the_plain_definition(content: KnowledgeBase, quotes: list) -> None:
    with Edits() as change:
        for n, quote in quotes:
            change.set(_pick(content, "stance", n), "quote", quote)
        fast = [(p.location, p.message) for p in quality._long_quotes(content)]
        plain = old_long_quotes(content)
        assert len(fast) == len(plain)
        assert [m for _, m in fast] == [
            f"quote of {n} words is longer than {quality.MAX_QUOTE_WORDS}" for _, n in plain
        ]


@given(st.text(alphabet=st.sampled_from(["x", " ", "\u3000", "\t"]), max_size=200))
def test_a_quote_under_the_screen_has_few_enough_words(quote: str) -> None:
    if len(quote) < 2 * quality.MAX_QUOTE_WORDS + 1:
        assert len(quote.split()) <= quality.MAX_QUOTE_WORDS


def _word(i: int) -> str:
    """Return a distinct content word that stemming leaves alone."""
    return "zq" + "".join(chr(97 + int(d)) for d in str(i)) + "k"


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edits=st.lists(
        st.tuples(
            st.integers(0, 400),
            st.integers(1, 45),  # the claim's content words: 20 makes one shared word 5%
            st.integers(0, 3),  # how many of them the quote shares
            st.lists(st.integers(0, 60), max_size=3),  # an aka's words, when there is one
        ),
        max_size=5,
    )
)
def test_quote_shares_match_the_plain_definition(content: KnowledgeBase, edits: list) -> None:
    with Edits() as change:
        for n, size, shared, aka in edits:
            stance = _pick(content, "stance", n)
            claim = content.claims.get(stance.claim)
            if claim is None:
                continue
            change.set(claim, "text", " ".join(_word(i) for i in range(size)))
            change.set(claim, "aka", [" ".join(_word(i) for i in aka)] if aka else [])
            change.set(stance, "quote", " ".join(_word(i) for i in range(shared)) + " the zz")
        fast = list(gaps.unrelated_quotes(content, WordMemo()))
        assert fast == list(old_unrelated_quotes(content, WordMemo()))


def test_the_space_pattern_is_str_isspace() -> None:
    spaces = links._SPACE_RE
    assert all(bool(spaces.search(chr(c))) == chr(c).isspace() for c in range(sys.maxunicode + 1))
