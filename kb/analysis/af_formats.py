"""ICCMA instance formats (i23, apx, tgf): reading with located errors, and writing."""

from __future__ import annotations

import re
from pathlib import Path

from kb.analysis.af_graph import Framework
from kb.errors import Location, Problem, ProblemsFound, Severity, UsageError

FORMATS = ("i23", "apx", "tgf")
_APX_ARG = re.compile(r"^arg\(\s*([^,()\s]+)\s*\)\.$")
_APX_ATT = re.compile(r"^att\(\s*([^,()\s]+)\s*,\s*([^,()\s]+)\s*\)\.$")


SUFFIXES = {"i23": "i23", "af": "i23", "apx": "apx", "tgf": "tgf"}


class AFFormatError(ProblemsFound, ValueError):
    """An ICCMA instance that does not parse, located like a compiler message."""

    def __init__(
        self, path: str, line: int, col: int, code: str, message: str, hint: str | None = None
    ) -> None:
        problem = Problem(code, Severity.error, Location(path, line, col), message, hint)
        super().__init__([problem])
        self.args = (str(problem),)


def guess_format(path: Path | str) -> str:
    """Return the ICCMA format a file's suffix names, or raise UsageError asking for --format."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in SUFFIXES:
        raise UsageError(
            f"{path}: cannot tell the format from the suffix {'.' + suffix if suffix else '(none)'}"
            f"; give --from {'|'.join(FORMATS)} (suffixes known: .af, .i23, .apx, .tgf)"
        )
    return SUFFIXES[suffix]


def _looks_like(line: str) -> str | None:
    """Return a hint naming the format a first line looks like, if it is clearly another one."""
    if line.startswith(("arg(", "att(")):
        return "this looks like apx: give --from apx"
    if line.startswith("p af"):
        return "this looks like i23: give --from i23"
    if line == "#" or len(line.split()) == 1:
        return "this looks like tgf: give --from tgf"
    return None


def _parse_i23(lines: list[str], path: str) -> Framework:
    """Parse the ICCMA 2023 format: a `p af N` header, then attacks `i j`, `#` comments."""
    af = Framework()
    size = None
    for no, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        col = raw.index(line[0]) + 1
        parts = line.split()
        if size is None:
            if len(parts) != 3 or parts[:2] != ["p", "af"] or not parts[2].isdigit():
                hint = _looks_like(line) or "the first line is 'p af N', N the number of arguments"
                raise AFFormatError(path, no, col, "KB801", "expected the header 'p af N'", hint)
            size = int(parts[2])
            for i in range(1, size + 1):
                af.add(str(i))
            continue
        if len(parts) != 2 or not all(p.isdigit() for p in parts):
            raise AFFormatError(path, no, col, "KB801", f"expected an attack 'i j', not {line!r}")
        for p in parts:
            if not 1 <= int(p) <= size:
                where = raw.index(p, col - 1) + 1
                hint = f"arguments are numbered 1 to {size}, as the header 'p af {size}' says"
                raise AFFormatError(path, no, where, "KB802", f"no argument {p}", hint)
        af.attack(parts[0], parts[1])
    if size is None:
        raise AFFormatError(path, 1, 1, "KB801", "no 'p af N' header", "is the file empty?")
    return af


def _parse_apx(lines: list[str], path: str) -> Framework:
    """Parse ASPARTIX facts `arg(a).` and `att(a,b).`, in any order; `%` starts a comment."""
    af = Framework()
    attacks: list[tuple[int, int, str, str]] = []
    for no, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("%"):
            continue
        if m := _APX_ARG.match(line):
            af.add(m.group(1))
        elif m := _APX_ATT.match(line):
            attacks.append((no, raw.index(line[0]) + 1, m.group(1), m.group(2)))
        else:
            col = raw.index(line[0]) + 1
            hint = _looks_like(line) if no == 1 else None
            raise AFFormatError(
                path, no, col, "KB801", f"expected 'arg(a).' or 'att(a,b).', not {line!r}", hint
            )
    for no, col, a, b in attacks:
        for name in (a, b):
            if name not in af.index:
                hint = f"declare it with 'arg({name}).'"
                raise AFFormatError(path, no, col, "KB802", f"no argument {name!r}", hint)
        af.attack(a, b)
    return af


def _parse_tgf(lines: list[str], path: str) -> Framework:
    """Parse Trivial Graph Format: one argument per line, `#`, then attacks `a b`."""
    af = Framework()
    in_attacks = False
    for no, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        if line == "#":
            in_attacks = True
            continue
        parts = line.split()
        col = raw.index(line[0]) + 1
        if not in_attacks:
            af.add(parts[0])
            continue
        if len(parts) < 2:
            raise AFFormatError(path, no, col, "KB801", f"expected an attack 'a b', not {line!r}")
        for p in parts[:2]:
            if p not in af.index:
                where = raw.index(p, col - 1) + 1
                hint = "list every argument on a line of its own before the '#' line"
                raise AFFormatError(path, no, where, "KB802", f"no argument {p!r}", hint)
        af.attack(parts[0], parts[1])
    return af


def parse_af(text: str, fmt: str, path: str = "<input>") -> Framework:
    """Parse an ICCMA instance written in `i23` (`p af N`), `apx` or `tgf`."""
    parsers = {"i23": _parse_i23, "apx": _parse_apx, "tgf": _parse_tgf}
    if fmt not in parsers:
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return parsers[fmt](text.splitlines(), path)


def read_af(path: Path, fmt: str | None = None) -> Framework:
    """Read an ICCMA instance in `fmt`, or in the format its suffix names."""
    fmt = fmt or guess_format(path)
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise AFFormatError(str(path), line, col, "KB002", "the file is not UTF-8") from None
    return parse_af(text, fmt, str(path))


def format_af(af: Framework, fmt: str) -> str:
    """Write a framework in `i23`, `apx` or `tgf`; i23 numbers arguments in order, as comments."""
    lines: list[str] = []
    attacks = [(i, j) for i, ts in enumerate(af.targets) for j in sorted(ts)]
    if fmt == "i23":
        lines.append(f"p af {len(af)}")
        if af.names != [str(i) for i in range(1, len(af) + 1)]:
            # Names do not survive the numeric format: keep them as comments for readers.
            lines += [f"# {i + 1} {name}" for i, name in enumerate(af.names)]
        lines += [f"{i + 1} {j + 1}" for i, j in attacks]
    elif fmt == "apx":
        lines += [f"arg({name})." for name in af.names]
        lines += [f"att({af.names[i]},{af.names[j]})." for i, j in attacks]
    elif fmt == "tgf":
        lines += af.names
        lines.append("#")
        lines += [f"{af.names[i]} {af.names[j]}" for i, j in attacks]
    else:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return "\n".join(lines) + "\n"


def convert(path: Path, fmt: str, source_fmt: str | None = None) -> str:
    """Read an ICCMA file in any of the formats and return it written in `fmt`."""
    return format_af(read_af(path, source_fmt), fmt)
