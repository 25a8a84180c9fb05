"""Fuzz the loader and the checks with atheris: any exception or crash is a finding."""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["kb", "yaml"]):
    from kb.check import check
    from kb.errors import Problem
    from kb.load import Loader, decode

ROOT = Path("fuzz-kb")


def one_input(data: bytes) -> None:
    """Load one file's bytes as a whole knowledge base and run every check over it."""
    text, problem = decode(data, "fuzz.yaml")
    if problem is not None:
        assert isinstance(problem, Problem) and problem.location.line >= 1
        return
    loader = Loader(ROOT)
    loader.add_file(ROOT / "fuzz.yaml", text=text)
    kb = loader.finish()
    problems = [*loader.problems, *check(kb, loader.problems)]
    for p in problems:
        assert p.code.startswith("KB") and p.message, p
        str(p)


def main() -> None:
    """Run the fuzzer; arguments are libFuzzer's (corpus folders, -max_total_time=...)."""
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
