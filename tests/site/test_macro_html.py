"""Macros the pages call per row, rendered once per build, equal the macros' output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers import write_kb

from kb.build import make_site
from kb.check.entry import load_kb
from kb.load.files import theme_dir
from kb.site.paths import Paths


def _rows_and_macros(site: Any) -> tuple[list[Any], Any]:
    rows = [site.claim_row(c) for c in sorted(site.kb.claims)]
    return rows, site.env.get_template("macros.html").module


def test_side_tags_strength_lines_and_tags_equal_the_bundled_macros() -> None:
    site = make_site(load_kb(Path(__file__).parents[2] / "claims"), use_git=False)
    rows, macros = _rows_and_macros(site)
    assert len(rows) > 20
    for side in ("pro", "con", "mixed"):
        assert site.side_tag(side) == macros.side_tag(side)
    for cid in sorted(site.kb.claims):
        standing, tags = site.standings.of(cid), site.kb.claims[cid].tags
        for root in ("../", "a&b/"):
            assert site.strength_line(standing, root) == macros.strength_line(standing, root)
            assert site.tags_html(tags, root) == macros.tags(tags, root)


def test_a_kb_s_own_macros_are_used(tmp_path: Path) -> None:
    tagged = "claims:\n  - {id: tagged-one, text: A tagged claim., tags: [scale]}\n"
    folder = write_kb(tmp_path, {"tagged.yaml": tagged})
    templates = folder / "site" / "templates"
    templates.mkdir(parents=True)
    theirs = (theme_dir() / "templates" / "macros.html").read_text(encoding="utf-8")
    for name, body in (
        ("claim_item(", "{% macro claim_item(row, root) -%}<b>{{ row.text }}</b>"),
        ("side_tag(", "{% macro side_tag(side) -%}<i>{{ side }}</i>"),
        ("strength_line(", "{% macro strength_line(s, root) -%}<u>{{ s.label }}</u>"),
    ):
        start = theirs.index("{% macro " + name)
        end = theirs.index("{%- endmacro %}", start)
        theirs = theirs[:start] + body + theirs[end:]
    (templates / "macros.html").write_text(theirs, "utf-8")
    site = make_site(load_kb(folder), use_git=False)
    rows, _ = _rows_and_macros(site)
    assert site.side_tag("pro") == "<i>pro</i>"
    # A KB's strength line may show more than the strength: each standing is its own key.
    labels = {site.strength_line(site.standings.of(c), "../") for c in site.kb.claims}
    assert labels == {f"<u>{site.standings.of(c).label}</u>" for c in site.kb.claims}
    assert "<b>A tagged claim.</b>" in site.page(Paths.tag("scale")).render()
