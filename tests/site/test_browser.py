"""The real site in the system Chromium: search, trees, dark mode, map, matrix, axe, screenshots."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import axe_violations, page_kinds

from kb.model.graph import KBGraph
from kb.model.kb import KnowledgeBase
from kb.site.paths import Paths

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "test-output" / "screenshots"
WIDTHS = (360, 1280)


@pytest.fixture
def page(browser: Any, site_url: str) -> Iterator[Any]:
    """Open a fresh page that fails on any request to another host."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    outside: list[str] = []

    def check(route: Any) -> None:
        url = route.request.url
        if url.startswith(("http://127.0.0.1:", "data:", "blob:", "file:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", check)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert outside == [], outside
    assert errors == [], errors


def _wait(page: Any, expression: str, seconds: float = 10.0) -> None:
    """Poll a JavaScript expression until it is true (wait_for_function needs eval, which CSP forbids)."""
    for _ in range(int(seconds * 10)):
        try:
            if page.evaluate(expression):
                return
        except Exception:  # the page is navigating: its context went away
            pass
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {expression}")


def test_search_a_word_and_open_a_result(page: Any, site_url: str) -> None:
    page.goto(site_url + "index.html")
    page.fill("#quick-q", "scaling")
    page.press("#quick-q", "Enter")
    page.wait_for_url("**/search.html?q=scaling")
    first = page.locator("#search-results li a").first
    first.wait_for(timeout=10_000)
    title = first.inner_text()
    first.click()
    page.wait_for_load_state()
    assert "search.html" not in page.url
    assert page.locator("h1").inner_text().strip() == title.strip()


def test_search_filters_by_kind(page: Any, site_url: str) -> None:
    page.goto(site_url + "search.html?q=scaling")
    page.locator("#search-results li").first.wait_for(timeout=10_000)
    page.select_option("select[name=type]", "source")
    _wait(
        page,
        "[...document.querySelectorAll('#search-results .kind')]"
        ".every(e => e.textContent === 'source') && !!document.querySelector('#search-results li')",
    )


def test_search_from_disk_explains_itself(browser: Any, real_site: Path) -> None:
    pg = browser.new_page()
    pg.goto((real_site / "search.html").as_uri())
    assert pg.locator("#search-offline").is_visible()
    assert "served over http" in pg.locator("#search-offline").inner_text()
    pg.close()


def _claim_with_supporter(kb: KnowledgeBase) -> tuple[str, str]:
    graph = KBGraph(kb)
    for cid in sorted(kb.claims):
        for link in graph.supporters(cid):
            if link.other in kb.claims:
                return cid, link.other
    raise AssertionError("no claim has a supporting claim")


def test_follow_a_claims_supporter(page: Any, site_url: str, kb: KnowledgeBase) -> None:
    claim, supporter = _claim_with_supporter(kb)
    page.goto(f"{site_url}claim/{claim}.html")
    link = page.locator(f'.tree.level-1 a[href="../claim/{supporter}.html"]').first
    link.click()
    page.wait_for_url(f"**/claim/{supporter}.html")
    assert page.locator("h1").inner_text().strip() == kb.claims[supporter].text


def test_collapse_and_expand_a_tree(page: Any, site_url: str, kb: KnowledgeBase) -> None:
    graph = KBGraph(kb)
    claim = next(
        c for c in sorted(kb.claims) if any(graph.supporters(s.other) for s in graph.supporters(c))
    )
    page.goto(f"{site_url}claim/{claim}.html")
    details = page.locator(".tree.level-1 > li > details").first
    assert details.get_attribute("open") is not None
    nested = details.locator(":scope > ul").first
    assert nested.is_visible()
    page.click("button[data-tree=collapse]")
    assert not nested.is_visible()
    details.locator(":scope > summary").click()
    assert nested.is_visible()
    page.click("button[data-tree=expand]")
    assert page.locator(".tree details:not([open])").count() == 0


def _background(page: Any) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_dark_mode_toggle_is_remembered(page: Any, site_url: str) -> None:
    page.goto(site_url + "index.html")
    light = _background(page)
    page.click("#theme-toggle")
    assert page.get_attribute("html", "data-theme") == "dark"
    assert page.get_attribute("#theme-toggle", "aria-pressed") == "true"
    dark = _background(page)
    assert dark != light
    page.reload()
    assert page.get_attribute("html", "data-theme") == "dark"
    assert _background(page) == dark
    page.goto(site_url + "claims.html")
    assert _background(page) == dark
    page.click("#theme-toggle")
    assert _background(page) == light


def test_map_finds_and_opens_a_question(page: Any, site_url: str, kb: KnowledgeBase) -> None:
    page.goto(site_url + "map.html")
    nodes = page.locator("#overview a.node")
    assert nodes.count() == len(kb.questions)
    page.fill("input[name=find]", "synthetic")
    kept = page.locator("#overview a.node:not(.dim)")
    assert 0 < kept.count() < len(kb.questions)
    page.click("button[data-zoom=in]")
    target = kept.first
    question = target.get_attribute("data-id")
    target.dispatch_event("click")
    page.wait_for_url(f"**/map.html#g-{question}")
    page.locator(f"#g-{question} a[href='{Paths.question(question)}']").click()
    page.wait_for_url(f"**/{Paths.question(question)}")


def _disagreeing_pair(kb: KnowledgeBase) -> tuple[str, str]:
    by_claim: dict[str, dict[str, str]] = {}
    for s in kb.stances.values():
        by_claim.setdefault(s.claim, {})[s.actor] = s.position.value
    for claim in sorted(by_claim):
        yes = sorted(a for a, p in by_claim[claim].items() if p == "asserts")
        no = sorted(a for a, p in by_claim[claim].items() if p == "denies")
        if yes and no:
            return yes[0], no[0]
    raise AssertionError("no two actors disagree")


def test_matrix_shows_where_two_actors_disagree(
    page: Any, site_url: str, kb: KnowledgeBase
) -> None:
    a, b = _disagreeing_pair(kb)
    page.goto(site_url + "matrix.html")
    assert page.locator("table.matrix td.cell.pos-asserts").count() > 0
    page.select_option("#pair-a", a)
    page.select_option("#pair-b", b)
    heading = page.locator("#pair-result h3").first
    assert heading.inner_text().startswith("They disagree (")
    assert heading.inner_text() != "They disagree (0)"
    page.locator("#pair-result a").first.click()
    page.wait_for_url("**/claim/*.html")


def test_screenshots_and_no_sideways_scrolling(
    browser: Any, site_url: str, kb: KnowledgeBase
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        for scheme in ("light", "dark"):
            context = browser.new_context(
                viewport={"width": width, "height": 900}, color_scheme=scheme
            )
            pg = context.new_page()
            for name, path in page_kinds(kb).items():
                # Dark changes colours, not widths: in dark, the pages shown in screenshots only.
                if scheme == "dark" and name not in ("home", "claim", "map"):
                    continue
                pg.goto(site_url + path)
                if name == "search":
                    pg.locator("#search-results li").first.wait_for(timeout=10_000)
                overflow = pg.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 1, (name, width, overflow)
                pg.screenshot(path=str(SHOTS / f"{name}-{width}-{scheme}.png"), full_page=False)
            context.close()


def test_no_serious_accessibility_violation(browser: Any, site_url: str, kb: KnowledgeBase) -> None:
    from axe_playwright_python import sync_playwright as axe_module

    axe = axe_module.Axe()
    found: list[str] = []
    # The reader pages are checked at every impact elsewhere: home, question and claim in light
    # and dark by test_reader_browser.py; map, matrix, timeline and search in light, at two
    # widths, by test_reader_maps_browser.py. Here: the other pages, and the rest in dark.
    light_elsewhere = {"home", "question", "claim", "map", "matrix", "timeline", "search"}
    dark = {"source", "actor", "matrix", "search"}
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
        pg = context.new_page()
        for name, path in page_kinds(kb).items():
            if name in (light_elsewhere if scheme == "light" else set(page_kinds(kb)) - dark):
                continue
            pg.goto(site_url + path)
            if name == "search":
                pg.locator("#search-results li").first.wait_for(timeout=10_000)
            for v in axe_violations(axe, pg):
                if v["impact"] in ("serious", "critical"):
                    targets = [n["target"] for n in v["nodes"][:3]]
                    found.append(f"{name}/{scheme}: {v['id']} ({v['impact']}) {targets}")
        context.close()
    assert found == [], found


def test_keyboard_reaches_the_content(page: Any, site_url: str) -> None:
    page.goto(site_url + "index.html")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    inside = page.evaluate("document.querySelector('main').contains(document.activeElement)")
    assert inside


@contextlib.contextmanager
def _served(tmp_path: Path) -> Iterator[tuple[str, Any, Any, Path]]:
    """Build the small KB and serve it as `kb serve` does; yield (url, rebuilder, state, folder)."""
    from helpers import write_kb
    from rich.console import Console

    from kb.cli.server import Rebuilder, make_server
    from kb.cli.status import State

    folder, out, state = write_kb(tmp_path), tmp_path / "site", State()
    rebuilder = Rebuilder(folder, out, state, Console(file=open(os.devnull, "w")))  # noqa: SIM115
    assert rebuilder.rebuild()
    server = make_server(out, state, 0)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", rebuilder, state, folder
    finally:
        state.close()
        server.shutdown()
        server.server_close()


def test_serve_shows_a_yaml_error_then_reloads(browser: Any, tmp_path: Path) -> None:
    with _served(tmp_path) as (url, rebuilder, state, folder):
        pg = browser.new_page()
        pg.goto(url + "claim/scaling-works.html")
        # The page's polls name it, so that a rebuild renders it before the other pages.
        deadline = time.monotonic() + 5
        while "claim/scaling-works.html" not in state.open_pages():
            assert time.monotonic() < deadline, state.open_pages()
            time.sleep(0.05)
        good = (folder / "claims.yaml").read_text("utf-8")
        (folder / "claims.yaml").write_text(good + "  - id: [broken\n", "utf-8")
        assert not rebuilder.rebuild()
        banner = pg.locator("#kb-error-banner")
        banner.wait_for(timeout=5_000)
        assert "claims.yaml:" in banner.inner_text()
        (folder / "claims.yaml").write_text(
            good.replace("Scaling keeps lowering loss.", "Scaling lowers loss."), "utf-8"
        )
        assert rebuilder.rebuild()
        _wait(pg, "document.querySelector('h1')?.textContent === 'Scaling lowers loss.'")
        assert pg.locator("#kb-error-banner").count() == 0
        pg.close()


def test_serve_a_hidden_page_asks_without_waiting_and_a_shown_one_waits(
    browser: Any, tmp_path: Path
) -> None:
    # A tab in the background must not hold one of the browser's six connections to the server
    # with a request that waits: it asks once a second. Shown again, it waits for the next build.
    asked: list[str] = []
    with _served(tmp_path) as (url, _, state, _):
        pg = browser.new_page()
        pg.add_init_script(
            "Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});"
        )
        pg.on("request", lambda r: asked.append(r.url) if "/__kb/status" in r.url else None)
        pg.goto(url + "claim/scaling-works.html")
        pg.wait_for_timeout(2500)
        assert len(asked) >= 2 and not any("seen=" in url for url in asked), asked
        assert state.waiting == {} and "claim/scaling-works.html" in state.open_pages()
        pg.evaluate(
            "Object.defineProperty(document, 'hidden', {configurable: true, get: () => false});"
            "document.dispatchEvent(new Event('visibilitychange'));"
        )
        deadline = time.monotonic() + 5
        while state.waiting != {"claim/scaling-works.html": 1}:
            assert time.monotonic() < deadline, (state.waiting, asked)
            pg.wait_for_timeout(50)  # the page's events are seen here while it waits
        pg.wait_for_timeout(50)
        assert "seen=" in asked[-1]
        state.success()  # the waiting request answers at once: the page reloads
        pg.wait_for_event("domcontentloaded", timeout=5_000)
        pg.close()


def test_serve_many_open_pages_leave_connections_for_page_loads(
    browser: Any, tmp_path: Path
) -> None:
    # Seven shown pages of one server in one browser: were each holding a waiting request, the
    # browser's six connections to the host would be taken and a page load would wait for one.
    from kb.cli.status import MAX_HELD

    context = browser.new_context()
    with _served(tmp_path) as (url, _, state, _), contextlib.closing(context):
        pages = [context.new_page() for _ in range(7)]
        for pg in pages:
            pg.goto(url + "claim/scaling-works.html")
        deadline = time.monotonic() + 5
        while state.held < MAX_HELD:
            assert time.monotonic() < deadline, state.held
            pages[0].wait_for_timeout(50)
        start = time.monotonic()
        pages[0].goto(url + "claim/curves-bend.html")
        assert time.monotonic() - start < 2
        assert state.held <= MAX_HELD


def test_print_hides_navigation_and_opens_trees(
    page: Any, site_url: str, kb: KnowledgeBase
) -> None:
    claim, _ = _claim_with_supporter(kb)
    page.goto(f"{site_url}claim/{claim}.html")
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".tree-tools").is_visible()
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
