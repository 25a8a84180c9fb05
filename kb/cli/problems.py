"""Problem reports on the terminal: colour, compiler-style text, JSON or GitHub annotations."""

from __future__ import annotations

import json
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape

from kb.errors import Problem, Severity
from kb.load.safety import printable

FORMATS = ("text", "json", "github")


def format_problems(problems: Sequence[Problem], fmt: str) -> str:
    """Render problems as compiler-style text, JSON or GitHub Actions annotations."""
    problems = sorted(problems, key=Problem.sort_key)
    if fmt == "json":
        return json.dumps([p.as_dict() for p in problems], indent=2, ensure_ascii=False)
    if fmt == "github":
        return "\n".join(github_annotation(p) for p in problems)
    return "\n".join(printable(str(p)) for p in problems)


def github_annotation(problem: Problem) -> str:
    """Return a problem as one GitHub Actions workflow command (`::error file=...::message`)."""
    level = {Severity.error: "error", Severity.advice: "notice"}.get(problem.severity, "warning")
    loc = problem.location
    message = problem.message + (f" ({problem.hint})" if problem.hint else "")
    message = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    # A file name is contributed too: escaped, it cannot end the line or add properties.
    path = loc.path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    path = path.replace(":", "%3A").replace(",", "%2C")
    return f"::{level} file={path},line={loc.line},col={loc.col},title={problem.code}::{message}"


def print_problems(console: Console, problems: Sequence[Problem]) -> None:
    """Print problems in colour, one per line, then a summary."""
    lines = []
    for p in sorted(problems, key=Problem.sort_key):
        colour = {Severity.error: "red", Severity.advice: "cyan"}.get(p.severity, "yellow")
        where = escape(printable(str(p.location)))
        line = f"[bold]{where}[/]: [{colour}]{p.severity} {p.code}[/]: "
        line += escape(printable(p.message))
        if p.hint:
            line += f" [dim]({escape(printable(p.hint))})[/]"
        lines.append(line)
    if lines:  # one print: rich's per-call overhead is most of the cost of a long report
        console.print("\n".join(lines), highlight=False, soft_wrap=True)
    console.print(summary(problems), highlight=False)


def summary(problems: Sequence[Problem]) -> str:
    """Return a one-line count of errors, warnings and advice."""
    errors = sum(p.severity is Severity.error for p in problems)
    notes = sum(p.severity is Severity.advice for p in problems)
    warnings = len(problems) - errors - notes
    advice = f"{notes} note(s) of advice" if notes else ""
    if not errors and not warnings:
        return f"No problems found. {advice.capitalize()}." if notes else "No problems found."
    return f"{errors} error(s), {warnings} warning(s)" + (f", {advice}." if notes else ".")
