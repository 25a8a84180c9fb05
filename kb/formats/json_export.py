"""The `json` export: every record of every kind, in ID order, as json.dumps lays it out."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import yaml

from kb.formats.context import TABLES, Context, dump, export_once, sorted_records
from kb.formats.writer import Writer, json_list, jstr
from kb.model.kb import KnowledgeBase
from kb.model.records import Claim, Evidence, Record, Stance

FORMAT_NAME = "debate-kb"
FORMAT_VERSION = 1


def kb_to_data(kb: KnowledgeBase) -> dict[str, Any]:
    """Return the whole knowledge base as JSON data: settings, then each kind by ID."""
    data: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "config": kb.config.model_dump(mode="json", exclude_none=True),
    }
    for table in TABLES:
        data[table] = [dump(r) for r in sorted_records(getattr(kb, table))]
    return data


def _plain_floats(record: Record) -> bool:
    """Return whether pydantic writes the record's numbers as json.dumps does."""
    # Both write the shortest round-trip digits, but below 1e-4 Python switches to `1e-05` and
    # pydantic writes `0.00001`.
    if isinstance(record, Claim):
        value = record.forecast.probability if record.forecast is not None else None
    elif isinstance(record, Stance):
        value = record.confidence
    elif isinstance(record, Evidence):
        value = record.weight
    else:
        return True
    return value is None or 1e-4 <= value <= 1 or repr(value) == "0.0"


def json_record(record: Record) -> bytes:
    """Return one record as an item of a JSON export's table, indented as json.dumps does."""
    if _plain_floats(record):
        # pydantic's serialiser writes the same text as json.dumps of the dump, many times faster.
        text = record.__pydantic_serializer__.to_json(
            record, indent=2, by_alias=True, exclude_none=True
        )
    else:
        text = json.dumps(dump(record), indent=2, ensure_ascii=False).encode("utf-8")
    return b"    " + text.replace(b"\n", b"\n    ")


def write_json(ctx: Context, writer: Writer) -> None:
    config = ctx.kb.config.model_dump(mode="json", exclude_none=True)
    config_text = json.dumps(config, indent=2, ensure_ascii=False).replace("\n", "\n  ")
    writer.add(
        f'{{\n  "format": {jstr(FORMAT_NAME)},\n  "version": {FORMAT_VERSION},\n'
        f'  "config": {config_text}'.encode()
    )
    for table in TABLES:
        records = ctx.records(table)

        def render(indices: Sequence[int], records: list[Any] = records) -> list[bytes]:
            return [json_record(records[i]) for i in indices]

        json_list(writer, table, f',\n  "{table}": ', ctx.keys(table), render, "  ")
    writer.add(b"\n}\n")


def export_json(kb: KnowledgeBase) -> bytes:
    """Return the whole knowledge base as JSON (see `export_json_schema`)."""
    return export_once(kb, write_json)


def data_to_yaml_files(data: dict[str, Any]) -> dict[str, str]:
    """Return YAML file texts (by file name) that load back to the records of a JSON export."""
    files: dict[str, str] = {}
    config = data.get("config") or {}
    if config:
        files["kb.yaml"] = yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
    for table in TABLES:
        records = data.get(table) or []
        if records:
            files[f"{table}.yaml"] = yaml.safe_dump(
                {table: records}, sort_keys=False, allow_unicode=True, width=100
            )
    return files
