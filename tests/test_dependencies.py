"""Every third-party import is declared in pyproject.toml for the part of the project making it."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterator, Mapping
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Each folder and the requirement lists ([project] dependencies, then extras) it may import from.
PARTS = {
    "kb": ("dependencies",),
    "site": ("dependencies",),
    "tests": ("dependencies", "test"),
    "benchmarks": ("dependencies", "bench"),
    "fuzz": ("dependencies", "fuzz"),
}
OWN_PACKAGE = "kb"
# Import names that differ from their distribution's, for packages not installed here (installed
# ones are mapped by importlib.metadata).
KNOWN_NAMES = {
    "yaml": "pyyaml",
    "markdown_it": "markdown-it-py",
    "argumentation": "formal-argumentation",
    "PIL": "pillow",
    "bs4": "beautifulsoup4",
    "sklearn": "scikit-learn",
    "dateutil": "python-dateutil",
    "attr": "attrs",
}
# Calls that import the module named by their first argument.
IMPORTING_CALLS = {"importorskip", "import_module", "__import__"}


def normalise(name: str) -> str:
    """Return a distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(pyproject: Path) -> dict[str, set[str]]:
    """Return the distributions each requirement list of pyproject.toml names."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    lists = {"dependencies": project.get("dependencies", [])}
    lists |= project.get("optional-dependencies", {})
    name = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
    return {key: {normalise(name.match(r)[1]) for r in reqs} for key, reqs in lists.items()}


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """Yield the line and top-level name of every absolute import in a Python file."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            name = getattr(node.args[0], "value", None)
            if called in IMPORTING_CALLS and isinstance(name, str) and not name.startswith("."):
                yield node.lineno, name.split(".")[0]


def distributions(module: str, installed: Mapping[str, list[str]]) -> set[str]:
    """Return the distributions that may provide a top-level module, installed or not."""
    names = {normalise(d) for d in installed.get(module, [])}
    return names | {normalise(KNOWN_NAMES.get(module, module))}


def undeclared(
    root: Path,
    parts: Mapping[str, tuple[str, ...]],
    lists: Mapping[str, set[str]],
    installed: Mapping[str, list[str]],
) -> list[str]:
    """Return `path:line: module` for each import of a distribution its part does not declare."""
    # A folder's own modules, and those of other folders it imports (tests import benchmarks'
    # synth), are local: their imports count as the importing part's.
    files = {part: sorted((root / part).rglob("*.py")) for part in parts}
    found: list[str] = []
    for part, keys in parts.items():
        allowed = set().union(*(lists.get(key, set()) for key in keys))
        local = {p.stem: p for other in parts for p in files[other]}
        local |= {p.stem: p for p in files[part]}
        queue, seen = list(files[part]), set(files[part])
        while queue:
            path = queue.pop()
            for line, module in imports(path):
                if module in sys.stdlib_module_names or module in (OWN_PACKAGE, "__future__"):
                    continue
                if module in local:
                    if local[module] not in seen:
                        seen.add(local[module])
                        queue.append(local[module])
                    continue
                if not distributions(module, installed) & allowed:
                    where = path.relative_to(root).as_posix()
                    found.append(f"{where}:{line}: {module} (for {part}: {', '.join(keys)})")
    return sorted(found)


def test_every_third_party_import_is_declared_for_its_part() -> None:
    found = undeclared(REPO, PARTS, declared(REPO / "pyproject.toml"), packages_distributions())
    assert found == [], "declare these in pyproject.toml:\n" + "\n".join(found)


def test_every_python_file_belongs_to_a_checked_part() -> None:
    ignored = {".git", ".venv", ".venv-ci", "build", "_site", "test-output"}
    strays = [
        p.relative_to(REPO).as_posix()
        for p in REPO.rglob("*.py")
        if not (set(p.relative_to(REPO).parts) & ignored or p.relative_to(REPO).parts[0] in PARTS)
    ]
    assert strays == []


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    """Write a small project: pyproject.toml and the given Python files."""
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "p"\ndependencies = ["PyYAML>=6", "pagefind[bin]>=1"]\n'
        '[project.optional-dependencies]\ntest = ["pytest"]\nfuzz = ["atheris"]\n',
        encoding="utf-8",
    )
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def _check(root: Path, installed: Mapping[str, list[str]]) -> list[str]:
    return undeclared(root, PARTS, declared(root / "pyproject.toml"), installed)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"kb/a.py": "import os\nimport yaml\nfrom kb import b\n"}, []),
        (
            {"kb/a.py": "import yaml\nimport requests\n"},
            ["kb/a.py:2: requests (for kb: dependencies)"],
        ),
        ({"kb/a.py": "import pytest\n"}, ["kb/a.py:1: pytest (for kb: dependencies)"]),
        ({"tests/t.py": "import pytest\nimport yaml\n"}, []),
        (
            {"tests/t.py": "def f():\n    from markupsafe import Markup\n"},
            ["tests/t.py:2: markupsafe (for tests: dependencies, test)"],
        ),
        (
            {"tests/t.py": "import pytest\npytest.importorskip('scipy.sparse')\n"},
            ["tests/t.py:2: scipy (for tests: dependencies, test)"],
        ),
        ({"fuzz/f.py": "import atheris\n"}, []),  # not installed here: mapped by its name
        ({"kb/a.py": "import atheris\n"}, ["kb/a.py:1: atheris (for kb: dependencies)"]),
        (
            {"tests/t.py": "from synth import g\n", "benchmarks/synth.py": "import numpy\n"},
            [
                "benchmarks/synth.py:1: numpy (for benchmarks: dependencies, bench)",
                "benchmarks/synth.py:1: numpy (for tests: dependencies, test)",
            ],
        ),
        (
            {
                "tests/t.py": "from . import helpers\nimport helpers\n",
                "tests/helpers.py": "import os\n",
            },
            [],
        ),
    ],
    ids=[
        "declared",
        "undeclared",
        "test-only-in-kb",
        "test-extra",
        "nested",
        "importorskip",
        "by-name",
        "extra-of-another-part",
        "local-of-another-part",
        "own-modules",
    ],
)
def test_the_checker_finds_undeclared_imports(
    tmp_path: Path, files: dict[str, str], expected: list[str]
) -> None:
    root = _project(tmp_path, files)
    assert _check(root, {"yaml": ["PyYAML"], "pytest": ["pytest"]}) == expected


def test_installed_distributions_map_import_names() -> None:
    """An import name unlike its distribution's is found through what is installed."""
    assert distributions("pagefind_bin", {"pagefind_bin": ["pagefind-bin"]}) >= {"pagefind-bin"}
    assert "pyyaml" in distributions("yaml", {})
    assert normalise("Markdown_It.py") == "markdown-it-py"
