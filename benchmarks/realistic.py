"""Generate a realistic KB: the bundled debate copied until it reaches a size, every id renamed.

Unlike synth.py, whose records are uniform, the copies keep the real content's shape: its
questions, actors, sources, stances, evidence, relation mix, quote lengths, notes and files.
Copy k renames every id `x` to `x-k` (copy 0 keeps the originals), so copies never link to
each other; `edit_statement` and `add_relation` mirror synth.py's for bench_scale.py.

Run: python benchmarks/realistic.py OUT [--claims 10000]
"""

from __future__ import annotations

import argparse
import hashlib
import math
import shutil
from pathlib import Path
from typing import Any

import yaml
from synth import append_relation

HERE = Path(__file__).resolve().parent
BUNDLED = HERE.parent / "claims"
MAX_ID = 120


def _records(tree: Any) -> list[dict[str, Any]]:
    """Return every mapping with an `id` found anywhere in a parsed YAML document."""
    found: list[dict[str, Any]] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("id"), str):
                found.append(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _rename(node: Any, ids: set[str], suffix: str) -> Any:
    """Return a copy of `node` with every string (or mapping key) that is an id renamed."""
    if isinstance(node, dict):
        return {_rename(k, ids, suffix): _rename(v, ids, suffix) for k, v in node.items()}
    if isinstance(node, list):
        return [_rename(v, ids, suffix) for v in node]
    if isinstance(node, str) and suffix and "--" in node and node not in ids:
        # A derived relation id (`from--type--to`) names the ids it joins.
        return "--".join(_rename(part, ids, suffix) for part in node.split("--"))
    if isinstance(node, str) and node in ids and suffix:
        # Ids are at most 120 characters: a long one gives up its tail to the suffix.
        return node[: MAX_ID - len(suffix)] + suffix
    return node


def _name_long_relations(node: Any) -> None:
    """Give an explicit short id to each relation whose derived id would pass the id limit."""
    for record in _relations(node):
        if "id" in record or not {"from", "type", "to"} <= record.keys():
            continue
        derived = f"{record['from']}--{record['type']}--{record['to']}"
        if len(derived) > MAX_ID:
            digest = hashlib.sha1(derived.encode()).hexdigest()[:16]
            record["id"] = f"relation-{digest}"


def _relations(node: Any) -> list[dict[str, Any]]:
    """Return every mapping that looks like a relation record, with or without an id."""
    found: list[dict[str, Any]] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if {"from", "type", "to"} <= item.keys():
                found.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _documents(root: Path) -> list[tuple[Path, list[Any]]]:
    """Return each YAML file under `root` (but kb.yaml) with its parsed documents."""
    out = []
    for path in sorted(root.rglob("*.yaml")):
        if path == root / "kb.yaml":
            continue
        docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
        out.append((path.relative_to(root), docs))
    return out


def count_claims(docs: list[tuple[Path, list[Any]]]) -> int:
    """Return how many claims the parsed files hold."""
    total = 0
    for _, parts in docs:
        for doc in parts:
            claims = doc.get("claims") or doc.get("claim") or []
            total += len(claims) if isinstance(claims, list) else 1
    return total


def generate(root: Path, claims: int, seed: int = 0, source: Path = BUNDLED) -> Path:
    """Write a KB of at least `claims` claims into root/kb; return its folder."""
    del seed  # the copies are deterministic; the argument keeps synth.py's signature
    docs = _documents(source)
    ids = {r["id"] for _, parts in docs for doc in parts for r in _records(doc)}
    copies = max(1, math.ceil(claims / count_claims(docs)))
    folder = root / "kb"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    shutil.copyfile(source / "kb.yaml", folder / "kb.yaml")
    for k in range(copies):
        suffix = f"-{k}" if k else ""
        for rel, parts in docs:
            path = folder / f"copy-{k:04d}" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            renamed = [_rename(doc, ids, suffix) for doc in parts]
            for doc in renamed:
                _name_long_relations(doc)
            text = yaml.safe_dump_all(renamed, sort_keys=False, width=100, allow_unicode=True)
            path.write_text(text, encoding="utf-8")
    return folder


def _claim_ids(folder: Path) -> list[tuple[Path, str]]:
    """Return (file, id) of every claim in a generated KB, in a fixed order."""
    out = []
    for path in sorted(folder.rglob("*.yaml")):
        if path.name == "kb.yaml":
            continue
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            items = (doc or {}).get("claims") or []
            out += [(path, c["id"]) for c in items if isinstance(c, dict)]
    return out


def _rewrite(path: Path, change: Any) -> None:
    """Apply `change` to each parsed document of `path` and write the file back."""
    docs = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    for doc in docs:
        change(doc)
    text = yaml.safe_dump_all(docs, sort_keys=False, width=100, allow_unicode=True)
    path.write_text(text, encoding="utf-8")


def edit_statement(folder: Path, index: int, text: str) -> Path:
    """Rewrite the statement of claim number `index` in place, as an author would."""
    claims = _claim_ids(folder)
    path, cid = claims[index % len(claims)]

    def change(doc: Any) -> None:
        for claim in (doc or {}).get("claims") or []:
            if isinstance(claim, dict) and claim.get("id") == cid:
                claim["text"] = text

    _rewrite(path, change)
    return path


def add_relation(folder: Path, source: int, target: int, rel_type: str = "supports") -> Path:
    """Append one relation between claims number `source` and `target`; return the file."""
    claims = _claim_ids(folder)
    path, src = claims[source % len(claims)]
    return append_relation(path, src, claims[target % len(claims)][1], rel_type)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--claims", type=int, default=10000)
    args = parser.parse_args()
    print(generate(args.out, args.claims))


if __name__ == "__main__":
    main()
