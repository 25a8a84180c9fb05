"""The parse cache: the located values of parsed files, kept between runs."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import os
import pickle
import sys
from pathlib import Path
from typing import Any

import yaml

from kb.model import located
from kb.model.located import LocDict, LocList

# 2: the located values moved from kb.load to kb.model.located, which pickles name.
PARSE_CACHE_FORMAT = 2
_CACHE_SUFFIX = ".parsed"
_UNPICKLABLE = {
    ("kb.model.located", "LocDict"): LocDict,
    ("kb.model.located", "LocList"): LocList,
}
# The modules whose source a parsed value depends on: the readers and the located values.
_PARSER_SOURCES = (
    Path(__file__).with_name("parse.py"),
    Path(__file__).with_name("depth.py"),
    Path(located.__file__),
    Path(__file__),
)


class _CacheUnpickler(pickle.Unpickler):
    """Reads only the located values a parse produces: a foreign file cannot run code."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "datetime" and name in ("date", "datetime", "timedelta", "timezone"):
            return getattr(dt, name)
        try:
            return _UNPICKLABLE[module, name]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name} is not a parsed value") from None


class ParseCache:
    """The located values of parsed files, one cache file per distinct file text."""

    # Keyed on the text's hash salted with the readers' own source, the package, PyYAML and Python
    # versions: a changed loader never reads values an older one wrote. An unreadable, corrupt or
    # foreign cache file counts as a miss.

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.used: set[str] = set()
        self.wrote = False
        self.salt = _cache_salt()

    def key(self, text: str) -> str:
        """Return the cache key of a file's text."""
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), key=self.salt)
        return digest.hexdigest()[:32]

    def get(self, key: str) -> list[Any] | None:
        """Return the parsed documents stored under key, or None."""
        self.used.add(key)
        try:
            data = (self.folder / (key + _CACHE_SUFFIX)).read_bytes()
            docs = _CacheUnpickler(io.BytesIO(data)).load()
        except Exception:  # missing, truncated, foreign: parse the file instead
            return None
        return docs if isinstance(docs, list) else None

    def put(self, key: str, docs: list[Any]) -> None:
        """Store parsed documents under key, atomically; a read-only disk only costs speed."""
        self.used.add(key)
        path = self.folder / (key + _CACHE_SUFFIX)
        tmp = path.with_name(f"{key}.{os.getpid()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(pickle.dumps(docs, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(tmp, path)
            self.wrote = True
        except (OSError, pickle.PicklingError, RecursionError):
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)

    def prune(self) -> None:
        """Remove the entries of file texts that this run no longer has."""
        if not self.wrote:
            return  # nothing changed since a run that pruned already
        try:
            for entry in os.scandir(self.folder):
                stem = entry.name.partition(".")[0]
                if stem not in self.used:
                    os.unlink(entry.path)
        except OSError:
            pass


def _cache_salt() -> bytes:
    """Return what a cached parse depends on besides the text, as a 64-byte hash key."""
    # The loader's own source stands for the package version: `kb` may be a namespace package
    # without __version__ when the working directory holds a content folder named kb/.
    source = b"".join(path.read_bytes() for path in _PARSER_SOURCES)
    parts = (str(PARSE_CACHE_FORMAT), yaml.__version__, sys.version).__repr__()
    return hashlib.blake2b(source + parts.encode(), digest_size=64).digest()


def default_parse_cache(root: Path) -> ParseCache | None:
    """Return the per-user parse cache of one knowledge base (None when KB_CACHE=0)."""
    if os.environ.get("KB_CACHE", "1") == "0":
        return None
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "debate-kb"
    name = hashlib.blake2b(str(Path(root).resolve()).encode(), digest_size=8).hexdigest()
    return ParseCache(base / "parsed" / name)
