"""Positions of parsed values, and the locations a record's Where gives from them."""

from __future__ import annotations

import io
import pickle
from array import array

from hypothesis import given
from hypothesis import strategies as st

from kb.errors import Location
from kb.load.cache import _CacheUnpickler
from kb.load.parse import parse_yaml
from kb.model.located import LocDict, LocList, Where, numbers

TEXT = """\
claims:
  - id: a
    statement: Scaling works.
    tags: [x, y]
    answers:
      - question: q
        side: pro
"""


def _record() -> LocDict:
    docs, problems = parse_yaml(TEXT, "c.yaml")
    assert problems == []
    record = docs[0]["claims"][0]
    assert isinstance(record, LocDict)
    return record


def test_a_record_gives_the_hand_counted_positions_of_keys_values_and_items() -> None:
    record = _record()
    assert record.start == (2, 5)
    assert record.key_at("statement") == (3, 5)
    assert record.value_at("statement") == (3, 16)
    assert record.key_at("absent") is None and record.value_at("absent") is None
    tags = record["tags"]
    assert isinstance(tags, LocList)
    assert tags.start == (4, 11)
    assert [tags.item_at(i) for i in range(3)] == [(4, 12), (4, 15), None]
    assert tags.item_at(-1) is None


def test_where_points_at_keys_values_items_and_nested_paths() -> None:
    record = _record()
    where = Where("c.yaml", record.start, record)
    assert where.location == Location("c.yaml", 2, 5)
    assert where.key("tags") == Location("c.yaml", 4, 5)
    assert where.value("tags") == Location("c.yaml", 4, 11)
    assert where.value("tags", 1) == Location("c.yaml", 4, 15)
    assert where.value("tags", 9) == Location("c.yaml", 4, 11)  # past the end: the list
    assert where.key("missing") == Location("c.yaml", 2, 5)  # no such key: the record
    assert where.at(("answers", 0, "side")) == Location("c.yaml", 7, 15)
    assert where.at(("answers", 5, "side")) == Location(
        "c.yaml", 6, 7
    )  # the list: as deep as it goes


def test_a_derived_record_points_every_field_at_its_item() -> None:
    where = Where("c.yaml", (6, 9), fixed=True)
    assert where.key("to") == where.value("to", 0) == Location("c.yaml", 6, 9)


def test_positions_survive_the_caches_pickles_and_compare_equal() -> None:
    record = _record()
    where = Where("c.yaml", record.start, record)
    again = pickle.loads(pickle.dumps(where, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == where and again.value("tags", 1) == Location("c.yaml", 4, 15)
    docs = _CacheUnpickler(io.BytesIO(pickle.dumps([record], protocol=5))).load()
    assert docs[0].pos == record.pos and docs[0].keys_at == record.keys_at
    moved = Where("c.yaml", record.start, docs[0])
    shifted = list(numbers(record.pos))
    shifted[3] += 1
    docs[0].pos = array("I", shifted).tobytes()  # the same values, a key elsewhere: not equal
    assert moved != where


def test_a_collection_holds_one_array_of_numbers_not_an_object_per_position() -> None:
    record = _record()
    # Most of a loaded knowledge base's memory was position tuples and dicts of them.
    assert not hasattr(record, "__dict__")
    assert isinstance(record.pos, bytes) and len(numbers(record.pos)) == 2 + 4 * len(record)
    tags = record["tags"]
    assert isinstance(tags.pos, bytes) and len(numbers(tags.pos)) == 2 + 2 * len(tags)


def test_pickling_positions_makes_no_object_a_pickler_would_keep() -> None:
    # A pickler's memo keeps every object it saved alive to the end of the dump: a dict or tuple
    # made for each collection's state grew a 10,000-claim state's dump by tens of MB.
    record = _record()
    where = Where("c.yaml", record.start, record)
    pickler = pickle.Pickler(io.BytesIO(), protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dump(where)
    made = [o for _, o in pickler.memo.copy().values() if type(o) in (dict, tuple)]
    # The Where's own state tuple, and the start tuples it and the record hold; nothing else.
    assert len([o for o in made if type(o) is dict]) == 0
    assert all(type(o) is tuple and len(o) in (2, 4) for o in made)


@given(st.lists(st.sampled_from(["k", "key", "x-y", "a1"]), min_size=1, max_size=6, unique=True))
def test_keys_at_and_values_at_follow_the_order_of_the_keys(keys: list[str]) -> None:
    text = "".join(f"{k}: v{i}\n" for i, k in enumerate(keys))
    (doc,), _ = parse_yaml(text, "f.yaml")
    assert doc.keys_at == {k: (i + 1, 1) for i, k in enumerate(keys)}
    assert doc.values_at == {k: (i + 1, len(k) + 3) for i, k in enumerate(keys)}
    assert all(doc.key_at(k) == (i + 1, 1) for i, k in enumerate(keys))
