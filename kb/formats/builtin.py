"""The built-in formats, registered through the `kb_formats` hook like any plugin's."""

from __future__ import annotations

from kb.formats.aif_export import export_aif
from kb.formats.aif_import import read_aif_file
from kb.formats.argdown_export import export_argdown
from kb.formats.argdown_import import read_argdown_file
from kb.formats.csv_export import export_csv
from kb.formats.dot_export import export_dot
from kb.formats.graphml_export import export_graphml
from kb.formats.json_export import export_json
from kb.formats.kialo_import import read_kialo_file
from kb.formats.spec import Format
from kb.formats.xaif_export import export_xaif
from kb.plugins import hookimpl

# In the order `kb export --help` and `kb import --help` list them.
BUILTIN_FORMATS = (
    Format(
        "json",
        "debate-kb.json",
        "application/json",
        "Every record and relation, with a published JSON Schema.",
        export=export_json,
    ),
    Format(
        "graphml",
        "debate-kb.graphml",
        "application/graphml+xml",
        "The record graph for Gephi, yEd or networkx.",
        export=export_graphml,
    ),
    Format(
        "dot",
        "debate-kb.dot",
        "text/vnd.graphviz",
        "The argument map for Graphviz.",
        export=export_dot,
    ),
    Format(
        "csv",
        "debate-kb-csv.zip",
        "application/zip",
        "One CSV table per record kind, zipped.",
        export=export_csv,
    ),
    Format(
        "aif",
        "debate-kb.aif.json",
        "application/json",
        "Argument Interchange Format (AIFdb JSON).",
        export=export_aif,
        read=read_aif_file,
    ),
    Format(
        "xaif",
        "debate-kb.xaif.json",
        "application/json",
        "xAIF for OVA3.",
        export=export_xaif,
        read=read_aif_file,
    ),
    Format(
        "kialo",
        media_type="text/plain",
        description="Kialo's plain-text export of a discussion.",
        read=read_kialo_file,
    ),
    Format(
        "argdown",
        "debate-kb.argdown",
        "text/plain",
        "An Argdown document for the Argdown tools.",
        export=export_argdown,
        read=read_argdown_file,
    ),
)


@hookimpl
def kb_formats() -> list[Format]:
    """Return the built-in formats."""
    return list(BUILTIN_FORMATS)
