"""Each check trips on a small fixture and reports its code at the exact place."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers import VALID, write_kb

from kb.check.entry import run_check
from kb.check.quotes import closest_passage, normalise, quote_in
from kb.errors import Severity
from kb.load.cache import ParseCache


def located(problems, code: str) -> list[str]:
    """Return the `path:line:col` of each problem with this code, relative to the KB folder."""
    return [
        f"{Path(p.location.path).name}:{p.location.line}:{p.location.col}"
        for p in problems
        if p.code == code
    ]


def run(tmp_path: Path, files: dict[str, str], archive: bool = False, base: bool = True):
    folder = write_kb(tmp_path, files, base=base)
    return run_check(folder, tmp_path / "archive" if archive else None)


def test_valid_kb_is_clean(tmp_path: Path) -> None:
    assert run(tmp_path, {}, archive=True) == []


@pytest.mark.parametrize(
    ("code", "files", "where"),
    [
        ("KB001", {"x.yaml": "claims:\n  - id: a\n   text: [\n"}, "x.yaml:3:4"),
        ("KB004", {"x.yaml": "actors:\n  - id: a\n    name: A\n    name: B\n"}, "x.yaml:4:5"),
        ("KB006", {"x.yaml": "actors: !!python/object:os.system {}\n"}, "x.yaml:1:9"),
        ("KB008", {"x.yaml": "claimz: []\n"}, "x.yaml:1:1"),
        ("KB008", {"x.yaml": "- just\n- a list\n"}, "x.yaml:1:1"),
        ("KB101", {"x.yaml": "actors:\n  - id: a\n    nmae: A\n"}, "x.yaml:3:5"),
        ("KB102", {"x.yaml": "actors:\n  - id: a\n    name: A\n    kind: robot\n"}, "x.yaml:4:11"),
        ("KB102", {"x.yaml": "claims:\n  - id: a\n    text: [1, 2]\n"}, "x.yaml:3:11"),
        ("KB103", {"x.yaml": "actors:\n  - id: a\n    kind: person\n"}, "x.yaml:2:5"),
        ("KB103", {"x.yaml": "actors:\n  - name: A\n"}, "x.yaml:2:5"),
        ("KB104", {"x.yaml": "actors:\n  - id: Not An Id\n    name: A\n"}, "x.yaml:2:9"),
        (
            "KB102",
            {
                "x.yaml": "sources:\n  - id: s\n    kind: paper\n    title: T\n    date: 2024-02-30\n"
            },
            "x.yaml:5:11",
        ),
    ],
)
def test_loading_problems(tmp_path: Path, code: str, files: dict, where: str) -> None:
    problems = run(tmp_path, files)
    assert where in located(problems, code), [str(p) for p in problems]


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    problems = run(tmp_path, {"x.yaml": "actors:\n  - id: a\n    nmae: A\n"})
    (p,) = [p for p in problems if p.code == "KB101"]
    assert p.hint == "did you mean 'name'?"


def test_duplicate_ids_report_both_places(tmp_path: Path) -> None:
    problems = run(tmp_path, {"z.yaml": "actors:\n  - id: ann-author\n    name: Again\n"})
    (p,) = [p for p in problems if p.code == "KB201"]
    assert located([p], "KB201") == ["z.yaml:2:9"]
    assert p.related and p.related[0].path.endswith("sources.yaml")
    assert p.related[0].line == 10


def test_dangling_reference_suggests_existing_id(tmp_path: Path) -> None:
    files = {"x.yaml": "claims:\n  - id: c\n    text: C\n    supports: [scaling-wroks]\n"}
    problems = run(tmp_path, files)
    (p,) = [p for p in problems if p.code == "KB202"]
    assert located([p], "KB202") == ["x.yaml:4:16"]
    assert p.hint == "did you mean 'scaling-works'?"


def test_reference_to_wrong_kind(tmp_path: Path) -> None:
    files = {"x.yaml": "claims:\n  - id: c\n    text: C\n    supports: [ann-author]\n"}
    assert located(run(tmp_path, files), "KB203") == ["x.yaml:4:16"]


def test_self_link(tmp_path: Path) -> None:
    files = {"x.yaml": "claims:\n  - id: c\n    text: C\n    rebuts: [c]\n"}
    assert located(run(tmp_path, files), "KB204") == ["x.yaml:4:14"]


def test_support_cycle_is_a_warning(tmp_path: Path) -> None:
    files = {
        "x.yaml": "claims:\n  - id: c1\n    text: A\n    supports: [c2]\n"
        "  - id: c2\n    text: B\n    supports: [c1]\n"
    }
    problems = run(tmp_path, files)
    (p,) = [p for p in problems if p.code == "KB205"]
    assert p.severity is Severity.warning
    assert located([p], "KB205") == ["x.yaml:4:16"]
    assert "c1, c2" in p.message


def test_undercut_must_target_a_support(tmp_path: Path) -> None:
    files = {
        "x.yaml": "relations:\n  - from: curves-bend\n    type: undercuts\n    to: scaling-works\n"
    }
    assert located(run(tmp_path, files), "KB207") == ["x.yaml:4:9"]


def test_undercut_of_a_real_support_is_fine(tmp_path: Path) -> None:
    files = {
        "x.yaml": "relations:\n  - from: curves-bend\n    type: undercuts\n"
        "    to: loss-curves-straight--supports--scaling-works\n"
    }
    assert [p for p in run(tmp_path, files) if p.severity is Severity.error] == []


def test_actor_asserting_contradicting_claims(tmp_path: Path) -> None:
    files = {
        "extra.yaml": """
            relations:
              - from: scaling-works
                type: contradicts
                to: curves-bend
            stances:
              - actor: ann-author
                claim: curves-bend
                source: paper-one
                quote: But the curves are bending.
                locator: end
            """
    }
    problems = run(tmp_path, files)
    assert located(problems, "KB208") == ["extra.yaml:6:5"]


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://x.org/a", "data:text/html,hi", "//x"]
)
def test_links_must_be_http_https_or_doi(tmp_path: Path, url: str) -> None:
    files = {"x.yaml": f"actors:\n  - id: a\n    name: A\n    homepage: '{url}'\n"}
    assert located(run(tmp_path, files), "KB301") == ["x.yaml:4:15"]


def test_dates_in_the_future_are_errors_except_forecasts(tmp_path: Path) -> None:
    year = dt.date.today().year + 2
    files = {
        "x.yaml": f"sources:\n  - id: s\n    kind: paper\n    title: T\n    date: {year}-01\n"
        "claims:\n  - id: f\n    text: It happens.\n    kind: forecast\n"
        f"    forecast: {{resolves: {year}-06-01, criteria: It does.}}\n"
    }
    problems = run(tmp_path, files)
    assert located(problems, "KB302") == ["x.yaml:5:11"]


def test_forecast_without_block_warns(tmp_path: Path) -> None:
    files = {"x.yaml": "claims:\n  - id: f\n    text: It happens.\n    kind: forecast\n"}
    assert located(run(tmp_path, files), "KB506") == ["x.yaml:4:11"]


def test_quality_warnings(tmp_path: Path) -> None:
    files = {
        "x.yaml": """
            claims:
              - id: lonely
                text: Nobody says this.
            sources:
              - id: unused
                kind: report
                title: Unused
            actors:
              - id: silent
                name: Silent
            questions:
              - id: q-one-sided
                title: One side?
                positions: {pro: [lonely]}
            """
    }
    problems = run(tmp_path, files)
    assert located(problems, "KB501") == ["x.yaml:2:5"]
    assert located(problems, "KB502") == ["x.yaml:5:5"]
    assert located(problems, "KB503") == ["x.yaml:9:5"]
    assert located(problems, "KB504") == ["x.yaml:12:5"]
    assert all(p.severity is Severity.warning for p in problems)


def test_long_quote_warns(tmp_path: Path) -> None:
    quote = " ".join(["word"] * 61)
    files = {
        "x.yaml": "stances:\n  - actor: ann-author\n    claim: curves-bend\n"
        f"    source: paper-one\n    quote: {quote}\n    locator: p\n"
    }
    assert located(run(tmp_path, files), "KB505") == ["x.yaml:5:12"]


def test_quote_verification(tmp_path: Path) -> None:
    files = {
        "x.yaml": "stances:\n  - actor: ann-author\n    claim: curves-bend\n"
        "    source: paper-one\n    quote: The curves are straight.\n    locator: p\n"
    }
    problems = run(tmp_path, files, archive=True)
    (p,) = [p for p in problems if p.code == "KB401"]
    assert located([p], "KB401") == ["x.yaml:5:12"]
    assert "the curves are bending" in (p.hint or "")
    assert located(run(tmp_path, files, archive=False), "KB401") == []


def test_missing_archive_file(tmp_path: Path) -> None:
    files = {
        "sources.yaml": VALID["sources.yaml"].replace("paper-one.txt", "paper-1.txt"),
    }
    assert located(run(tmp_path, files, archive=True), "KB402") == ["sources.yaml:8:14"]


@pytest.mark.parametrize(
    ("quote", "text"),
    [
        ("It\u2019s \u201cbetter\u201d", 'it&#8217;s "better"'),
        ("scaling \u2014 works", "scaling --- works"),
        ("scaling\u2014works", "scaling -- works"),
        ("see the laws", "<p>see <a href='x'>the</a> laws</p>"),
        ("see the laws", "see [the](https://x.org) laws"),
        ("aren't done", "aren\\'t done"),
        ("a bold claim", "a **bold** claim"),
        ("first ... last", "first middle part last"),
        ("first [...] last", "first middle part last"),
    ],
)
def test_quote_normalisation(quote: str, text: str) -> None:
    assert quote_in(quote, normalise(text))


@pytest.mark.parametrize(
    ("quote", "text"),
    [("last ... first", "first middle last"), ("scaling works", "scaling worked")],
)
def test_quote_mismatch(quote: str, text: str) -> None:
    assert not quote_in(quote, normalise(text))


def test_closest_passage_points_at_the_text() -> None:
    text = normalise("Alpha beta gamma. The loss falls as a power law in compute. Delta.")
    assert closest_passage("the loss falls as a power law of compute", text).startswith(
        "the loss falls as a power law"
    )


def test_run_check_with_the_parse_cache_reports_the_same(tmp_path: Path) -> None:
    folder = write_kb(
        tmp_path,
        {"bad.yaml": "claims:\n  - id: x\n    text: X.\n    supports: [nowhere]\n"},
    )
    expected = run_check(folder)
    assert [p.code for p in expected if p.severity is Severity.error] == ["KB202"]
    for _ in range(2):  # cold, then warm
        assert run_check(folder, cache=ParseCache(tmp_path / "cache")) == expected


def test_commands_load_through_the_parse_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """load_cached fills the parse cache, and a second load parses no file again."""
    from kb.check.entry import load_cached
    from kb.load import parse

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = write_kb(tmp_path)
    first = load_cached(folder)
    parsed: list[str] = []
    real = parse.parse_yaml

    def counted(text: str, path: str):  # type: ignore[no-untyped-def]
        parsed.append(path)
        return real(text, path)

    monkeypatch.setattr(parse, "parse_yaml", counted)
    monkeypatch.setattr("kb.load.loader.parse_yaml", counted)
    again = load_cached(folder)
    assert sorted(again.claims) == sorted(first.claims)
    assert parsed == []
    assert any((tmp_path / "cache").rglob("*.parsed"))
