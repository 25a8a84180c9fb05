"""Reader pages of small knowledge bases: forecasts in words, licence, Cite this, the matrix's
first pair, year labels apart, and maps that start at the question."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from helpers import write_kb

from kb.build import make_site, search_view
from kb.check.entry import load_kb
from kb.site import maps, qmaps
from kb.site.families.matrix import matrix_context
from kb.site.families.timeline import timeline_context
from kb.site.site import Site

FORECASTS = {
    "forecasts.yaml": """
        claims:
          - id: due-later
            text: Models will be ten times larger by 2027.
            forecast: {resolves: "2027", criteria: A model ten times larger is released.}
          - id: past-due
            text: Loss will halve by mid 2023.
            forecast: {resolves: "2023-06", criteria: Loss halves.}
          - id: came-true
            text: A larger model will be released in 2023.
            forecast: {resolves: "2023-01", criteria: It is released., resolution: "true"}
          - id: came-false
            text: Scaling will stop in 2022.
            forecast: {resolves: "2022", criteria: It stops., resolution: "false"}
        """,
}


def _site(tmp_path: Path, files: dict[str, str] | None = None, **kw: Any) -> Site:
    return make_site(load_kb(write_kb(tmp_path, files)), use_git=False, **kw)


def _page(site: Site, path: str) -> str:
    for page in site.pages():
        if page.path == path:
            return page.render()
    raise AssertionError(f"no page {path}")


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_forecasts_say_when_they_are_due_or_how_they_resolved(tmp_path: Path) -> None:
    site = _site(tmp_path, FORECASTS)
    # The latest dated record (the source of 2024-01-15) is "now": not the wall clock.
    assert site.reference_date == "2024-01-15"
    groups = timeline_context(site)["forecasts"]
    status = {r["id"]: r["status"] for rows in groups.values() for r in rows}
    assert status == {
        "due-later": "due 2027",
        "past-due": "overdue, unresolved",
        "came-true": "resolved: yes",
        "came-false": "resolved: no",
    }
    forecasts = _page(site, "timeline.html").split('id="forecasts-h"')[1].split("</section>")[0]
    for words in ("due 2027", "overdue, unresolved", "resolved: yes", "resolved: no"):
        assert words in forecasts
    assert "badge" not in forecasts  # no standing label reads as the forecast's outcome


def test_undated_sources_have_their_own_section(tmp_path: Path) -> None:
    undated = {
        "more.yaml": """
            sources:
              - id: blog-undated
                kind: blog-post
                title: A post with no date
            """
    }
    html = _page(_site(tmp_path, undated), "timeline.html")
    section = html.split('id="undated-h"')[1].split("</section>")[0]
    assert "A post with no date" in section
    assert "Undated sources" in _text(html)


def test_year_labels_are_spaced_wider_than_a_label() -> None:
    for counts in ({"2019": 1, "2024": 8}, {str(y): 1 for y in range(1990, 2031)}):
        svg = ET.fromstring(str(maps.year_chart(counts)))
        xs = [float(t.get("x")) for t in svg.iter() if t.get("class") == "chart-label"]
        assert len(xs) >= 3
        gaps = [b - a for a, b in zip(xs, xs[1:], strict=False)]
        assert min(gaps) >= maps.YEAR_LABEL_W


def test_a_stated_licence_is_in_the_footer_and_on_downloads(tmp_path: Path) -> None:
    licensed = {
        "kb.yaml": """
            title: Licensed
            license: {name: CC BY 4.0, url: "https://creativecommons.org/licenses/by/4.0/"}
            """
    }
    site = _site(tmp_path, licensed)
    link = '<a href="https://creativecommons.org/licenses/by/4.0/" rel="license">CC BY 4.0</a>'
    for path in ("index.html", "downloads.html", "claim/scaling-works.html"):
        assert link in _page(site, path), path
    assert "Licence: " in _text(_page(site, "downloads.html"))


def test_without_a_licence_the_footer_names_none(tmp_path: Path) -> None:
    site = _site(tmp_path)
    assert 'rel="license"' not in _page(site, "index.html")
    assert "No licence is stated" in _text(_page(site, "downloads.html"))


def test_a_licence_link_is_shown_only_when_http(tmp_path: Path) -> None:
    bad = {"kb.yaml": 'license: {name: Mine, url: "javascript:alert(1)"}\n'}
    html = _page(_site(tmp_path, bad), "index.html")
    assert "Content licensed under Mine" in _text(html)
    assert "javascript:" not in html


def test_cite_this_is_absolute_with_a_base_url(tmp_path: Path) -> None:
    site = _site(tmp_path, base_url="https://example.org/debate")
    html = _page(site, "claim/scaling-works.html")
    cite = html.split('id="cite-h"')[1].split("</section>")[0]
    url = "https://example.org/debate/claim/scaling-works.html"
    assert f"{url}</code>" in cite
    assert f'Permalink: <a href="{url}">' in cite
    assert "relative" not in cite


def test_cite_this_says_when_its_link_is_relative(tmp_path: Path) -> None:
    html = _page(_site(tmp_path), "claim/scaling-works.html")
    cite = html.split('id="cite-h"')[1].split("</section>")[0]
    assert "claim/scaling-works.html</code>" in cite
    assert "https://" not in cite
    assert "a relative link" in _text(cite)


OPPOSED = {
    "people.yaml": """
        actors:
          - id: cat-critic
            name: Cat Critic
          - id: abe-ally
            name: Abe Ally
        stances:
          - {actor: ann-author, claim: curves-bend, source: paper-one, quote: q1, locator: p1}
          - {actor: cat-critic, claim: scaling-works, position: denies, source: paper-one,
             quote: q2, locator: p2}
          - {actor: cat-critic, claim: curves-bend, position: denies, source: paper-one,
             quote: q3, locator: p3}
          - {actor: bob-sceptic, claim: scaling-works, position: denies, source: paper-one,
             quote: q4, locator: p4}
          - {actor: abe-ally, claim: scaling-works, source: paper-one, quote: q5, locator: p5}
        """
}


def test_the_matrix_opens_on_the_most_opposed_pair(tmp_path: Path) -> None:
    # Ann asserts both claims Cat denies (2); Abe and Ann are each opposed to Bob once, and
    # Abe to Cat once; Bob and Cat both deny, so agree.
    site = _site(tmp_path, OPPOSED)
    assert matrix_context(site)["pair"] == ("ann-author", "cat-critic")
    html = _page(site, "matrix.html")
    assert re.search(r'id="pair-a">.*?<option value="ann-author" selected>', html, re.S)
    assert re.search(r'id="pair-b">.*?<option value="cat-critic" selected>', html, re.S)


def test_the_matrix_without_disagreement_opens_on_the_first_two(tmp_path: Path) -> None:
    site = _site(tmp_path)  # Ann and Bob hold different claims: never the same one
    assert matrix_context(site)["pair"] is None
    html = _page(site, "matrix.html")
    assert re.search(r'id="pair-a"><option value="ann-author" selected>', html)


def test_the_matrix_lists_stances_claim_by_claim_for_phones(tmp_path: Path) -> None:
    html = _page(_site(tmp_path, OPPOSED), "matrix.html")
    phone = html.split('class="matrix-list')[1].split("</ol>")[0]
    item = phone.split("Scaling keeps lowering loss.")[1].split("</ul>")[0]
    assert "Abe Ally, Ann Author" in _text(item.split("disagrees")[0])
    assert "Bob Sceptic, Cat Critic" in _text(item.split("disagrees")[1])


def _boxes(svg: ET.Element) -> dict[str, tuple[float, float, float, float]]:
    """Return each node's box (left, top, right, bottom) from its translate and rect."""
    out = {}
    for node in svg.iter():
        transform = node.get("transform") or ""
        m = re.match(r"translate\(([-\d.]+) ([-\d.]+)\)", transform)
        rect = next((r for r in node if r.tag.endswith("rect")), None)
        if m is None or rect is None:
            continue
        x, y = float(m.group(1)), float(m.group(2))
        left, top = x + float(rect.get("x")), y + float(rect.get("y"))
        key = node.get("href") or node.get("class")
        out[key] = (left, top, left + float(rect.get("width")), top + float(rect.get("height")))
    return out


def test_a_question_map_starts_at_the_question_with_yes_left_of_no(tmp_path: Path) -> None:
    site = _site(tmp_path)
    svg = ET.fromstring(str(qmaps.question_map(site.kb, site.graph, "q-scale", site.standings)))
    boxes = _boxes(svg)
    question = boxes["node question focus"]
    yes, no = boxes["../claim/scaling-works.html"], boxes["../claim/curves-bend.html"]
    premise = boxes["../claim/loss-curves-straight.html"]
    assert question[3] < min(yes[1], no[1])  # the question above its answers
    assert yes[2] <= no[0]  # yes wholly left of no
    assert premise[1] > yes[3] and premise[0] < yes[2]  # the support is under the yes answer
    heads = [t.text for t in svg.iter() if (t.get("class") or "").startswith("side-head")]
    assert heads == ["Yes", "No"]
    items = list(boxes.values())
    for i, a in enumerate(items):  # no two boxes overlap, so no two labels do
        for b in items[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def test_claims_are_grouped_under_their_nearest_question(tmp_path: Path) -> None:
    files = {
        "second.yaml": """
            questions:
              - id: q-data
                title: Is data the limit?
            claims:
              - id: data-limit
                text: Data runs out.
                answers: {question: q-data, side: pro}
                rebuts: [loss-curves-straight]
              - id: data-reason
                text: Text on the web is finite.
                supports: [data-limit]
              - id: lonely
                text: A claim linked to nothing.
            """
    }
    site = _site(tmp_path, files)
    groups = site.claim_group
    assert groups == {
        "scaling-works": "q-scale",
        "curves-bend": "q-scale",
        "loss-curves-straight": "q-scale",
        "data-limit": "q-data",
        "data-reason": "q-data",
        "lonely": "",
    }
    model = qmaps.questions_model(site.kb, site.graph, groups)
    # One attack between the two questions' claims: data-limit rebuts loss-curves-straight.
    assert model["pairs"] == [("q-data", "q-scale", (0, 1, 0))]
    html = _page(site, "map.html")
    assert re.findall(r'<a href="#g-([a-z-]+)" class="node question"', html) == [
        "q-scale",
        "q-data",
    ]
    assert 'id="g-none"' in html and "A claim linked to nothing." in html


def test_the_matrix_links_a_pair_to_their_exchanges(tmp_path: Path) -> None:
    # Exchange pages exist for pairs where one asserts what the other denies (Ann and Cat, Ann
    # and Bob, Abe and Bob, Abe and Cat, and Bob and Cat: Bob asserts curves-bend, Cat denies
    # it), or asserts a claim that attacks one the other asserts (Ann's curves-bend rebuts Abe's
    # scaling-works).
    site = _site(tmp_path, OPPOSED)
    data = json.loads(str(matrix_context(site)["matrix_json"]))
    assert data["exchanges"] == {
        "abe-ally ann-author": "exchange/abe-ally--ann-author.html",
        "abe-ally bob-sceptic": "exchange/abe-ally--bob-sceptic.html",
        "abe-ally cat-critic": "exchange/abe-ally--cat-critic.html",
        "ann-author bob-sceptic": "exchange/ann-author--bob-sceptic.html",
        "ann-author cat-critic": "exchange/ann-author--cat-critic.html",
        "bob-sceptic cat-critic": "exchange/bob-sceptic--cat-critic.html",
    }
    pages = {page.path for page in site.pages()}
    assert set(data["exchanges"].values()) <= pages


def test_exchange_pages_index_the_pair_not_the_claims_they_show(tmp_path: Path) -> None:
    # The claims and quotes on an exchange page are indexed on their own pages (docs/speed.md).
    site = _site(tmp_path, OPPOSED)
    page = _page(site, "exchange/abe-ally--ann-author.html")
    view = _text(search_view(page.encode()).decode())
    assert "Abe Ally and Ann Author" in view
    assert "Scaling keeps lowering loss." in _text(page)
    assert "Scaling keeps lowering loss." not in view and "q5" not in view
    assert '<p class="lede" data-pagefind-ignore>' in page  # the same words on every exchange


def test_question_maps_escape_every_text_and_allow_one_side(tmp_path: Path) -> None:
    evil = '</title><script>alert("x")</script>&amp; "quoted"'
    files = {
        "questions.yaml": f"""
            questions:
              - id: q-scale
                title: '{evil}'
            """,
        "claims.yaml": """
            claims:
              - id: scaling-works
                text: Scaling keeps lowering loss.
              - id: loss-curves-straight
                text: Loss curves stay straight on log plots.
              - id: curves-bend
                text: The curves are bending <b>now</b>.
                answers: {question: q-scale, side: con}
            """,
    }
    site = _site(tmp_path, files)
    svg = str(qmaps.question_map(site.kb, site.graph, "q-scale", site.standings))
    root = ET.fromstring(svg)  # well-formed: nothing broke out of its element
    assert "<script>" not in svg
    texts = [" ".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert evil in texts
    heads = [t.text for t in root.iter() if (t.get("class") or "").startswith("side-head")]
    assert heads == ["No"]
    whole = str(
        qmaps.questions_map(
            site.kb,
            qmaps.questions_model(site.kb, site.graph, site.claim_group),
            {"q-scale": {"pro": 0, "mixed": 0, "con": 1}},
        )
    )
    assert "<script>" not in whole
    ET.fromstring(whole)


def test_a_kb_without_questions_lists_every_claim_on_the_map_page(tmp_path: Path) -> None:
    files = {
        "questions.yaml": None,
        "claims.yaml": """
            claims:
              - id: scaling-works
                text: Scaling keeps lowering loss.
              - id: loss-curves-straight
                text: Loss curves stay straight on log plots.
              - id: curves-bend
                text: The curves are bending.
            """,
    }
    site = _site(tmp_path, files)
    assert set(site.claim_group.values()) == {""}
    html = _page(site, "map.html")
    assert 'class="node question"' not in html.split('class="map-key"')[0]
    listed = html.split('id="g-none"')[1].split("</details>")[0]
    for text in ("Scaling keeps lowering loss.", "Loss curves stay straight", "are bending"):
        assert text in listed


def test_a_claim_map_shows_what_bears_on_it_not_its_conclusions_other_premises(
    tmp_path: Path,
) -> None:
    files = {
        "claims.yaml": """
            claims:
              - id: focus
                text: The focus.
                supports: [target]
              - id: target
                text: What the focus supports.
              - id: sibling
                text: Another premise of the target.
                supports: [target]
              - id: reason
                text: A reason for the focus.
                supports: [focus]
              - id: deeper
                text: A reason for the reason.
                supports: [reason]
              - id: objection
                text: An objection to the reason.
                rebuts: [reason]
              - id: scaling-works
                text: Scaling keeps lowering loss.
              - id: loss-curves-straight
                text: Loss curves stay straight on log plots.
              - id: curves-bend
                text: The curves are bending.
            """,
    }
    site = _site(tmp_path, files)
    index = site.memos.arg_index(site.graph)
    nodes = maps._bearing(index, "focus", maps.MAX_MAP_NODES)
    assert nodes[0] == "focus"
    assert sorted(nodes) == ["deeper", "focus", "objection", "reason", "target"]
    assert len(maps._bearing(index, "focus", 3)) == 3  # the limit holds


def test_equally_opposed_pairs_open_on_the_one_with_more_in_common(tmp_path: Path) -> None:
    # Ann-Bob and Ann-Cat are each opposed once; Ann and Cat also agree on a second claim.
    files = {
        "people.yaml": """
            actors:
              - id: cat-critic
                name: Cat Critic
            stances:
              - {actor: bob-sceptic, claim: scaling-works, position: denies, source: paper-one,
                 quote: q1, locator: p1}
              - {actor: cat-critic, claim: scaling-works, position: denies, source: paper-one,
                 quote: q2, locator: p2}
              - {actor: cat-critic, claim: loss-curves-straight, source: paper-one, quote: q3,
                 locator: p3}
              - {actor: ann-author, claim: loss-curves-straight, source: paper-one, quote: q4,
                 locator: p4}
            """
    }
    assert matrix_context(_site(tmp_path, files))["pair"] == ("ann-author", "cat-critic")


def _compare(positions: dict[str, dict[str, str]], a: str, b: str) -> tuple[list[str], ...]:
    """Return what matrix.js lists for two actors: opposed, one qualifying, agreeing claims."""
    pa, pb = positions.get(a, {}), positions.get(b, {})
    shared = sorted(c for c in pa if c in pb)
    qualified = [c for c in shared if pa[c] != pb[c] and "qualifies" in (pa[c], pb[c])]
    opposed = [c for c in shared if pa[c] != pb[c] and c not in qualified]
    return opposed, qualified, [c for c in shared if pa[c] == pb[c]]


def test_the_pair_view_keeps_every_claim_two_actors_share_and_only_those(kb: Any) -> None:
    site = make_site(kb, use_git=False)
    data = json.loads(str(matrix_context(site)["matrix_json"]))
    every: dict[str, dict[str, str]] = {}
    for s in sorted(kb.stances.values(), key=lambda s: s.id):
        if s.claim in kb.claims and s.actor in kb.actors:
            every.setdefault(s.actor, {}).setdefault(s.claim, s.position.value)
    assert sorted(data["actors"]) == sorted(every)
    for a in every:
        for b in set(every) - {a}:  # the view asks for two different actors
            assert _compare(data["positions"], a, b) == _compare(every, a, b), (a, b)
    shared = {c for a in every for b in every if a != b for c in every[a].keys() & every[b]}
    assert set(data["claims"]) == set(data["crux"]) == shared
    assert len(shared) < len({c for p in every.values() for c in p})  # some were left out
