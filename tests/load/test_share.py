"""Loaded records share their strings with the parsed text and their set fields' names."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path
from typing import Any

import pytest
from helpers import write_kb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from kb.load.loader import load
from kb.load.share import FieldNames
from kb.model.records import KINDS, Claim, Question, Relation

REPO = Path(__file__).resolve().parents[2]

PADDED = """
claims:
  - id: padded
    text: "  A claim written with spaces around it.  "
    tags: ["  spaced  ", plain]
    answers: {question: q-scale, side: pro}
    notes: |
      A block that ends in a newline.
"""


def records(kb: Any) -> list[tuple[str, Any]]:
    """Return every record of a knowledge base with its kind."""
    return [(kind, r) for kind in KINDS for r in kb.table(kind).values()]


def fresh(kind: str, kb: Any, record: Any) -> Any:
    """Validate a record again from its parsed mapping, as plain pydantic does."""
    raw = kb.where[record.id].raw
    data = dict(raw)
    data.setdefault("id", record.id)  # a derived ID
    return KINDS[kind].model_validate(data)


@pytest.fixture(scope="module")
def bundled() -> Any:
    kb, problems = load(REPO / "claims")
    return kb


def test_strings_are_the_parsed_texts_own_objects(bundled: Any) -> None:
    """Every string field equal to its parsed value is that very object, lists' items too."""
    shared = 0
    for kind, record in records(bundled):
        raw = bundled.where[record.id].raw
        if raw is None:  # a relation written as a claim's link
            continue
        fields = vars(record)
        for key, parsed in raw.items():
            value = fields.get("from_" if key == "from" and kind == "relation" else key)
            if type(value) is str and value == parsed:
                assert value is parsed, (record.id, key)
                shared += 1
            elif type(value) is list and isinstance(parsed, list):
                for item, item_parsed in zip(value, parsed, strict=True):
                    if type(item) is str and item == item_parsed:
                        assert item is item_parsed, (record.id, key)
    assert shared > 1000  # the bundled content's ids, texts, quotes and locators


def test_an_id_referred_to_again_and_again_is_one_object(bundled: Any) -> None:
    """Short strings keep the one object pydantic gives equal ones, in records and mappings."""
    probe = Claim.model_validate
    if probe({"id": "a-b", "text": "x"}).id is not probe({"id": "a-b", "text": "x"}).id:
        pytest.skip("this pydantic makes a new object for each string")  # sharing is then moot
    objects: set[tuple[str, int]] = set()
    for stance in bundled.stances.values():
        raw = bundled.where[stance.id].raw
        assert raw["actor"] is stance.actor  # the record's and the mapping's: one object, always
        objects.add((stance.actor, id(stance.actor)))
    # Across records, pydantic's cache decides: a table of fixed size, hashed afresh in each
    # process, where another string may take an ID's place between two uses (after other tests
    # in the same process, say), so that some IDs come as two objects or three. Were the mappings'
    # objects kept instead, each use would be an object of its own: 327 for the 42 actors here.
    actors = {actor for actor, _ in objects}
    assert len(bundled.stances) > 5 * len(actors)
    assert len(objects) <= 2 * len(actors)


def test_a_links_relation_holds_its_claims_own_ids(tmp_path: Path) -> None:
    """A relation written as a claim's link holds the claims' ID strings, long ones too."""
    # One end long (pydantic caches no string of 64 characters or more): a link's derived ID
    # holds both ends and must stay within 120 characters.
    long_a, long_b = "a-" + "long-" * 13 + "claim", "b-claim"
    body = (
        f"claims:\n  - id: {long_a}\n    text: One.\n    supports: [{long_b}]\n"
        f"  - id: {long_b}\n    text: Two.\n"
    )
    kb, problems = load(write_kb(tmp_path, {"long.yaml": body}, base=False))
    a, b = kb.claims[long_a], kb.claims[long_b]
    (relation,) = [r for r in kb.relations.values() if r.from_ == long_a]
    assert len(long_a) > 64 and relation.to == long_b
    assert relation.from_ is a.id and relation.to is a.supports[0] is b.id
    assert relation == Relation.model_validate(
        {"id": relation.id, "from": long_a, "type": "supports", "to": long_b}
    )


def test_records_equal_plain_pydantics(bundled: Any) -> None:
    """Each record equals, and dumps as, the record plain validation makes from its mapping."""
    checked = 0
    for kind, record in records(bundled):
        if bundled.where[record.id].raw is None or isinstance(record, Question):
            continue  # questions gain the positions written on claims (tested below)
        plain = fresh(kind, bundled, record)
        assert record == plain
        assert record.model_dump(exclude_unset=True) == plain.model_dump(exclude_unset=True)
        assert record.model_fields_set == plain.model_fields_set
        checked += 1
    assert checked > 500


def test_padded_strings_are_stripped_and_not_shared(tmp_path: Path) -> None:
    """A string with spaces around it is stored stripped, as pydantic strips it."""
    kb, problems = load(write_kb(tmp_path, {"padded.yaml": PADDED}))
    claim = kb.claims["padded"]
    raw = kb.where["padded"].raw
    assert claim.text == "A claim written with spaces around it."
    assert claim.tags == ["spaced", "plain"]
    assert claim.tags[1] is raw["tags"][1]
    assert claim.notes == "A block that ends in a newline."
    assert claim.answers[0].question is raw["answers"]["question"]


def test_records_of_one_shape_share_one_read_only_set(bundled: Any) -> None:
    """Records with the same fields set share one set, which refuses a new name."""
    claims = list(bundled.claims.values())
    sets = {id(c.model_fields_set) for c in claims}
    shapes = {frozenset(c.model_fields_set) for c in claims}
    assert len(sets) == len(shapes) < len(claims)
    assert all(isinstance(c.model_fields_set, FieldNames) for c in claims)
    nested = [a for c in claims for a in c.answers] + [
        q.positions for q in bundled.questions.values()
    ]
    assert nested and all(isinstance(m.model_fields_set, FieldNames) for m in nested)
    claim = next(c for c in claims if c.notes is None)
    before = {id(c): set(c.model_fields_set) for c in claims}
    with pytest.raises(TypeError, match="read-only"):
        claim.notes = "a note set after loading"
    assert {id(c): set(c.model_fields_set) for c in claims} == before


def test_a_changed_copy_is_a_records_own(bundled: Any) -> None:
    """model_copy(update=...) and copies give a record a set of its own; the others keep theirs."""
    claim = next(c for c in bundled.claims.values() if c.notes is None)
    others = [c for c in bundled.claims.values() if c.model_fields_set is claim.model_fields_set]
    changed = claim.model_copy(update={"notes": "a note"})
    assert changed.notes == "a note" and "notes" in changed.model_fields_set
    assert type(changed.model_fields_set) is set
    assert all("notes" not in c.model_fields_set for c in others)
    for made in (copy.copy(claim), copy.deepcopy(claim), claim.model_copy(deep=True)):
        assert made == claim and type(made.model_fields_set) is set
        made.notes = "changed"  # a copy may be changed
        assert claim.notes is None
    assert claim.model_dump(exclude_unset=True) == changed.model_dump(
        exclude_unset=True, exclude={"notes"}
    )


def test_records_pickle_with_their_shared_sets(bundled: Any) -> None:
    """Pickled together, records come back equal and still share their sets."""
    claims = list(bundled.claims.values())
    back = pickle.loads(pickle.dumps(claims, protocol=5))
    assert back == claims
    assert len({id(c.model_fields_set) for c in back}) == len(
        {id(c.model_fields_set) for c in claims}
    )
    assert all(type(c.model_fields_set) is FieldNames for c in back)


TEXT = st.text(alphabet=st.sampled_from(list("ab c\t")), min_size=1, max_size=12).filter(
    lambda s: s.strip()
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=TEXT, tags=st.lists(TEXT.map(lambda s: s.replace(" ", "-")), max_size=3))
def test_any_claim_equals_plain_pydantics(
    tmp_path_factory: Any, text: str, tags: list[str]
) -> None:
    """Whatever the spaces around its strings, a loaded claim equals plain validation's."""
    root = tmp_path_factory.mktemp("kb")
    quoted = [f'"{t}"' for t in tags]
    body = f'claims:\n  - id: drawn\n    text: "{text}"\n    tags: [{", ".join(quoted)}]\n'
    kb, problems = load(write_kb(root, {"drawn.yaml": body}, base=False))
    claim = kb.claims.get("drawn")
    plain_data = {"id": "drawn", "text": text, "tags": tags}
    try:
        plain: BaseModel | None = Claim.model_validate(plain_data)
    except ValueError:
        plain = None
    if plain is None:
        assert claim is None and problems
        return
    assert claim == plain
    assert claim.model_fields_set == plain.model_fields_set
