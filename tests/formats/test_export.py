"""Exporters: JSON round trip and schema, GraphML, DOT, CSV, AIF, xAIF, Argdown, JSON-LD."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import jsonschema
import networkx as nx
import pytest
from click.testing import CliRunner
from helpers import write_kb
from interop_helpers import FIXTURE_KB, REAL_KB, canonical, node_counts

from kb.check.entry import load_kb
from kb.cli import main
from kb.formats.csv_export import csv_cell
from kb.formats.export import (
    EXPORTERS,
    FIXED_TIMESTAMP,
    TABLES,
    argdown_escape,
    claim_jsonld,
    data_to_yaml_files,
    export_json_schema,
    file_name,
    jsonld_script,
    kb_to_aif,
    kb_to_xaif,
)
from kb.formats.imports import Batch, read_argdown
from kb.formats.networkx_graph import to_networkx
from kb.formats.schema import render
from kb.load.loader import load
from kb.model.graph import KBGraph
from kb.model.kb import KnowledgeBase

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def fixture_kb() -> KnowledgeBase:
    return load_kb(FIXTURE_KB)


def real_kb() -> KnowledgeBase:
    kb, _ = load(REAL_KB)
    return kb


def kb_cases(tmp_path: Path) -> list[KnowledgeBase]:
    return [load_kb(FIXTURE_KB), load_kb(write_kb(tmp_path)), real_kb()]


def same_records(a: KnowledgeBase, b: KnowledgeBase) -> None:
    assert a.config == b.config
    for table in TABLES:
        left, right = getattr(a, table), getattr(b, table)
        assert sorted(left) == sorted(right), table
        for rid in left:
            assert left[rid] == right[rid], (table, rid)


# JSON -----------------------------------------------------------------------------------------


def test_json_round_trip_is_identity(tmp_path: Path) -> None:
    for i, kb in enumerate(kb_cases(tmp_path)):
        data = json.loads(EXPORTERS["json"](kb))
        folder = tmp_path / f"back{i}"
        folder.mkdir()
        for name, text in data_to_yaml_files(data).items():
            (folder / name).write_text(text, encoding="utf-8")
        back, problems = load(folder)
        assert not [p for p in problems if p.severity == "error"], problems
        same_records(kb, back)
        assert EXPORTERS["json"](back) == EXPORTERS["json"](kb)


def test_json_is_sorted_and_complete(fixture_kb: KnowledgeBase) -> None:
    data = json.loads(EXPORTERS["json"](fixture_kb))
    assert data["format"] == "debate-kb" and data["version"] == 1
    for table in TABLES:
        ids = [r["id"] for r in data[table]]
        assert ids == sorted(ids)
        assert len(ids) == len(getattr(fixture_kb, table))
    # 11 claims; 3 from supported_by/supports/rebuts... plus 5 records: 14 relations in all.
    assert Counter(r["type"] for r in data["relations"]) == {
        "supports": 5,
        "rebuts": 2,
        "undercuts": 2,
        "contradicts": 1,
        "equivalent": 1,
        "refines": 1,
    }
    group = [r for r in data["relations"] if r.get("group") == "power-law-argument"]
    assert len(group) == 2


def test_json_matches_its_published_schema(tmp_path: Path) -> None:
    schema = export_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    for kb in kb_cases(tmp_path):
        jsonschema.validate(json.loads(EXPORTERS["json"](kb)), schema)
    committed = (ROOT / "schema" / "kb-export.schema.json").read_text(encoding="utf-8")
    assert committed == render(schema), "run `kb schema` to refresh schema/kb-export.schema.json"
    bad = json.loads(EXPORTERS["json"](load_kb(FIXTURE_KB)))
    bad["claims"][0]["kind"] = "guess"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_every_export_is_deterministic(fixture_kb: KnowledgeBase) -> None:
    again = load_kb(FIXTURE_KB)
    for fmt, exporter in EXPORTERS.items():
        assert exporter(fixture_kb) == exporter(again), fmt
    assert set(EXPORTERS) == {"json", "graphml", "dot", "csv", "aif", "xaif", "argdown"}
    names = {file_name(fmt) for fmt in EXPORTERS}
    assert len(names) == len(EXPORTERS)
    assert file_name("aif") == "debate-kb.aif.json"


# GraphML and DOT ------------------------------------------------------------------------------


def test_graphml_loads_in_networkx_with_the_same_graph(tmp_path: Path) -> None:
    for kb in kb_cases(tmp_path):
        original = KBGraph(kb).g
        read = nx.read_graphml(io.BytesIO(EXPORTERS["graphml"](kb)), force_multigraph=True)
        assert set(read.nodes) == set(original.nodes)
        for node, data in read.nodes(data=True):
            assert data["kind"] == original.nodes[node].get("kind", "relation")
            assert data["label"]
        edges = Counter((u, v, d["type"]) for u, v, d in read.edges(data=True))
        assert edges == Counter((u, v, d["type"]) for u, v, d in original.edges(data=True))


def test_graphml_labels_and_attributes(fixture_kb: KnowledgeBase) -> None:
    read = nx.read_graphml(io.BytesIO(EXPORTERS["graphml"](fixture_kb)), force_multigraph=True)
    assert read.nodes["scaling-works"]["label"] == "Scaling keeps improving models."
    assert read.nodes["scaling-works"]["tags"] == "scaling-laws core"
    assert read.nodes["jared-kaplan"]["kind"] == "actor"
    undercut = [
        d for _, _, d in read.edges(data=True) if d["type"] == "undercuts" and "target" in d
    ]
    assert {d["target"] for d in undercut} == {
        "scaling-works--supports--models-improve",
        "ev-kaplan",
    }
    # Claims 11 + evidence 2 + stances 4 + sources 3 + actors 4 + questions 1, and the one
    # relation that quotes a source.
    assert read.number_of_nodes() == 26
    assert (
        read.nodes["perplexity-irrelevant--undercuts--scaling-works--supports--models-improve"][
            "kind"
        ]
        == "relation"
    )
    assert to_networkx(fixture_kb).number_of_edges() == read.number_of_edges()


def test_graphml_carries_yed_labels(fixture_kb: KnowledgeBase) -> None:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(EXPORTERS["graphml"](fixture_kb))
    g, y = "{http://graphml.graphdrawing.org/xmlns}", "{http://www.yworks.com/xml/graphml}"
    nodes = root.findall(f"{g}graph/{g}node")
    labels = {n.get("id"): n.find(f".//{y}NodeLabel").text for n in nodes}
    assert len(labels) == 26
    assert labels["awkward-text"] == fixture_kb.claims["awkward-text"].text
    assert labels["gary-marcus"] == "Gary Marcus"
    edges = root.findall(f"{g}graph/{g}edge")
    assert all(e.find(f".//{y}EdgeLabel").text for e in edges)
    assert len(edges) == to_networkx(fixture_kb).number_of_edges()


def test_dot_has_every_argumentative_link(fixture_kb: KnowledgeBase) -> None:
    text = EXPORTERS["dot"](fixture_kb).decode()
    assert text.startswith("digraph kb {") and text.rstrip().endswith("}")
    edges = re.findall(r'^  "([^"]+)" -> "([^"]+)" \[(?:label="?([a-z]+)"?)?', text, re.M)
    found = Counter((a, b, t or "") for a, b, t in edges)
    expected = Counter(
        {
            ("curves-straight", "scaling-works", "supports"): 1,
            ("models-improve", "scaling-works", "supports"): 1,
            ("scaling-works", "models-improve", "supports"): 1,
            ("curves-straight", "models-improve", "supports"): 1,
            ("compute-grows", "models-improve", "supports"): 1,
            ("curves-bend", "scaling-works", "rebuts"): 1,
            ("awkward-text", "curves-bend", "rebuts"): 1,
            ("scaling-stopped", "scaling-works", "contradicts"): 1,
            ("returns-diminish", "curves-bend", "equivalent"): 1,
            ("loss-scaling", "scaling-works", "refines"): 1,
            ("perplexity-irrelevant", "models-improve", "undercuts"): 1,
            ("benchmark-saturation", "curves-straight", "undercuts"): 1,
            ("ev-kaplan", "curves-straight", ""): 1,
            ("ev-bench-gains", "curves-bend", ""): 1,
            ("scaling-works", "q-scale", "pro"): 1,
            ("curves-bend", "q-scale", "con"): 1,
        }
    )
    assert found == expected
    assert '\\"quotes\\"' in text  # quotes inside labels are escaped


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_dot_renders_with_graphviz(fixture_kb: KnowledgeBase) -> None:
    done = subprocess.run(
        ["dot", "-Tsvg"], input=EXPORTERS["dot"](fixture_kb), capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr.decode()


# CSV ------------------------------------------------------------------------------------------


def test_csv_zip_has_one_table_per_kind(fixture_kb: KnowledgeBase) -> None:
    archive = zipfile.ZipFile(io.BytesIO(EXPORTERS["csv"](fixture_kb)))
    assert archive.namelist() == [f"{t}.csv" for t in TABLES]
    for table in TABLES:
        rows = list(csv.DictReader(io.StringIO(archive.read(f"{table}.csv").decode())))
        assert [r["id"] for r in rows] == sorted(getattr(fixture_kb, table))
    claims = {r["id"]: r for r in csv.DictReader(io.StringIO(archive.read("claims.csv").decode()))}
    assert json.loads(claims["scaling-works"]["tags"]) == ["scaling-laws", "core"]
    assert claims["awkward-text"]["text"] == fixture_kb.claims["awkward-text"].text
    assert claims["compute-grows"]["tags"] == ""
    relations = list(csv.DictReader(io.StringIO(archive.read("relations.csv").decode())))
    assert "from" in relations[0] and "group" in relations[0]


# AIF ------------------------------------------------------------------------------------------


def test_aif_structure_of_the_fixture(fixture_kb: KnowledgeBase) -> None:
    aif = kb_to_aif(fixture_kb)
    # Hand-counted: 11 claims + 2 evidence; RA: 3 supports + 1 linked pair + 1 evidence;
    # CA: 2 rebuts + 2 undercuts + 1 rebutting evidence + a contradiction both ways.
    assert node_counts(aif) == {"I": 13, "RA": 5, "CA": 7, "MA": 2, "L": 4, "YA": 4}
    assert len(aif["edges"]) == 37
    assert len(aif["locutions"]) == 4
    text = {c.id: c.text for c in fixture_kb.claims.values()}
    kaplan = fixture_kb.evidence["ev-kaplan"].quote
    gains = fixture_kb.evidence["ev-bench-gains"].quote
    support_sw_mi = ("RA", frozenset({text["scaling-works"]}))
    support_kaplan = ("RA", frozenset({kaplan}))
    assert canonical(aif) == {
        ("RA", frozenset({text["curves-straight"]}), frozenset({text["scaling-works"]})),
        ("RA", frozenset({text["models-improve"]}), frozenset({text["scaling-works"]})),
        ("RA", frozenset({text["scaling-works"]}), frozenset({text["models-improve"]})),
        (
            "RA",
            frozenset({text["curves-straight"], text["compute-grows"]}),
            frozenset({text["models-improve"]}),
        ),
        ("RA", frozenset({kaplan}), frozenset({text["curves-straight"]})),
        ("CA", frozenset({text["curves-bend"]}), frozenset({text["scaling-works"]})),
        ("CA", frozenset({text["awkward-text"]}), frozenset({text["curves-bend"]})),
        ("CA", frozenset({text["scaling-works"]}), frozenset({text["scaling-stopped"]})),
        ("CA", frozenset({text["scaling-stopped"]}), frozenset({text["scaling-works"]})),
        ("CA", frozenset({text["perplexity-irrelevant"]}), frozenset({("on", support_sw_mi)})),
        ("CA", frozenset({text["benchmark-saturation"]}), frozenset({("on", support_kaplan)})),
        ("CA", frozenset({gains}), frozenset({text["curves-bend"]})),
        ("MA", frozenset({text["returns-diminish"]}), frozenset({text["curves-bend"]})),
        ("MA", frozenset({text["loss-scaling"]}), frozenset({text["scaling-works"]})),
    }


def test_aif_nodes_carry_schemes_timestamps_and_locutions(fixture_kb: KnowledgeBase) -> None:
    aif = kb_to_aif(fixture_kb)
    by_text = {n["text"]: n for n in aif["nodes"] if n["type"] == "I"}
    # scaling-works is quoted from sources dated 2024-11 and 2024: the earliest wins.
    assert by_text["Scaling keeps improving models."]["timestamp"] == "2024-01-01 00:00:00"
    assert by_text["Training compute keeps growing four times a year."]["timestamp"] == (
        FIXED_TIMESTAMP
    )
    schemes = Counter(n["text"] for n in aif["nodes"] if n["type"] in ("RA", "CA", "MA"))
    assert schemes["Argument From Sign"] == 1
    assert schemes["Contradiction"] == 2
    assert schemes["Refinement"] == 1
    illocutions = Counter(n["text"] for n in aif["nodes"] if n["type"] == "YA")
    assert illocutions == {"Asserting": 2, "Disagreeing": 1, "Default Illocuting": 1}
    speakers = sorted(n["text"] for n in aif["nodes"] if n["type"] == "L")
    assert speakers[0] == "Gary Marcus: Scaling is running out of steam."
    ids = [n["nodeID"] for n in aif["nodes"]]
    assert len(set(ids)) == len(ids)
    node_ids = set(ids)
    assert all(e["fromID"] in node_ids and e["toID"] in node_ids for e in aif["edges"])
    assert {loc["nodeID"] for loc in aif["locutions"]} == {
        n["nodeID"] for n in aif["nodes"] if n["type"] == "L"
    }


def test_xaif_wraps_the_same_graph(fixture_kb: KnowledgeBase) -> None:
    xaif = kb_to_xaif(fixture_kb)
    assert set(xaif) == {"AIF", "OVA", "text"}
    assert node_counts(xaif) == node_counts(kb_to_aif(fixture_kb))
    assert canonical(xaif) == canonical(kb_to_aif(fixture_kb))
    names = {(p["firstname"], p["surname"]) for p in xaif["AIF"]["participants"]}
    assert ("Jared", "Kaplan") in names and ("OpenAI", "") in names
    assert len(xaif["OVA"]["nodes"]) == len(xaif["AIF"]["nodes"])


def _arguebuf_counts(data: dict, kind: str) -> tuple[int, int, int]:
    import arguebuf

    graph = arguebuf.load.aif(data) if kind == "aif" else arguebuf.load.xaif(data)
    return len(graph.atom_nodes), len(graph.scheme_nodes), len(graph.edges)


def _expected_counts(aif: dict) -> tuple[int, int, int]:
    graph = aif.get("AIF", aif)
    kinds = {n["nodeID"]: n["type"] for n in graph["nodes"]}
    argument = {"I", "RA", "CA", "MA"}
    edges = [e for e in graph["edges"] if {kinds[e["fromID"]], kinds[e["toID"]]} <= argument]
    counts = Counter(kinds.values())
    return counts["I"], counts["RA"] + counts["CA"] + counts["MA"], len(edges)


def test_real_content_aif_loads_with_arguebuf() -> None:
    kb = real_kb()
    for kind, data in (
        ("aif", json.loads(EXPORTERS["aif"](kb))),
        ("xaif", json.loads(EXPORTERS["xaif"](kb))),
    ):
        assert _arguebuf_counts(data, kind) == _expected_counts(data)
    assert node_counts(kb_to_aif(kb))["I"] == len(kb.claims) + len(kb.evidence)


def test_fixture_aif_loads_with_arguebuf(fixture_kb: KnowledgeBase) -> None:
    aif = json.loads(EXPORTERS["aif"](fixture_kb))
    assert _arguebuf_counts(aif, "aif") == (13, 14, 29)
    assert _arguebuf_counts(json.loads(EXPORTERS["xaif"](fixture_kb)), "xaif") == (13, 14, 29)


# Argdown --------------------------------------------------------------------------------------


def test_argdown_document_shape(fixture_kb: KnowledgeBase) -> None:
    text = EXPORTERS["argdown"](fixture_kb).decode()
    assert text.startswith('===\ntitle: "Interop sample"\n')
    for claim in fixture_kb.claims:
        assert len(re.findall(rf"^\[{claim}\]: ", text, re.M)) == 1
    assert "[scaling-works]: Scaling keeps improving models. #scaling-laws #core\n" in text
    assert "\n    <+ [curves-straight]\n" in text
    assert "\n    >< [scaling-stopped]\n" in text
    assert "[perplexity-irrelevant]\n    _> <scaling-works--supports--models-improve>" in text
    assert "(1) [compute-grows]\n(2) [curves-straight]\n----\n(3) [models-improve]" in text
    # A support that is an argument is not also written as a plain + relation.
    assert "    <+ [scaling-works]" not in text


def test_argdown_escape() -> None:
    assert argdown_escape("a [b] <c> #d\n e_f: g") == "a \\[b\\] \\<c\\> \\#d e\\_f\\: g"


def _argdown_cli() -> str | None:
    return shutil.which("argdown")


def _argdown_json(tmp_path: Path, kb: KnowledgeBase, name: str) -> dict:
    source = tmp_path / f"{name}.argdown"
    source.write_bytes(EXPORTERS["argdown"](kb))
    done = subprocess.run(
        ["argdown", "json", str(source), str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0 and "error" not in output.lower(), output
    return json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8"))


def _claim_edges(kb: KnowledgeBase) -> Counter:
    """Return the links of a KB named by text: evidence counts as a claim of its summary."""
    text = {c.id: c.text for c in kb.claims.values()}
    text |= {e.id: e.summary or e.quote for e in kb.evidence.values()}
    edges: Counter = Counter()
    for e in kb.evidence.values():
        edges[
            (text[e.id], "supports" if e.direction == "supports" else "rebuts", text[e.claim])
        ] += 1
    for r in kb.relations.values():
        if r.type == "undercuts":
            target = kb.relations.get(r.to)
            pair = (
                (text[target.from_], text[target.to])
                if target
                else (text[r.to], text[kb.evidence[r.to].claim])
            )
            edges[(text[r.from_], "undercuts", pair)] += 1
        elif r.type in ("contradicts", "equivalent"):
            edges[(frozenset({text[r.from_], text[r.to]}), r.type.value)] += 1
        else:
            edges[(text[r.from_], r.type.value, text[r.to])] += 1
    return edges


@pytest.mark.skipif(_argdown_cli() is None, reason="the Argdown CLI is not installed")
def test_argdown_cli_accepts_the_export_and_keeps_the_structure(
    tmp_path: Path, fixture_kb: KnowledgeBase
) -> None:
    data = _argdown_json(tmp_path, fixture_kb, "fixture")
    batch = Batch("fixture.json", set())
    read_argdown(data, "fixture.json", batch)
    assert not batch.skipped
    folder = tmp_path / "back"
    folder.mkdir()
    (folder / "all.yaml").write_text(
        json.dumps({t: batch.records[t] for t in batch.records}), encoding="utf-8"
    )
    back = load_kb(folder)
    assert {c.text for c in back.claims.values()} >= {c.text for c in fixture_kb.claims.values()}
    assert _claim_edges(back) == _claim_edges(fixture_kb)
    assert set(back.claims["scaling-works"].tags) == {"scaling-laws", "core"}


@pytest.mark.skipif(_argdown_cli() is None, reason="the Argdown CLI is not installed")
def test_argdown_cli_accepts_the_real_content(tmp_path: Path) -> None:
    kb = real_kb()
    data = _argdown_json(tmp_path, kb, "real")
    assert len(data["statements"]) == len(kb.claims)


# JSON-LD --------------------------------------------------------------------------------------


def test_claim_jsonld(fixture_kb: KnowledgeBase) -> None:
    data = claim_jsonld(fixture_kb, "scaling-works", url="https://example.org/claims/sw/")
    assert data["@context"] == "https://schema.org" and data["@type"] == "Claim"
    assert data["text"] == "Scaling keeps improving models."
    assert data["@id"] == "https://example.org/claims/sw/"
    works = {w["name"]: w for w in data["appearance"]}
    assert set(works) == {"Scaling realities", "The limits of scaling"}
    assert works["Scaling realities"]["@type"] == "Article"
    assert works["Scaling realities"]["author"] == [
        {"@type": "Person", "name": "Nathan Lambert", "url": "https://www.interconnects.ai"}
    ]
    assert data["firstAppearance"]["name"] == "The limits of scaling"
    # Only those who assert it are its authors; Gary Marcus denies it.
    assert [a["name"] for a in data["author"]] == ["Nathan Lambert"]
    bare = claim_jsonld(fixture_kb, "compute-grows")
    assert "appearance" not in bare and "author" not in bare


def test_jsonld_script_is_safe_in_html(fixture_kb: KnowledgeBase) -> None:
    script = jsonld_script(claim_jsonld(fixture_kb, "awkward-text"))
    inner = script.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert "<" not in inner and ">" not in inner
    assert json.loads(inner)["text"] == fixture_kb.claims["awkward-text"].text


def test_claim_jsonld_for_every_real_claim() -> None:
    kb = real_kb()
    for claim_id in kb.claims:
        data = claim_jsonld(kb, claim_id)
        json.dumps(data)
        assert data["identifier"] == claim_id


# CLI ------------------------------------------------------------------------------------------


def test_cli_export_to_file_and_stdout(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "out" / "kb.aif.json"
    result = runner.invoke(
        main, ["export", "--kb", str(FIXTURE_KB), "--format", "aif", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8")) == kb_to_aif(load_kb(FIXTURE_KB))
    result = runner.invoke(main, ["export", "--kb", str(FIXTURE_KB), "--format", "argdown"])
    assert result.exit_code == 0
    assert result.stdout_bytes == EXPORTERS["argdown"](load_kb(FIXTURE_KB))
    result = runner.invoke(main, ["export", "--kb", str(FIXTURE_KB), "--format", "pdf"])
    assert result.exit_code == 2


def test_cli_export_refuses_a_broken_kb(tmp_path: Path) -> None:
    folder = write_kb(tmp_path, {"bad.yaml": "claims:\n  - id: Bad ID\n    text: x\n"})
    result = CliRunner().invoke(main, ["export", "--kb", str(folder), "--format", "json"])
    assert result.exit_code == 1


def test_argdown_arguments_get_unique_titles(tmp_path: Path) -> None:
    folder = write_kb(
        tmp_path,
        {
            "c.yaml": """
                claims:
                  - {id: a, text: A}
                  - {id: b, text: B}
                  - {id: c, text: C}
                  - {id: d, text: D}
                relations:
                  - {from: a, type: supports, to: c, group: g}
                  - {from: b, type: supports, to: c, group: g}
                  - {from: a, type: supports, to: d, group: g}
                  - {from: b, type: supports, to: d, group: g}
                """
        },
        base=False,
    )
    text = EXPORTERS["argdown"](load_kb(folder)).decode()
    assert re.findall(r"^<([^>]+)>:", text, re.M) == ["g", "g--d"]
    assert "(1) [a]\n(2) [b]\n----\n(3) [d]" in text


def test_claim_jsonld_with_given_stances_matches(fixture_kb: KnowledgeBase) -> None:
    graph = KBGraph(fixture_kb)
    for claim_id in fixture_kb.claims:
        given = claim_jsonld(fixture_kb, claim_id, stances=graph.stances_on(claim_id))
        assert given == claim_jsonld(fixture_kb, claim_id)


def test_csv_cells_never_start_a_formula() -> None:
    assert csv_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert csv_cell("+1") == "'+1"
    assert csv_cell("Scaling works.") == "Scaling works."
    assert csv_cell(-3) == "-3"
