"""Importing files: each read by its format's reader, written as new YAML, never overwriting."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import yaml

from kb.check.entry import run_check
from kb.errors import Problem, Severity, UsageError
from kb.formats.aif_import import read_aif as read_aif
from kb.formats.argdown_import import read_argdown as read_argdown
from kb.formats.batch import Batch as Batch
from kb.formats.batch import ImportFailed as ImportFailed
from kb.formats.batch import ImportReport as ImportReport
from kb.formats.batch import Skipped as Skipped
from kb.formats.batch import shorten as shorten
from kb.formats.kialo_import import read_kialo as read_kialo
from kb.formats.registry import Format, Reader, formats, reading
from kb.load.files import CONFIG_NAME, MAX_FILE_BYTES, display_path
from kb.load.loader import load
from kb.load.new import slugify
from kb.load.safety import printable

TABLE_ORDER = ("actors", "sources", "claims", "relations", "stances")


def _read(reader: Reader, fmt: str, path: Path, batch: Batch) -> None:
    """Read one input; a shape the reader does not expect is a located failure, no traceback."""
    try:
        reader(path, batch)
    except (AttributeError, TypeError, ValueError, KeyError, IndexError, RecursionError) as exc:
        if isinstance(exc, ImportFailed):
            raise
        detail = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise ImportFailed(
            f"{path}: not a well-formed {fmt} file ({detail[:200]}); "
            "hint: export it again from the tool that made it"
        ) from None


def render_yaml(batch: Batch, fmt: str, origin: str) -> str:
    """Return the records of a batch as one YAML file, kinds in a fixed order."""
    body = {t: batch.records[t] for t in TABLE_ORDER if batch.records.get(t)}
    header = f"# Imported from {origin} ({fmt}) by `kb import`.\n"
    return header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=96)


def _write_new(folder: Path, stem: str, text: str, root: Path | None = None) -> Path:
    """Write text into a new file named after stem; never overwrite an existing one."""
    # Never name it as the settings file of the content folder `root` either.
    folder.mkdir(parents=True, exist_ok=True)
    base = slugify(stem) or "imported"
    n = 1
    settings = root is not None and folder.resolve() == Path(root).resolve()
    while True:
        path = folder / (f"{base}.yaml" if n == 1 else f"{base}-{n}.yaml")
        if settings and path.name in (CONFIG_NAME, "kb.yml"):
            n += 1
            continue
        try:
            with open(path, "x", encoding="utf-8") as handle:
                handle.write(text)
            return path
        except FileExistsError:
            n += 1


def import_files(
    root: Path,
    fmt: str,
    files: list[Path],
    into: Path,
    registry: dict[str, Format] | None = None,
) -> ImportReport:
    """Import files of one format into YAML under `into`; never overwrite anything."""
    # Each file becomes one YAML file of records with readable IDs (slugs of their text),
    # unique against the KB at `root` and the batch; the report lists what was skipped and why.
    readers = reading(formats() if registry is None else registry)
    if fmt not in readers:
        known = ", ".join(readers)
        raise UsageError(f"unknown import format {fmt!r}; expected one of {known}")
    kb, _ = load(root) if root.is_dir() else (None, [])
    taken: set[str] = set()
    actor_names: dict[str, str] = {}
    if kb is not None:
        for table in ("questions", "claims", "sources", "actors", "stances", "evidence"):
            taken |= set(getattr(kb, table))
        taken |= set(kb.relations)
        taken |= {r.group for r in kb.relations.values() if r.group}
        actor_names = {a.name.lower(): a.id for a in kb.actors.values()}
    report = ImportReport()
    missing = [p for p in [into, *into.parents] if not p.exists()]
    report.created = missing[::-1]
    try:
        for path in files:
            batch = Batch(path.name, taken, actor_names)
            _read(readers[fmt], fmt, path, batch)
            actor_names.update(batch.actor_by_name)
            report.skipped += batch.skipped
            if not any(batch.records.values()):
                report.skipped.append(Skipped(path.name, "the whole file", "nothing to import"))
                continue
            for table, records in batch.records.items():
                report.counts[table] += len(records)
            text = render_yaml(batch, fmt, path.name)
            if len(text.encode("utf-8")) > MAX_FILE_BYTES:
                raise ImportFailed(
                    f"{path}: the import would be a YAML file over "
                    f"{MAX_FILE_BYTES // (1024 * 1024)} MB, more than the knowledge base reads; "
                    "hint: split the input into smaller maps"
                )
            report.written.append(_write_new(into, path.stem, text, root))
    except BaseException:
        undo(report)  # a failed import leaves nothing behind
        raise
    return report


def undo(report: ImportReport) -> None:
    """Remove the files an import wrote."""
    for path in report.written:
        path.unlink(missing_ok=True)
    report.written = []
    for folder in reversed(report.created):
        with contextlib.suppress(OSError):  # not empty: something else was put there
            folder.rmdir()


def run_import(
    root: Path,
    fmt: str,
    files: list[Path],
    into: Path | None,
    console: Any,
    registry: dict[str, Format] | None = None,
) -> list[Problem]:
    """Import files, print what was written and skipped; return the check's errors in them."""
    # When the check finds errors in the written files, they are removed; the CLI prints them.
    folder = into if into is not None else root / "imported"
    report = import_files(root, fmt, files, folder, registry)
    for path in report.written:
        console.print(printable(f"wrote {path}"), markup=False)
    made = ", ".join(f"{n} {table}" for table, n in sorted(report.counts.items()) if n)
    console.print(f"imported {made or 'nothing'}")
    if report.skipped:
        console.print(f"skipped {len(report.skipped)}:")
        for item in report.skipped:
            console.print(printable(f"  {item}"), markup=False)
    written = {display_path(path) for path in report.written}
    errors = [
        p for p in run_check(root) if p.severity is Severity.error and p.location.path in written
    ]
    if errors:
        undo(report)
    return errors
