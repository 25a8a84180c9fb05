"""Incremental rebuilds give byte-identical output to a fresh full build after random edits."""

from __future__ import annotations

import os
import random
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest
import yaml

from kb.build import build
from kb.build.executor import LocalProcessExecutor, SideJob, side_jobs_fork
from kb.build.incremental import IncrementalBuilder, Report
from kb.build.loading import FileMemo, load_memo
from kb.build.progress import Progress
from kb.build.state import STATE_NAME, output_stamp, read_state
from kb.build.writer import site_manifest
from kb.load.loader import load
from kb.load.share import FieldNames
from kb.model.records import Question
from kb.site.settings import Settings
from kb.site.site import Site

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from synth import add_relation, edit_statement, generate  # noqa: E402

pytestmark = pytest.mark.usefixtures("separate_builds")

CLAIMS = 60  # one claim file, plus actors, sources and questions; tests add more files


def tree(folder: Path) -> dict[str, bytes]:
    """Return every file below a folder with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def assert_same(built: Path, fresh: Path) -> None:
    """Fail with the differing paths unless two folders hold the same files, byte for byte."""
    a, b = tree(built), tree(fresh)
    differ = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    assert not differ, f"{len(differ)} files differ, first: {differ[:5]}"


class Editor:
    """Seeded random edits of a synthetic KB, each leaving it free of errors."""

    def __init__(self, folder: Path, rng: random.Random) -> None:
        self.folder = folder
        self.rng = rng
        self.added_files: list[Path] = []
        self.links: set[tuple[int, int, str]] = set()
        self.serial = 0
        self.actors = [f"actor-{i}" for i in range(CLAIMS // 4)]

    def edit_statement(self) -> str:
        i = self.rng.randrange(CLAIMS)
        self.serial += 1
        edit_statement(self.folder, i, f"Edited statement number {self.serial}: scaling holds.")
        return f"edit claim-{i}"

    def add_relation(self) -> str:
        while True:
            a, b = sorted(self.rng.sample(range(CLAIMS), 2), reverse=True)
            kind = self.rng.choice(["supports", "rebuts", "refines"])
            if (a, b, kind) not in self.links:
                break
        self.links.add((a, b, kind))
        add_relation(self.folder, a, b, kind)
        return f"add claim-{a} {kind} claim-{b}"

    def remove_relation(self) -> str:
        targets = {
            r["to"]
            for p in self.folder.rglob("*.yaml")
            for d in yaml.safe_load_all(p.read_text(encoding="utf-8"))
            for r in (d or {}).get("relations", [])
            if r["type"] == "undercuts"
        }
        path = self.folder / "part-00000.yaml"
        docs = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        relations = docs[0]["relations"]
        choices = [i for i, r in enumerate(relations) if r.get("id") not in targets]
        gone = relations.pop(self.rng.choice(choices))
        path.write_text(yaml.safe_dump_all(docs, sort_keys=False, width=1000), encoding="utf-8")
        return f"remove {gone['id']}"

    def add_file(self) -> str:
        self.serial += 1
        n = self.serial
        target = self.rng.randrange(CLAIMS)
        actor = self.rng.choice(self.actors)
        record = {
            "claims": [
                {
                    "id": f"new-claim-{n}",
                    "text": f"A newly added claim {n}.",
                    "tags": ["new", "scaling"],
                    "supports": [f"claim-{target}"],
                }
            ],
            "stances": [
                {
                    "actor": actor,
                    "claim": f"new-claim-{n}",
                    "source": "source-1",
                    "quote": f"Quoted words {n}.",
                    "locator": "p. 1",
                }
            ],
        }
        path = self.folder / "added" / f"new-{n}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(yaml.safe_dump(record, sort_keys=False), encoding="utf-8")
        self.added_files.append(path)
        return f"add file {path.name}"

    def delete_file(self) -> str:
        if not self.added_files:
            return self.add_file()
        path = self.added_files.pop(self.rng.randrange(len(self.added_files)))
        path.unlink()
        return f"delete file {path.name}"

    def rename_actor(self) -> str:
        old = self.rng.choice(self.actors)
        self.serial += 1
        path = self.folder / "actors.yaml"
        if self.rng.random() < 0.5:
            text = path.read_text(encoding="utf-8")
            text = re.sub(
                rf"(- id: {old}\n  name: ).*\n", rf"\g<1>Renamed Person {self.serial}\n", text
            )
            path.write_text(text, encoding="utf-8")
            return f"rename {old}'s name"
        new = f"person-{self.serial}"
        self.actors[self.actors.index(old)] = new
        pattern = re.compile(rf"\b{old}(?![0-9])")
        for path in self.folder.rglob("*.yaml"):
            text = path.read_text(encoding="utf-8")
            if pattern.search(text):
                path.write_text(pattern.sub(new, text), encoding="utf-8")
        return f"rename {old} to {new}"

    def random_edit(self) -> str:
        ops = [
            self.edit_statement,
            self.add_relation,
            self.remove_relation,
            self.add_file,
            self.delete_file,
            self.rename_actor,
        ]
        return self.rng.choice(ops)()


@pytest.mark.parametrize(("seed", "per_page"), [(1, 1000), (5, 6)])
def test_random_edits_match_a_full_build(
    tmp_path: Path, seed: int, per_page: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # per_page 6 splits the claim index into pages by first letters and the timeline into
    # years, which edits move claims between.
    monkeypatch.setattr(
        Site, "settings", Settings(claims_per_page=per_page, timeline_per_page=per_page)
    )
    folder = generate(tmp_path, CLAIMS, seed)
    editor = Editor(folder, random.Random(seed))
    # Pages open in a browser (`kb serve`) are rendered before the diff; which are open changes.
    opened: set[str] = set()
    stages = Stages()
    inc = IncrementalBuilder(
        folder, tmp_path / "inc", search=False, first=lambda: opened, progress=stages
    )
    first = inc.build()
    assert first.full and first.rendered == first.pages
    build(folder, tmp_path / "fresh", search=False)
    assert_same(tmp_path / "inc", tmp_path / "fresh")
    steps: list[str] = []
    chooser = random.Random(seed + 100)
    for _ in range(4):
        assert inc.last is not None
        opened = set(chooser.sample(sorted(inc.last.digests), 3)) | {"claim/no-such-claim.html"}
        steps += [editor.random_edit() for _ in range(editor.rng.randint(1, 2))]
        report = inc.build()
        assert not report.full, steps
        assert report.rendered < report.pages, steps
        build(folder, tmp_path / "fresh", search=False)
        assert_same(tmp_path / "inc", tmp_path / "fresh")
    assert stages.names.count("open pages") == 4  # every rebuild rendered open pages first


class Stages(Progress):
    """Notes the stages a build goes through."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def stage(self, name: str, total: int | None = None) -> None:
        self.names.append(name)


def test_each_edit_kind_rebuilds_only_what_it_must(tmp_path: Path) -> None:
    folder = generate(tmp_path, CLAIMS, 3)
    editor = Editor(folder, random.Random(3))
    inc = IncrementalBuilder(folder, tmp_path / "inc", search=False)
    inc.build()
    for op in (
        "edit_statement",
        "add_relation",
        "remove_relation",
        "add_file",
        "delete_file",
        "rename_actor",
    ):
        step = getattr(editor, op)()
        report = inc.build()
        assert report.parsed_files <= 20, step
        build(folder, tmp_path / "fresh", search=False)
        assert_same(tmp_path / "inc", tmp_path / "fresh")


def test_unchanged_rebuild_renders_nothing(tmp_path: Path) -> None:
    folder = generate(tmp_path, 40, 4)
    inc = IncrementalBuilder(folder, tmp_path / "inc", search=False)
    inc.build()
    report = inc.build()
    assert (report.rendered, report.written, report.parsed_files) == (0, 0, 0)


def test_memo_load_matches_a_plain_load_with_problems(tmp_path: Path) -> None:
    folder = generate(tmp_path, 40, 5)
    (folder / "broken.yaml").write_text(
        "claims:\n  - id: bad-claim\n    text: x\n    knd: empirical\n"
        "stances:\n  - actor: nobody\n    claim: claim-1\n    source: source-1\n"
        "    quote: q\n    locator: l\n",
        encoding="utf-8",
    )
    memo = FileMemo()
    for step in range(3):
        kb, problems = load_memo(folder, memo)
        plain_kb, plain_problems = load(folder)
        assert problems == plain_problems
        assert kb.counts() == plain_kb.counts()
        for name in ("claims", "questions", "relations", "stances"):
            assert getattr(kb, name) == getattr(plain_kb, name)
        assert memo.parsed == (len(kb.files) if step == 0 else 1)
        # Replayed records are shared and read-only as freshly loaded ones (kb.load.share).
        for question in kb.questions.values():
            assert isinstance(question.model_fields_set, FieldNames)
            assert isinstance(question.positions.model_fields_set, FieldNames)
        edit_statement(folder, step, f"Statement {step}.")
    question = next(iter(memo_questions(memo)))
    assert isinstance(question.model_fields_set, FieldNames)  # the memo's pristine copy, too


def memo_questions(memo: FileMemo) -> list[Question]:
    """Return the questions a load memo keeps for replay."""
    return [
        value[0]
        for _, actions, _ in memo.files.values()
        for action, value in actions
        if action == "store" and isinstance(value[0], Question)
    ]


def test_tracked_parallel_render_matches_a_plain_render(tmp_path: Path) -> None:
    from kb.build import make_site
    from kb.check.entry import load_kb

    folder = generate(tmp_path, CLAIMS, 6)
    forked = LocalProcessExecutor(2, min_chunks=2)  # forked, though so few pages render here
    report = IncrementalBuilder(folder, tmp_path / "inc", search=False, executor=forked).build()
    assert report.pages >= 32  # enough pages for both forked workers
    site = make_site(load_kb(folder))
    for page in site.pages():
        assert (tmp_path / "inc" / page.path).read_bytes() == page.render().encode(), page.path


def test_state_kept_between_runs(tmp_path: Path) -> None:
    """Atomic and in-place builders, each in new processes' stead, follow the same edits."""
    folder = generate(tmp_path, CLAIMS, 7)
    editor = Editor(folder, random.Random(7))
    modes = {"atomic": True, "in-place": False}  # one fresh build checks both at each step

    def run(mode: str) -> Report:
        # A new builder, as in a new `kb build` run, picks up the last run's state.
        builder = IncrementalBuilder(
            folder,
            tmp_path / mode,
            search=False,
            cache_dir=tmp_path / f"cache-{mode}",
            atomic=modes[mode],
        )
        return builder.build()

    def saved_manifest(mode: str) -> object:
        # The site's files as the state file holds them: read by a forked process while the
        # rest was pickled, they must be the files as the build left them.
        state = read_state(
            tmp_path / f"cache-{mode}" / STATE_NAME, output_stamp(folder, tmp_path / mode)
        )
        assert state is not None and state.last is not None
        return state.last.manifest

    for mode in modes:
        assert run(mode).full
        assert saved_manifest(mode) == site_manifest(tmp_path / mode)
    for step, op in enumerate(("edit_statement", "add_relation", "rename_actor", "add_file")):
        # Links to the previous site's files show whether any was written in place.
        before = tree(tmp_path / "atomic")
        keep = tmp_path / f"keep-{step}"
        for rel in before:
            (keep / rel).parent.mkdir(parents=True, exist_ok=True)
            (keep / rel).hardlink_to(tmp_path / "atomic" / rel)
        getattr(editor, op)()
        build(folder, tmp_path / "fresh", search=False)
        for mode in modes:
            report = run(mode)
            assert not report.full and report.parsed_files <= 3, (mode, op)
            assert report.rendered < report.pages, (mode, op)
            assert saved_manifest(mode) == site_manifest(tmp_path / mode)
            assert_same(tmp_path / mode, tmp_path / "fresh")
        assert tree(keep) == before  # no file of the atomic builder's previous site written into
        assert before != tree(tmp_path / "atomic")
    # A site folder changed behind the builder's back is rebuilt in full.
    (tmp_path / "atomic" / ".kb-site").write_bytes(b"debate-kb site\n")
    report = IncrementalBuilder(
        folder, tmp_path / "atomic", search=False, cache_dir=tmp_path / "cache-atomic"
    ).build()
    assert report.full


def test_sharded_search_index_after_edits_equals_a_full_builds(tmp_path: Path) -> None:
    """Atomic rebuilds link the kept shards into a new bundle; in place, shards are swapped."""
    from kb.build import SHARDS_FILE

    folder = generate(tmp_path, CLAIMS, 8)
    editor = Editor(folder, random.Random(8))
    builders = {
        atomic: IncrementalBuilder(
            folder, tmp_path / f"inc-{atomic}", use_git=False, atomic=atomic, shards=4
        )
        for atomic in (True, False)
    }
    for inc in builders.values():
        assert inc.build().shards == (4, 0)
    for op in ("edit_statement", "add_relation", "add_file", "delete_file"):
        getattr(editor, op)()
        fresh = IncrementalBuilder(folder, tmp_path / "fresh", use_git=False, shards=4)
        fresh.build()
        for atomic, inc in builders.items():
            report = inc.build()
            indexed, reused = report.shards
            assert indexed + reused == 4, (op, atomic)
            # A new link shows on no page's indexed part; an edited statement on one page's.
            assert indexed == (0 if op == "add_relation" else 1) or op.endswith("file"), op
            assert indexed >= 1 or op == "add_relation", op
            assert_same(tmp_path / f"inc-{atomic}", tmp_path / "fresh")
            shards = (tmp_path / f"inc-{atomic}" / "pagefind" / SHARDS_FILE).read_text("utf-8")
            assert '"count":4' in shards
    # A rebuild with nothing changed indexes nothing and keeps the last index.
    for atomic, inc in builders.items():
        assert inc.build().shards == ((0, 4) if atomic else (0, 0))  # in place: left as it is
        assert_same(tmp_path / f"inc-{atomic}", tmp_path / "fresh")


def test_analysis_is_reused_only_when_its_inputs_are_unchanged(tmp_path: Path) -> None:
    """Equal input digests mean equal analyses; statement edits keep the digest, links don't."""
    from kb import analysis

    raw = getattr(analysis.analyse, "__wrapped__", analysis.analyse)
    folder = generate(tmp_path / "kb", CLAIMS, seed=3)
    editor = Editor(folder, random.Random(3))
    kb, _ = load(folder)
    digest, result = analysis.inputs_digest(kb), raw(kb)
    kept = changed = 0
    for step in range(14):
        op = editor.edit_statement() if step % 2 else editor.random_edit()
        kb, _ = load(folder)
        now, fresh = analysis.inputs_digest(kb), raw(kb)
        if op.startswith("edit claim"):
            assert now == digest, op
        if op.startswith(("add claim", "remove")):
            assert now != digest, op
        if now == digest:
            assert fresh == result, op
            kept += 1
        else:
            changed += 1
        digest, result = now, fresh
    assert kept >= 7 and changed >= 2


def test_statement_edit_rebuild_does_not_analyse_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild after a statement edit reuses the analysis; after a new link it analyses."""
    from kb import analysis
    from kb.build import memos

    calls: list[int] = []
    inner = analysis._analyse

    def counted(kb: object, cruxes: bool) -> object:
        calls.append(1)
        return inner(kb, cruxes)  # type: ignore[arg-type]

    monkeypatch.setattr(analysis, "_analyse", counted)
    digests: list[int] = []
    digest = memos.inputs_digest
    monkeypatch.setattr(memos, "inputs_digest", lambda kb: digests.append(1) or digest(kb))
    folder = generate(tmp_path / "kb", CLAIMS, seed=4)
    builder = IncrementalBuilder(folder, tmp_path / "site", search=False, use_git=False, jobs=1)
    builder.build()
    assert len(calls) == 1
    edit_statement(folder, 5, "An edited statement that the analysis never reads.")
    builder.build()
    assert len(calls) == 1
    assert len(digests) == 1  # the graph's check of the records settled it: no digest of them
    config = folder / "kb.yaml"
    text = config.read_text("utf-8") if config.exists() else ""
    config.write_text(text + "\nbase_scores:\n  claim: 0.61\n", "utf-8")
    builder.build()
    assert len(calls) == 2  # a base score is read by the analysis, not by the graph
    config.write_text(text, "utf-8")
    builder.build()
    assert len(calls) == 3
    add_relation(folder, 40, 3, "rebuts")
    builder.build()
    assert len(calls) == 4
    # A limit of the analysis is part of what it read: changing one analyses again.
    monkeypatch.setattr(analysis.cruxes, "CRUX_WORK_BUDGET", analysis.cruxes.CRUX_WORK_BUDGET + 1)
    edit_statement(folder, 6, "Another statement the analysis never reads.")
    builder.build()
    assert len(calls) == 5
    build(folder, tmp_path / "fresh", search=False)
    assert_same(tmp_path / "site", tmp_path / "fresh")


def test_graph_is_reused_only_while_its_records_are_unchanged(tmp_path: Path) -> None:
    folder = generate(tmp_path / "kb", CLAIMS, seed=6)
    builder = IncrementalBuilder(folder, tmp_path / "site", search=False, use_git=False, jobs=1)
    builder.build()
    first = builder.memos.graph(builder.last.kb)  # type: ignore[union-attr]
    edit_statement(folder, 7, "A statement the graph does not hold.")
    builder.build()
    assert builder.memos.graph(builder.last.kb) is first  # type: ignore[union-attr]
    assert first.kb is builder.last.kb  # type: ignore[union-attr]
    add_relation(folder, 50, 2, "supports")
    builder.build()
    second = builder.memos.graph(builder.last.kb)  # type: ignore[union-attr]
    assert second is not first
    assert "claim-50" in {link.other for link in second.incoming("claim-2", "supports")}
    assert "claim-50" not in {link.other for link in first.incoming("claim-2", "supports")}


def test_an_edited_statement_changes_what_search_reads_of_its_own_page_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Other pages show the statement outside their indexed parts: one shard is re-indexed."""
    from kb.build import search_view

    monkeypatch.setattr(Site, "settings", Settings(claims_per_page=6, timeline_per_page=6))
    folder = generate(tmp_path / "kb", CLAIMS, seed=8)

    def views() -> dict[str, bytes]:
        out = tmp_path / "site"
        build(folder, out, search=False)
        pages = tree(out).items()
        return {p: search_view(d) for p, d in pages if b"data-pagefind-body" in d}

    before = views()
    edit_statement(folder, 11, "Zebras of compute: a statement no other page indexes.")
    after = views()
    assert before.keys() == after.keys()
    changed = sorted(p for p in before if before[p] != after[p])
    assert changed == ["claim/claim-11.html"]
    # The statement still shows on the pages that list or link it, outside the indexed parts.
    shown = [p for p, d in tree(tmp_path / "site").items() if b"Zebras of compute" in d]
    assert len(shown) > 3


def test_edits_to_what_pages_share_match_a_full_build(tmp_path: Path) -> None:
    """A claim's statement, arguments, map node and badge are made once per build and shared by
    every page that shows them (kb.memo.BuildMemo); editing each re-renders all those pages."""
    folder = generate(tmp_path, CLAIMS, 9)
    # One process renders every page, so that each shared value is reused as much as it can be.
    inc = IncrementalBuilder(folder, tmp_path / "inc", search=False, jobs=1)
    inc.build()
    kb, _ = load(folder)
    ends = Counter(e for r in kb.relations.values() for e in (r.from_, r.to) if e in kb.claims)
    hub = max(sorted(ends), key=lambda c: ends[c])  # in the most trees and maps
    assert ends[hub] >= 4
    hub_n = int(hub.split("-")[1])
    linked = {e for r in kb.relations.values() if hub in (r.from_, r.to) for e in (r.from_, r.to)}
    other = next(i for i in range(CLAIMS) if f"claim-{i}" not in linked)
    support = next(
        r.id
        for r in sorted(kb.relations.values(), key=lambda r: r.id)
        if r.to == hub and r.type.value == "supports"
    )

    def undercut() -> None:
        record = {
            "relations": [
                {
                    "id": "undercut-shared-test",
                    "from": f"claim-{other}",
                    "type": "undercuts",
                    "to": support,
                    "rationale": "The support does not carry over.",
                    "source": "source-1",
                }
            ]
        }
        with (folder / "part-00000.yaml").open("a", encoding="utf-8") as handle:
            handle.write("---\n" + yaml.safe_dump(record, sort_keys=False, width=1000))

    steps = [
        ("statement", lambda: edit_statement(folder, hub_n, "A statement shown <in> many maps.")),
        ("rebuttal", lambda: add_relation(folder, other, hub_n, "rebuts")),  # its standing too
        ("undercut", undercut),
    ]
    for name, step in steps:
        step()
        report = inc.build()
        assert not report.full and report.rendered < report.pages, name
        build(folder, tmp_path / "fresh", search=False)
        assert_same(tmp_path / "inc", tmp_path / "fresh")


@pytest.mark.parametrize("atomic", [True, False])
def test_views_written_while_rendering_give_the_index_read_from_the_pages(
    tmp_path: Path, atomic: bool
) -> None:
    """A full build indexes the views its workers wrote; reading them from the pages is the same."""
    import shutil

    from kb.build import index_search

    folder = generate(tmp_path, CLAIMS, 9)
    built = IncrementalBuilder(folder, tmp_path / "site", use_git=False, atomic=atomic, shards=3)
    assert built.build().shards == (3, 0)
    again = tmp_path / "again"
    shutil.copytree(tmp_path / "site", again)
    shutil.rmtree(again / "pagefind")
    done = index_search(again, shards=3)  # reads every page and makes its view itself
    assert done.indexed == 3
    assert tree(tmp_path / "site" / "pagefind") == tree(again / "pagefind")
    assert built.last is not None and built.last.views == done.views
    assert not list(Path(tempfile.gettempdir()).glob("kb-search-views-*"))  # this test's own


def test_a_full_build_removes_the_views_of_killed_builds_only(tmp_path: Path) -> None:
    import os
    import subprocess

    from kb.build.incremental import VIEWS_PREFIX

    dead_pid = subprocess.Popen(["true"])  # a process ID that has ended
    dead_pid.wait()
    stale = Path(tempfile.gettempdir()) / f"{VIEWS_PREFIX}{dead_pid.pid}-stale"
    alive = Path(tempfile.gettempdir()) / f"{VIEWS_PREFIX}{os.getppid()}-alive"
    for folder in (stale, alive):
        folder.mkdir(exist_ok=True)
    try:
        folder = generate(tmp_path, 8, 1)
        IncrementalBuilder(folder, tmp_path / "site", use_git=False, shards=1).build()
        assert not stale.exists()
        assert alive.exists()  # its process still runs: perhaps a build in progress
    finally:
        for folder in (stale, alive):
            if folder.exists():
                folder.rmdir()


def test_a_rebuild_lists_its_pages_a_fixed_number_of_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Listing the pages is O(pages): done per page, a rebuild at 10,000 claims took 14 s more."""
    from kb.build.plan import Plan

    calls: list[int] = []
    listed = Plan.paths

    def counted(self: Plan) -> set[str]:
        calls.append(1)
        return listed(self)

    folder = generate(tmp_path / "kb", CLAIMS, seed=8)
    builder = IncrementalBuilder(folder, tmp_path / "site", use_git=False, jobs=1)
    builder.build()
    monkeypatch.setattr(Plan, "paths", counted)
    edit_statement(folder, 3, "A statement edited to re-index one shard.")
    report = builder.build()
    assert report.indexed
    assert len(calls) <= 3  # not once per page of the last build (hundreds here)


def test_a_rebuild_in_place_shows_its_pages_before_it_indexes_them(tmp_path: Path) -> None:
    # `kb serve` reloads open pages when the builder says the pages can be read: the edited page
    # must be on disk by then, and the search index not yet re-made.
    folder = generate(tmp_path / "kb", 40, seed=3)
    out = tmp_path / "site"
    seen: list[tuple[bool, int]] = []

    def visible() -> None:
        page = (out / "claim" / "claim-5.html").read_text(encoding="utf-8")
        shards = (out / "pagefind" / "shards.json").stat().st_mtime_ns
        seen.append(("Visible at once" in page, shards))

    builder = IncrementalBuilder(folder, out, use_git=False, on_visible=visible)
    first = builder.build()
    assert len(seen) == 1 and first.visible is not None
    index_before = (out / "pagefind" / "shards.json").stat().st_mtime_ns
    edit_statement(folder, 5, "Visible at once, indexed after.")
    report = builder.build()
    assert report.indexed and not report.full
    assert seen[1] == (True, index_before)  # written, and the index still the old one
    assert (out / "pagefind" / "shards.json").stat().st_mtime_ns != index_before
    assert report.visible is not None
    assert report.visible < sum(report.seconds.values()) - report.seconds["search index"]


def test_a_rebuild_in_place_renders_the_pages_named_first_and_shows_them_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `kb serve` names the pages open in a browser: they are rendered and shown (on_visible, once)
    # before the build looks for what changed and renders the other pages the edit touches.
    import kb.build.incremental as incremental

    diffed: list[int] = []  # how many times the pages had been shown when the diff began

    def diff(*args: object) -> object:
        diffed.append(len(shown))
        return changes(*args)

    changes = incremental.changes
    monkeypatch.setattr(incremental, "changes", diff)
    folder = generate(tmp_path / "kb", 40, seed=3)
    out = tmp_path / "site"
    words = "Open pages first, the rest after."

    def showing() -> dict[str, bool]:
        pages = sorted(out.rglob("*.html"))
        return {p.relative_to(out).as_posix(): words in p.read_text("utf-8") for p in pages}

    shown: list[dict[str, bool]] = []
    builder = IncrementalBuilder(
        folder,
        out,
        use_git=False,
        search=False,
        on_visible=lambda: shown.append(showing()),
        first=lambda: {"claim/claim-5.html", "no/such/page.html"},
    )
    builder.build()
    edit_statement(folder, 5, words)
    import kb.build.plan as plan_module

    salted: list[object] = []  # the site's fingerprint, taken once though two steps need it
    fingerprint = plan_module.salt
    monkeypatch.setattr(plan_module, "salt", lambda *a: salted.append(a) or fingerprint(*a))
    report = builder.build()
    assert len(salted) == 1
    assert len(shown) == 2 and report.visible is not None
    at_visible, after = shown[1], showing()
    assert at_visible["claim/claim-5.html"]
    others = {p for p, has in after.items() if has and p != "claim/claim-5.html"}
    assert len(others) >= 3  # the question, the claim index, the pages of its neighbours ...
    assert not any(at_visible[p] for p in others)  # ... all written after the open page
    assert diffed == [2]  # shown before the diff
    # An open page that the edit does not touch is rendered again, and not written.
    page = out / "claim" / "claim-5.html"
    written = page.stat().st_mtime_ns
    edit_statement(folder, 6, "An edit elsewhere.")
    report = builder.build()
    assert page.stat().st_mtime_ns == written and len(shown) == 3
    assert "An edit elsewhere." in (out / "claim" / "claim-6.html").read_text("utf-8")


def test_the_timeline_reads_no_standing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # It shows claims' statements and dates only: reading their standings rendered a year's page
    # again (2,000 claims at 10,000) whenever any of its claims' standing changed.
    monkeypatch.setattr(Site, "settings", Settings(timeline_per_page=6))
    builder = IncrementalBuilder(generate(tmp_path / "kb", 40, 3), tmp_path / "site", search=False)
    builder.build()
    assert builder.last is not None
    reads = builder.last.reads
    pages = {p: reads.get(p) for p in reads.pages if p.startswith("timeline")}
    assert len(pages) >= 3 and any("claims" in (tmp_path / "site" / p).read_text() for p in pages)
    for path, reads in pages.items():
        assert not [key for key in reads if key[0] == "standing"], path


def test_compiled_templates_are_kept_between_builds_until_a_template_changes(
    tmp_path: Path,
) -> None:
    # Compiling them anew was a third of an edit's rendering; an edited, added or removed
    # template must still show at the next build.
    folder = generate(tmp_path / "kb", 20, seed=1)
    out, templates = tmp_path / "site", folder / "site" / "templates"
    builder = IncrementalBuilder(folder, out, use_git=False, search=False)
    builder.build()
    env = builder.memos.env(templates, folder)
    edit_statement(folder, 3, "An edit that compiles no template again.")
    builder.build()
    assert builder.memos.env(templates, folder) is env
    page = '{% extends "default:404.html" %}{% block content %}WORDS{% endblock %}'
    templates.mkdir(parents=True)
    for words in ("Lost here.", "Lost again."):  # an override added, then edited
        (templates / "404.html").write_text(page.replace("WORDS", words), "utf-8")
        builder.build()
        assert words in (out / "404.html").read_text("utf-8")
    (templates / "404.html").unlink()
    builder.build()
    assert "Page not found" in (out / "404.html").read_text("utf-8")
    assert builder.memos.env(templates, folder) is not env  # sandboxed while it had overrides


def test_a_failed_rebuild_leaves_no_process_reading_the_site(tmp_path: Path) -> None:
    # A rebuild reads the site's files in a forked process while it loads; a load that fails
    # must not leave that process waiting to hand them over.
    import multiprocessing

    from kb.errors import ProblemsFound

    folder = generate(tmp_path / "kb", 20, seed=2)
    builder = IncrementalBuilder(folder, tmp_path / "site", use_git=False, search=False)
    builder.build()
    stray = tmp_path / "site" / "stray"  # more files than a pipe holds the names of at once
    stray.mkdir()
    for i in range(3000):
        (stray / f"{i}.txt").touch()
    broken = next(folder.rglob("*.yaml"))
    good = broken.read_text("utf-8")
    broken.write_text(good + "\n  - id: [broken\n", "utf-8")
    with pytest.raises(ProblemsFound):
        builder.build()
    assert multiprocessing.active_children() == []
    broken.write_text(good, "utf-8")
    assert builder.build().repaired  # the stray files were seen, and are gone
    assert not stray.exists()


def test_kb_serve_compiles_the_templates_between_builds(tmp_path: Path) -> None:
    # A full build renders in forked workers: without this, the first edit compiled every
    # template its pages use. A broken override is left to the build that renders with it.
    from jinja2 import TemplateSyntaxError

    from kb.build.memos import BuildMemos

    memos = BuildMemos()
    memos.compile_templates()  # nothing kept yet: nothing to do
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "broken.html").write_text("{% if %}", "utf-8")
    env = memos.env(templates, tmp_path)
    assert not env.cache
    memos.compile_templates()
    compiled = {name for _, name in env.cache}
    assert {"claim.html", "question.html", "base.html", "feed.xml"} <= compiled
    assert "broken.html" not in compiled
    with pytest.raises(TemplateSyntaxError):
        env.get_template("broken.html")


def _dies(out: Path) -> None:
    os._exit(3)  # in the forked process: as if it were killed


@pytest.mark.skipif(not side_jobs_fork(), reason="side jobs run in process here")
def test_the_site_is_read_here_when_the_process_reading_it_dies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = generate(tmp_path, 12, 3)
    out, cache = tmp_path / "site", tmp_path / "cache"
    monkeypatch.setattr(
        "kb.build.plan.read_site", lambda site: SideJob(_dies, site, what="reading the site")
    )
    builder = IncrementalBuilder(folder, out, search=False, cache_dir=cache)
    builder.build()
    assert builder.last is not None and builder.last.manifest == site_manifest(out)
    state = read_state(cache / STATE_NAME, output_stamp(folder, out))
    assert state is not None and state.last is not None
    assert state.last.manifest == site_manifest(out)
    # The site as the last build left it, read here too: the rebuild is no full one.
    edit_statement(folder, 1, "Edited while the site's readers die.")
    report = IncrementalBuilder(folder, out, search=False, cache_dir=cache).build()
    assert not report.full and not report.repaired
