"""Deterministic synthetic knowledge bases of any size, in the real content's proportions."""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import yaml

# Records per claim, close to the bundled scaling-debate content.
PER_CLAIM = {"stances": 0.9, "evidence": 0.9, "relations": 1.45, "undercuts": 0.05}
CLAIMS_PER_SOURCE = 4
CLAIMS_PER_ACTOR = 4
CLAIMS_PER_QUESTION = 10
CLAIMS_PER_FILE = 100
WORDS = [
    "scaling",
    "loss",
    "compute",
    "data",
    "model",
    "tokens",
    "benchmark",
    "capability",
    "emergence",
    "forecast",
    "training",
    "inference",
    "parameters",
    "synthetic",
    "reasoning",
    "agents",
    "economics",
    "hardware",
    "algorithm",
    "plateau",
    "curve",
    "trend",
    "power",
    "law",
    "frontier",
    "cost",
    "quality",
    "users",
    "product",
    "generalise",
    "extrapolate",
]
CLAIM_KINDS = ["empirical", "forecast", "causal", "definitional", "normative", "interpretive"]
EVIDENCE_KINDS = ["measurement", "experiment", "benchmark", "expert-statement", "argument"]


def sentence(rng: random.Random, words: int) -> str:
    """Return a pseudo-sentence of the given length."""
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def generate(root: Path, claims: int, seed: int = 0) -> Path:
    """Write a synthetic KB with `claims` claims below root/claims; return that folder."""
    rng = random.Random(seed)
    folder = root / "claims"
    folder.mkdir(parents=True, exist_ok=True)
    n_sources = max(1, claims // CLAIMS_PER_SOURCE)
    n_actors = max(2, claims // CLAIMS_PER_ACTOR)
    n_questions = max(1, claims // CLAIMS_PER_QUESTION)
    actors = [
        {
            "id": f"actor-{i}",
            "name": f"Actor {i}",
            "affiliation": f"Lab {i % 37}",
            "description": sentence(rng, 6),
        }
        for i in range(n_actors)
    ]
    sources = [
        {
            "id": f"source-{i}",
            "kind": "paper",
            "title": sentence(rng, 6),
            "authors": [f"actor-{rng.randrange(n_actors)}"],
            "date": f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}",
            "url": f"https://example.org/papers/{i}",
        }
        for i in range(n_sources)
    ]
    questions = [
        {"id": f"q-{i}", "title": sentence(rng, 7)[:-1] + "?", "framing": sentence(rng, 15)}
        for i in range(n_questions)
    ]
    actor_has_stance: set[int] = set()
    supports: list[tuple[int, int, str]] = []  # (from, to, id) of support links so far
    source_used: set[int] = set()
    for start in range(0, claims, CLAIMS_PER_FILE):
        records: dict[str, list] = {"claims": [], "stances": [], "evidence": [], "relations": []}
        for i in range(start, min(claims, start + CLAIMS_PER_FILE)):
            kind = rng.choice(CLAIM_KINDS)
            claim: dict = {"id": f"claim-{i}", "text": sentence(rng, 12), "kind": kind}
            claim["tags"] = sorted({rng.choice(WORDS) for _ in range(2)})
            claim["answers"] = {
                "question": f"q-{i % n_questions}",
                "side": ("pro", "con", "mixed")[
                    rng.randrange(3) if i >= n_questions * 2 else (i // n_questions) % 2
                ],
            }
            if kind == "forecast":
                claim["forecast"] = {
                    "resolves": f"{rng.randint(2027, 2040)}-01-01",
                    "criteria": sentence(rng, 10),
                }
            records["claims"].append(claim)
            while rng.random() < PER_CLAIM["stances"] / 2 or not (records["stances"] or i % 2):
                a = (
                    i % n_actors
                    if (i % n_actors) not in actor_has_stance
                    else rng.randrange(n_actors)
                )
                actor_has_stance.add(a)
                s = (
                    i % n_sources
                    if (i % n_sources) not in source_used
                    else rng.randrange(n_sources)
                )
                source_used.add(s)
                records["stances"].append(
                    {
                        "id": f"stance-{i}-{len(records['stances'])}",
                        "actor": f"actor-{a}",
                        "claim": f"claim-{i}",
                        "position": rng.choice(["asserts", "asserts", "denies", "qualifies"]),
                        "source": f"source-{s}",
                        "quote": sentence(rng, 18),
                        "locator": f"p. {rng.randint(1, 300)}",
                    }
                )
                if rng.random() > 0.6:
                    break
            if rng.random() < PER_CLAIM["evidence"]:
                s = rng.randrange(n_sources)
                source_used.add(s)
                records["evidence"].append(
                    {
                        "id": f"ev-{i}",
                        "claim": f"claim-{i}",
                        "direction": "supports" if rng.random() < 0.7 else "rebuts",
                        "kind": rng.choice(EVIDENCE_KINDS),
                        "source": f"source-{s}",
                        "quote": sentence(rng, 20),
                        "locator": f"Section {rng.randint(1, 9)}",
                    }
                )
            links = int(PER_CLAIM["relations"]) + (rng.random() < PER_CLAIM["relations"] % 1)
            for _ in range(links if i else 0):
                # Links point to earlier claims, so support never forms a cycle.
                target = rng.randrange(i)
                rel_type = rng.choices(
                    ["supports", "rebuts", "contradicts", "refines"], [5, 3, 1, 1]
                )[0]
                rid = f"rel-{i}-{target}-{rel_type}"
                records["relations"].append(
                    {
                        "id": rid,
                        "from": f"claim-{i}",
                        "type": rel_type,
                        "to": f"claim-{target}",
                        "rationale": sentence(rng, 10),
                    }
                )
                if rel_type == "supports":
                    supports.append((i, target, rid))
            if supports and rng.random() < PER_CLAIM["undercuts"]:
                # An undercut attacks an earlier support link this claim is not part of.
                a, b, rid = supports[rng.randrange(len(supports))]
                if i not in (a, b):
                    s = rng.randrange(n_sources)
                    source_used.add(s)
                    records["relations"].append(
                        {
                            "id": f"undercut-{i}-{rid}",
                            "from": f"claim-{i}",
                            "type": "undercuts",
                            "to": rid,
                            "rationale": sentence(rng, 10),
                            "source": f"source-{s}",
                            "quote": sentence(rng, 16),
                            "locator": f"p. {rng.randint(1, 300)}",
                        }
                    )
        dedup = {r["id"]: r for r in records["relations"]}
        records["relations"] = list(dedup.values())
        path = folder / f"part-{start // CLAIMS_PER_FILE:05d}.yaml"
        path.write_text(yaml.safe_dump(records, sort_keys=False, width=1000), encoding="utf-8")
    for i in range(n_sources):
        if i not in source_used or (i % 5 == 0 and n_sources > 1):
            sources[i]["cites"] = [f"source-{(i + 1) % n_sources}"]
            source_used.add(i)
    for name, items in (("actors", actors), ("sources", sources), ("questions", questions)):
        (folder / f"{name}.yaml").write_text(
            yaml.safe_dump({name: items}, sort_keys=False, width=1000), encoding="utf-8"
        )
    return folder


def claim_file(folder: Path, index: int) -> Path:
    """Return the file that holds claim number `index` of a generated KB."""
    return folder / f"part-{index // CLAIMS_PER_FILE:05d}.yaml"


def edit_statement(folder: Path, index: int, text: str) -> Path:
    """Rewrite one claim's statement in place, as an author would; return the file."""
    path = claim_file(folder, index)
    lines = path.read_text(encoding="utf-8").split("\n")
    at = lines.index(f"- id: claim-{index}")
    assert lines[at + 1].startswith("  text: "), lines[at + 1]
    lines[at + 1] = "  text: " + yaml.safe_dump(text, width=1000).split("\n")[0]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def append_relation(path: Path, source: str, target: str, rel_type: str) -> Path:
    """Append one relation record, as a new YAML document, to a file; return the file."""
    record = {"relations": [{"from": source, "type": rel_type, "to": target}]}
    with path.open("a", encoding="utf-8") as handle:
        handle.write("---\n" + yaml.safe_dump(record, sort_keys=False, width=1000))
    return path


def add_relation(folder: Path, source: int, target: int, rel_type: str = "supports") -> Path:
    """Append one relation between two claims to the source claim's file; return the file."""
    path = claim_file(folder, source)
    return append_relation(path, f"claim-{source}", f"claim-{target}", rel_type)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(generate(args.out, args.claims, args.seed))


if __name__ == "__main__":
    main()
