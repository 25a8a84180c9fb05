"""`kb serve`: the site on 127.0.0.1, rebuilt on save, with live reload and an error banner."""

from __future__ import annotations

import os
import select
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from rich.console import Console
from rich.markup import escape
from watchfiles import watch

from kb.build.incremental import IncrementalBuilder
from kb.build.progress import Progress
from kb.cli.problems import format_problems
from kb.cli.status import State
from kb.errors import KBError, ProblemsFound
from kb.load.files import theme_dir
from kb.load.safety import guard_output

IDLE_TIMEOUT = 30  # seconds a connection may stay silent before it is closed, freeing its thread
LISTEN_QUEUE = 128  # connections waiting to be accepted (the standard library's 5 dropped some)

HOST = "127.0.0.1"  # the author's own machine only: drafts are not published to the network
LIVE_PATH = "/__kb/live.js"
STATUS_PATH = "/__kb/status"
LIVE_TAG = b'<script src="/__kb/live.js" defer></script>'


class Handler(SimpleHTTPRequestHandler):
    """Serves the built site, adds the live-reload script to pages, answers status polls."""

    state: State

    def __init__(self, *args: Any, state: State, **kwargs: Any) -> None:
        self.state = state
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Keep the terminal for build messages."""

    def end_headers(self) -> None:
        """Forbid caching, so that a reload shows the new build."""
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    timeout = IDLE_TIMEOUT

    def do_GET(self) -> None:  # noqa: N802
        """Answer the live-reload endpoints, inject the script into HTML, else serve files."""
        try:
            self._get()
        except ValueError:  # a NUL byte in the path, say: no file has such a name
            self.send_error(HTTPStatus.NOT_FOUND)

    def do_HEAD(self) -> None:  # noqa: N802
        """Answer HEAD as the standard handler does, refusing paths no file can have."""
        try:
            super().do_HEAD()
        except ValueError:
            self.send_error(HTTPStatus.NOT_FOUND)

    def _get(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == STATUS_PATH:
            self._send(self._status(), "application/json")
            return
        if path == LIVE_PATH:
            script = (theme_dir() / "serve" / "live.js").read_bytes()
            self._send(script, "text/javascript")
            return
        local = Path(self.translate_path(path))
        if local.is_dir():
            local = local / "index.html"
        if local.suffix == ".html" and local.is_file():
            body = local.read_bytes().replace(b"</body>", LIVE_TAG + b"\n</body>", 1)
            self._send(body, "text/html; charset=utf-8")
            return
        super().do_GET()

    def _status(self) -> bytes:
        """Answer a status request: at once, or once the status moves from the stamp it saw."""
        query = parse_qs(urlsplit(self.path).query)
        page = site_path(query.get("page", [""])[0])
        seen = query.get("seen", [""])[0]
        if not (seen.isascii() and seen.isdigit()):
            self.state.note(page, loaded=True)  # a page's first question: it has just loaded
            return self.state.as_json()
        return self.state.wait(int(seen), page, gone=partial(hung_up, self.connection))

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(ThreadingHTTPServer):
    """A threading HTTP server with a listen queue long enough for a page's many requests."""

    request_queue_size = LISTEN_QUEUE
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Say nothing when a browser drops a connection; report anything else as usual."""
        # A reload or a closed tab resets connections mid-answer: not worth a traceback.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def hung_up(connection: socket.socket) -> bool:
    """Tell whether the other end closed a connection that has sent nothing more."""
    try:
        readable, _, _ = select.select([connection], [], [], 0)
        return bool(readable) and not connection.recv(1, socket.MSG_PEEK)
    except ValueError:  # a descriptor past select's limit: wait the whole time, as before
        return False
    except OSError:  # reset, or closed here
        return True


def site_path(url_path: str) -> str | None:
    """Return the site path of a page's URL path ('/' is 'index.html'); None for no page."""
    path = unquote(url_path).lstrip("/")
    if not url_path.startswith("/") or ".." in path.split("/"):
        return None
    return path + "index.html" if path == "" or path.endswith("/") else path


def make_server(out: Path, state: State, port: int = 8000) -> ThreadingHTTPServer:
    """Return an HTTP server for the site folder on 127.0.0.1 (port 0 picks a free one)."""
    handler = partial(Handler, directory=str(Path(out).resolve()), state=state)
    return Server((HOST, port), handler)


class Rebuilder:
    """Rebuilds through the incremental builder; a failure keeps the last good site."""

    def __init__(
        self,
        kb_root: Path,
        out: Path,
        state: State,
        console: Console,
        progress: Progress | None = None,
    ) -> None:
        # Open pages reload as soon as the new pages are written, before the search index and
        # the downloads of the rebuild are done; the pages open in a browser are rendered first.
        self.builder = IncrementalBuilder(
            Path(kb_root),
            Path(out),
            progress=progress,
            on_visible=self.shown,
            first=state.open_pages,
        )
        self.reports = progress is None  # no reporter: say what each rebuild did here
        self.state = state
        self.console = console

    def shown(self) -> None:
        """Reload the open pages, and let them load before the rebuild goes on."""
        self.state.success()
        self.state.wait_for_reloads()

    def rebuild(self) -> bool:
        """Build what changed; return whether the build succeeded."""
        try:
            report = self.builder.build()
        except ProblemsFound as exc:
            message = format_problems(exc.problems, "text")
            self.console.print(message, markup=False, highlight=False)
            self.console.print("[red]build failed; the last good site is still served[/]")
            self.state.failure(message)
            return False
        except (KBError, OSError, ValueError) as exc:
            self.console.print(f"[red]build failed:[/] {escape(str(exc))}", highlight=False)
            self.state.failure(str(exc))
            return False
        except Exception as exc:  # a template error must not stop the server
            self.console.print(f"[red]build failed:[/] {type(exc).__name__}: {escape(str(exc))}")
            self.state.failure(f"{type(exc).__name__}: {exc}")
            return False
        if report.repaired:
            self.console.print("files of the site were changed by hand: rebuilt it whole")
        if self.reports:
            self.console.print(
                f"rebuilt {report.rendered} of {report.pages} pages, wrote {report.written} files "
                f"in {sum(report.seconds.values()):.2f} s",
                highlight=False,
            )
        if report.visible is None:  # no page was shown early: reload now
            self.state.success()
        self.builder.memos.compile_templates()  # while the author reads: the next edit is sooner
        return True


def watched_paths(kb_root: Path) -> list[Path]:
    """Return the folders whose changes trigger a rebuild: the content and the theme."""
    return [p for p in (Path(kb_root), theme_dir()) if p.exists()]


def _identity(path: Path) -> tuple[int, int] | None:
    """Return a folder's device and inode, None when it is gone: a new folder has a new one."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def watch_and_rebuild(
    kb_root: Path,
    rebuild: Callable[[], object],
    stop: threading.Event | None = None,
    watcher: Callable[..., Iterable[set[tuple[Any, str]]]] | None = None,
    poll_ms: int = 500,
) -> None:
    """Rebuild on every change until stopped, watching the content folder again once recreated."""
    # A watch on a deleted folder never reports again, so a folder deleted and put back is watched
    # anew, and rebuilt once the new watch is armed (its first batch, at most poll_ms later): a
    # save made after a rebuild but before the watch would be missed until the next one.
    if watcher is None:
        watcher = watch
    root = os.path.abspath(kb_root)
    owed = False  # a rebuild owed since the last watch ended
    while stop is None or not stop.is_set():
        armed = _identity(Path(kb_root))
        paths = watched_paths(kb_root)
        events = watcher(
            *paths, stop_event=stop, debounce=200, rust_timeout=poll_ms, yield_on_timeout=True
        )
        try:
            for changes in events:
                gone = any(os.path.abspath(p) == root for _, p in changes)
                if gone or _identity(Path(kb_root)) != armed:
                    owed = True
                    break  # watch the folder that is there now, then rebuild
                if changes or owed:
                    owed = False
                    rebuild()
            else:
                return
        except FileNotFoundError:  # the folder went between listing and watching it
            owed = False
            rebuild()
            time.sleep(poll_ms / 1000)


def serve(
    kb_root: Path,
    out: Path,
    port: int = 8000,
    stop: threading.Event | None = None,
    progress: Progress | None = None,
) -> None:
    """Build, serve on 127.0.0.1 and rebuild on every save until interrupted."""
    guard_output(out, kb_root)  # before anything: the first build replaces the folder
    console = Console(stderr=True, highlight=False, emoji=False)
    state = State()
    rebuilder = Rebuilder(kb_root, out, state, console, progress)
    rebuilder.rebuild()
    Path(out).mkdir(parents=True, exist_ok=True)
    server = make_server(out, state, port)
    real_port = server.server_address[1]
    console.print(f"serving {Path(out).resolve()} at http://{HOST}:{real_port}/ (Ctrl-C stops)")
    # Checked ten times a second (not twice) for shutdown: Ctrl-C and tests end sooner.
    thread = threading.Thread(target=server.serve_forever, args=(0.1,), daemon=True)
    thread.start()
    try:
        watch_and_rebuild(Path(kb_root), rebuilder.rebuild, stop)
    except KeyboardInterrupt:
        pass
    finally:
        state.close()  # waiting status requests answer, so their threads end
        server.shutdown()
        server.server_close()
