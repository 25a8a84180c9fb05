"""Who answers whom: counts on a small knowledge base worked out by hand, in `kb stats
--engagement` and on the 'How this map was made' page."""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from gap_kb import files
from helpers import write_kb

from kb.analysis.engagement import Engagements, engagement_report
from kb.build import make_site
from kb.check.entry import load_kb
from kb.cli import main

# On q-one, the claims bearing on it are a-pro, k-pro, b-con, i-con (its answers), f-sup (it
# supports a-pro) and j-shared (it rebuts b-con). Bob attacks Ann and Dee's claims three times:
# b-con rebuts a-pro, b-con undercuts f-sup's support of a-pro, and i-con contradicts f-sup;
# the contradiction also counts back, once. j-shared, which all three assert, rebuts Bob's
# b-con, but whoever asserts both ends answers no one. Nothing attacks on q-two.
ANN_DEE, BOB, CY = "Ann Author and Dee Doe", "Bob Sceptic", "Cy Critic"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_kb(tmp_path, files(), base=False)


def rows(item) -> list[tuple[str, str, int, int]]:
    return [(r.first.name, r.second.name, r.forward, r.backward) for r in item.rows]


def test_engagement_counts(folder: Path) -> None:
    q_one, q_two, whole = engagement_report(load_kb(folder))
    assert (q_one.qid, q_one.claims, q_one.crossing, q_one.voices) == ("q-one", 6, 3, 3)
    assert rows(q_one) == [(ANN_DEE, BOB, 1, 3)]  # Cy asserts one claim: listed only if attacked
    assert (q_two.claims, q_two.crossing, q_two.voices, q_two.rows) == (4, 0, 2, [])
    assert (whole.qid, whole.claims, whole.crossing) == (None, 14, 3)
    assert rows(whole) == [(ANN_DEE, BOB, 1, 3), (ANN_DEE, CY, 0, 0), (BOB, CY, 0, 0)]
    assert q_one.rows[0].first.actors == ("ann-a", "dee-d")


def test_stats_engagement_prints_a_table_per_question(folder: Path) -> None:
    result = CliRunner().invoke(
        main, ["stats", "--engagement", "--kb", str(folder)], env={"COLUMNS": "120"}
    )
    assert result.exit_code == 0, result.output
    cells = [
        [c.strip() for c in line.split("│")[1:-1]]
        for line in result.output.splitlines()
        if line.startswith("│")
    ]
    assert cells == [
        [ANN_DEE, BOB, "1", "3"],
        ["(no attacks cross; no actor asserts 3 or more of these claims)", "", "", ""],
        [ANN_DEE, BOB, "1", "3"],
        [ANN_DEE, CY, "0", "0"],
        [BOB, CY, "0", "0"],
    ]
    titles = [line for line in result.output.splitlines() if "attacks across actors" in line]
    assert titles == [
        "q-one: Does loss keep falling? (6 claims, 3 attacks across actors)",
        "q-two: Is data running out? (4 claims, 0 attacks across actors)",
        "The whole map (14 claims, 3 attacks across actors)",
    ]


def test_stats_without_the_flag_still_counts_records(folder: Path) -> None:
    result = CliRunner().invoke(main, ["stats", "--kb", str(folder)])
    assert result.exit_code == 0 and "claims" in result.output and "A → B" not in result.output


def _visible(html: str) -> str:
    body = html.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_method_page_shows_engagement_by_name_with_links(folder: Path) -> None:
    pages = {p.path: p for p in make_site(load_kb(folder), use_git=False).pages()}
    html = pages["method.html"].render()
    ann_dee = '<a href="actor/ann-a.html">Ann Author</a> and <a href="actor/dee-d.html">Dee Doe</a>'
    row = re.search(r'<tr>\s*<td>(.*?)</td><td>(.*?)</td><td class="num">(.*?)</td>', html)
    assert row is not None
    assert row.group(1) == ann_dee and row.group(2) == '<a href="actor/bob-b.html">Bob Sceptic</a>'
    assert row.group(3) == "1 attack"
    assert '<td class="num">3 attacks</td>' in html
    assert html.count('<tr class="silent">') == 2  # Ann and Dee with Cy, Bob with Cy
    assert 'href="question/q-one.html">Does loss keep falling?</a>' in html
    text = _visible(html)
    assert "no one asserts 3 or more of these claims" in text  # q-two
    for record_id in ("q-one", "q-two", "a-pro", "b-con", "ann-a", "bob-b", "cy-c", "paper"):
        assert record_id not in text, record_id
    assert 'href="method.html">How this map was made</a>' in pages["index.html"].render()


def _by_definition(e: Engagements, scope: int) -> tuple[Counter, set[str], dict]:
    """Count a scope's crossing attacks and asserting voices straight from the bit sets."""
    counts: Counter = Counter()
    crossing: set[str] = set()
    for attack, ends, pairs in e.crossing:
        if scope & ends == ends:
            counts.update(pairs)
            crossing.add(attack.relation)
    asserted: Counter = Counter()
    for cid, held_by in e.voices.items():
        if scope >> e.scopes.index[cid] & 1:
            asserted.update(held_by)
    return counts, crossing, dict(asserted)


@pytest.mark.parametrize("seed", [1, 2])
def test_scope_counts_from_members_equal_the_bit_set_definition(tmp_path: Path, seed: int) -> None:
    # Counting from a scope's members (linear) must give what testing every attack and voice
    # against the scope's bit set gives (what the code did, cubic in the map's size).
    sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
    from synth import generate

    kb = load_kb(generate(tmp_path, 400, seed))
    e = Engagements(kb)
    scopes = [e.scopes.of(q) for q in kb.questions] + [e.scopes.everything()]
    assert any(e.crossings(s)[0] for s in scopes)
    for scope in scopes:
        counts, crossing, asserted = _by_definition(e, scope)
        assert e.crossings(scope) == (counts, crossing)
        _, n_crossing, n_voices, pair_rows = e._rows(scope)
        assert (n_crossing, n_voices) == (len(crossing), len(asserted))
        for row in pair_rows:
            assert (row.forward, row.backward) == (
                counts[row.first, row.second],
                counts[row.second, row.first],
            )
