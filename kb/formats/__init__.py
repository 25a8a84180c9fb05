"""Reading and writing other tools' formats, and the JSON Schemas."""

from kb.formats.export import DESCRIPTIONS as DESCRIPTIONS
from kb.formats.export import EXPORTERS as EXPORTERS
from kb.formats.export import MEDIA_TYPES as MEDIA_TYPES
from kb.formats.export import export as export
from kb.formats.export import file_name as file_name
from kb.formats.export import run_export as run_export
from kb.formats.imports import import_files as import_files
from kb.formats.imports import run_import as run_import
from kb.formats.json_schema import export_json_schema as export_json_schema
from kb.formats.jsonld import claim_jsonld as claim_jsonld
from kb.formats.jsonld import jsonld_script as jsonld_script
from kb.formats.memo import ExportMemo as ExportMemo
from kb.formats.registry import Format as Format
from kb.formats.registry import formats as formats
from kb.formats.schema import write_schemas as write_schemas
