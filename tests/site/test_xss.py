"""Script injection: a KB seeded with XSS payloads builds into a site where no payload runs."""

# Payloads go in every free-text field; the static checks parse every page for injected tags,
# handlers and URLs and check each page's Content Security Policy; the browser checks open every
# page in Chromium (over http and from disk) and prove that no script ran.

from __future__ import annotations

import functools
import html.parser
import http.server
import os
import re
import threading
import xml.dom.minidom
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from helpers import CHROMIUM, CHROMIUM_ARGS

from kb.build import build

# Each payload, if it ran, would set window.__xss or call alert (which the page hook records).
PAYLOADS = [
    "<script>window.__xss='script'</script>",
    "<img src=x onerror=\"window.__xss='img'\">",
    '"><svg onload="window.__xss=\'svg\'">',
    "'><img src=x onerror=alert('quote')>",
    "</title><script>alert('title')</script>",
    "<iframe src=\"javascript:alert('iframe')\"></iframe>",
    "</script><script>alert('script-close')</script>",
    "<details open ontoggle=alert('details')>x</details>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('mxss')>",
    "--><!--<script>alert('comment')</script>",
    "]]><script>alert('cdata')</script>",
    "\u2028\u2029</script><script>alert('json')</script>",
    "{{ 7 * 7 }} {% raw %} ${alert('template')}",
    "<a href=\"javascript:alert('anchor')\">link</a>",
    "<object data=\"data:text/html,<script>alert('object')</script>\"></object>",
    "<base href=\"javascript:alert('base')//\">",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(\'refresh\')">',
    "<form action=\"javascript:alert('form')\"><button>go</button></form>",
]
# Markdown notes: links and images with hostile schemes, raw HTML, reference links.
MARKDOWN = "\n\n".join(
    [
        "Payload notes with *emphasis*.",
        "[js](javascript:alert('md-js')) [JS](JAVASCRIPT:alert('md-JS'))",
        "[tab](java\tscript:alert('md-tab')) [entity](&#106;avascript:alert('md-entity'))",
        "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[vb](vbscript:alert('md-vb')) ![img](javascript:alert('md-img'))",
        "<javascript:alert('md-autolink')> [ref][r]",
        "[r]: javascript:alert('md-ref')",
        "<div onmouseover=\"alert('md-div')\">hover</div>",
        "<script>alert('md-script')</script>",
        '[title](https://example.org "a\\" onmouseover=\\"alert(\'md-title\')")',
        *PAYLOADS,
    ]
)
HOSTILE_URL = "https://example.org/\"onmouseover=\"alert('url')\"'><script>alert('url2')</script>"
BASE_URL = "https://example.org/x/"  # the site's own address: the 404 page links it absolutely
BAD_SCHEMES = ("javascript:", "vbscript:", "data:text", "data:application")


def seed_kb(root: Path) -> Path:
    """Write a valid KB whose every free-text field carries payloads; return its folder."""
    folder = root / "claims"
    folder.mkdir(parents=True)

    def p(i: int) -> str:
        return f"payload {PAYLOADS[i % len(PAYLOADS)]} end"

    claims = [
        {
            "id": f"claim-{i}",
            "text": p(i),
            "notes": MARKDOWN if i == 0 else p(i + 3),
            "aka": [p(i + 1), p(i + 2)],
            "answers": {"question": "q-one", "side": "pro" if i % 2 else "con"},
        }
        for i in range(len(PAYLOADS))
    ]
    claims[1]["supports"] = ["claim-0"]
    claims[2]["rebuts"] = ["claim-0"]
    claims[3].update(
        {
            "kind": "forecast",
            "forecast": {"resolves": "2030", "criteria": p(5), "probability": 0.5},
        }
    )
    records = {
        "questions": [{"id": "q-one", "title": p(0), "framing": MARKDOWN, "tags": ["xss"]}],
        "claims": claims,
        "actors": [
            {
                "id": f"actor-{i}",
                "name": p(i),
                "affiliation": p(i + 1),
                "description": p(i + 2),
                "homepage": HOSTILE_URL,
            }
            for i in range(3)
        ],
        "sources": [
            {
                "id": "source-one",
                "kind": "paper",
                "title": p(4),
                "publisher": p(5),
                "authors": ["actor-0", "actor-1"],
                "date": "2024-01-15",
                "url": HOSTILE_URL,
                "archived_url": HOSTILE_URL,
                "notes": MARKDOWN,
            }
        ],
        "stances": [
            {
                "actor": f"actor-{i % 3}",
                "claim": f"claim-{i}",
                "source": "source-one",
                "quote": p(i + 6),
                "locator": p(i + 7),
                "note": p(i + 8),
                "position": ("asserts", "denies", "qualifies")[i % 3],
            }
            for i in range(len(PAYLOADS))
        ],
        "evidence": [
            {
                "claim": "claim-0",
                "source": "source-one",
                "kind": "measurement",
                "quote": p(9),
                "locator": p(10),
                "summary": p(11),
            }
        ],
        "relations": [
            {
                "from": "claim-4",
                "type": "undercuts",
                "to": "claim-1--supports--claim-0",
                "rationale": p(12),
                "source": "source-one",
                "quote": p(13),
                "locator": p(14),
            }
        ],
    }
    (folder / "records.yaml").write_text(
        yaml.safe_dump(records, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    config = {"title": p(2), "description": p(3), "base_url": BASE_URL}
    (folder / "kb.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the seeded KB once; return the site folder."""
    root = tmp_path_factory.mktemp("xss")
    folder = seed_kb(root)
    index = build(folder, root / "site")
    return Path(index).parent


class _Tags(html.parser.HTMLParser):
    """Collects every start tag with its attributes, and the text of every script element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append((self._in_script, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


def html_pages(site: Path) -> list[Path]:
    """List the site's HTML pages, Pagefind's own files aside."""
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.parts)


def csp_of(page: str) -> dict[str, list[str]]:
    """Return the directives of a page's Content-Security-Policy meta tag."""
    match = re.search(
        r'<meta http-equiv="Content-Security-Policy" content="([^"]*)"', page, re.IGNORECASE
    )
    assert match, "no Content-Security-Policy meta tag"
    directives: dict[str, list[str]] = {}
    for part in match.group(1).split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def test_the_payloads_reach_the_pages(site: Path) -> None:
    """The seeded text is on the pages (escaped), so the other tests test something."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in html_pages(site))
    assert text.count("payload") > 50
    assert "&lt;script&gt;window.__xss=" in text or "&lt;script>window.__xss=" in text


def test_no_page_has_an_injected_tag_attribute_or_url(site: Path) -> None:
    """Every page parses to the site's own markup: no handler, no hostile URL, no inline script."""
    problems: list[str] = []
    for page in html_pages(site):
        parser = _Tags()
        parser.feed(page.read_text(encoding="utf-8"))
        name = page.relative_to(site).as_posix()
        for tag, attrs in parser.tags:
            for attr, value in attrs:
                if attr.startswith("on"):
                    problems.append(f"{name}: <{tag} {attr}=...>")
                url = (value or "").strip().lower().replace("\t", "").replace("\n", "")
                if attr in ("href", "src", "action", "data", "formaction", "xlink:href") and (
                    url.startswith(BAD_SCHEMES)
                ):
                    problems.append(f"{name}: <{tag} {attr}={value[:40]!r}>")
            if tag in ("iframe", "object", "embed", "base"):
                problems.append(f"{name}: <{tag}>")
            if tag == "meta" and dict(attrs).get("http-equiv", "").lower() == "refresh":
                problems.append(f"{name}: <meta refresh>")
        for attrs, text in parser.scripts:
            kind = (attrs.get("type") or "").lower()
            if attrs.get("src"):
                src = attrs["src"] or ""
                if ("://" in src or src.startswith("//")) and not src.startswith(BASE_URL):
                    problems.append(f"{name}: script from elsewhere {src}")
            elif kind not in ("application/json", "application/ld+json") and text.strip():
                problems.append(f"{name}: inline script {text[:60]!r}")
    assert not problems, "\n".join(problems[:30])


def test_every_page_carries_a_strict_csp(site: Path) -> None:
    """Scripts come only from the site's own files: no inline script, no eval, no other host."""
    for page in html_pages(site):
        csp = csp_of(page.read_text(encoding="utf-8"))
        scripts = csp.get("script-src", csp.get("default-src"))
        assert scripts, f"{page.name}: no script-src"
        assert "'self'" in scripts
        forbidden = {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:", "blob:"}
        assert not forbidden & {s.lower() for s in scripts}, f"{page.name}: {scripts}"
        assert csp.get("object-src") == ["'none'"]
        assert csp.get("base-uri") in (["'none'"], ["'self'"])
        assert csp.get("default-src") in (["'self'"], ["'none'"])


def test_feeds_are_well_formed_xml(site: Path) -> None:
    """CDATA breakers and markup in titles leave the feed and sitemap well-formed."""
    for name in ("feed.xml", "sitemap.xml"):
        path = site / name
        if path.exists():
            document = xml.dom.minidom.parse(str(path))
            assert not document.getElementsByTagName("script")


# In the browser -------------------------------------------------------------------------------

browser = pytest.mark.browser
HOOK = """
window.__xss = undefined;
window.__dialogs = [];
const record = (kind) => (...args) => { window.__xss = window.__xss || kind + ':' + args[0]; };
window.alert = record('alert'); window.confirm = record('confirm'); window.prompt = record('prompt');
document.addEventListener('securitypolicyviolation', (e) => {
  (window.__violations = window.__violations || []).push(e.violatedDirective);
});
"""


@pytest.fixture(scope="module")
def chromium(site: Path) -> Iterator[object]:
    """Launch the system Chromium through Playwright, or skip (fail in CI) when it is absent."""
    # `site` is built first: Pagefind's asyncio.run cannot start inside Playwright's loop.
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing in CI")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    """Serve the site over http on 127.0.0.1 (search needs http); return its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Keep the test output quiet."""


def _visit(chromium: object, urls: list[str]) -> list[str]:
    """Open each URL; return what ran that should not have, and any handler attribute found."""
    context = chromium.new_context()  # type: ignore[attr-defined]
    context.add_init_script(HOOK)
    findings: list[str] = []
    page = context.new_page()
    page.on("dialog", lambda d: (findings.append(f"dialog {d.message}"), d.dismiss()))
    try:
        for url in urls:
            page.goto(url, wait_until="load")
            flag = page.evaluate("window.__xss")
            if flag is not None:
                findings.append(f"{url}: {flag}")
            handlers = page.evaluate(
                """() => [...document.querySelectorAll('*')].flatMap(e =>
                    [...e.attributes].filter(a => a.name.startsWith('on'))
                    .map(a => e.tagName + ' ' + a.name))"""
            )
            findings += [f"{url}: {h}" for h in handlers]
    finally:
        context.close()
    return findings


@browser
def test_no_payload_runs_in_chromium(chromium: object, served: str, site: Path) -> None:
    """Every page, over http and from disk: no script ran, no dialog opened, no handler exists."""
    rel = [p.relative_to(site).as_posix() for p in html_pages(site)]
    urls = [served + r for r in rel] + [(site / r).as_uri() for r in rel[:5]]
    findings = _visit(chromium, urls)
    assert not findings, "\n".join(findings[:20])


@browser
def test_search_results_do_not_run_payloads(chromium: object, served: str) -> None:
    """Search excerpts that contain payload text are shown as text."""
    findings = _visit(chromium, [served + "search.html?q=payload", served + "search.html?q=script"])
    assert not findings, "\n".join(findings)
    context = chromium.new_context()  # type: ignore[attr-defined]
    context.add_init_script(HOOK)
    page = context.new_page()
    try:
        page.goto(served + "search.html?q=payload", wait_until="load")
        page.wait_for_selector(".excerpt", timeout=15_000)
        excerpts = page.eval_on_selector_all(".excerpt", "els => els.map(e => e.innerHTML)")
        assert any("payload" in e.lower() for e in excerpts), excerpts[:3]
        assert not any(re.search(r"<(?!/?mark\b)[a-z]", e) for e in excerpts), excerpts[:3]
        assert page.evaluate("window.__xss") is None
        injected = page.evaluate("document.querySelectorAll('main img, main svg[onload]').length")
        assert injected == 0
    finally:
        context.close()


@browser
def test_csp_blocks_an_inline_script_added_to_a_page(
    chromium: object, site: Path, tmp_path: Path
) -> None:
    """The policy is enforced: an inline script planted in a built page does not run."""
    page_path = html_pages(site)[0]
    planted = tmp_path / page_path.name
    text = page_path.read_text(encoding="utf-8")
    planted.write_text(
        text.replace("</main>", "<script>window.__xss='planted'</script></main>"), encoding="utf-8"
    )
    context = chromium.new_context()  # type: ignore[attr-defined]
    context.add_init_script(HOOK)
    page = context.new_page()
    try:
        page.goto(planted.as_uri(), wait_until="load")
        assert page.evaluate("window.__xss") is None
        assert "script-src-elem" in (page.evaluate("window.__violations") or [])
    finally:
        context.close()
