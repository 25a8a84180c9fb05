"""Exports by format name: the built-in formats' tables (the site's downloads) and `kb export`."""

from __future__ import annotations

import sys
from pathlib import Path

from kb.check.entry import load_cached
from kb.errors import UsageError
from kb.formats.aif_export import export_aif as export_aif
from kb.formats.aif_export import kb_to_aif as kb_to_aif
from kb.formats.aif_graph import FIXED_TIMESTAMP as FIXED_TIMESTAMP
from kb.formats.aif_graph import aif_timestamp as aif_timestamp
from kb.formats.argdown_export import argdown_escape as argdown_escape
from kb.formats.argdown_export import export_argdown as export_argdown
from kb.formats.context import KIND_OF_TABLE as KIND_OF_TABLE
from kb.formats.context import TABLES as TABLES
from kb.formats.csv_export import export_csv as export_csv
from kb.formats.csv_export import table_csv as table_csv
from kb.formats.dot_export import export_dot as export_dot
from kb.formats.graphml_export import export_graphml as export_graphml
from kb.formats.graphml_export import graph_rows as graph_rows
from kb.formats.graphml_export import label_of as label_of
from kb.formats.json_export import FORMAT_NAME as FORMAT_NAME
from kb.formats.json_export import FORMAT_VERSION as FORMAT_VERSION
from kb.formats.json_export import data_to_yaml_files as data_to_yaml_files
from kb.formats.json_export import export_json as export_json
from kb.formats.json_export import kb_to_data as kb_to_data
from kb.formats.json_schema import export_json_schema as export_json_schema
from kb.formats.jsonld import claim_jsonld as claim_jsonld
from kb.formats.jsonld import jsonld_script as jsonld_script
from kb.formats.memo import ExportMemo as ExportMemo
from kb.formats.registry import Exporter, Format, exporting, formats
from kb.formats.xaif_export import export_xaif as export_xaif
from kb.formats.xaif_export import kb_to_xaif as kb_to_xaif
from kb.model.kb import KnowledgeBase
from kb.plugins import plugin_manager

# The built-in formats alone, without installed plugins: the site's downloads are the same
# wherever it is built. `ExportMemo` (kb.formats.memo) writes them incrementally.
_BUILT_IN = formats(plugin_manager(entry_points=False))
EXPORTERS: dict[str, Exporter] = exporting(_BUILT_IN)
MEDIA_TYPES = {name: _BUILT_IN[name].media_type for name in EXPORTERS}
DESCRIPTIONS = {name: _BUILT_IN[name].description for name in EXPORTERS}
_FILE_NAMES = {name: _BUILT_IN[name].file_name for name in EXPORTERS}


def file_name(fmt: str) -> str:
    """Return the download file name of an export format."""
    return _FILE_NAMES[fmt]


def as_bytes(data: bytes | str) -> bytes:
    """Return an export's output as bytes: text as UTF-8."""
    return data.encode("utf-8") if isinstance(data, str) else data


def export(kb: KnowledgeBase, fmt: str) -> bytes:
    """Return the knowledge base in one built-in export format."""
    return as_bytes(EXPORTERS[fmt](kb))


def run_export(
    root: Path, fmt: str, out: Path | None, registry: dict[str, Format] | None = None
) -> Path | None:
    """Load and check the KB, then write one export (default registry: installed plugins too)."""
    write = exporting(formats() if registry is None else registry).get(fmt)
    if write is None:
        raise UsageError(f"unknown export format {fmt!r}")
    data = as_bytes(write(load_cached(root)))
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out
