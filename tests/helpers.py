"""Small builders shared by the tests: write a knowledge base into a folder."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
# Background networking off: this machine's closed network refuses Chromium's own requests.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

VALID = {
    "questions.yaml": """
        questions:
          - id: q-scale
            title: Does scaling keep working?
        """,
    "claims.yaml": """
        claims:
          - id: scaling-works
            text: Scaling keeps lowering loss.
            answers: {question: q-scale, side: pro}
            supported_by: [loss-curves-straight]
          - id: loss-curves-straight
            text: Loss curves stay straight on log plots.
          - id: curves-bend
            text: The curves are bending.
            rebuts: [scaling-works]
            answers: {question: q-scale, side: con}
        """,
    "sources.yaml": """
        sources:
          - id: paper-one
            kind: paper
            title: On scaling
            authors: [ann-author]
            date: 2024-01-15
            url: https://example.org/paper
            archive: paper-one.txt
        actors:
          - id: ann-author
            name: Ann Author
          - id: bob-sceptic
            name: Bob Sceptic
        """,
    "grounds.yaml": """
        stances:
          - actor: ann-author
            claim: scaling-works
            source: paper-one
            quote: Scaling keeps lowering loss.
            locator: Abstract
          - actor: bob-sceptic
            claim: curves-bend
            source: paper-one
            quote: the curves are bending
            locator: Section 2
        evidence:
          - claim: loss-curves-straight
            kind: measurement
            source: paper-one
            quote: Loss falls as a power law.
            locator: Figure 1
        """,
}
ARCHIVE = "On scaling. Scaling keeps lowering loss. Loss falls as a power law. But the curves are bending.\n"


def write_kb(root: Path, files: dict[str, str] | None = None, base: bool = True) -> Path:
    """Write YAML files (dedented) into root/claims and return that folder."""
    folder = root / "claims"
    folder.mkdir(parents=True, exist_ok=True)
    merged = {**(VALID if base else {}), **(files or {})}
    for name, text in merged.items():
        if text is None:
            continue
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    (root / "archive").mkdir(exist_ok=True)
    (root / "archive" / "paper-one.txt").write_text(ARCHIVE, encoding="utf-8")
    return folder


def axe_violations(axe: Any, page: Any) -> list[dict[str, Any]]:
    """Return what axe finds wrong on page, at every impact."""
    # Only violations are gathered (the passes cost a tenth of axe's time), and a list's or
    # table's entries from the 21st on are left out: they repeat the first twenty's markup, and
    # colour contrast took 2 of axe's 2.1 s on the index of 233 claims, 0.6 s without them.
    context = {"exclude": [["li:nth-child(n+21)"], ["tr:nth-child(n+21)"]]}
    result = axe.run(page, context=context, options={"resultTypes": ["violations"]})
    return list(result.response["violations"])


def page_kinds(kb: Any) -> dict[str, str]:
    """Return the path of a page of every kind of the site of `kb`, the richest of each."""
    from kb.model.graph import KBGraph
    from kb.site.paths import Paths

    graph = KBGraph(kb)
    claim = max(sorted(kb.claims), key=lambda c: len(graph.supporters(c)) + len(graph.attackers(c)))
    question = max(sorted(kb.questions), key=lambda q: len(kb.questions[q].positions.pro))
    return {
        "home": "index.html",
        "question": Paths.question(question),
        "claim": Paths.claim(claim),
        "source": Paths.source(max(sorted(kb.sources), key=lambda s: len(graph.claims_citing(s)))),
        "actor": Paths.actor(max(sorted(kb.actors), key=lambda a: len(graph.stances_by(a)))),
        "claims": "claims.html",
        "sources": "sources.html",
        "actors": "actors.html",
        "tags": "tags.html",
        "tag": Paths.tag(sorted({t for c in kb.claims.values() for t in c.tags})[0]),
        "matrix": "matrix.html",
        "map": "map.html",
        "timeline": "timeline.html",
        "search": "search.html?q=scaling",
        "downloads": "downloads.html",
        "404": "404.html",
    }


def downloads_of(site: Path) -> dict[str, bytes]:
    """Return the downloads of a built site, by path."""
    from kb.build.exports import download_paths

    return {p: (site / p).read_bytes() for p in download_paths()}
