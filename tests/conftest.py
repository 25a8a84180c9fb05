"""Shared fixtures: the real content's site built once per session, served over local http."""

from __future__ import annotations

import functools
import tempfile
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent


class QuietHandler(SimpleHTTPRequestHandler):
    """A static file handler that keeps the test output clean."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Say nothing."""


@pytest.fixture(scope="session", autouse=True)
def _own_caches_and_temp_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep this run's per-user cache and temporary files apart from every other process's."""
    with pytest.MonkeyPatch.context() as patch:
        temp = tmp_path_factory.mktemp("temp")
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))
        patch.setenv("TMPDIR", str(temp))  # for the processes tests start
        patch.setattr(tempfile, "tempdir", str(temp))  # what tempfile.gettempdir() returns here
        yield


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
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sub/site/"
    server.shutdown()
    server.server_close()
