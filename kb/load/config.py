"""Read `kb.yaml`, the settings beside the records."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from kb.errors import Location, Problem, Severity
from kb.errors.codes import Code
from kb.load.files import CONFIG_NAME, _kb009, _refused, display_path, read_text
from kb.load.parse import parse_yaml
from kb.model.located import LocDict, Where
from kb.model.records import Config


def load_config(root: Path) -> tuple[Config, list[Problem]]:
    """Read `kb.yaml` beside the records, if there is one."""
    path = root / CONFIG_NAME
    if not path.is_file() and not path.is_symlink():
        return Config(), []
    refused = _refused(path, Path(root).resolve())
    if refused:  # the settings obey the rule of every other file: no link out of the KB
        return Config(), [_kb009(path, *refused)]
    text, problem = read_text(path)
    if problem:
        return Config(), [problem]
    shown = display_path(path)
    docs, problems = parse_yaml(text or "", shown)
    if problems:
        return Config(), problems
    raw = docs[0] if docs else LocDict()
    if not isinstance(raw, LocDict):
        return Config(), [
            Problem(
                Code.KB008,
                Severity.error,
                Location(shown, 1, 1),
                "expected a mapping",
                "write settings as 'key: value' lines, e.g. 'title: ...'",
            )
        ]
    try:
        return Config.model_validate(dict(raw)), []
    except ValidationError as exc:
        where = Where(shown, raw.start, raw)
        return Config(), [
            Problem(p.code, p.severity, p.location, p.message.replace(" in record", ""), p.hint)
            for p in _schema_problems_config(exc, where)
        ]


def _schema_problems_config(exc: ValidationError, where: Where) -> list[Problem]:
    return [
        Problem(
            Code.KB102,
            Severity.error,
            where.at(tuple(e["loc"])),
            f"kb.yaml: {'.'.join(map(str, e['loc']))}: {e['msg']}",
            f"kb.yaml keys are: {', '.join(Config.model_fields)}",
        )
        for e in exc.errors(include_url=False)
    ]
