"""The parse cache: the located values of parsed files, kept between runs."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import os
import pickle
import struct
import sys
from pathlib import Path
from typing import Any

import yaml

from kb.model import located
from kb.model.located import LocDict, LocList

# 2: the located values moved from kb.load to kb.model.located, which pickles name; 3: one pack;
# 4: positions held in one array per collection; 5: in bytes.
PARSE_CACHE_FORMAT = 5
_PACK_NAME = "pack.parsed"
_MAGIC = b"debate-kb parse cache pack 3\n"
_KEY_LENGTH = 32
Buffer = bytes | memoryview  # an entry: pickled documents
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
    """The located values of parsed files, kept in one pack file per knowledge base."""

    # Keyed on the text's hash salted with the readers' own source, the package, PyYAML and Python
    # versions: a changed loader never reads values an older one wrote. An unreadable, corrupt or
    # foreign pack counts as empty, a corrupt entry as a miss. One pack, not a file per entry:
    # creating hundreds of small files cost more than parsing them.

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.used: set[str] = set()
        self.wrote = False
        self.salt = _cache_salt()
        self.entries: dict[str, Buffer] | None = None  # the pack's, read at the first get
        self.added = False

    @property
    def pack(self) -> Path:
        """Return the path of the pack file."""
        return self.folder / _PACK_NAME

    def key(self, text: str) -> str:
        """Return the cache key of a file's text."""
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), key=self.salt)
        return digest.hexdigest()[:_KEY_LENGTH]

    def get(self, key: str) -> list[Any] | None:
        """Return the parsed documents stored under key, or None."""
        self.used.add(key)
        data = self._entries().get(key)
        if data is None:
            return None
        try:
            docs = _CacheUnpickler(io.BytesIO(data)).load()
        except Exception:  # truncated, foreign: parse the file instead
            return None
        return docs if isinstance(docs, list) else None

    def put(self, key: str, docs: list[Any]) -> None:
        """Keep parsed documents under key, for prune to write; unpicklable ones are not kept."""
        self.used.add(key)
        try:
            self._entries()[key] = pickle.dumps(docs, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, RecursionError):
            return
        self.added = True

    def prune(self) -> None:
        """Write the pack with the entries of this run's file texts, atomically, if it changed."""
        entries = self._entries()
        kept = {key: data for key, data in entries.items() if key in self.used}
        if not self.added and len(kept) == len(entries):
            return  # nothing changed since a run that wrote the pack
        tmp = self.pack.with_name(f"{_PACK_NAME}.{os.getpid()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tmp.open("wb") as out:  # piece by piece: joined, the pack would be held twice
                out.writelines(_packed(kept))
            os.replace(tmp, self.pack)
            self.wrote = True
            for entry in os.scandir(self.folder):  # older formats' entries, crashed runs' tmp
                if entry.name != _PACK_NAME and not _in_flight(entry.name):
                    os.unlink(entry.path)
        except OSError:  # a read-only disk only costs speed
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)

    def _entries(self) -> dict[str, Buffer]:
        if self.entries is None:
            try:
                self.entries = _unpacked(self.pack.read_bytes())
            except (OSError, ValueError, struct.error):  # missing, truncated, foreign
                self.entries = {}
        return self.entries


def _in_flight(name: str) -> bool:
    """Tell whether a file is the pack another live process is writing."""
    # Removing it would only make that process's write fail; a dead process's is litter.
    pid = name.removeprefix(f"{_PACK_NAME}.").removesuffix(".tmp")
    if name == pid or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's live process
        return True
    return True


def _packed(entries: dict[str, Buffer]) -> list[Buffer]:
    """Return entries as the pieces of a pack: a magic line, then key, length and pickle each."""
    parts: list[Buffer] = [_MAGIC]
    for key, data in entries.items():
        parts += [key.encode("ascii"), struct.pack("<I", len(data)), data]
    return parts


def _unpacked(data: bytes) -> dict[str, Buffer]:
    """Return the entries of a pack's bytes; raise ValueError when they are not a pack."""
    # Views into the pack, not copies: a copy of every entry would double the peak memory.
    pack = memoryview(data)
    if not data.startswith(_MAGIC):
        raise ValueError("not a parse cache pack")
    entries: dict[str, Buffer] = {}
    at, end, head = len(_MAGIC), len(pack), _KEY_LENGTH + 4
    while at < end:
        if at + head > end:
            raise ValueError("truncated pack")
        key = bytes(pack[at : at + _KEY_LENGTH]).decode("ascii")
        (size,) = struct.unpack_from("<I", pack, at + _KEY_LENGTH)
        at += head
        if at + size > end:
            raise ValueError("truncated pack")
        entries[key] = pack[at : at + size]
        at += size
    return entries


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
