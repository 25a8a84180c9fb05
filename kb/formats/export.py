"""Exports by format name: the built-in formats' tables, one export, and `kb export`.

The API the site and the CLI share:

- `EXPORTERS`: format name -> function(KnowledgeBase) -> bytes, for the formats
  ``json``, ``graphml``, ``dot``, ``csv`` (a zip of one CSV per record kind), ``aif``
  (AIFdb JSON), ``xaif`` (the OVA3 wrapper of AIF) and ``argdown``.
- `file_name(fmt)`: the download's file name (``debate-kb.aif.json`` ...);
  `MEDIA_TYPES[fmt]` its media type; `DESCRIPTIONS[fmt]` one line for a Downloads page.
- `claim_jsonld` and `jsonld_script` (`kb.formats.jsonld`), `export_json_schema`
  (`kb.formats.json_schema`), and `ExportMemo` (`kb.formats.memo`), which gives every format
  byte for byte as a fresh export would, serialising again only what changed.

The tables come from the registry of built-in formats (`kb.formats.registry`), without the
installed plugins, so that the site's downloads are the same wherever it is built.
"""

from __future__ import annotations

import sys
from pathlib import Path

from kb.check import load_kb
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
from kb.formats.graphml_export import to_networkx as to_networkx
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
from kb.load import KnowledgeBase
from kb.plugins import plugin_manager

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
    """Load and check the knowledge base, then write one export to a file or standard output.

    The format comes from `registry` (default: the built-in and installed plugins' formats).
    """
    write = exporting(formats() if registry is None else registry).get(fmt)
    if write is None:
        raise UsageError(f"unknown export format {fmt!r}")
    data = as_bytes(write(load_kb(root)))
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out
