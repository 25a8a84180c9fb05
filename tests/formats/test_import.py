"""Importers: AIF, xAIF, Kialo and Argdown JSON samples, round trips, IDs and never overwriting."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import write_kb
from interop_helpers import FIXTURE_KB, INTEROP, canonical, node_counts, same_structure

from kb.check.entry import load_kb, run_check
from kb.cli import main
from kb.formats.export import kb_to_aif
from kb.formats.imports import Batch, ImportFailed, import_files, read_aif
from kb.model.kb import KnowledgeBase

BASIC = INTEROP / "aif" / "nodeset-basic.json"
INTEGERS = INTEROP / "aif" / "integer-ids.json"
OVA = INTEROP / "xaif" / "ova3.json"
KIALO = INTEROP / "kialo" / "discussion.txt"
ARGDOWN = INTEROP / "argdown" / "map.json"


def errors(root: Path) -> list:
    return [p for p in run_check(root) if p.severity == "error"]


def import_into(tmp_path: Path, fmt: str, *files: Path) -> tuple[KnowledgeBase, Path, object]:
    """Import into a fresh, valid KB; return the loaded KB, its folder and the report."""
    root = write_kb(tmp_path)
    report = import_files(root, fmt, list(files), root / "imported")
    assert errors(root) == []
    return load_kb(root), root, report


def imported_only(kb: KnowledgeBase, root: Path) -> set[str]:
    return {rid for rid, where in kb.where.items() if Path(where.path).parent.name == "imported"}


def edges_by_text(kb: KnowledgeBase, ids: set[str]) -> Counter:
    text = {c.id: c.text for c in kb.claims.values()}
    out: Counter = Counter()
    for r in kb.relations.values():
        if r.id not in ids:
            continue
        if r.type == "undercuts":
            target = kb.relations[r.to]
            out[(text[r.from_], "undercuts", (text[target.from_], text[target.to]))] += 1
        else:
            out[(text[r.from_], r.type.value, text[r.to])] += 1
    return out


# AIF ------------------------------------------------------------------------------------------


def test_aif_basic_becomes_claims_links_and_stances(tmp_path: Path) -> None:
    kb, root, report = import_into(tmp_path, "aif", BASIC)
    new = imported_only(kb, root)
    kinds = Counter(kb.kind_of(rid) for rid in new)
    # 8 I-nodes; RA 201 (two premises) + 204 + 207 = 4 supports; CA 202 and 205 rebut, CA 203
    # undercuts RA 204; MA 206; two L -> YA -> I locutions by two speakers; one source.
    assert kinds == {"claim": 8, "relation": 8, "actor": 2, "stance": 2, "source": 1}
    assert report.skipped == []
    t = {
        "sl": "Scaling laws keep holding at larger compute budgets.",
        "loss": "Loss fell smoothly across seven orders of magnitude of compute.",
        "arch": "Nothing in the architecture suggests the trend must break.",
        "bench": "Benchmark gains per dollar are shrinking.",
        "lower": "Lower loss does not translate into useful capabilities.",
        "perp": "Perplexity is irrelevant to end users.",
        "power": "The power laws will continue to hold.",
        "better": "Models will keep getting better.",
    }
    assert edges_by_text(kb, new) == Counter(
        {
            (t["loss"], "supports", t["sl"]): 1,
            (t["arch"], "supports", t["sl"]): 1,
            (t["sl"], "supports", t["better"]): 1,
            (t["better"], "supports", t["sl"]): 1,
            (t["bench"], "rebuts", t["sl"]): 1,
            (t["lower"], "rebuts", t["better"]): 1,
            (t["perp"], "undercuts", (t["sl"], t["better"])): 1,
            (t["power"], "equivalent", t["sl"]): 1,
        }
    )
    linked = [r for r in kb.relations.values() if r.group]
    assert len(linked) == 2 and len({r.group for r in linked}) == 1
    schemes = {r.scheme for r in kb.relations.values() if r.id in new} - {None}
    assert schemes == {"Argument From Expert Opinion"}
    stances = {(kb.actors[s.actor].name, s.position.value, s.quote) for s in kb.stances.values()}
    assert (
        "Nathan Lambert",
        "asserts",
        "Scaling is still working at a technical level.",
    ) in stances
    assert ("Gary Marcus", "denies", "Scaling laws are not physical laws.") in stances
    marcus = next(s for s in kb.stances.values() if s.actor == "gary-marcus" and s.id in new)
    assert marcus.locator == "locution node 303, at 00:12:30"


def test_aif_round_trip_keeps_counts_and_structure(tmp_path: Path) -> None:
    original = json.loads(BASIC.read_text(encoding="utf-8"))
    batch = Batch(BASIC.name, set())
    read_aif(original, BASIC.name, batch)
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "all.yaml").write_text(json.dumps(dict(batch.records)), encoding="utf-8")
    again = kb_to_aif(load_kb(folder))
    before, after = node_counts(original), node_counts(again)
    for node_type in ("I", "RA", "CA", "MA", "L", "YA"):
        assert before[node_type] == after[node_type], node_type
    assert after["I"] == 8 and after["RA"] == 3 and after["CA"] == 3 and after["MA"] == 1
    assert same_structure(original, again)
    assert canonical(original) == canonical(again)


def test_kb_to_aif_to_kb_to_aif_is_stable(tmp_path: Path) -> None:
    first = kb_to_aif(load_kb(FIXTURE_KB))
    batch = Batch("fixture.json", set())
    read_aif(first, "fixture.json", batch)
    assert batch.skipped == []
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "all.yaml").write_text(json.dumps(dict(batch.records)), encoding="utf-8")
    back = load_kb(folder)
    assert Counter(r.type.value for r in back.relations.values()) == {
        "supports": 6,  # 5 + the evidence that became a claim
        "rebuts": 3,  # 2 + the rebutting evidence
        "undercuts": 2,
        "contradicts": 1,
        "equivalent": 1,
        "refines": 1,
    }
    second = kb_to_aif(back)
    assert node_counts(second) == node_counts(first)
    assert same_structure(first, second)
    assert canonical(first) == canonical(second)


def test_awkward_aif_is_imported_with_every_skip_explained(tmp_path: Path) -> None:
    kb, root, report = import_into(tmp_path, "aif", INTEGERS)
    new = imported_only(kb, root)
    texts = sorted(kb.claims[c].text for c in new if c in kb.claims)
    assert texts == [
        "Data will run out by 2028.",
        "Data will run out by 2028.",
        "Models trained on their own output collapse.",
        "Synthetic data can replace human text.",
    ]
    assert "data-will-run-out-by-2028" in new and "data-will-run-out-by-2028-2" in new
    assert Counter(kb.relations[r].type.value for r in new if r in kb.relations) == {
        "rebuts": 1,
        "equivalent": 1,
        "supports": 1,
    }
    skipped = {(s.where.split(": ", 1)[1], s.what) for s in report.skipped}
    assert skipped == {
        ("nodes[16]", "node"),
        ("edge 12", "edge"),
        ("node 5", "I-node"),
        ("node 12", "supports link"),
        ("node 13", "RA node"),
        ("node 10", "attack from CA node 11"),
        ("node 11", "attack on CA node 10"),
        ("node 31", "illocution 'Pure Questioning'"),
        ("nodes 21", "1 PA node"),
        ("nodes 20", "1 TA node"),
        ("nodes 40", "1 untyped node"),
    }
    assert all(s.why for s in report.skipped)


def test_xaif_participants_and_locutions(tmp_path: Path) -> None:
    kb, root, report = import_into(tmp_path, "xaif", OVA)
    new = imported_only(kb, root)
    assert Counter(kb.kind_of(r) for r in new) == {
        "claim": 2,
        "relation": 1,
        "actor": 1,
        "stance": 2,
        "source": 1,
    }
    actor = next(a for a in kb.actors.values() if a.id in new)
    assert actor.name == "Ilya Sutskever"
    quotes = sorted(s.quote for s in kb.stances.values() if s.id in new)
    assert quotes == [
        "Pretraining as we know it will unquestionably end.",
        "we have but one internet",
    ]
    assert {s.what for s in report.skipped} == {"YA node (Arguing)", "1 TA node"}


def test_not_aif_fails_clearly(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": 1}', encoding="utf-8")
    root = write_kb(tmp_path)
    with pytest.raises(ImportFailed, match="not an AIF file"):
        import_files(root, "aif", [bad], root / "imported")
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ImportFailed, match="cannot read JSON"):
        import_files(root, "aif", [bad], root / "imported")
    assert not (root / "imported").exists()


# Kialo ----------------------------------------------------------------------------------------


def test_kialo_text(tmp_path: Path) -> None:
    kb, root, report = import_into(tmp_path, "kialo", KIALO)
    new = imported_only(kb, root)
    claims = {kb.claims[c].text: kb.claims[c] for c in new if c in kb.claims}
    assert len(claims) == 7
    thesis = "Scaling current architectures will lead to AGI."
    pro = "Capabilities have improved predictably with compute (Kaplan et al. 2020)."
    loss = "Loss fell smoothly over seven orders of magnitude."
    data = "High-quality text data will run out. It may run out between 2026 and 2032."
    synthetic = "Synthetic data can replace human text."
    bench = "Benchmarks saturate and say little about general intelligence."
    laws = "Scaling laws describe loss, not abilities (see the appendix)."
    assert edges_by_text(kb, new) == Counter(
        {
            (pro, "supports", thesis): 1,
            (bench, "rebuts", pro): 1,
            (loss, "supports", pro): 1,
            (data, "rebuts", thesis): 1,
            (synthetic, "rebuts", data): 1,
            (loss, "supports", synthetic): 1,  # the '-> See 1.1.2.' link
            (laws, "rebuts", thesis): 1,
        }
    )
    assert claims[pro].notes == "Sources: [(Kaplan et al. 2020)](https://arxiv.org/abs/2001.08361)"
    assert [s.what for s in report.skipped] == ["link 1.3.1. -> 1.3.", "link 1.3.2."]


def test_kialo_without_numbers_fails(tmp_path: Path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("Just some text\n", encoding="utf-8")
    root = write_kb(tmp_path)
    with pytest.raises(ImportFailed, match="no numbered Kialo claims"):
        import_files(root, "kialo", [bad], root / "imported")


# Argdown --------------------------------------------------------------------------------------


def test_argdown_json(tmp_path: Path) -> None:
    kb, root, report = import_into(tmp_path, "argdown", ARGDOWN)
    new = imported_only(kb, root)
    assert report.skipped == []
    # 8 statements and the sketched argument <Sceptic>; <Power law argument> is reconstructed.
    assert sum(1 for r in new if r in kb.claims) == 9
    t = {c: kb.claims[c].text for c in new if c in kb.claims}
    by_id = {v: k for k, v in t.items()}
    sw = by_id["Scaling keeps improving models."]
    assert sw == "scaling-works-2"  # the helper KB already has 'scaling-works'
    assert kb.claims[sw].tags == ["core-claim", "scaling-laws"]
    better, straight = (
        by_id["Models will keep getting better."],
        by_id["Loss curves stay straight on log-log plots."],
    )
    compute = by_id["Training compute keeps growing 4x a year."]
    rels = {(r.from_, r.type.value, r.to): r for r in kb.relations.values() if r.id in new}
    assert len(rels) == 9
    assert rels[(straight, "supports", better)].group == rels[(compute, "supports", better)].group
    undercut = next(r for r in rels.values() if r.type == "undercuts")
    assert kb.relations[undercut.to].to == better
    assert (by_id["Scaling has stopped working."], "contradicts", sw) in rels or (
        sw,
        "contradicts",
        by_id["Scaling has stopped working."],
    ) in rels
    assert (
        by_id["The curves are starting to bend."],
        "equivalent",
        by_id["Returns to compute are diminishing."],
    ) in rels
    assert (by_id["Benchmarks are saturated, so we cannot tell."], "rebuts", better) in rels


# Files, IDs, CLI ------------------------------------------------------------------------------


def test_import_never_overwrites_and_keeps_ids_unique(tmp_path: Path) -> None:
    root = write_kb(tmp_path)
    first = import_files(root, "aif", [BASIC], root / "imported")
    written = first.written[0]
    before = written.read_text(encoding="utf-8")
    second = import_files(root, "aif", [BASIC], root / "imported")
    assert second.written[0].name == "nodeset-basic-2.yaml"
    assert written.read_text(encoding="utf-8") == before
    assert errors(root) == []
    kb = load_kb(root)
    assert "scaling-laws-keep-holding-at-larger-compute" in kb.claims
    assert "scaling-laws-keep-holding-at-larger-compute-2" in kb.claims
    # The same speakers are reused, not duplicated.
    assert sorted(kb.actors) == ["ann-author", "bob-sceptic", "gary-marcus", "nathan-lambert"]


def test_ids_are_readable_slugs_within_the_limit(tmp_path: Path) -> None:
    long_text = "A very long claim " + "with many words " * 20
    aif = {
        "nodes": [
            {"nodeID": 1, "text": long_text, "type": "I"},
            {"nodeID": 2, "text": long_text + "again", "type": "I"},
            {"nodeID": 3, "text": "x", "type": "RA"},
            {"nodeID": 4, "text": "Ünïcödé — “quoted” claim!", "type": "I"},
            {"nodeID": 5, "text": "x", "type": "CA"},
        ],
        "edges": [
            {"fromID": 1, "toID": 3},
            {"fromID": 3, "toID": 2},
            {"fromID": 4, "toID": 5},
            {"fromID": 5, "toID": 3},
        ],
    }
    source = tmp_path / "long.json"
    source.write_text(json.dumps(aif), encoding="utf-8")
    root = write_kb(tmp_path)
    import_files(root, "aif", [source], root / "imported")
    assert errors(root) == []
    kb = load_kb(root)
    assert "unicode-quoted-claim" in kb.claims
    for rid in kb.where:
        assert len(rid) <= 120
    assert len([r for r in kb.relations.values() if r.type == "undercuts"]) == 1


def test_cli_import(tmp_path: Path) -> None:
    root = write_kb(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["import", "--kb", str(root), "kialo", str(KIALO)])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and "imported 7 claims, 7 relations" in result.output
    assert "skipped 2:" in result.output and "marked neither Pro nor Con" in result.output
    assert (root / "imported" / "discussion.yaml").is_file()
    into = tmp_path / "elsewhere"
    result = runner.invoke(
        main, ["import", "--kb", str(root), "xaif", str(OVA), "--into", str(into)]
    )
    assert result.exit_code == 0, result.output
    assert (into / "ova3.yaml").is_file()
    result = runner.invoke(main, ["import", "--kb", str(root), "aif", str(KIALO)])
    assert result.exit_code == 2


def test_real_content_round_trips_through_aif(tmp_path: Path) -> None:
    from interop_helpers import REAL_KB

    from kb.load.loader import load

    kb, _ = load(REAL_KB)
    first = kb_to_aif(kb)
    batch = Batch("real.json", set())
    read_aif(first, "real.json", batch)
    assert batch.skipped == []
    (tmp_path / "all.yaml").write_text(json.dumps(dict(batch.records)), encoding="utf-8")
    back = load_kb(tmp_path)
    assert len(back.claims) == len(kb.claims) + len(kb.evidence)
    assert len(back.stances) == len(kb.stances)
    second = kb_to_aif(back)
    assert node_counts(second) == node_counts(first)
    assert canonical(first) == canonical(second)
    assert same_structure(first, second)


def test_numeric_ids_of_any_spelling_match() -> None:
    aif = {
        "nodes": [
            {"nodeID": 1.0, "text": "Premise.", "type": "I"},
            {"nodeID": "2", "text": "Conclusion.", "type": "I"},
            {"nodeID": 3, "text": "Default Inference", "type": "RA", "extra": {"x": 1}},
        ],
        "edges": [{"edgeID": "a", "fromID": "1", "toID": 3.0}, {"fromID": 3, "toID": 2}],
    }
    batch = Batch("numbers.json", set())
    read_aif(aif, "numbers.json", batch)
    assert batch.skipped == []
    assert [(r["from"], r["type"], r["to"]) for r in batch.records["relations"]] == [
        ("premise", "supports", "conclusion")
    ]
