"""The Kialo importer: numbered claims of Kialo's plain-text export, Pro/Con under their parent."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from kb.formats.batch import Batch, ImportFailed
from kb.model.records import RelationType

_KIALO_LINE = re.compile(r"^\s*(1\.(?:\d+\.)*)\s+(?:(Pro|Con):\s*)?(.*)$")
_KIALO_SEE = re.compile(r"^->\s*See\s+((?:\d+\.)+)\s*$")
# Neither part may hold a '[': a scan from one '[' stops at the next, so a line of thousands of
# brackets is read in linear time (60 KB of '[' took half a minute with `[^\]]*`).
_MD_LINK = re.compile(r"\[([^\[\]]*)\]\(([^)\[\]\s]+)\)")


def read_kialo(text: str, name: str, batch: Batch) -> None:
    """Read Kialo's plain-text export: numbered claims, Pro/Con under their parent, links."""
    entries: list[list[Any]] = []  # [number, stance, text lines, line number]
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.startswith("Discussion Title:") and not entries:
            continue
        match = _KIALO_LINE.match(line)
        if match:
            entries.append([match.group(1), match.group(2), [match.group(3)], lineno])
        elif line.strip() and entries:
            entries[-1][2].append(line.strip())
        elif line.strip():
            batch.skip(f"line {lineno}", "text", "it comes before the first numbered claim")
    if not entries:
        raise ImportFailed(f"{name}: no numbered Kialo claims ('1. ...', '1.1. Pro: ...')")
    claim_of = _read_claims(entries, batch)
    _read_links(entries, claim_of, batch)


def _read_claims(entries: list[list[Any]], batch: Batch) -> dict[str, str]:
    """Add a claim per numbered entry (not per '-> See' link); return their IDs by number."""
    claim_of: dict[str, str] = {}
    for number, _, lines, lineno in entries:
        body = " ".join(lines).strip()
        if _KIALO_SEE.match(body):
            continue
        if number in claim_of:
            batch.skip(f"line {lineno}", f"claim {number}", "its number was already used")
            continue
        plain = _MD_LINK.sub(r"\1", body)
        plain = re.sub(r"\\([\[\]()\\*_#])", r"\1", plain)
        cid = batch.claim(plain)
        if cid is None:
            batch.skip(f"line {lineno}", f"claim {number}", "it has no text")
            continue
        claim_of[number] = cid
        urls = list(dict.fromkeys(m.groups() for m in _MD_LINK.finditer(body)))
        if urls:
            record = batch.records["claims"][-1]
            record["notes"] = "Sources: " + ", ".join(f"[{t or u}]({u})" for t, u in urls)
    return claim_of


def _read_links(entries: list[list[Any]], claim_of: dict[str, str], batch: Batch) -> None:
    """Link each entry (or the claim it points to) to its parent: Pro supports, Con rebuts."""
    for number, stance, lines, lineno in entries:
        body = " ".join(lines).strip()
        see = _KIALO_SEE.match(body)
        parent = number[: number[:-1].rfind(".") + 1] if number.count(".") > 1 else None
        if parent is None:
            continue
        source = claim_of.get(see.group(1)) if see else claim_of.get(number)
        where = f"line {lineno}"
        if source is None:
            batch.skip(where, f"link {number}", f"no claim {see.group(1) if see else number}")
            continue
        if parent not in claim_of:
            batch.skip(where, f"claim {number}", f"its parent {parent} was not imported")
            continue
        if stance is None:
            batch.skip(where, f"link {number} -> {parent}", "it is marked neither Pro nor Con")
            continue
        rel_type = RelationType.supports if stance == "Pro" else RelationType.rebuts
        batch.relation(source, rel_type, claim_of[parent], where)


def read_kialo_file(path: Path, batch: Batch) -> None:
    """Read a Kialo plain-text export."""
    read_kialo(path.read_text(encoding="utf-8-sig"), path.name, batch)
