"""The JSON Schema of the `json` export, generated from the models."""

from __future__ import annotations

from typing import Any

from kb.formats.context import KIND_OF_TABLE, TABLES
from kb.formats.json_export import FORMAT_NAME, FORMAT_VERSION
from kb.model.records import (
    KINDS,
    Config,
)


def export_json_schema() -> dict[str, Any]:
    """Return the JSON Schema of the `json` export, generated from the models."""
    defs: dict[str, Any] = {}
    props: dict[str, Any] = {
        "format": {"const": FORMAT_NAME},
        "version": {"const": FORMAT_VERSION},
        "config": {"$ref": "#/$defs/Config"},
    }
    config = Config.model_json_schema(mode="serialization")
    defs.update(config.pop("$defs", {}))
    defs["Config"] = config
    for table in TABLES:
        kind = KIND_OF_TABLE[table]
        schema = KINDS[kind].model_json_schema(by_alias=True, mode="serialization")
        defs.update(schema.pop("$defs", {}))
        schema["required"] = sorted({*schema.get("required", []), "id"})
        defs[kind] = schema
        props[table] = {"type": "array", "items": {"$ref": f"#/$defs/{kind}"}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "debate-kb JSON export",
        "description": (
            "The whole knowledge base: records of each kind sorted by ID. Claims keep the link "
            "fields they were written with; 'relations' lists every relation, including those."
        ),
        "type": "object",
        "required": ["format", "version", "config", *TABLES],
        "properties": props,
        "additionalProperties": False,
        "$defs": defs,
    }
