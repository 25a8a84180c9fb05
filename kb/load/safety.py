"""Guards on what the tool writes and reads: the site's folder, theme overrides, control text."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kb.errors import BuildError, Location, Problem, ProblemsFound, Severity
from kb.errors.codes import Code
from kb.load.files import _kb009, _refused, display_path, theme_dir
from kb.model.located import LocDict, LocList

MARKER = ".kb-site"  # written into every site: only a folder holding it is replaced
OUT_CODE = Code.KB701
TRUST_CODE = Code.KB702
CONTROL_CODE = Code.KB012
# Files a browser may run as script: a theme override of one of these is code.
SCRIPT_SUFFIXES = (".js", ".mjs", ".cjs", ".html", ".htm", ".xhtml", ".svg", ".xml", ".wasm")
_TEMPLATE_SCRIPT = re.compile(r"<\s*script|http-equiv|\son[a-z]+\s*=|javascript:", re.I)
# C0 controls but tab, line feed and carriage return; DEL; C1 controls.
CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


# The site's folder ----------------------------------------------------------------------------


def output_problem(out: Path, kb_root: Path) -> Problem | None:
    """Return why a site must not be written into `out`, or None when it may."""
    out = Path(out).resolve()
    kb = Path(kb_root).resolve()
    refusal = _refusal(out, kb)
    if refusal is None:
        return None
    message, hint = refusal
    try:
        shown = display_path(out) if out.is_relative_to(Path.cwd().resolve()) else str(out)
    except OSError:  # the working folder was deleted
        shown = str(out)
    return Problem(OUT_CODE, Severity.error, Location(shown), message, hint)


def _refusal(out: Path, kb: Path) -> tuple[str, str] | None:
    """Return (message, hint) when out is a dangerous or foreign folder."""
    own = "pass --out a new or empty folder of its own, such as _site"
    if out.exists() and not out.is_dir():
        return "the site's folder is a file", own
    if out == Path(out.anchor):
        return "refusing to write the site into the root of the file system", own
    try:
        home: Path | None = Path.home().resolve()
    except RuntimeError:  # no HOME and no user entry: nothing to protect there
        home = None
    if home is not None and (out == home or home.is_relative_to(out)):
        return "refusing to write the site into a home folder or above one", own
    if out == kb or kb.is_relative_to(out):
        return "refusing to write the site over the content folder or a folder above it", own
    if out.is_relative_to(kb) and not out.relative_to(kb).parts[0].startswith(("_", ".")):
        return (
            "the site's folder is inside the content folder: its files would be read as content",
            "build outside the content folder, or into a folder whose name starts with '_'",
        )
    if (out / ".git").exists():
        return "refusing to write the site into a project's root (it holds .git)", own
    if out.is_dir() and not (out / MARKER).exists() and any(out.iterdir()):
        return (
            "the folder is not empty and was not written by kb: building would delete its files",
            "choose a new or empty folder, or empty this one yourself",
        )
    return None


class OutputRefused(ProblemsFound, BuildError):
    """The site's folder is dangerous or foreign: reported as a located problem (KB701)."""


def guard_output(out: Path, kb_root: Path) -> None:
    """Raise OutputRefused when a site must not be written into `out`."""
    problem = output_problem(out, kb_root)
    if problem is not None:
        raise OutputRefused([problem])


# The content folder's theme files ---------------------------------------------------------------


def outside(path: Path, real_root: Path) -> bool:
    """Tell whether a path, followed through its links, leads out of real_root (or nowhere)."""
    try:
        return not Path(os.path.realpath(path, strict=True)).is_relative_to(real_root)
    except (OSError, RuntimeError):
        return True


def hash_folder(h: Any, folder: Path | None, real_root: Path) -> None:
    """Feed h every file below folder, by name and content, but those leading out of real_root."""
    # A link out of the content folder is never read: the builder's salt and its memo of the
    # compiled templates both fingerprint folders this way.
    if folder is None or not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not outside(path, real_root):
            h.update(path.as_posix().encode() + b"\0" + path.read_bytes())


def theme_files(folder: Path, real_root: Path) -> tuple[list[Path], list[Problem]]:
    """List the plain files below folder; refuse links leading out of real_root and non-files."""
    if not folder.is_dir() and not folder.is_symlink():
        return [], []
    refused = _refused(folder, real_root, folder=True)
    if refused:
        return [], [_kb009(folder, *refused)]
    if not folder.is_dir():
        return [], []
    files: list[Path] = []
    problems: list[Problem] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        here = Path(dirpath)
        dirnames.sort()
        for name in [*dirnames]:
            if (here / name).is_symlink():  # not followed by the walk, so not published either
                dirnames.remove(name)
                problems.append(
                    _kb009(
                        here / name,
                        "a linked folder in the theme is not followed",
                        "copy its files into the folder instead",
                    )
                )
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = here / name
            refused = _refused(path, real_root)
            if refused is None and outside(path, real_root):
                refused = (
                    "a link pointing outside the knowledge base is not followed",
                    "copy the file into the knowledge base instead",
                )
            if refused:
                problems.append(_kb009(path, *refused))
            else:
                files.append(path)
    return files, problems


def read_theme_file(path: Path, real_root: Path) -> bytes:
    """Read one of the content folder's theme files, refusing one that leads out of it."""
    if outside(path, real_root) or not path.is_file():
        raise ProblemsFound(
            [
                _kb009(
                    path,
                    "a link pointing outside the knowledge base is not followed",
                    "copy the file into the knowledge base instead",
                )
            ]
        )
    return path.read_bytes()


def site_problems(root: Path, trusted: bool) -> list[Problem]:
    """Return the problems of the content folder's site/ overrides (links out, scripts, CSP)."""
    # Scripts are reported when untrusted, and so is any change to the Content-Security-Policy.
    real_root = Path(root).resolve()
    site = Path(root) / "site"
    problems: list[Problem] = []
    assets, found = theme_files(site / "assets", real_root)
    problems += found
    templates, found = theme_files(site / "templates", real_root)
    problems += found
    if not trusted:
        problems += _untrusted(assets, templates)
    return problems


def _untrusted(assets: list[Path], templates: list[Path]) -> Iterator[Problem]:
    """Yield a KB702 for each override that adds or replaces script, or may drop the CSP."""
    hint = "review it as code, then set 'trust_theme_scripts: true' in kb.yaml"
    for path in assets:
        if path.suffix.lower() in SCRIPT_SUFFIXES:
            yield Problem(
                TRUST_CODE,
                Severity.error,
                Location(display_path(path), 1, 1),
                "a theme file a browser can run as script",
                hint,
            )
    if not templates:
        return
    theme = theme_dir() / "templates"
    for path in templates:
        text = path.read_text("utf-8", errors="replace")
        hit = _TEMPLATE_SCRIPT.search(text)
        original = theme / path.name
        csp = original.is_file() and "Content-Security-Policy" in original.read_text("utf-8")
        if hit is None and csp and "default:" + path.name not in text:
            yield Problem(
                TRUST_CODE,
                Severity.error,
                Location(display_path(path), 1, 1),
                "replaces the template that sets the Content-Security-Policy",
                hint,
            )
        elif hit is not None:
            line = text.count("\n", 0, hit.start()) + 1
            col = hit.start() - (text.rfind("\n", 0, hit.start()) + 1) + 1
            yield Problem(
                TRUST_CODE,
                Severity.error,
                Location(display_path(path), line, col),
                f"a template override with script or a policy change ({hit.group(0).strip()!r})",
                hint,
            )


def contained_loader(folder: Path, within: Path) -> Any:
    """Return a Jinja loader of folder that refuses a file whose links lead out of `within`."""
    # Imported here, not at the top: loading and checking never need Jinja, only a build does.
    from jinja2 import FileSystemLoader
    from jinja2.exceptions import SecurityError

    real = Path(within).resolve()

    class ContainedLoader(FileSystemLoader):
        def get_source(
            self, environment: Any, template: str
        ) -> tuple[str, str, Callable[[], bool]]:
            source, filename, uptodate = super().get_source(environment, template)
            if filename is not None and outside(Path(filename), real):
                raise SecurityError(f"{filename}: a link pointing outside the knowledge base")
            return source, filename, uptodate

    return ContainedLoader(str(folder))


# Control characters ------------------------------------------------------------------------------


def printable(text: str) -> str:
    """Return text with control characters written as visible escapes, for a terminal."""
    if not CONTROLS.search(text):
        return text
    return CONTROLS.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


def control_problems(docs: list[Any], path: str) -> list[Problem]:
    """Return a KB012 for each parsed string that holds a control character."""
    problems: list[Problem] = []
    for doc in docs:
        for at, value in _strings(doc, (1, 1)):
            m = CONTROLS.search(value)
            if m:
                problems.append(
                    Problem(
                        CONTROL_CODE,
                        Severity.error,
                        Location(path, *at),
                        f"text holds the control character U+{ord(m.group(0)):04X}",
                        "remove it: in quoted text, escapes such as \\e write control characters",
                    )
                )
    return problems


def _strings(node: Any, at: tuple[int, int]) -> Iterator[tuple[tuple[int, int], str]]:
    """Yield each string of a parsed document with where it stands (keys included)."""
    stack = [(node, at)]
    while stack:
        value, here = stack.pop()
        if isinstance(value, str):
            yield here, value
        elif isinstance(value, LocDict):
            keys_at, values_at = value.keys_at, value.values_at
            for key, item in value.items():
                stack.append((item, values_at.get(key, here)))
                stack.append((key, keys_at.get(key, here)))
        elif isinstance(value, LocList):
            stack.extend(zip(value, value.items_at, strict=True))
