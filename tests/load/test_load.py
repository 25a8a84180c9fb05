"""The loader: located values, file layouts, derived IDs, bounds, and no stray exceptions."""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
from pathlib import Path

import pytest
import yaml
from helpers import write_kb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kb.load.cache
import kb.load.depth
import kb.load.parse
from kb.check.entry import load_kb
from kb.errors import KBError, Location
from kb.load.cache import ParseCache, default_parse_cache
from kb.load.loader import load
from kb.load.parse import _TYPED_WORDS, _Fallback, _fast_parse, _parse_exact, parse_yaml
from kb.model.located import LocDict, LocList, numbers
from kb.model.records import relation_id


def test_marks_are_one_based_for_keys_values_and_items() -> None:
    docs, problems = parse_yaml("claims:\n  - id: a\n    tags: [x, y]\n", "f.yaml")
    assert problems == []
    (doc,) = docs
    assert isinstance(doc, LocDict)
    record = doc["claims"][0]
    assert record.keys_at["id"] == (2, 5)
    assert record.values_at["id"] == (2, 9)
    assert isinstance(record["tags"], LocList)
    assert record["tags"].items_at == [(3, 12), (3, 15)]
    # One position pair for the start, two per key (the key's and its value's), one per item.
    assert list(numbers(record.pos)) == [2, 5, 2, 5, 2, 9, 3, 5, 3, 11]
    assert list(numbers(record["tags"].pos)) == [3, 11, 3, 12, 3, 15]


def test_several_documents_kinds_and_singular_keys(tmp_path: Path) -> None:
    text = """
        claim:
          id: one
          text: One.
        actors:
          - id: someone
            name: Someone
        ---
        claims:
          - id: two
            text: Two.
        """
    kb, problems = load(write_kb(tmp_path, {"mixed.yaml": text}, base=False))
    assert problems == []
    assert list(kb.claims) == ["one", "two"]
    assert list(kb.actors) == ["someone"]


def test_any_folder_layout_and_config_file(tmp_path: Path) -> None:
    folder = write_kb(tmp_path, {"deep/er/x.yml": "actors:\n  - id: x\n    name: X\n"})
    (folder / "kb.yaml").write_text("title: My debate\n")
    kb, problems = load(folder)
    assert problems == []
    assert "x" in kb.actors
    assert kb.config.title == "My debate"


def test_bom_is_tolerated(tmp_path: Path) -> None:
    folder = write_kb(tmp_path, base=False)
    (folder / "bom.yaml").write_bytes(b"\xef\xbb\xbfactors:\n  - id: x\n    name: X\n")
    kb, problems = load(folder)
    assert problems == [] and "x" in kb.actors


def test_non_utf8_is_located(tmp_path: Path) -> None:
    folder = write_kb(tmp_path, base=False)
    (folder / "latin.yaml").write_bytes(b"actors:\n  - id: x\n    name: Fran\xe7ois\n")
    _, problems = load(folder)
    (p,) = problems
    assert (p.code, p.location.line, p.location.col) == ("KB002", 3, 15)


def test_derived_ids_and_links_from_either_end(tmp_path: Path) -> None:
    kb, problems = load(write_kb(tmp_path))
    assert problems == []
    assert "ann-author--scaling-works" in kb.stances
    assert "loss-curves-straight--supports--direct" not in kb.relations
    assert "loss-curves-straight--supports--scaling-works" in kb.relations
    assert "curves-bend--rebuts--scaling-works" in kb.relations
    assert "loss-curves-straight--supports--paper-one" in kb.evidence


def test_same_link_written_from_both_ends_is_one_relation(tmp_path: Path) -> None:
    files = {
        "more.yaml": """
            claims:
              - id: extra
                text: Extra.
                supports: [scaling-works]
                contradicts: [curves-bend]
              - id: extra-two
                text: Extra two.
                contradicts: [extra]
            relations:
              - from: extra
                type: supports
                to: scaling-works
                rationale: The same link, with a reason.
              - from: curves-bend
                type: contradicts
                to: extra
            """
    }
    kb, problems = load(write_kb(tmp_path, files))
    assert problems == []
    rel = kb.relations["extra--supports--scaling-works"]
    assert rel.rationale is None  # the first written is kept unless the later one has a quote
    assert relation_id("extra", "contradicts", "curves-bend") == "curves-bend--contradicts--extra"
    assert "curves-bend--contradicts--extra" in kb.relations


def test_answers_merge_into_question_positions(tmp_path: Path) -> None:
    kb = load_kb(write_kb(tmp_path))
    q = kb.questions["q-scale"]
    assert q.positions.pro == ["scaling-works"]
    assert q.positions.con == ["curves-bend"]


def test_alias_bomb_is_bounded() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    _, problems = parse_yaml("\n".join(lines) + "\n", "bomb.yaml")
    assert [p.code for p in problems] == ["KB005"]


def test_deep_nesting_is_bounded() -> None:
    _, problems = parse_yaml("a: " + "[" * 5000 + "]" * 5000 + "\n", "deep.yaml")
    # The mapping is level 1, so the 64th bracket (column 3 + 64) opens level 65.
    assert [(p.code, p.location.line, p.location.col) for p in problems] == [("KB007", 1, 67)]


def _limited(base: type, limit: int) -> type:
    """Return a reader that, like LibYAML in PyYAML 6.0.4, refuses flow nesting `limit` deep."""

    # It stops at its first call, before handing over any event: the worst case of LibYAML's
    # look-ahead, which stopped 6.0.4 at column 1009 before it reached the level past ours.

    class Limited(base):  # type: ignore[misc, valid-type]
        def __init__(self, stream: str) -> None:
            super().__init__(stream)
            self.text = stream

        def _refuse(self) -> None:
            depth = line = col = 0
            for index, char in enumerate(self.text):
                depth += (char in "[{") - (char in "]}")
                if depth >= limit:
                    mark = yaml.Mark("<text>", index, line, col, None, None)
                    raise yaml.scanner.ScannerError(
                        "while increasing flow level", mark, "exceeded maximum nesting depth", mark
                    )
                line, col = (line + 1, 0) if char == "\n" else (line, col + 1)

        def check_event(self, *kinds: type) -> bool:
            self._refuse()
            return super().check_event(*kinds)

        def get_event(self) -> yaml.Event:
            self._refuse()
            return super().get_event()

        def check_node(self) -> bool:
            self._refuse()
            return super().check_node()

    return Limited


DEEP = {
    # text: where the first level past 64 opens (1-based line, column), counted by hand
    "one-line": ("a: " + "[" * 5000 + "]" * 5000 + "\n", (1, 67)),
    "hostile-case": (
        "claims:\n  - id: a\n    text: T\n    notes: " + "[" * 10_000 + "]" * 10_000,
        (4, 73),  # three block levels, then the 62nd bracket at column 11 + 62
    ),
    "bracket-per-line": ("[\n" * 1500 + "]\n" * 1500, (65, 1)),
    "indented-per-line": ("a:\n" + " [\n" * 1200 + " ]\n" * 1200, (65, 2)),
    "within-the-bound": ("a: " + "[" * 63 + "]" * 63 + "\n", None),
}


@pytest.mark.parametrize("limit", [None, 100, 1000], ids=["no-limit", "limit-100", "limit-1000"])
@pytest.mark.parametrize("case", sorted(DEEP))
def test_deep_nesting_is_refused_where_it_starts_whatever_the_readers_own_limit(
    case: str, limit: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """KB007 at the first level past the bound, whether or not LibYAML stops first on its own."""
    text, where = DEEP[case]
    if limit is not None:
        monkeypatch.setattr(kb.load.parse, "_Loader", _limited(kb.load.parse._Loader, limit))
        readers = (_limited(kb.load.depth._BaseLoader, limit), *kb.load.depth._DEPTH_READERS[1:])
        monkeypatch.setattr(kb.load.depth, "_DEPTH_READERS", readers)
        if where:  # the simulated limit does fire on every deep case
            with pytest.raises(yaml.scanner.ScannerError):
                kb.load.parse._Loader(text).check_node()
    _, problems = parse_yaml(text, "deep.yaml")
    found = [(p.code, p.location.line, p.location.col) for p in problems]
    assert found == ([("KB007", *where)] if where else [])


def test_a_plain_syntax_error_is_not_read_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    """A syntax error far from any deep nesting is reported without the slow second reader."""

    class Untouchable:
        def __init__(self, text: str) -> None:
            raise AssertionError("the second reader was asked")

    monkeypatch.setattr(kb.load.depth, "_DEPTH_READERS", (kb.load.depth._BaseLoader, Untouchable))
    line = "  - {id: claim-x, text: Scaling keeps lowering loss, tags: [a, b]}\n"
    text = "claims:\n" + line * 3000 + "  - id: [unclosed\n"
    _, problems = parse_yaml(text, "big.yaml")
    assert [p.code for p in problems] == ["KB001"]


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 63 + "]" * 63 + "\n",
        "a: " + "[" * 64 + "]" * 64 + "\n",
        "- " * 64 + "x\n",
        "- " * 65 + "x\n",
        "".join(" " * i + "k:\n" for i in range(64)) + " " * 64 + "v\n",
        "".join(" " * i + "k:\n" for i in range(65)) + " " * 65 + "v\n",
        "a: " + "{k: " * 64 + "v" + "}" * 64 + "\n",
        "- " * 30 + "k: " + "[" * 34 + "]" * 34 + "\n",
    ],
    ids=["flow-64", "flow-65", "compact-64", "compact-65", "block-64", "block-65", "maps", "mixed"],
)
def test_the_event_scan_and_the_node_builder_refuse_the_same_level(text: str) -> None:
    """Both count levels of collections: the 65th is refused, at its first character."""
    _, problems = _parse_exact(text, "deep.yaml")  # short text: the node builder judges it
    by_builder = [(p.location.line, p.location.col) for p in problems if p.code == "KB007"]
    by_events = kb.load.depth._first_too_deep(yaml.SafeLoader, text)
    assert by_builder == ([by_events] if by_events else [])
    assert problems == [] or [p.code for p in problems] == ["KB007"]


def test_object_tags_are_refused() -> None:
    _, problems = parse_yaml("a: !!python/object/apply:os.system [ls]\n", "t.yaml")
    assert [p.code for p in problems] == ["KB006"]


def test_missing_folder_is_a_clear_problem(tmp_path: Path) -> None:
    _, problems = load(tmp_path / "nowhere")
    assert [p.code for p in problems] == ["KB010"]


def test_location_formats_like_a_compiler() -> None:
    assert str(Location("claims/a.yaml", 3, 7)) == "claims/a.yaml:3:7"


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20) | st.floats(allow_nan=False),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
KEYS = ["claims", "claim", "sources", "actors", "stances", "evidence", "relations", "questions"]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(doc=st.dictionaries(st.sampled_from(KEYS), yaml_values, max_size=3))
def test_random_documents_never_raise_foreign_errors(tmp_path: Path, doc: dict) -> None:
    folder = tmp_path / "claims"
    folder.mkdir(exist_ok=True)
    (folder / "r.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    with contextlib.suppress(KBError):
        load_kb(folder)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_mutated_valid_kb_never_raises_foreign_errors(tmp_path: Path, data: st.DataObject) -> None:
    folder = write_kb(tmp_path)
    path = folder / data.draw(st.sampled_from(sorted(p.name for p in folder.glob("*.yaml"))))
    text = path.read_text()
    pos = data.draw(st.integers(0, len(text)))
    cut = data.draw(st.integers(0, 5))
    insert = data.draw(st.text(alphabet=" -:[]{}&*!|>'\"#\n\tabc0", max_size=6))
    path.write_text(text[:pos] + insert + text[pos + cut :], encoding="utf-8")
    with contextlib.suppress(KBError):
        load_kb(folder)


# The fast reader (LibYAML events) and the exact one (composed nodes) -----------------------------


def _same(a: object, b: object) -> bool:
    """Tell whether two located values are equal, positions and key order included."""
    if type(a) is not type(b):
        return False
    if isinstance(a, LocDict) and isinstance(b, LocDict):
        return (a.pos, list(a)) == (b.pos, list(b)) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, LocList) and isinstance(b, LocList):
        return (a.pos, len(a)) == (b.pos, len(b)) and all(
            _same(x, y) for x, y in zip(a, b, strict=True)
        )
    return a == b or (a != a and b != b)  # NaN equals itself here


def _assert_readers_agree(text: str) -> bool:
    """Assert that a text the fast reader accepts reads the same through the exact one."""
    try:
        fast = _fast_parse(text)
    except _Fallback:
        return False
    exact, problems = _parse_exact(text, "f.yaml")
    assert problems == []
    assert len(fast) == len(exact) and all(map(_same, fast, exact)), text
    return True


YAML_PIECES = [
    "claims:", "- ", "  ", "\n", "id: a", "id: a", "text: T", "tags: [x, y]", "? ", ": ", "[",
    "]", "{", "}", ",", '"', "'", "|", ">-", "#", "---", "...", "~", "null", "yes", "On", "no",
    "2024-02-30", "2024-01-01", "1e999", "0x1F", "0o7", "1_000", ".nan", "-.inf", "0.5", "12:30",
    "<<", "=", "&x ", "*x", "!!str ", "!x ", "\u2028", "\x85", "\r\n", "\t", "é", "nothing",
    "tomorrow", "Off-topic",
]  # fmt: skip
yaml_texts = st.lists(st.sampled_from(YAML_PIECES), max_size=40).map("".join)
dumped = st.builds(
    lambda value, flow, width: yaml.safe_dump(value, default_flow_style=flow, width=width),
    yaml_values,
    st.sampled_from([None, True, False]),
    st.sampled_from([20, 80]),
)


@settings(max_examples=300, deadline=None)
@given(text=yaml_texts | dumped)
def test_fast_reader_agrees_with_exact_reader(text: str) -> None:
    _assert_readers_agree(text)


def test_fast_reader_reads_the_bundled_and_test_files() -> None:
    root = Path(__file__).parents[2]
    texts = [p.read_text(encoding="utf-8") for p in sorted(root.glob("claims/**/*.yaml"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted(root.glob("tests/data/**/*.yaml"))]
    read_fast = [_assert_readers_agree(text) for text in texts]
    assert sum(read_fast) > len(texts) // 2  # the plain files do take the fast path


@pytest.mark.parametrize(
    "text",
    [
        "a: &x [1]\nb: *x\n",  # an alias
        "a: !!str 1\n",  # a tag
        "a: 1\na: 2\n",  # a duplicate key
        "? [k]\n: v\n",  # a complex key
        "a: [1\n",  # a syntax error
        "<<: {a: 1}\n",  # a merge key
        "a: " + "[" * 70 + "]" * 70 + "\n",  # deep nesting
    ],
)
def test_fast_reader_leaves_unusual_files_to_the_exact_one(text: str) -> None:
    with pytest.raises(_Fallback):
        _fast_parse(text)


@given(word=st.from_regex(r"[A-Za-z][A-Za-z0-9 _-]{0,8}", fullmatch=True))
def test_plain_words_are_typed_only_when_listed(word: str) -> None:
    tag = yaml.resolver.Resolver().resolve(yaml.ScalarNode, word, (True, False))
    assert (tag != "tag:yaml.org,2002:str") == (word in _TYPED_WORDS)


def test_listed_words_are_typed() -> None:
    for word in _TYPED_WORDS:
        tag = yaml.resolver.Resolver().resolve(yaml.ScalarNode, word, (True, False))
        assert tag != "tag:yaml.org,2002:str", word


# The parse cache --------------------------------------------------------------------------------


def _snapshot(folder: Path, cache: ParseCache | None) -> tuple:
    """Load a KB and return everything loading produced, positions included, comparably."""
    kb, problems = load(folder, cache=cache)
    records = {rid: (type(r).__name__, r.model_dump()) for rid in kb.where if (r := kb.get(rid))}
    wheres = {
        rid: (w.path, w.start, w.raw and w.raw.pos, w.fixed, w.value("id"))
        for rid, w in sorted(kb.where.items())
    }
    return records, wheres, sorted(map(str, problems)), sorted(kb.files)


def _cache_files(cache: ParseCache) -> list[str]:
    """Return the keys of the entries in the cache's pack, as a fresh cache reads them."""
    assert sorted(p.name for p in cache.folder.iterdir()) == ["pack.parsed"]
    return sorted(ParseCache(cache.folder)._entries())


def test_parse_cache_gives_what_parsing_gives(tmp_path: Path) -> None:
    folder = write_kb(
        tmp_path,
        {
            "extra.yaml": """
                claims:
                  - id: dated
                    text: "A claim with typed values: 2024-01-01, 0.5, yes."
                    forecast: {resolves: 2031-06-30, criteria: It happens., probability: 0.5}
                """,
            "broken.yaml": "claims: [\n",
        },
    )
    cache = ParseCache(tmp_path / "cache")
    expected = _snapshot(folder, None)
    assert _snapshot(folder, cache) == expected  # cold: parses and stores
    stored = _cache_files(cache)
    assert len(stored) == len(list(folder.glob("*.yaml"))) - 1  # the broken file is not kept
    warm = ParseCache(tmp_path / "cache")
    assert _snapshot(folder, warm) == expected  # warm: every good file comes from the cache
    assert not warm.wrote and _cache_files(warm) == stored


def test_parse_cache_follows_edits_and_drops_stale_entries(tmp_path: Path) -> None:
    folder = write_kb(tmp_path)
    cache_dir = tmp_path / "cache"
    load(folder, cache=ParseCache(cache_dir))
    before = set(_cache_files(ParseCache(cache_dir)))
    claims = folder / "claims.yaml"
    claims.write_text(claims.read_text().replace("Scaling keeps", "Scaling still keeps"))
    cache = ParseCache(cache_dir)
    assert _snapshot(folder, cache) == _snapshot(folder, None)
    after = set(_cache_files(cache))
    assert len(after) == len(before) and len(after - before) == 1


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not a pickle at all",
        pickle.dumps({"a": 1}),  # a pickle, but not a list of documents
        pickle.dumps([LocDict()])[:-3],  # truncated
        pickle.dumps(os.getcwd),  # a foreign function: never looked up, never called
    ],
)
def test_corrupt_or_foreign_cache_files_are_misses(tmp_path: Path, content: bytes) -> None:
    folder = write_kb(tmp_path)
    cache = ParseCache(tmp_path / "cache")
    expected = _snapshot(folder, cache)
    for path in cache.folder.iterdir():
        path.write_bytes(content)
    assert _snapshot(folder, ParseCache(tmp_path / "cache")) == expected
    # The same contents as entries of a well-formed pack: each one is a miss.
    entries = {key: content for key in _cache_files(cache)}
    cache.pack.write_bytes(b"".join(kb.load.cache._packed(entries)))
    again = ParseCache(tmp_path / "cache")
    assert _snapshot(folder, again) == expected and again.wrote


@pytest.mark.parametrize("cut", [1, 20, 40, -1])
def test_a_truncated_pack_is_empty(tmp_path: Path, cut: int) -> None:
    folder = write_kb(tmp_path)
    cache = ParseCache(tmp_path / "cache")
    expected = _snapshot(folder, cache)
    cache.pack.write_bytes(cache.pack.read_bytes()[:cut])
    again = ParseCache(tmp_path / "cache")
    assert _snapshot(folder, again) == expected and again.wrote


def test_the_pack_replaces_the_files_of_the_older_format(tmp_path: Path) -> None:
    folder = write_kb(tmp_path)
    old = tmp_path / "cache" / f"{'0' * 32}.parsed"
    old.parent.mkdir()
    old.write_bytes(pickle.dumps([LocDict()]))
    cache = ParseCache(tmp_path / "cache")
    assert _snapshot(folder, cache) == _snapshot(folder, None)
    assert not old.exists() and len(_cache_files(cache)) == len(list(folder.glob("*.yaml")))


def test_a_live_writers_pack_is_left_and_a_dead_ones_removed(tmp_path: Path) -> None:
    # Another process writing its pack keeps its file; a crashed run's file is litter.
    folder = write_kb(tmp_path)
    ended = subprocess.Popen(["true"])
    ended.wait()
    (tmp_path / "cache").mkdir()
    gone = tmp_path / "cache" / f"pack.parsed.{ended.pid}.tmp"
    live = tmp_path / "cache" / f"pack.parsed.{os.getppid()}.tmp"  # pytest's parent runs on
    for path in (gone, live):
        path.write_bytes(b"partial")
    cache = ParseCache(tmp_path / "cache")
    assert _snapshot(folder, cache) == _snapshot(folder, None)
    assert live.exists() and not gone.exists()


def test_a_cache_of_another_loader_version_is_not_read(tmp_path: Path, monkeypatch) -> None:
    folder = write_kb(tmp_path)
    load(folder, cache=ParseCache(tmp_path / "cache"))
    monkeypatch.setattr(kb.load.cache, "PARSE_CACHE_FORMAT", kb.load.cache.PARSE_CACHE_FORMAT + 1)
    cache = ParseCache(tmp_path / "cache")
    load(folder, cache=cache)
    assert cache.wrote  # every key differs, so everything was parsed (and stored) again


def test_kb_cache_0_turns_the_parse_cache_off(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("KB_CACHE", "0")
    assert default_parse_cache(tmp_path) is None
    monkeypatch.setenv("KB_CACHE", "1")
    cache = default_parse_cache(tmp_path)
    assert cache is not None and cache.folder.is_relative_to(tmp_path / "debate-kb")


def test_an_unwritable_cache_only_costs_speed(tmp_path: Path) -> None:
    folder = write_kb(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert _snapshot(folder, ParseCache(blocker / "cache")) == _snapshot(folder, None)
