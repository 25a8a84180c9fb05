"""Property tests: the loader, the checks and the Markdown renderer never crash on any input."""

from __future__ import annotations

import html.parser
import os
import re
import string
from pathlib import Path

import networkx as nx
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.check.run import check
from kb.errors import Problem, Severity
from kb.load.files import decode
from kb.load.loader import Loader
from kb.model.records import KINDS, PLURALS

# CI runs a fixed, quick sample; KB_FUZZ_EXAMPLES=5000 explores further with fresh seeds.
EXAMPLES = int(os.environ.get("KB_FUZZ_EXAMPLES", "150"))
FAST = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize="KB_FUZZ_EXAMPLES" not in os.environ,
)
ROOT = Path("fuzz-kb")

# Pieces of YAML that reach the loader's corners: anchors, tags, flow, block, documents.
YAML_PIECES = [
    "claims:",
    "sources:",
    "relations:",
    "stances:",
    "questions:",
    "evidence:",
    "actors:",
    "claim:",
    "- ",
    "  ",
    "\n",
    "\t",
    "id: a",
    "id: b",
    "text: T",
    "supports: [b]",
    "undercuts: a--supports--b",
    "from: a",
    "to: b",
    "type: supports",
    "&x ",
    "*x",
    "!!str ",
    "!!binary ",
    "!!python/object:os.system ",
    "!local ",
    "<<: ",
    "? ",
    ": ",
    "[",
    "]",
    "{",
    "}",
    ",",
    '"',
    "'",
    "|",
    ">",
    "#",
    "---",
    "...",
    "%YAML 1.1",
    "~",
    "2024-02-30",
    "1e999",
    "0x1F",
    ".nan",
    "\ufeff",
    "\u2028",
    "\x85",
    "é",
]
yaml_texts = st.lists(st.sampled_from(YAML_PIECES), max_size=40).map("".join) | st.text(
    max_size=300
)


def _load_text(text: str) -> tuple[list[Problem], list[Problem]]:
    """Load one file's text and check it; return loading's and the checks' problems."""
    loader = Loader(ROOT)
    loader.add_file(ROOT / "f.yaml", text=text)
    kb = loader.finish()
    return loader.problems, check(kb, loader.problems)


def _assert_well_formed(problems: list[Problem], text: str) -> None:
    """Assert that each problem has a code, a message, a location inside the text and a hint."""
    # YAML 1.1 also breaks lines at CR, NEL, LS and PS; LibYAML counts lines that way.
    lines = len(re.split("\r\n|[\n\r\x85\u2028\u2029]", text)) + 1
    for p in problems:
        assert p.code.startswith("KB") and len(p.code) == 5, p
        assert p.message and len(p.message) < 2000, p
        assert 1 <= p.location.line <= lines, (p, lines)
        assert p.location.col >= 1, p
        if p.severity is Severity.error:
            assert p.hint, p
        str(p)


@FAST
@given(text=yaml_texts)
def test_loader_survives_any_text(text: str) -> None:
    """Any text loads into located problems (or records) without an exception."""
    loaded, checked = _load_text(text)
    _assert_well_formed(loaded, text)
    _assert_well_formed(checked, text)


@FAST
@given(data=st.binary(max_size=200))
def test_decode_survives_any_bytes(data: bytes) -> None:
    """Any bytes either decode or give a located KB002."""
    text, problem = decode(data, "f.yaml")
    assert (text is None) != (problem is None)
    if problem is not None:
        assert problem.code == "KB002" and problem.location.line >= 1 and problem.hint


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text(max_size=30)
    | st.sampled_from(["a", "b", "c", "a--supports--b", "2024-01-01", "https://x.org", "../x"])
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = sorted({name for model in KINDS.values() for name in model.model_fields} | {"from"})
records = st.dictionaries(st.sampled_from(FIELDS), values, max_size=6)
documents = st.dictionaries(
    st.sampled_from(sorted(PLURALS) + sorted(KINDS) + ["claimz"]),
    st.lists(records, max_size=3) | records | scalars,
    max_size=3,
)


@FAST
@given(doc=documents)
def test_loader_survives_any_structure(doc: dict) -> None:
    """Any mapping of kinds to records of any values loads and checks without an exception."""
    text = yaml.safe_dump(doc, allow_unicode=True)
    loaded, checked = _load_text(text)
    _assert_well_formed(loaded, text)
    _assert_well_formed(checked, text)


slugs = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=6)


@FAST
@given(ids=st.lists(slugs, min_size=2, max_size=8, unique=True), data=st.data())
def test_checks_find_exactly_the_support_cycles(ids: list[str], data: st.DataObject) -> None:
    """Random support graphs: a cycle warning appears exactly when networkx finds a cycle."""
    edges = data.draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=12))
    claims = [
        {"id": i, "text": f"Claim {i}.", "supports": sorted({b for a, b in edges if a == i})}
        for i in ids
    ]
    text = yaml.safe_dump({"claims": claims})
    loaded, checked = _load_text(text)
    graph = nx.DiGraph((a, b) for a, b in edges if a != b)
    cyclic = any(len(c) > 1 for c in nx.strongly_connected_components(graph))
    assert cyclic == any(p.code == "KB205" for p in checked)
    assert any(p.code == "KB204" for p in checked) == any(a == b for a, b in edges)
    assert not [p for p in loaded if p.severity is Severity.error]


@FAST
@given(ids=st.lists(slugs, min_size=1, max_size=6, unique=True), data=st.data())
def test_checks_report_every_dangling_reference(ids: list[str], data: st.DataObject) -> None:
    """Supports aimed at unknown claims are each reported as KB202; known ones are not."""
    targets = data.draw(st.lists(slugs, max_size=6))
    claims = [{"id": ids[0], "text": "T", "supports": targets}] + [
        {"id": i, "text": "T"} for i in ids[1:]
    ]
    _, checked = _load_text(yaml.safe_dump({"claims": claims}))
    dangling = {t for t in targets if t not in ids}
    reported = {p.message.split("'")[1] for p in checked if p.code == "KB202"}
    assert reported == dangling


# Markdown --------------------------------------------------------------------------------------

MD_PIECES = [
    "[a](javascript:alert(1))",
    "[a](JaVaScRiPt:alert(1))",
    "[a](java\tscript:x)",
    "[a](&#106;avascript:x)",
    "[a](data:text/html,x)",
    "[a](vbscript:x)",
    "![i](javascript:x)",
    "<javascript:alert(1)>",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "[r]: javascript:x\n",
    "[r]",
    "[a](https://ok.org)",
    '[a](https://ok.org "t\\" onclick=\\"x")',
    "`code`",
    "*",
    "_",
    "[",
    "]",
    "(",
    ")",
    "<",
    ">",
    "&",
    "\n",
    "\n\n",
    "> ",
    "- ",
    "# ",
    "    ",
    "\\",
    "&#0;",
    "&#x3C;script&#x3E;",
]
markdown_texts = st.lists(st.sampled_from(MD_PIECES) | st.text(max_size=5), max_size=40).map(
    "".join
)
SAFE_SCHEMES = ("http://", "https://", "mailto:", "#", "/")


class _Html(html.parser.HTMLParser):
    """Collects forbidden tags, handlers and links from rendered Markdown."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed", "style", "svg", "img", "base", "form"):
            self.bad.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.bad.append(f"{tag} {name}")
            if name in ("href", "src"):
                url = (value or "").strip().lower()
                if ":" in url.split("/")[0] and not url.startswith(SAFE_SCHEMES):
                    self.bad.append(f"{tag} {name}={value!r}")


@FAST
@given(text=markdown_texts)
def test_markdown_never_emits_script_handlers_or_hostile_links(text: str) -> None:
    """Rendered notes hold no script, no event handler, and links only to http(s) or in-page."""
    from kb.site.env import markdown

    parser = _Html()
    parser.feed(str(markdown(text)))
    parser.close()
    assert not parser.bad, parser.bad


@settings(max_examples=40, deadline=None, derandomize=True)
@given(text=st.text(alphabet="[]()*_`<>!&\\#-> \n", max_size=4000))
def test_markdown_is_fast_on_pathological_input(text: str) -> None:
    """Bracket and emphasis soups render in bounded time."""
    import time

    from kb.site.env import markdown

    started = time.process_time()  # CPU time: other processes' load cannot fail the test
    markdown(text)
    assert time.process_time() - started < 1.0
