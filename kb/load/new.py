"""Write a valid skeleton record with a fresh ID."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import yaml
from pydantic import ValidationError

from kb.errors import UsageError
from kb.load.loader import load
from kb.model.records import ID_RE, KINDS, MAX_ID_LENGTH, PLURALS

PLURAL_OF = {kind: plural for plural, kind in PLURALS.items()}

# Required references per kind, and the text fields a skeleton fills with a to-do marker.
REFERENCES: dict[str, tuple[str, ...]] = {
    "stance": ("actor", "claim", "source"),
    "evidence": ("claim", "source"),
    "relation": ("from", "type", "to"),
}
SKELETONS: dict[str, dict[str, str]] = {
    "question": {"title": "TODO: the question, ending with a question mark?"},
    "claim": {"text": "TODO: one atomic, declarative statement.", "kind": "empirical"},
    "source": {"kind": "paper", "title": "TODO: the title"},
    "actor": {"name": "TODO: the name", "kind": "person"},
    "stance": {"position": "asserts", "quote": "TODO: verbatim quote", "locator": "TODO: where"},
    "evidence": {
        "direction": "supports",
        "kind": "argument",
        "quote": "TODO: verbatim quote",
        "locator": "TODO: where",
    },
    "relation": {},
}


def slugify(text: str) -> str:
    """Turn free text into an ID slug."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60].rstrip("-")


def fresh_id(taken: set[str], kind: str, hint: str | None) -> str:
    """Return an unused ID, from the hint text when one is given."""
    base = slugify(hint) if hint else kind
    base = base or kind
    if base not in taken and hint:
        return base
    n = 1
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def new_record(
    root: Path, kind: str, record_id: str | None, text: str | None, values: dict[str, str]
) -> Path:
    """Write a skeleton record into `<root>/<kinds>/<id>.yaml`; never overwrite."""
    if kind not in KINDS:
        raise UsageError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    kb, _ = load(root)
    taken = {rid for t in ("questions", "claims", "sources", "actors") for rid in getattr(kb, t)}
    taken |= set(kb.stances) | set(kb.evidence) | set(kb.relations)
    if "id" in values:  # `--set id=...` is `--id ...`: the same checks apply
        if record_id is not None and record_id != values["id"]:
            raise UsageError(f"two IDs given: --id {record_id!r} and --set id={values['id']!r}")
        record_id = values.pop("id")
    missing = [name for name in REFERENCES.get(kind, ()) if name not in values]
    if missing:
        flags = " ".join(f"--set {name}=..." for name in missing)
        raise UsageError(f"a new {kind} needs {', '.join(missing)}: add {flags}")
    if record_id is not None:
        if not ID_RE.fullmatch(record_id) or len(record_id) > MAX_ID_LENGTH:
            raise UsageError(
                f"{record_id!r} is not a valid ID (lowercase letters, digits, hyphens)"
            )
        if record_id in taken:
            raise UsageError(f"id {record_id!r} is already taken")
    else:
        record_id = fresh_id(taken, kind, text)
    record: dict[str, object] = {"id": record_id, **SKELETONS[kind]}
    if text:
        field = {"question": "title", "claim": "text", "source": "title", "actor": "name"}
        record[field.get(kind, "quote")] = text
    record.update(values)
    try:
        KINDS[kind].model_validate(record)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        name = ".".join(str(part) for part in first["loc"]) or kind
        raise UsageError(
            f"--set {name}: {first['msg']} (hint: see the fields of a {kind} in the README)"
        ) from None
    path = root / PLURAL_OF[kind] / f"{record_id}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    body = yaml.safe_dump(
        {PLURAL_OF[kind]: [record]}, sort_keys=False, allow_unicode=True, width=96
    )
    try:
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(body)
    except FileExistsError:
        raise UsageError(f"{path} already exists; not overwriting it") from None
    return path


def parse_values(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """Parse repeated `KEY=VALUE` options."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set expects KEY=VALUE, got {pair!r}")
        values[key.strip()] = value.strip()
    return values
