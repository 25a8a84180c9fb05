"""The record files of a knowledge base: which are read, and their text or why it cannot be read."""
# It imports neither pydantic nor the models itself, so that telling whether anything changed since
# the last run stays cheap.

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from kb.errors import Location, Problem, Severity
from kb.errors.codes import Code

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FOLDER_DEPTH = 32
CONFIG_NAME = "kb.yaml"
# The kinds of record a file holds: kb.models.KINDS's keys, for `kb new` to list without pydantic.
KIND_NAMES = ("question", "claim", "source", "actor", "stance", "evidence", "relation")


def theme_dir() -> Path:
    """Return the folder of the bundled theme: kb/_site when installed, else the repo's site/."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "_site"
    if (installed / "templates").is_dir():
        return installed
    return package.parent / "site"


def display_path(path: Path) -> str:
    """Return a path as a user would type it: relative to the working folder when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)


def find_files(root: Path) -> tuple[list[Path], list[Problem]]:
    """List the record files below root in a stable order; refuse links leading outside."""
    files: list[Path] = []
    problems: list[Problem] = []
    real_root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        here = Path(dirpath)
        if dirnames and len(here.relative_to(root).parts) >= MAX_FOLDER_DEPTH:
            # os.walk recurses: a deep enough tree would end in RecursionError.
            message = f"folders nested deeper than {MAX_FOLDER_DEPTH} levels are not read"
            problems.append(_kb009(here / dirnames[0], message, "flatten the folders"))
            dirnames[:] = []
        for name in sorted(filenames):
            if name.startswith(".") or not name.endswith((".yaml", ".yml")):
                continue
            path = here / name
            if here == root and name == CONFIG_NAME:
                continue
            refused = _refused(path, real_root)
            if refused:
                problems.append(_kb009(path, *refused))
                continue
            files.append(path)
        for name in dirnames:  # os.walk does not follow linked folders; say so if they lead out
            if _refused(here / name, real_root, folder=True):
                problems.append(
                    _kb009(
                        here / name,
                        "a linked folder pointing outside the knowledge base is not followed",
                        "move its files into the knowledge base instead",
                    )
                )
    return files, problems


def _refused(path: Path, real_root: Path, folder: bool = False) -> tuple[str, str] | None:
    """Return why a listed path is not read: a link out of the KB, a loop, or not a plain file."""
    try:
        if path.is_symlink() and not path.resolve().is_relative_to(real_root):
            return (
                "a link pointing outside the knowledge base is not followed",
                "copy the file into the knowledge base instead",
            )
        if not folder and not path.is_file():  # a FIFO would block the read forever
            return (
                "not a regular file (a pipe, a device or a broken link)",
                "replace it with a plain YAML file",
            )
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, before Python 3.13
        return "a link that loops or cannot be followed", "point it at a real file, or remove it"
    return None


def _kb009(path: Path, message: str, hint: str) -> Problem:
    return Problem(Code.KB009, Severity.error, Location(display_path(path), 1, 1), message, hint)


def read_text(path: Path) -> tuple[str | None, Problem | None]:
    """Read a file's text within the size bound, or say why it cannot be read."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None, Problem(
            Code.KB009,
            Severity.error,
            Location(display_path(path), 1, 1),
            "the file disappeared while being read",
            "run the command again once the file is saved",
        )
    except OSError as exc:
        return None, Problem(
            Code.KB009,
            Severity.error,
            Location(display_path(path), 1, 1),
            f"cannot read: {exc.strerror}",
            "check the file's permissions",
        )
    if len(data) > MAX_FILE_BYTES:
        return None, Problem(
            Code.KB003,
            Severity.error,
            Location(display_path(path), 1, 1),
            f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB",
            "split it into several files",
        )
    text, problem = decode(data, "")
    # The shown path costs a relpath per file: only a problem needs it.
    return (text, None) if problem is None else decode(data, display_path(path))


def decode(data: bytes, path: str) -> tuple[str | None, Problem | None]:
    """Decode UTF-8 (tolerating a BOM), or locate the first byte that is not."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        return None, Problem(
            Code.KB002,
            Severity.error,
            Location(path, line, col),
            f"the file is not UTF-8 (byte 0x{data[exc.start]:02x})",
            "save the file as UTF-8",
        )
    if "\x00" in text:
        head = text[: text.index("\x00")]
        line = head.count("\n") + 1
        col = len(head) - (head.rfind("\n") + 1) + 1
        return None, Problem(
            Code.KB002,
            Severity.error,
            Location(path, line, col),
            "the file contains a NUL byte",
            "the file is binary or damaged: save it again as UTF-8 text",
        )
    return text, None


def code_digest() -> bytes:
    """Return a hash of the package's own modules: what a result kept between runs depends on."""
    digest = hashlib.blake2b(digest_size=32)
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.digest()
