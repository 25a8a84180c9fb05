"""Shared fixtures: the real content's site built once per session, served over local http."""

from __future__ import annotations

import functools
import os
import tempfile
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from helpers import CHROMIUM, CHROMIUM_ARGS

REPO = Path(__file__).resolve().parent.parent


class QuietHandler(SimpleHTTPRequestHandler):
    """A static file handler that keeps the test output clean."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Say nothing."""


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Run one worker more than there are cores: a quarter of the suite waits on browsers."""
    # On two cores, two workers kept them busy 1.5 of 2 on average: 205 s wall for 303 s of CPU.
    return (os.cpu_count() or 1) + 1


@pytest.fixture(scope="session", autouse=True)
def _own_caches_and_temp_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep this run's per-user cache and temporary files apart from every other process's."""
    with pytest.MonkeyPatch.context() as patch:
        temp = tmp_path_factory.mktemp("temp")
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))
        patch.setenv("TMPDIR", str(temp))  # for the processes tests start
        patch.setattr(tempfile, "tempdir", str(temp))  # what tempfile.gettempdir() returns here
        yield


@pytest.fixture
def separate_builds(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Keep `kb build` from the user cache, and give the test a temporary folder of its own."""
    # A fresh build is the reference these tests compare with, and other processes' builds
    # must never show in the temporary folders they look at.
    monkeypatch.setenv("KB_CACHE", "0")
    folder = tmp_path_factory.mktemp("tmp")
    monkeypatch.setattr(tempfile, "tempdir", str(folder))  # what tempfile.gettempdir() returns
    monkeypatch.setenv("TMPDIR", str(folder))  # and what processes started here use
    return folder


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the bundled content once per session; return the site folder."""
    from kb.build import build

    # The site sits in a sub-folder, so serving its parent tests hosting under a sub-path.
    out = tmp_path_factory.mktemp("real") / "sub" / "site"
    build(REPO / "claims", out)
    return out


@pytest.fixture(scope="session")
def site_url(real_site: Path) -> Iterator[str]:
    """Serve the real site's parent on 127.0.0.1; return the site's address (a sub-path)."""
    handler = functools.partial(QuietHandler, directory=str(real_site.parent.parent))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sub/site/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Launch the system Chromium for one test module, headless; skip without it, except in CI.

    Per module, not per session: Playwright's sync API runs an event loop while it is open, and
    other modules' tests (builds, their own Chromium) must not run inside it."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("/usr/bin/chromium is missing: CI must run the browser tests")
        pytest.skip("/usr/bin/chromium is missing")
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def kb() -> Any:
    """Return the bundled content, loaded and checked once."""
    from kb.check.entry import load_kb

    return load_kb(REPO / "claims")
