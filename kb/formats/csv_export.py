"""The `csv` export: a zip of one CSV table per record kind, each a column per field."""

from __future__ import annotations

import csv
import io
import json
import zlib
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel

from kb.formats.context import KIND_OF_TABLE, TABLES, Context, ExportState
from kb.formats.writer import Bytes, Layout, Writer
from kb.formats.ziparchive import deflate, zip_members
from kb.model.kb import KnowledgeBase
from kb.model.records import (
    KINDS,
)

_FORMULA_STARTS = frozenset("=+-@\t\r")  # a spreadsheet runs such a cell as a formula
_json_compact = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(ensure_ascii=False)


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return _json_compact(value) if value else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if isinstance(value, str) and text[:1] in _FORMULA_STARTS:
        # Spreadsheets run a cell starting with these as a formula: the public download must
        # not carry a contributor's formula into a reader's spreadsheet (OWASP CSV injection).
        return "'" + text
    return text


def _csv_value(value: Any) -> str:
    """Return a field's cell as `csv_cell` gives it for the field's JSON dump."""
    if type(value) is str:  # the common case first
        return "'" + value if value[:1] in _FORMULA_STARTS else value
    if value is None:
        return ""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
        value = [item.model_dump(mode="json") for item in value]
    return csv_cell(value)


def _csv_columns(table: str) -> list[tuple[str, str]]:
    """Return a table's (field name, column) pairs."""
    model = KINDS[KIND_OF_TABLE[table]]
    return [(name, f.alias or name) for name, f in model.model_fields.items()]


def _csv_rows(rows: Iterable[list[str]]) -> list[bytes]:
    """Return CSV rows as the csv module writes them, one bytes object per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    ends = [0]
    for row in rows:
        writer.writerow(row)
        ends.append(buffer.tell())
    text = buffer.getvalue()
    return [text[a:b].encode("utf-8") for a, b in zip(ends, ends[1:])]  # noqa: B905


def write_table_csv(ctx: Context, table: str, writer: Writer) -> None:
    columns = _csv_columns(table)
    writer.add(_csv_rows([[column for _, column in columns]])[0])
    records = ctx.records(table)
    names = [name for name, _ in columns]

    def render(indices: Sequence[int]) -> list[bytes]:
        # Plain strings and unset fields, most cells, are settled inline.
        return _csv_rows(
            [
                ""
                if v is None
                else v
                if type(v) is str and v[:1] not in _FORMULA_STARTS
                else _csv_value(v)
                for v in map(records[i].__dict__.__getitem__, names)
            ]
            for i in indices
        )

    writer.run(table, ctx.keys(table), render)


def table_csv(kb: KnowledgeBase, table: str) -> str:
    """Return one record kind as CSV: a column per field; lists and mappings as JSON."""
    writer = Writer(None)
    write_table_csv(ExportState().context(kb), table, writer)
    return writer.finish().output().decode("utf-8")


def csv_zip(
    ctx: Context, layouts: dict[str, Layout], members: dict[str, tuple[Bytes, int, Bytes]]
) -> bytes:
    """Return the zip of every table's CSV, reusing the last layouts and compressed members."""
    zipped = []
    for table in TABLES:
        name = f"{table}.csv"
        writer = Writer(layouts.get("csv/" + table))
        write_table_csv(ctx, table, writer)
        layout = layouts["csv/" + table] = writer.finish()
        last = members.get(name)
        data = layout.output()  # bytes, as a writer finishes it
        if last is None or last[0] != data:
            last = (data, zlib.crc32(data), deflate(data))
        members[name] = last
        zipped.append((name, *last))
    return zip_members(zipped)


def export_csv(kb: KnowledgeBase) -> bytes:
    """Return a zip of one CSV file per record kind (`claims.csv`, ...)."""
    return csv_zip(ExportState().context(kb), {}, {})
