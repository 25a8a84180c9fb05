"""Page reads as numbers into one table of keys: the same sets back, the same answers."""

from __future__ import annotations

import pickle

from hypothesis import given
from hypothesis import strategies as st

from kb.build.pagereads import PageReads

KEYS = st.tuples(
    st.sampled_from(["", "*", "graph", "standing", "where?"]), st.text("abc", max_size=2)
)
PAGES = st.dictionaries(st.sampled_from([f"p{i}.html" for i in range(8)]), st.frozensets(KEYS))


@given(PAGES, PAGES, st.frozensets(KEYS))
def test_reads_come_back_whole_and_answer_as_the_sets_would(
    first: dict, second: dict, changed: frozenset
) -> None:
    reads = PageReads()
    for path, keys in first.items():
        reads.pages[path] = reads.encode(keys)
    later = reads.copy()  # the next build's: pages replaced or gone, the table shared
    for path, keys in second.items():
        later.pages[path] = later.encode(keys)
    gone = sorted(first)[:1]
    for path in gone:
        later.pages.pop(path, None)
    expected = {**first, **second}
    for path in gone:
        expected.pop(path, None)
    assert {p: reads.get(p) for p in reads.pages} == first  # the copy left these alone
    numbers = later.numbers(changed)
    for table in (later, later.trimmed(), pickle.loads(pickle.dumps(later))):
        assert {p: table.get(p) for p in table.pages} == expected
        for path, keys in expected.items():
            assert table.touched(path, table.numbers(changed)) == (not keys.isdisjoint(changed))
            assert later.touched(path, numbers) == (not keys.isdisjoint(changed))


def test_the_table_is_made_afresh_once_it_has_doubled() -> None:
    reads = PageReads()
    for round_ in range(4):
        reads = reads.copy()
        reads.pages["a.html"] = reads.encode({("", f"{round_}-{i}") for i in range(600)})
        reads = reads.trimmed()
    assert reads.get("a.html") == {("", f"3-{i}") for i in range(600)}
    assert len(reads.keys) <= 2 * 600 + 1000  # old rounds' keys were dropped on the way
