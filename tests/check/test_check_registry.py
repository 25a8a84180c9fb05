"""Checks register through pluggy: built in, from a test's plugin, or from an installed package."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import VALID, write_kb

import kb.plugins
from kb.check import builtin as check_builtin
from kb.check.context import Check, CheckContext
from kb.check.entry import load_kb, run_check
from kb.check.registry import DuplicateCheck, checks
from kb.check.run import check
from kb.cli import main
from kb.errors import Problem, ProblemsFound, Severity
from kb.errors.codes import CODES
from kb.load.loader import load
from kb.model.kb import KnowledgeBase

BUILT_IN = [
    "references",
    "relations",
    "links_and_dates",
    "forecasts",
    "support_cycles",
    "contradictory_stances",
    "quality",
    "placeholders",
    "quotes",
    "gaps",
]


def _every_claim(kb: KnowledgeBase, context: CheckContext) -> list[Problem]:
    """Report each claim once, as a warning, to show that a plugin's check ran."""
    return [
        Problem("KB999", Severity.warning, kb.where[cid].key("id"), f"plugin saw {cid}")
        for cid in kb.claims
    ]


class _Plugin:
    """A plugin defined in this test module, with one check."""

    def __init__(self, *names: str) -> None:
        self.names = names

    @kb.plugins.hookimpl
    def kb_checks(self) -> list[Check]:
        return [Check(n, ("KB999",), "reports every claim", _every_claim) for n in self.names]


def test_the_built_in_checks_in_their_order() -> None:
    pm = kb.plugins.plugin_manager(entry_points=False)
    found = checks(pm)
    assert [c.name for c in found] == BUILT_IN
    assert [c.name for c in found if c.advice] == ["gaps"]
    assert pm.is_registered(check_builtin)


def test_every_built_in_code_is_in_the_catalogue() -> None:
    known = {c.code for c in CODES}
    codes = [
        code for c in checks(kb.plugins.plugin_manager(entry_points=False)) for code in c.codes
    ]
    assert len(codes) == len(set(codes)) == 23
    assert set(codes) <= known


def test_registering_twice_lists_the_built_ins_once() -> None:
    pm = kb.plugins.plugin_manager(check_builtin, entry_points=False)
    assert [c.name for c in checks(pm)] == BUILT_IN


def test_a_plugins_check_runs_after_the_built_ins(tmp_path: Path) -> None:
    folder = write_kb(tmp_path, VALID)
    pm = kb.plugins.plugin_manager(_Plugin("zz-second", "aa-first"), entry_points=False)
    assert [c.name for c in checks(pm)] == [*BUILT_IN, "aa-first", "zz-second"]
    problems = run_check(folder, pm=pm)
    ours = [p for p in problems if p.code == "KB999"]
    assert sorted({p.message for p in ours}) == sorted(
        {f"plugin saw {cid}" for cid in load(folder)[0].claims}
    )
    assert len(ours) == 2 * len(load(folder)[0].claims)  # both checks ran
    assert run_check(folder, pm=kb.plugins.plugin_manager(entry_points=False)) == []


def test_a_plugins_error_stops_load_kb(tmp_path: Path) -> None:
    def refuse(kb: KnowledgeBase, context: CheckContext) -> list[Problem]:
        return [Problem("KB999", Severity.error, kb.where["scaling-works"].location, "no")]

    class Refusing:
        @kb.plugins.hookimpl
        def kb_checks(self) -> list[Check]:
            return [Check("refuse", ("KB999",), "refuses", refuse)]

    folder = write_kb(tmp_path, VALID)
    pm = kb.plugins.plugin_manager(Refusing(), entry_points=False)
    with pytest.raises(ProblemsFound) as raised:
        load_kb(folder, pm=pm)
    assert [p.message for p in raised.value.problems] == ["no"]


@pytest.mark.parametrize("name", ["quality", "mine"])
def test_a_duplicate_name_is_refused(name: str) -> None:
    pm = kb.plugins.plugin_manager(_Plugin("mine"), _Plugin(name), entry_points=False)
    with pytest.raises(DuplicateCheck, match=f"named '{name}'"):
        checks(pm)


def test_a_plugin_answering_no_checks_is_refused() -> None:
    class Wrong:
        @kb.plugins.hookimpl
        def kb_checks(self) -> list[object]:
            return ["not a check"]

    with pytest.raises(TypeError, match="not a Check"):
        checks(kb.plugins.plugin_manager(Wrong(), entry_points=False))


def test_advice_runs_only_without_errors(tmp_path: Path) -> None:
    folder = write_kb(tmp_path, VALID)
    kb_, problems = load(folder)
    pm = kb.plugins.plugin_manager(entry_points=False)
    advised = check(kb_, problems, advice=True, pm=pm)
    broken = Problem("KB999", Severity.error, kb_.where["scaling-works"].location, "broken")
    assert any(p.severity is Severity.advice for p in advised)
    assert not any(p.severity is Severity.advice for p in check(kb_, [broken], advice=True, pm=pm))


PLUGIN = '''
"""A check installed from outside the package."""

from kb.check.context import Check
from kb.errors import Problem, Severity
from kb.plugins import hookimpl


def _count(kb, context):
    at = kb.where[next(iter(kb.claims))].key("id")
    return [Problem("KB998", Severity.warning, at, f"outside plugin counted {len(kb.claims)}")]


@hookimpl
def kb_checks():
    return [Check("outside-count", ("KB998",), "counts the claims", _count)]
'''


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Install a tiny distribution whose `debate_kb` entry point names a check plugin."""
    site = tmp_path / "site-packages"
    site.mkdir()
    (site / "myplugin.py").write_text(textwrap.dedent(PLUGIN), "utf-8")
    info = site / "myplugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: myplugin\nVersion: 1.0\n", "utf-8")
    (info / "entry_points.txt").write_text("[debate_kb]\nmyplugin = myplugin\n", "utf-8")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "myplugin", raising=False)
    yield "myplugin"
    sys.modules.pop("myplugin", None)  # imported by the test: gone with its folder


def test_an_installed_plugin_is_found_through_its_entry_point(
    tmp_path: Path, installed: str
) -> None:
    pm = kb.plugins.plugin_manager()
    assert pm.get_plugin(installed) is not None
    assert [c.name for c in checks(pm)] == [*BUILT_IN, "outside-count"]
    folder = write_kb(tmp_path / "kb", VALID)
    claims = len(load(folder)[0].claims)
    found = [p.message for p in run_check(folder, pm=pm) if p.code == "KB998"]
    assert found == [f"outside plugin counted {claims}"]


def test_kb_check_reports_an_installed_plugins_problem(
    tmp_path: Path, installed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KB_CACHE", "0")
    folder = write_kb(tmp_path / "kb", VALID)
    result = CliRunner().invoke(main, ["check", "--kb", str(folder), "--format", "json"])
    found = [p for p in json.loads(result.output) if p["code"] == "KB998"]
    assert [p["severity"] for p in found] == ["warning"], result.output
    assert result.exit_code == 0
    strict = CliRunner().invoke(main, ["check", "--kb", str(folder), "--strict"])
    assert "KB998" in strict.output and strict.exit_code == 1  # only the plugin's warning fails
