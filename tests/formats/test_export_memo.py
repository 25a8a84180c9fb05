"""The export memo: after any series of edits its exports equal fresh ones, byte for byte."""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import os
import pickle
import random
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.build import exports
from kb.build.exports import memo_sources, read_memo, write_memo
from kb.build.loading import FileMemo, load_memo
from kb.formats.export import (
    EXPORTERS,
    KIND_OF_TABLE,
    TABLES,
    ExportMemo,
    file_name,
    kb_to_aif,
    kb_to_data,
    kb_to_xaif,
)
from kb.formats.json_export import json_record
from kb.formats.memo import WRITERS
from kb.formats.writer import Layout, Saved, Writer
from kb.formats.ziparchive import deflate, zip_members, zip_with_zipfile
from kb.load.loader import load
from kb.model.kb import KnowledgeBase
from kb.model.records import KINDS, Claim, Evidence

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))
from synth import generate  # noqa: E402

TYPES = ["supports", "rebuts", "contradicts", "refines", "equivalent"]
AWKWARD = ['Quotes "like this" & <tags>', "# not a heading: a [link] {x}", "=1+1", "Ünïcödé — ✓"]


class SyntheticKB:
    """A synthetic knowledge base on disk, edited the way an author would edit its files."""

    def __init__(self, folder: Path, seed: int) -> None:
        self.folder = folder
        self.rng = random.Random(seed)
        self.files: dict[str, dict[str, list[dict[str, Any]]]] = {
            path.name: yaml.safe_load(path.read_text(encoding="utf-8"))
            for path in sorted(folder.glob("*.yaml"))
        }
        self.step = 0

    def records(self, table: str) -> list[tuple[str, dict[str, Any]]]:
        return [(name, r) for name, doc in self.files.items() for r in doc.get(table, [])]

    def write(self, name: str) -> None:
        text = yaml.safe_dump(self.files[name], sort_keys=False, allow_unicode=True, width=1000)
        (self.folder / name).write_text(text, encoding="utf-8")

    def pick(self, table: str) -> tuple[str, dict[str, Any]]:
        return self.rng.choice(self.records(table))

    def undercut_targets(self) -> set[str]:
        return {r["to"] for _, r in self.records("relations") if r["type"] == "undercuts"}

    def text(self) -> str:
        words = " ".join(self.rng.choice(["scaling", "loss", "data"]) for _ in range(5))
        return f"{words} {self.rng.choice(AWKWARD)} {self.step}."

    # Edits, each returning what it did ------------------------------------------------------

    def edit_statement(self) -> str:
        name, claim = self.pick("claims")
        claim["text"] = self.text()
        self.write(name)
        return f"statement of {claim['id']}"

    def edit_tags(self) -> str:
        name, claim = self.pick("claims")
        claim["tags"] = sorted({self.rng.choice(["core", "loss", "cost"]) for _ in range(2)})
        self.write(name)
        return f"tags of {claim['id']}"

    def add_relation(self) -> str:
        claims = self.records("claims")
        (name, a), (_, b) = self.rng.sample(claims, 2)
        rel_type = self.rng.choice(TYPES)
        relation: dict[str, Any] = {
            "id": f"new-{self.step}",
            "from": a["id"],
            "type": rel_type,
            "to": b["id"],
        }
        if rel_type == "supports" and self.rng.random() < 0.5:
            relation["group"] = self.rng.choice(["linked", "pair"])
            relation["scheme"] = "Argument From Sign"
        if self.rng.random() < 0.3:
            relation |= {"source": self.pick("sources")[1]["id"], "quote": "Q.", "locator": "p. 1"}
        self.files[name].setdefault("relations", []).append(relation)
        self.write(name)
        return f"{rel_type} {a['id']} -> {b['id']}"

    def edit_relation(self) -> str:
        protected = self.undercut_targets()
        choices = [
            (n, r)
            for n, r in self.records("relations")
            if r["type"] != "undercuts" and r["id"] not in protected
        ]
        name, relation = self.rng.choice(choices)
        relation["type"] = self.rng.choice([t for t in TYPES if t != relation["type"]])
        relation["rationale"] = self.text()
        self.write(name)
        return f"retyped {relation['id']}"

    def edit_stance(self) -> str:
        name, stance = self.pick("stances")
        stance["position"] = self.rng.choice(["asserts", "denies", "qualifies"])
        stance["quote"] = self.text()
        self.write(name)
        return f"stance {stance['id']}"

    def add_undercut(self) -> str:
        supports = [r["id"] for _, r in self.records("relations") if r["type"] == "supports"]
        targets = supports + [e["id"] for _, e in self.records("evidence")]
        name, claim = self.pick("claims")
        target = self.rng.choice(targets)
        relation = {"id": f"undercut-new-{self.step}", "from": claim["id"], "type": "undercuts"}
        self.files[name].setdefault("relations", []).append(relation | {"to": target})
        self.write(name)
        return f"undercut of {target}"

    def remove_relation(self) -> str:
        protected = self.undercut_targets()
        choices = [(n, r) for n, r in self.records("relations") if r["id"] not in protected]
        name, relation = self.rng.choice(choices)
        self.files[name]["relations"].remove(relation)
        self.write(name)
        return f"removed {relation['id']}"

    def delete_stance_or_evidence(self) -> str:
        table = self.rng.choice(["stances", "evidence"])
        protected = self.undercut_targets()
        choices = [(n, r) for n, r in self.records(table) if r["id"] not in protected]
        name, record = self.rng.choice(choices)
        self.files[name][table].remove(record)
        self.write(name)
        return f"deleted {record['id']}"

    def delete_claim(self) -> str:
        """Delete a claim and everything that points at it, so that the KB stays valid."""
        gone = {self.pick("claims")[1]["id"]}
        while True:
            more = set()
            for table, fields in (
                ("relations", ("from", "to")),
                ("stances", ("claim",)),
                ("evidence", ("claim",)),
            ):
                for _, r in self.records(table):
                    if any(r[f] in gone for f in fields) and r["id"] not in gone:
                        more.add(r["id"])
            if not more:
                break
            gone |= more
        touched = set()
        for name, doc in self.files.items():
            for table in ("claims", "relations", "stances", "evidence"):
                if table in doc:
                    kept = [r for r in doc[table] if r["id"] not in gone]
                    if len(kept) != len(doc[table]):
                        doc[table] = kept
                        touched.add(name)
        for name in touched:
            self.write(name)
        return f"deleted {sorted(gone)}"

    def add_source(self) -> str:
        source = {
            "id": f"source-new-{self.step}",
            "kind": "report",
            "title": self.text(),
            "date": f"20{self.rng.randint(10, 24)}-0{self.rng.randint(1, 9)}",
        }
        self.files["sources.yaml"]["sources"].append(source)
        self.write("sources.yaml")
        name, claim = self.pick("claims")
        stance = {
            "id": f"stance-new-{self.step}",
            "actor": self.pick("actors")[1]["id"],
            "claim": claim["id"],
            "position": "denies",
            "source": source["id"],
            "quote": self.text(),
            "locator": "p. 2",
        }
        self.files[name].setdefault("stances", []).append(stance)
        self.write(name)
        return f"new source {source['id']}"

    def edit_source_date(self) -> str:
        _, source = self.pick("sources")
        source["date"] = f"{self.rng.randint(2001, 2025)}-0{self.rng.randint(1, 9)}"
        self.write("sources.yaml")
        return f"date of {source['id']}"

    def edit_answer(self) -> str:
        name, claim = self.pick("claims")
        claim["answers"] = {
            "question": self.pick("questions")[1]["id"],
            "side": self.rng.choice(["pro", "con", "mixed"]),
        }
        self.write(name)
        return f"answer of {claim['id']}"

    def edit_names(self) -> str:
        _, actor = self.pick("actors")
        actor["name"] = f"Renamed Actor {self.step}"
        self.write("actors.yaml")
        _, question = self.pick("questions")
        question["title"] = self.text()
        self.write("questions.yaml")
        return f"renamed {actor['id']} and {question['id']}"

    def edit_weight(self) -> str:
        name, evidence = self.pick("evidence")
        # Tiny numbers are where pydantic's and Python's JSON number formats part.
        evidence["weight"] = self.rng.choice([0.5, 1e-05, 0.0001, 1.0, 0.0, 0.3333333333333333])
        evidence["summary"] = self.text()
        evidence["direction"] = self.rng.choice(["supports", "rebuts"])
        self.write(name)
        return f"weight of {evidence['id']}"

    def edit_config(self) -> str:
        title = f"Synthetic {self.step} {self.rng.choice(AWKWARD)}"
        (self.folder / "kb.yaml").write_text(
            yaml.safe_dump({"title": title, "description": "About scaling."}), encoding="utf-8"
        )
        return "config"

    def random_edit(self) -> str:
        self.step += 1
        edits = [
            self.edit_statement,
            self.edit_statement,
            self.edit_tags,
            self.add_relation,
            self.add_relation,
            self.add_undercut,
            self.edit_relation,
            self.edit_stance,
            self.remove_relation,
            self.delete_stance_or_evidence,
            self.delete_claim,
            self.add_source,
            self.edit_source_date,
            self.edit_answer,
            self.edit_names,
            self.edit_weight,
            self.edit_config,
        ]
        return self.rng.choice(edits)()


def fresh_exports(kb: KnowledgeBase) -> dict[str, bytes]:
    return {fmt: exporter(kb) for fmt, exporter in EXPORTERS.items()}


@pytest.mark.parametrize(("seed", "replay"), [(0, True), (2, False)])
def test_memoised_exports_equal_fresh_ones_after_random_edits(
    tmp_path: Path, seed: int, replay: bool
) -> None:
    """Each step edits the files, reloads and exports through one memo, pickled now and then.

    Replayed loads give unchanged files' records back as the same objects; fresh loads give
    equal but new ones.
    """
    folder = generate(tmp_path, 120 if replay else 60, seed=seed)
    author = SyntheticKB(folder, seed)
    files, memo = FileMemo(), ExportMemo()
    for step in range(16):
        done = author.random_edit() if step else "nothing"
        if replay:
            kb, problems = load_memo(folder, files)
        else:
            kb, problems = load(folder)
        assert not [p for p in problems if p.severity == "error"], (done, problems)
        got = memo.export_all(kb)
        want = fresh_exports(kb)
        assert list(got) == sorted(EXPORTERS)
        for fmt in EXPORTERS:
            assert got[fmt] == want[fmt], (step, done, fmt)
        if step % 5 == 4:
            files, memo = pickle.loads(pickle.dumps((files, memo)))


def test_a_memo_survives_exports_of_single_formats_and_other_kbs(tmp_path: Path) -> None:
    first = load(generate(tmp_path / "a", 60, seed=3))[0]
    second = load(generate(tmp_path / "b", 80, seed=4))[0]
    memo = ExportMemo()
    for kb, fmt in [(first, "aif"), (second, "json"), (first, "graphml"), (second, "aif")]:
        assert memo.export(kb, fmt) == EXPORTERS[fmt](kb), fmt
    assert memo.export_all(first) == fresh_exports(first)
    assert memo.export_all(first) == fresh_exports(first)  # unchanged: all reused


def test_an_unchanged_kb_gives_back_the_same_bytes(tmp_path: Path) -> None:
    folder = generate(tmp_path, 60)
    files, memo = FileMemo(), ExportMemo()
    first = memo.export_all(load_memo(folder, files)[0])
    again = memo.export_all(load_memo(folder, files)[0])
    assert all(again[fmt] is first[fmt] for fmt in EXPORTERS if fmt != "csv")
    assert again == first


def test_the_memo_keeps_little_beside_the_outputs(tmp_path: Path) -> None:
    kb = load(generate(tmp_path, 400))[0]
    memo = ExportMemo()
    outputs = memo.export_all(kb)
    buffers: list[pickle.PickleBuffer] = []
    body = pickle.dumps(memo, protocol=5, buffer_callback=buffers.append)
    total = sum(map(len, outputs.values()))
    # The outputs go out of band, whole; beside them the memo keeps its keys, lengths, derived
    # graphs and fingerprints, not the records: measured 17% of the outputs.
    assert len(body) < 0.3 * total
    csv = zipfile.ZipFile(io.BytesIO(outputs["csv"]))
    csv_texts = sum(i.file_size for i in csv.infolist())
    csv_deflated = sum(i.compress_size for i in csv.infolist())
    raw = sum(b.raw().nbytes for b in buffers)
    assert raw == total - len(outputs["csv"]) + csv_texts + csv_deflated
    assert b"kb.model.records" not in body


# Fresh exports against the straightforward way of writing them --------------------------------


def straightforward_csv(kb: KnowledgeBase, table: str) -> str:
    model = KINDS[KIND_OF_TABLE[table]]
    columns = [f.alias or name for name, f in model.model_fields.items()]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for rid in sorted(getattr(kb, table)):
        data = getattr(kb, table)[rid].model_dump(mode="json", by_alias=True)
        row = []
        for c in columns:
            value = data.get(c)
            if value is None or value in ([], {}):
                row.append("")
            elif isinstance(value, (list, dict)):
                row.append(json.dumps(value, ensure_ascii=False))
            elif isinstance(value, str) and value[:1] in "=+-@\t\r":
                row.append("'" + value)
            else:
                row.append(str(value))
        writer.writerow(row)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def kb_cases(tmp_path_factory: pytest.TempPathFactory) -> list[KnowledgeBase]:
    from interop_helpers import FIXTURE_KB, REAL_KB

    folder = generate(tmp_path_factory.mktemp("edited"), 150, seed=5)
    author = SyntheticKB(folder, 5)
    for _ in range(12):
        author.random_edit()
    return [load(FIXTURE_KB)[0], load(REAL_KB)[0], load(folder)[0]]


def test_fresh_exports_equal_json_dumps_of_the_data(kb_cases: list[KnowledgeBase]) -> None:
    for kb in kb_cases:
        for fmt, data in (
            ("json", kb_to_data(kb)),
            ("aif", kb_to_aif(kb)),
            ("xaif", kb_to_xaif(kb)),
        ):
            text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
            assert EXPORTERS[fmt](kb) == text.encode("utf-8"), fmt


def test_fresh_csv_equals_the_csv_module_and_zipfile(kb_cases: list[KnowledgeBase]) -> None:
    for kb in kb_cases:
        archive = zipfile.ZipFile(io.BytesIO(EXPORTERS["csv"](kb)))
        assert archive.testzip() is None
        for table in TABLES:
            assert archive.read(f"{table}.csv").decode() == straightforward_csv(kb, table)


def test_zip_writer_equals_zipfile() -> None:
    import zlib

    members = [(f"t{i}.csv", b"a,b\n" * (i * 997), 0, b"") for i in range(4)]
    members = [(n, d, zlib.crc32(d), deflate(d)) for n, d, _, _ in members]
    assert zip_members(members) == zip_with_zipfile(members)


# The writer and the JSON of one record, as properties ----------------------------------------


def write(keys: list[int], sep: bytes, old: Any = None) -> tuple[bytes, Any, list[int]]:
    rendered: list[int] = []

    def render(indices: Any) -> list[bytes]:
        rendered.extend(indices)
        return [f"<{keys[i]}:{'x' * (keys[i] % 3)}>".encode() for i in indices]

    writer = Writer(old)
    writer.add(b"head[")
    writer.run("items", keys, render, sep)
    writer.add(b"]tail")
    layout = writer.finish()
    return layout.data, layout, rendered


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 12), max_size=30),
    st.lists(st.lists(st.integers(0, 12), max_size=30), min_size=1, max_size=4),
    st.sampled_from([b"", b",\n", b"|"]),
)
def test_writer_reuses_items_and_equals_a_fresh_join(
    first: list[int], later: list[list[int]], sep: bytes
) -> None:
    _, layout, _ = write(first, sep)
    for keys in later:
        data, layout, rendered = write(keys, sep, layout)
        assert data == write(keys, sep)[0]
        # Only the items whose key is new are rendered again (at the same place, if in place),
        # unless most are: then the whole run is.
        if len(keys) == len(first):
            new = [i for i in range(len(keys)) if keys[i] != first[i]]
        else:
            new = [i for i in range(len(keys)) if keys[i] not in first]
        if 2 * len(new) > len(keys) or not first:
            assert rendered == list(range(len(keys)))
        else:
            assert rendered == new
        first = keys


@settings(max_examples=200, deadline=None)
@given(
    st.text(min_size=1, max_size=60).filter(lambda t: t.strip()),
    st.one_of(st.none(), st.floats(0, 1)),
)
def test_a_records_json_equals_json_dumps(text: str, weight: float | None) -> None:
    claim = Claim(id="c", text=text, tags=["x"])
    evidence = Evidence(
        id="e", claim="c", source="s", quote=text, locator="p", weight=weight, summary=text
    )
    for record in (claim, evidence):
        data = record.model_dump(mode="json", by_alias=True, exclude_none=True)
        want = "    " + json.dumps(data, indent=2, ensure_ascii=False).replace("\n", "\n    ")
        assert json_record(record) == want.encode("utf-8")


@pytest.mark.parametrize(("seed", "replay"), [(5, True), (6, False)])
def test_exports_through_the_memo_file_equal_fresh_ones_after_random_edits(
    tmp_path: Path, seed: int, replay: bool
) -> None:
    """As the export job does: each step reads the memo file, exports, and saves it again."""
    # The memo file holds no outputs: the last ones are read from the downloads written.
    folder = generate(tmp_path, 80, seed=seed)
    author = SyntheticKB(folder, seed)
    files, memo_file, site = FileMemo(), tmp_path / "memo" / "exports.pickle", tmp_path / "site"
    digests: dict[str, bytes] = {}
    for step in range(16):
        done = author.random_edit() if step else "nothing"
        kb, problems = load_memo(folder, files) if replay else load(folder)
        assert not [p for p in problems if p.severity == "error"], (done, problems)
        # As the export job: each output in pieces, kept as its digest; the next job reads only
        # the CSV zip first and takes the rest as it exports them.
        memo = read_memo(memo_file, "v", memo_sources(site, digests))
        assert (memo is None) == (step == 0)
        memo = memo or ExportMemo()
        got = _into(memo, kb, site)
        want = fresh_exports(kb)
        for fmt in EXPORTERS:
            assert got[fmt] == want[fmt], (step, done, fmt)
        (site / "downloads").mkdir(parents=True, exist_ok=True)
        for fmt, data in got.items():
            path = "downloads/" + file_name(fmt)
            (site / path).unlink(missing_ok=True)  # as the site writer does
            (site / path).write_bytes(data)
            digests[path] = hashlib.blake2b(data, digest_size=16).digest()
        write_memo(memo_file, "v", memo)
        del memo, got
    # The CSV zip's members missing: no memo.
    assert read_memo(memo_file, "v", {}) is None
    # A download that is not the one let go is exported afresh, to the same bytes.
    (site / "downloads" / file_name("json")).write_bytes(b"{}")
    memo = read_memo(memo_file, "v", memo_sources(site, digests))
    assert memo is not None
    taken: dict[str, bool] = {}
    assert _into(memo, kb, site, taken) == fresh_exports(kb)
    assert taken == {fmt: fmt != "json" for fmt in WRITERS}


def test_fingerprints_are_the_same_in_another_process(tmp_path: Path) -> None:
    """Equal records loaded anew, with other string hashes, get the same fingerprints."""
    folder = generate(tmp_path, 40, seed=7)
    code = (
        "import sys; from pathlib import Path; from kb.load.loader import load; "
        "from kb.formats.context import TABLES, fingerprints; kb = load(Path(sys.argv[1]))[0]; "
        "print(*(p.hex() for t in TABLES for p in fingerprints(getattr(kb, t).values())))"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", code, str(folder)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(runs) == 1 and len(runs.pop().split()) > 40


def test_a_changed_record_gets_a_new_token_whether_kept_or_fingerprinted(tmp_path: Path) -> None:
    kb = load(generate(tmp_path, 20, seed=8))[0]
    state = ExportMemo()
    first = state.context(kb).tokens["claims"]
    cid = next(iter(kb.claims))
    claims = dict(kb.claims)
    claims[cid] = kb.claims[cid].model_copy(update={"text": kb.claims[cid].text + " "})
    assert claims[cid] != kb.claims[cid]
    changed = copy.copy(kb)
    changed.claims = claims
    second = state.context(changed).tokens["claims"]
    assert second[cid] != first[cid]
    assert {k: v for k, v in second.items() if k != cid} == {
        k: v for k, v in first.items() if k != cid
    }
    # Loaded from a pickle, the memo knows the records only by their fingerprints.
    state = pickle.loads(pickle.dumps(state))
    again = pickle.loads(pickle.dumps(state)).context(kb).tokens["claims"]
    assert again[cid] != second[cid] and again[cid] != first[cid]
    assert state.context(changed).tokens["claims"] == second


def _into(
    memo: ExportMemo,
    kb: KnowledgeBase,
    site: Path | None = None,
    taken: dict[str, bool] | None = None,
) -> dict[str, bytes]:
    """Export as the export job does, each output in pieces, taken back from site's downloads."""
    # `taken` notes, by format, whether its last output was given back.
    got: dict[str, bytes] = {}

    def sink(fmt: str, pieces: list[bytes | memoryview]) -> bytes:
        got[fmt] = b"".join(pieces)
        return hashlib.blake2b(got[fmt], digest_size=16).digest()

    def take(fmt: str, saved: Saved) -> bytes | None:
        data = exports._take(site, fmt, saved) if site is not None else None
        if taken is not None:
            taken[fmt] = data is not None
        return data

    memo.export_into(kb, sink, take)
    return got


def test_a_layout_kept_as_a_digest_is_taken_back_only_from_its_bytes() -> None:
    writer = Writer(None)
    writer.add(b"head,")
    writer.copy(0, 0)
    assert b"".join(writer.pieces()) == b"head,"
    digest = hashlib.blake2b(b"head,", digest_size=16).digest()
    layout = writer.finish_saved(digest)
    assert isinstance(layout.data, Saved) and layout.data.length == 5
    with pytest.raises(ValueError, match="let go"):
        Writer(layout)  # exporting from a let-go output would copy nothing: refused
    # Pickled, it holds the digest and length only, in-band: no buffer for the memo file to keep.
    buffers: list[pickle.PickleBuffer] = []
    again = pickle.loads(pickle.dumps(layout, protocol=5, buffer_callback=buffers.append))
    assert buffers == [] and isinstance(again.data, Saved) and again.data.digest == digest
    assert not again.restore(None)  # the file is gone
    assert not again.restore(b"head")  # not the bytes it was
    assert again.restore(memoryview(b"head,")) and again.output() == b"head,"
    assert again.restore(None)  # nothing left to take back
    # An unchanged output is the last one itself, as a single piece: nothing made anew.
    last = Layout(b"head,", {})
    same = Writer(last)
    same.add(b"head,")
    assert same.pieces()[0] is last.data


def test_exporting_into_a_sink_keeps_digests_and_the_csv_members(tmp_path: Path) -> None:
    kb, _ = load(generate(tmp_path, 10, seed=3))
    memo = ExportMemo()
    got = _into(memo, kb)
    assert got == fresh_exports(kb)
    kinds = {name: type(layout.data) for name, layout in memo._layouts.items()}
    assert {n for n, k in kinds.items() if k is Saved} == set(WRITERS)
    assert all(k is bytes for n, k in kinds.items() if n.startswith("csv/"))
    saved = memo._layouts["json"].data
    assert isinstance(saved, Saved)
    assert saved.digest == hashlib.blake2b(got["json"], digest_size=16).digest()
    assert saved.length == len(got["json"])
