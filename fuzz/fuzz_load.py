"""Fuzz the loader and the checks with atheris: any exception or crash is a finding."""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["kb", "yaml"]):
    from kb.check.run import check
    from kb.errors import Problem, Severity
    from kb.load.files import decode
    from kb.load.loader import Loader

ROOT = Path("fuzz-kb")


def one_input(data: bytes) -> None:
    """Load the bytes (up to three files, split at a '#%%' line) and run every check."""
    loader = Loader(ROOT)
    for i, part in enumerate(data.split(b"\n#%%\n")[:3]):
        text, problem = decode(part, f"f{i}.yaml")
        if problem is not None:
            assert isinstance(problem, Problem) and problem.location.line >= 1 and problem.hint
            continue
        loader.add_file(ROOT / f"f{i}.yaml", text=text)
    kb = loader.finish()
    problems = [*loader.problems, *check(kb, loader.problems)]
    for p in problems:
        assert p.code.startswith("KB") and p.message, p
        assert p.location.line >= 1 and (p.hint or p.severity is not Severity.error), p
        str(p)


def main() -> None:
    """Run the fuzzer; arguments are libFuzzer's (corpus folders, -max_total_time=...)."""
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
