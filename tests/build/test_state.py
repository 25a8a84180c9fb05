"""The state file: records written once, named by reference, and read back as the same objects."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from kb.build.incremental import IncrementalBuilder
from kb.build.state import output_stamp, read_state
from kb.build.writer import site_manifest
from kb.model.records import Question

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from synth import add_relation, edit_statement, generate  # noqa: E402


def state_file(builder: IncrementalBuilder) -> Path:
    """Return the builder's state file."""
    assert builder.state_file is not None
    return builder.state_file


@pytest.fixture
def built(tmp_path: Path) -> IncrementalBuilder:
    """Build a small synthetic KB with a state file."""
    folder = generate(tmp_path / "kb", 40, 3)
    builder = IncrementalBuilder(folder, tmp_path / "site", search=False, cache_dir=tmp_path / "c")
    builder.build()
    return builder


def test_the_last_kbs_records_are_the_file_memos_own(built: IncrementalBuilder) -> None:
    """Every record and place of the last KB read back is the object its file's entry holds."""
    state = read_state(state_file(built), output_stamp(built.kb_root, built.out))
    assert state is not None and state.last is not None and built.last is not None
    kb = state.last.kb
    stored = [v for _, actions, _ in state.memo.files.values() for a, v in actions if a == "store"]
    assert len(stored) == sum(kb.counts().values())
    same_records = same_places = 0
    for record, where in stored:
        assert kb.where[record.id] is where
        same_places += 1
        if isinstance(record, Question):
            # The memo keeps a pristine copy; the KB's own has the claims that answer it.
            assert kb.questions[record.id] is not record
        else:
            assert kb.table(record.kind_name)[record.id] is record
            same_records += 1
    assert same_records > 40 and same_places == len(kb.where) == len(built.last.kb.where)
    # And the same values as the builder kept in memory.
    assert kb.claims == built.last.kb.claims and kb.questions == built.last.kb.questions
    assert state.last.reads.pages == built.last.reads.pages
    assert state.last.standings == built.last.standings
    assert state.last.manifest == site_manifest(built.out)


def test_a_state_saved_again_reads_back(built: IncrementalBuilder) -> None:
    """Saving after a build, when the snapshot already holds the site's files, stays readable."""
    assert built.last is not None and built.last.manifest is not None
    built.save()
    state = read_state(state_file(built), output_stamp(built.kb_root, built.out))
    assert state is not None and state.last is not None
    assert state.last.manifest == built.last.manifest
    edit_statement(built.kb_root, 1, "Edited after the state was saved again.")
    again = IncrementalBuilder(
        built.kb_root, built.out, search=False, cache_dir=state_file(built).parent
    )
    assert again.restore()
    report = again.build()
    assert not report.full and report.parsed_files == 1


@pytest.mark.parametrize("cut", [0, 10, 1000, -200, -9])
def test_a_cut_state_file_is_no_state(built: IncrementalBuilder, cut: int) -> None:
    """A state file cut anywhere is read as no state, never as part of one."""
    path = state_file(built)
    data = path.read_bytes()
    path.write_bytes(data[:cut])
    assert read_state(path, output_stamp(built.kb_root, built.out)) is None


def test_a_state_for_another_output_is_no_state(built: IncrementalBuilder, tmp_path: Path) -> None:
    """A state whose stamp names another output folder is not taken."""
    path = state_file(built)
    assert read_state(path, output_stamp(built.kb_root, built.out)) is not None
    assert read_state(path, output_stamp(built.kb_root, tmp_path / "elsewhere")) is None


def test_unchanged_files_are_copied_from_the_last_state_file(built: IncrementalBuilder) -> None:
    """An edit's save copies every other file's pickle, to the same bytes as pickling them all."""
    path = state_file(built)
    files = len(built.memo.files)
    edit_statement(built.kb_root, 2, "Edited: its file is pickled again, the rest copied.")
    report = built.build()  # saves the state
    assert report.parsed_files == 1 and built.memo.spans is not None
    copied_bytes = path.read_bytes()
    built.memo.spans = None  # as if no state file had been written or read
    assert built.save() == 0
    assert path.read_bytes() == copied_bytes
    # Read back in another builder, whose save copies every entry from the file it read.
    again = IncrementalBuilder(built.kb_root, built.out, search=False, cache_dir=path.parent)
    assert again.restore() and again.save() == files
    assert again.memo.spans is not None
    spans = again.memo.spans[1].values()
    start, end = min(s for _, s, _ in spans), max(s + n for _, s, n in spans)
    # The files' part is the same bytes; what follows was read back, and its sharing may differ.
    assert path.read_bytes()[:end] == copied_bytes[:end] and start < end
    edit_statement(built.kb_root, 3, "Edited again.")
    assert again.build().parsed_files == 1
    state = read_state(path, output_stamp(built.kb_root, built.out))
    assert state is not None and state.last is not None and again.last is not None
    assert state.last.kb.claims == again.last.kb.claims


def test_a_state_file_replaced_since_is_not_copied_from(
    built: IncrementalBuilder, tmp_path: Path
) -> None:
    """Another builder's state file (a new inode) is no source: every entry is pickled."""
    path = state_file(built)
    whole = path.read_bytes()
    assert built.save() == len(built.memo.files)  # nothing changed: all copied
    other = tmp_path / "other"
    other.write_bytes(b"x" * 100 + whole[100:])  # garbled where the first entries lie
    other.replace(path)
    assert built.save() == 0
    assert path.read_bytes() == whole
    assert read_state(path, output_stamp(built.kb_root, built.out)) is not None


def test_the_graph_is_saved_and_reused_by_the_next_process_while_its_inputs_hold(
    built: IncrementalBuilder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A statement edit reuses the saved graph, its KB the new one; a new link builds it anew."""
    from kb.build import build, memos
    from kb.model.graph import KBGraph

    made: list[object] = []

    class Counted(KBGraph):
        def __init__(self, kb: Any) -> None:
            made.append(kb)
            super().__init__(kb)

    state = read_state(state_file(built), output_stamp(built.kb_root, built.out))
    assert state is not None and state.last is not None and state.graph is not None
    saved = state.graph.graph
    assert state.graph.kb is state.last.kb and saved.kb is state.last.kb  # named, not held twice
    assert state.graph.pairs is not None and state.graph.settings is not None
    fresh = KBGraph(state.last.kb)
    edges = sorted(map(repr, fresh.g.edges(keys=True, data=True)))
    assert sorted(map(repr, saved.g.edges(keys=True, data=True))) == edges
    assert saved._in == fresh._in and saved._out == fresh._out  # noqa: SLF001

    monkeypatch.setattr(memos, "KBGraph", Counted)

    def rebuild() -> int:
        # A new builder, as the next `kb build` makes, from the state the last one saved.
        made.clear()
        builder = IncrementalBuilder(
            built.kb_root, built.out, search=False, cache_dir=tmp_path / "c"
        )
        report = builder.build()
        graphs = len(made)
        assert not report.full and builder.last is not None
        assert builder.memos.graph(builder.last.kb).kb is builder.last.kb
        build(built.kb_root, tmp_path / "fresh", search=False)
        for path in site_manifest(tmp_path / "fresh"):
            if path.endswith(".html"):
                assert (built.out / path).read_bytes() == (tmp_path / "fresh" / path).read_bytes()
        return graphs

    edit_statement(built.kb_root, 3, "A statement the saved graph does not hold.")
    assert rebuild() == 0
    add_relation(built.kb_root, 30, 2, "supports")
    assert rebuild() == 1  # the new link is in a graph built anew
