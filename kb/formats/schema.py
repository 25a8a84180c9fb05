"""JSON Schemas of the YAML format, generated from the models, for editors and exports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kb.formats.json_schema import export_json_schema
from kb.model.records import KINDS, PLURALS, Config

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def record_schema(kind: str) -> dict[str, Any]:
    """Return the JSON Schema of one record kind."""
    schema = KINDS[kind].model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = SCHEMA_DIALECT
    if kind in ("stance", "evidence", "relation"):
        schema["required"] = [r for r in schema.get("required", []) if r != "id"]
    return schema


def file_schema() -> dict[str, Any]:
    """Return the JSON Schema of a whole record file: kinds as keys, records as values."""
    defs: dict[str, Any] = {}
    properties: dict[str, Any] = {}
    for kind in KINDS:
        schema = record_schema(kind)
        schema.pop("$schema", None)
        defs.update(schema.pop("$defs", {}))
        defs[kind] = schema
    for plural, kind in PLURALS.items():
        ref = {"$ref": f"#/$defs/{kind}"}
        properties[plural] = {"type": "array", "items": ref}
        if plural != kind:
            properties[kind] = ref
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "debate-kb record file",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "$defs": defs,
    }


def all_schemas() -> dict[str, dict[str, Any]]:
    """Return every published schema by file name."""
    out = {"kb-file.schema.json": file_schema()}
    config = Config.model_json_schema(mode="validation")
    config["$schema"] = SCHEMA_DIALECT
    out["kb-config.schema.json"] = config
    for kind in KINDS:
        out[f"{kind}.schema.json"] = record_schema(kind)
    out["kb-export.schema.json"] = export_json_schema()
    return out


def render(schema: dict[str, Any]) -> str:
    """Serialise a schema deterministically."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema into a folder; return the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in all_schemas().items():
        path = folder / name
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written
