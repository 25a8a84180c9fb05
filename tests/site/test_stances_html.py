"""Stances are written in Python (Site.stances_html) exactly as the bundled stance macro writes them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import write_kb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.build import make_site
from kb.check.entry import load_kb
from kb.load.files import theme_dir
from kb.site.page import View
from kb.site.settings import POSITION_VERB

TEXT = st.text(st.sampled_from("ab <>&\"'`é—\n"), max_size=12)
ID = st.sampled_from(["a-b", "x--y", "q1"])  # page names: safe IDs only
OPTIONAL = st.one_of(st.none(), TEXT)

STANCES = st.builds(
    View,
    id=st.sampled_from(["a-b", "<i>&"]),
    actor=ID,
    actor_name=TEXT,
    claim=ID,
    claim_text=TEXT,
    position=st.sampled_from(sorted(POSITION_VERB)),
    quote=TEXT,
    locator=OPTIONAL,
    source=ID,
    source_label=TEXT,
    source_url=st.one_of(st.none(), st.just(""), st.just("https://example.org/a?b=1&c")),
    confidence=st.one_of(st.none(), st.floats(0, 1), st.just(0.0), st.just(0.125)),
    note=st.one_of(st.none(), st.just(""), TEXT),
)


@pytest.fixture(scope="module")
def bundled_site() -> Any:
    return make_site(load_kb(Path(__file__).parents[2] / "claims"), use_git=False)


def _macro(site: Any, stances: list[Any], root: str, show_claim: bool) -> str:
    stance = site.env.get_template("macros.html").module.stance
    return "".join(str(stance(s, root, show_claim=show_claim)) for s in stances)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    stances=st.lists(STANCES, max_size=3),
    root=st.sampled_from(["../", "", "a&b/"]),
    show_claim=st.booleans(),
)
def test_python_stances_equal_the_stance_macro(
    bundled_site: Any, stances: list[Any], root: str, show_claim: bool
) -> None:
    mine = bundled_site.stances_html(stances, root, show_claim)
    assert mine == _macro(bundled_site, stances, root, show_claim)


def test_every_stance_equals_the_stance_macro(bundled_site: Any, tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
    from synth import generate

    synthetic = make_site(load_kb(generate(tmp_path, 300, 5)), use_git=False)
    for site in (bundled_site, synthetic):
        views = [site.stance_view(s) for s in site.kb.stances.values()]
        assert len(views) > 20
        for show_claim in (False, True):
            for view in views:
                expected = _macro(site, [view], "../", show_claim)
                assert site.stances_html([view], "../", show_claim) == expected


def test_an_overridden_stance_macro_draws_the_stances(tmp_path: Path) -> None:
    folder = write_kb(tmp_path)
    templates = folder / "site" / "templates"
    templates.mkdir(parents=True)
    theirs = (theme_dir() / "templates" / "macros.html").read_text(encoding="utf-8")
    start = theirs.index("{% macro stance(")
    end = theirs.index("{%- endmacro %}", start)
    mine = "{% macro stance(s, root, show_claim=False) -%}<li>Ours: {{ s.quote }}</li>"
    (templates / "macros.html").write_text(theirs[:start] + mine + theirs[end:], "utf-8")
    site = make_site(load_kb(folder), use_git=False)
    assert site.stances_html([], "../") is None
    claim = next(s.claim for s in site.kb.stances.values())
    page = site.page(f"claim/{claim}.html").render()
    assert "<li>Ours: " in page
    actor = next(s.actor for s in site.kb.stances.values())
    assert "<li>Ours: " in site.page(f"actor/{actor}.html").render()
