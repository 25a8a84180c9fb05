"""The last `kb check` result of a knowledge base, reused while every input it read is the same."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import sys
from dataclasses import dataclass
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import kb.plugins
from kb.errors import Location, Problem, Severity
from kb.load import files as kbfiles
from kb.load.files import CONFIG_NAME

MEMO_FORMAT = 1


@dataclass
class CheckInputs:
    """Everything a check without an archive reads, and the hash that stands for it."""

    key: str
    today: dt.date
    listing: tuple[list[Path], list[Problem]]
    reads: dict[Path, tuple[str | None, Problem | None]]


class CheckMemo:
    """One knowledge base's last check result, keyed on all its inputs."""

    # The key covers the code (every module of the package, pydantic, PyYAML, Python, installed
    # plugins' versions), the working folder (shown paths are relative to it), the options,
    # today's date (future-date checks), the record files' listing with its refusals and every
    # file's text or read error, and kb.yaml. Inputs the key does not cover turn the memo off:
    # a site/ folder (its overrides are checked), a linked kb.yaml, an archive of source texts.

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def inputs(self, root: Path, advice: bool) -> CheckInputs | None:
        """Read every input of a check of root; None when some input is not covered."""
        root = Path(root)
        config = root / CONFIG_NAME
        site = root / "site"
        if not root.is_dir() or config.is_symlink() or site.exists() or site.is_symlink():
            return None
        today = dt.date.today()
        digest = hashlib.blake2b(_code_salt(), digest_size=32)
        head = (MEMO_FORMAT, os.getcwd(), str(root), str(root.resolve()), advice, str(today))
        digest.update(repr(head).encode())
        try:
            digest.update(config.read_bytes() if config.is_file() else b"\0no config")
        except OSError:
            return None  # the load reports it
        files, problems = kbfiles.find_files(root)
        digest.update(repr((files, problems)).encode())
        reads: dict[Path, tuple[str | None, Problem | None]] = {}
        for path in files:
            text, problem = reads[path] = kbfiles.read_text(path)
            entry = repr((str(path), problem, None if text is None else len(text)))
            digest.update(entry.encode())
            digest.update((text or "").encode("utf-8", "surrogatepass"))
        return CheckInputs(digest.hexdigest(), today, (files, problems), reads)

    def get(self, key: str) -> list[Problem] | None:
        """Return the problems stored under key, or None."""
        try:
            stored = json.loads(self.path.read_text("utf-8"))
            if stored["key"] != key:
                return None
            return [_problem(item) for item in stored["problems"]]
        except Exception:  # missing, truncated, foreign: check again
            return None

    def put(self, key: str, problems: list[Problem]) -> None:
        """Store problems under key, atomically; a read-only disk only costs speed."""
        items = [_item(p) for p in problems]
        if [_problem(item) for item in items] != problems:
            return  # stored only when it reads back identical
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps({"key": key, "problems": items}), "utf-8")
            os.replace(tmp, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)


def default_check_memo(root: Path) -> CheckMemo | None:
    """Return the per-user check memo of one knowledge base (None when KB_CACHE=0)."""
    if os.environ.get("KB_CACHE", "1") == "0":
        return None
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "debate-kb"
    name = hashlib.blake2b(str(Path(root).resolve()).encode(), digest_size=8).hexdigest()
    return CheckMemo(base / "checked" / f"{name}.json")


def _code_salt() -> bytes:
    """Return a hash of the package's modules and of the libraries the loader and checks use."""
    # Their installed versions, not the modules: a memo hit imports neither pydantic nor PyYAML.
    digest = hashlib.blake2b(kbfiles.code_digest(), digest_size=32)
    versions: list[object] = [version(name) for name in ("pydantic", "pydantic-core", "PyYAML")]
    yaml_spec = find_spec("yaml")  # finding yaml._yaml would import yaml
    folder = Path(yaml_spec.origin).parent if yaml_spec and yaml_spec.origin else None
    libyaml = folder is not None and any(folder.glob("_yaml*"))  # the C reader or the pure one
    versions += [sys.version, libyaml]
    # Installed plugins add checks: installing, removing or upgrading one checks again.
    versions += kb.plugins.installed()
    digest.update(repr(versions).encode())
    return digest.digest()


def _item(p: Problem) -> dict[str, Any]:
    return {
        "code": p.code,
        "severity": p.severity.value,
        "at": [p.location.path, p.location.line, p.location.col],
        "message": p.message,
        "hint": p.hint,
        "related": [[r.path, r.line, r.col] for r in p.related],
    }


def _problem(item: dict[str, Any]) -> Problem:
    return Problem(
        item["code"],
        Severity(item["severity"]),
        Location(*item["at"]),
        item["message"],
        item["hint"],
        tuple(Location(*r) for r in item["related"]),
    )
