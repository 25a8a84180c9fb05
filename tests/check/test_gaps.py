"""Gap checks: each trips on a small knowledge base counted by hand, at the record's place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from gap_kb import files
from helpers import write_kb

from kb.check.entry import run_check
from kb.check.gaps import is_question
from kb.check.words import content_words, shared_share, stem
from kb.cli import main
from kb.errors import ProblemsFound, Severity

ADVICE = {"KB602", "KB603", "KB604", "KB605", "KB606"}


def located(problems, code: str) -> list[str]:
    """Return the sorted `file:line:col` of each problem with this code."""
    return sorted(
        f"{Path(p.location.path).name}:{p.location.line}:{p.location.col}"
        for p in problems
        if p.code == code
    )


@pytest.fixture
def gaps(tmp_path: Path) -> list:
    return run_check(write_kb(tmp_path, files(), base=False), advice=True)


def test_claims_no_question_reaches(gaps) -> None:
    # g-lonely has no link; m-one and m-two link only to each other. h-down is reached
    # backwards through f-sup's support, and n-ref through its refinement of d-pro.
    assert located(gaps, "KB602") == ["claims.yaml:29:5", "claims.yaml:31:5", "claims.yaml:34:5"]


def test_one_sided_questions(gaps) -> None:
    # q-one's con side is Bob's alone; q-two's pro side is Cy's alone and its con side is held
    # by no one. q-one's pro side has Ann and Dee (one voice: they assert the same claims) and Cy.
    found = {(p.location.line, p.message) for p in gaps if p.code == "KB603"}
    assert found == {
        (6, "the con side of 'q-one' is asserted only by Bob Sceptic"),
        (10, "the pro side of 'q-two' is asserted only by Cy Critic"),
        (11, "the con side of 'q-two' is asserted by no actor"),
    }
    assert located(gaps, "KB603") == [
        "questions.yaml:10:12",
        "questions.yaml:11:12",
        "questions.yaml:6:12",
    ]


def test_question_without_engagement(gaps) -> None:
    # On q-one Bob rebuts, undercuts and contradicts Ann and Dee; nothing attacks on q-two.
    (p,) = [p for p in gaps if p.code == "KB604"]
    assert located([p], "KB604") == ["questions.yaml:7:5"]
    assert "'q-two'" in p.message and "4 claims bear on it" in p.message


def test_question_given_as_support(gaps) -> None:
    # The qualifying stance and the rebutting evidence ask questions too, but support nothing.
    assert located(gaps, "KB605") == ["quotes.yaml:32:12", "quotes.yaml:6:12"]


def test_quote_sharing_no_content_word(gaps) -> None:
    # dee-pointer says nothing of its claim; bob-named shares no word with it either, but
    # names Bob in Ann's paper: it records who holds the claim, not what the claim says.
    assert located(gaps, "KB606") == ["quotes.yaml:19:12"]


def test_gap_findings_are_advice_with_hints(gaps) -> None:
    found = [p for p in gaps if p.code in ADVICE]
    assert len(found) == 10
    assert all(p.severity is Severity.advice and p.hint for p in found)


def test_advice_is_left_out_unless_asked(tmp_path: Path) -> None:
    problems = run_check(write_kb(tmp_path, files(), base=False))
    assert not [p for p in problems if p.code in ADVICE]


def test_advice_waits_until_the_errors_are_fixed(tmp_path: Path) -> None:
    broken = {**files(), "bad.yaml": "actors:\n  - id: x\n    nmae: X\n"}
    problems = run_check(write_kb(tmp_path, broken, base=False), advice=True)
    assert "KB101" in {p.code for p in problems}
    assert not [p for p in problems if p.code in ADVICE]


def test_no_questions_means_no_unreached_claims(tmp_path: Path) -> None:
    folder = write_kb(tmp_path, {**files(), "questions.yaml": "questions: []\n"}, base=False)
    codes = {p.code for p in run_check(folder, advice=True)}
    assert not codes & {"KB602", "KB603", "KB604"}


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_strict_does_not_fail_on_advice(tmp_path: Path) -> None:
    folder = write_kb(tmp_path)  # clean, but each side of q-scale is one actor's
    result = invoke("check", "--kb", str(folder), "--strict")
    assert result.exit_code == 0, result.output
    assert "advice KB603" in result.output
    assert "No problems found. 2 note(s) of advice." in result.output
    data = json.loads(invoke("check", "--kb", str(folder), "--format", "json").output)
    assert {p["severity"] for p in data} == {"advice"}
    github = invoke("check", "--kb", str(folder), "--format", "github").output
    assert github.startswith("::notice file=")


# Placeholders ------------------------------------------------------------------------------


def test_kb_new_placeholders_are_warnings_failing_strict(tmp_path: Path) -> None:
    folder = write_kb(tmp_path)
    assert invoke("new", "claim", "--kb", str(folder)).exit_code == 0
    problems = run_check(folder)
    assert located(problems, "KB601") == ["claim-1.yaml:3:9"]
    (p,) = [p for p in problems if p.code == "KB601"]
    assert p.severity is Severity.warning and "kb build refuses" in p.message
    assert invoke("check", "--kb", str(folder)).exit_code == 0
    assert invoke("check", "--kb", str(folder), "--strict").exit_code == 1


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("TODO: fill in", True),
        ("Done, TODO later", True),
        ("FIXME", True),
        ("one atomic, declarative statement.", True),  # the skeleton's sentence without TODO
        ("Verbatim quote", True),
        ("a todo list of labs", False),
        ("TODOS are not the marker", False),
        ("Where the curves bend", False),
    ],
)
def test_placeholder_text(tmp_path: Path, text: str, flagged: bool) -> None:
    extra = {"x.yaml": f"claims:\n  - id: extra\n    text: x\n    aka: [ok, '{text}']\n"}
    problems = run_check(write_kb(tmp_path, extra))
    assert located(problems, "KB601") == (["x.yaml:4:15"] if flagged else [])


def test_placeholders_anywhere_in_nested_fields(tmp_path: Path) -> None:
    extra = {
        "x.yaml": """
            claims:
              - id: will-happen
                text: It will happen.
                kind: forecast
                forecast:
                  resolves: 2099-01-01
                  criteria: TODO
            sources:
              - id: s-title
                kind: paper
                title: the title
            """
    }
    problems = run_check(write_kb(tmp_path, extra))
    assert located(problems, "KB601") == ["x.yaml:11:12", "x.yaml:7:17"]


def test_build_refuses_placeholders_and_keeps_the_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kb.build import build

    monkeypatch.setenv("KB_CACHE", "0")
    folder = write_kb(tmp_path)
    out = tmp_path / "site"
    build(folder, out, search=False)
    before = (out / "index.html").read_bytes()
    (folder / "late.yaml").write_text("actors:\n  - id: late\n    name: 'TODO: the name'\n")
    with pytest.raises(ProblemsFound) as caught:
        build(folder, out, search=False)
    (p,) = [p for p in caught.value.problems if p.code == "KB601"]
    assert p.severity is Severity.error and located([p], "KB601") == ["late.yaml:3:11"]
    assert (out / "index.html").read_bytes() == before
    assert not (out / "actor" / "late.html").exists()
    result = CliRunner().invoke(main, ["build", "--kb", str(folder), "--out", str(out)])
    assert result.exit_code == 1
    assert "late.yaml:3:11: error KB601: placeholder text 'TODO: the name'" in result.output
    assert (out / "index.html").read_bytes() == before


# The heuristics ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quote", "question"),
    [
        ("Is it?", True),
        ("Why? And how?", True),
        ('Will it "work?"', True),
        ("Is this ... enough?", True),
        ('But this is wrong. What is a "better" model?', False),
        ("Labs ask: should they spend more?", False),
        ("Can they get more? This is less likely than it seems.", False),
        ("", False),
    ],
)
def test_is_question(quote: str, question: bool) -> None:
    assert is_question(quote) is question


def test_stemming_matches_inflections() -> None:
    assert stem("scaling") == stem("scales") == stem("scale")
    assert stem("capping") == stem("cap") and stem("stopped") == stem("stop")
    assert stem("losses") == stem("loss") and stem("studies") == stem("study")
    assert content_words("The models' losses are falling!") == {"model", "loss", "fall"}


def test_shared_share_counts_the_claims_words() -> None:
    # Claim words: loss, keep, fall, comput; the quote has loss and fall: half of them.
    assert shared_share("Loss was falling fast", ["Loss keeps falling with more compute."]) == 0.5
    # The best of the statement and its alternative phrasings counts.
    assert shared_share("Chips", ["Loss falls.", "Chips get cheaper."]) == 0.5
    assert shared_share("anything", ["the of and"]) == 0.0


def _is_text(prop: dict) -> bool:
    options = prop.get("anyOf", [prop])
    return any(o.get("type") == "string" and o.get("maxLength") == 20_000 for o in options)


def test_every_text_field_is_searched_for_placeholders() -> None:
    from kb.check.gaps import TEXT_FIELDS
    from kb.model.records import KINDS

    for kind, model in KINDS.items():
        properties = model.model_json_schema()["properties"]
        texts = {name for name, prop in properties.items() if _is_text(prop)}
        assert texts and texts <= set(TEXT_FIELDS[kind]), (kind, texts)
