"""Running the Pagefind indexer, and making the bundles it writes reproducible."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
from pathlib import Path
from typing import Any, cast

from pagefind.service import get_executable

from kb.build import cbor
from kb.errors import BuildError

# Page furniture that would fill result snippets: headings such as "Proponents", counts,
# muted notes ("Nobody on record asserts this yet."), badges, kinds and tag lists.
SEARCH_EXCLUDE = (
    "h2, h3, .count, .muted, .badge, .kind, .link-type, .crumbs, .tags, .visually-hidden"
)


def run_pagefind(jobs: list[tuple[Path, Path]]) -> None:
    """Index each source folder into its output folder, as many at once as there are cores."""
    if not jobs:
        return

    binary = get_executable()
    if binary is None:
        raise BuildError("cannot index the site for search: the Pagefind binary is missing")
    # The command-line indexer, not the Python API: the API's service is terminated as soon as
    # it answers WriteFiles, which (two at once, on a busy machine) cut files short.
    width = max(1, min(2, os.cpu_count() or 1))
    waiting = list(jobs)
    running: list[tuple[subprocess.Popen[bytes], Path]] = []
    failed: list[str] = []
    while waiting or running:
        while waiting and len(running) < width:
            source, out = waiting.pop(0)
            command = [str(binary), "--site", str(source), "--output-path", str(out)]
            command += ["--force-language", "en", "--silent"]
            command += ["--exclude-selectors", SEARCH_EXCLUDE]
            proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            running.append((proc, source))
        proc, source = running.pop(0)
        _, err = proc.communicate()
        if proc.returncode != 0:
            message = err.decode("utf-8", "replace").strip()[-300:]
            failed.append(message or f"exit {proc.returncode}")
    if failed:
        raise BuildError(f"cannot index the site for search: {failed[0]}")


# Pagefind writes its filter lists in a random (hash map) order; see Pagefind issue #638. These
# helpers sort them and rename the files after their content, so that the index is reproducible.
_SIGNATURE = b"pagefind_dcd"


def _read_pf(path: Path) -> object:
    raw = path.read_bytes()
    if not raw.startswith(_SIGNATURE):
        raw = gzip.decompress(raw)
    if not raw.startswith(_SIGNATURE):
        raise ValueError("not a Pagefind file")
    value, _ = cbor.decode(raw, len(_SIGNATURE))
    return value


def _write_pf(path: Path, value: object) -> None:
    path.write_bytes(gzip.compress(_SIGNATURE + cbor.encode(value), mtime=0))


def _renamed(value: object, names: dict[str, str]) -> object:
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, list):
        return [_renamed(v, names) for v in value]
    return value


def canonical_bundle(bundle: Path) -> None:
    """Sort Pagefind's filter lists and name its filter and meta files by their content."""
    entry_path = bundle / "pagefind-entry.json"
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
        for lang, info in entry["languages"].items():
            names: dict[str, str] = {}
            for path in sorted((bundle / "filter").glob(f"{lang}_*.pf_filter")):
                name, values = cast(list[Any], _read_pf(path))
                value = [name, sorted(values, key=lambda v: str(v[0]))]
                digest = hashlib.sha256(cbor.encode(value)).hexdigest()
                names[path.stem] = f"{lang}_{digest[:7]}"
                path.unlink()
                _write_pf(path.with_name(names[path.stem] + ".pf_filter"), value)
            meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
            meta = _renamed(_read_pf(meta_path), names)
            assert isinstance(meta, list)
            meta = [
                sorted(part, key=str)
                if isinstance(part, list)
                and part
                and all(
                    isinstance(p, list) and len(p) == 2 and p[1] in names.values() for p in part
                )
                else part
                for part in meta
            ]
            digest = hashlib.sha256(cbor.encode(meta)).hexdigest()
            info["hash"] = f"{lang}_{digest[:10]}"
            meta_path.unlink()
            _write_pf(bundle / f"pagefind.{info['hash']}.pf_meta", meta)
    except (OSError, ValueError, KeyError, TypeError, AssertionError) as exc:
        raise BuildError(f"cannot make the search index reproducible: {exc}") from exc
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), "utf-8")
