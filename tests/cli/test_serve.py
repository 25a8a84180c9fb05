"""`kb serve`: live-reload endpoints, rebuilds of what changed, errors that keep the last site."""

from __future__ import annotations

import io
import json
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import write_kb
from rich.console import Console

from kb.cli.server import LIVE_TAG, Rebuilder, hung_up, make_server, serve, site_path
from kb.cli.status import MAX_HELD, OPEN_FOR, State


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, Rebuilder, str, io.StringIO]]:
    """Build a small KB through the rebuilder and serve it; yield (kb, rebuilder, url, log)."""
    folder = write_kb(tmp_path)
    out = tmp_path / "site"
    state = State()
    log = io.StringIO()
    rebuilder = Rebuilder(folder, out, state, Console(file=log, width=200))
    assert rebuilder.rebuild()
    server = make_server(out, state, 0)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield folder, rebuilder, f"http://127.0.0.1:{server.server_address[1]}/", log
    server.shutdown()
    server.server_close()


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
        return response.read()


def test_pages_get_the_live_reload_script(served: tuple) -> None:
    _, _, url, _ = served
    page = get(url + "claim/scaling-works.html")
    assert page.count(LIVE_TAG) == 1
    assert LIVE_TAG in get(url)  # the folder's index.html
    assert b"location.reload" in get(url + "__kb/live.js")
    assert json.loads(get(url + "__kb/status")) == {"version": 1, "error": None, "stamp": 1}
    assert get(url + "assets/site.css").startswith(b"/*")


def test_an_edit_rebuilds_only_the_pages_that_show_it(served: tuple) -> None:
    folder, rebuilder, url, log = served
    path = folder / "sources.yaml"
    path.write_text(path.read_text("utf-8").replace("Bob Sceptic", "Robert Sceptic"), "utf-8")
    assert rebuilder.rebuild()
    assert "Robert Sceptic" in get(url + "actor/bob-sceptic.html").decode()
    assert "Robert Sceptic" in get(url + "claim/curves-bend.html").decode()
    rendered, total = map(int, log.getvalue().splitlines()[-1].split()[1:4:2])
    assert 0 < rendered < total
    assert json.loads(get(url + "__kb/status"))["version"] == 2


def test_a_yaml_error_is_reported_and_the_last_good_site_stays(served: tuple) -> None:
    folder, rebuilder, url, log = served
    before = get(url + "claim/scaling-works.html")
    (folder / "claims.yaml").write_text("claims:\n  - id: x\n\ttext: tab\n", "utf-8")
    assert not rebuilder.rebuild()
    status = json.loads(get(url + "__kb/status"))
    assert status["version"] == 1
    assert "claims.yaml:3:" in status["error"]
    assert "claims.yaml:3:" in log.getvalue()  # in the terminal too
    assert get(url + "claim/scaling-works.html") == before


def test_serve_watches_and_rebuilds_on_save(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    folder = write_kb(tmp_path)
    stop = threading.Event()
    thread = threading.Thread(target=serve, args=(folder, tmp_path / "site", 0, stop), daemon=True)
    thread.start()
    page = tmp_path / "site" / "claim" / "scaling-works.html"
    for _ in range(600):  # generous: CI machines can be busy
        if page.exists():
            break
        stop.wait(0.1)
    path = folder / "claims.yaml"
    edited = path.read_text("utf-8").replace("keeps lowering", "still lowers")
    for i in range(600):  # generous: CI machines can be busy
        if i % 30 == 0:  # saved again, in case the watcher was not watching yet
            path.write_text(edited, "utf-8")
        if "Scaling still lowers loss." in page.read_text("utf-8"):
            break
        stop.wait(0.1)
    stop.set()
    thread.join(timeout=10)
    assert "Scaling still lowers loss." in page.read_text("utf-8")
    assert "serving" in capsys.readouterr().err


def test_a_dropped_connection_prints_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A browser that resets a connection mid-answer is not an error; anything else still is."""
    server = make_server(tmp_path, State(), port=0)
    try:
        try:
            raise ConnectionResetError(104, "Connection reset by peer")
        except ConnectionResetError:
            server.handle_error(None, ("127.0.0.1", 1))
        assert capsys.readouterr().err == ""
        try:
            raise ValueError("a real fault")
        except ValueError:
            server.handle_error(None, ("127.0.0.1", 1))
        assert "ValueError: a real fault" in capsys.readouterr().err
    finally:
        server.server_close()


def test_open_pages_reload_once_the_pages_are_written_before_the_index(tmp_path: Path) -> None:
    # The reload signal comes when the edited page is on disk and the search index is still
    # the last build's; the index follows, and the signal is given once per build.
    folder, out = write_kb(tmp_path), tmp_path / "site"
    shards = out / "pagefind" / "shards.json"
    seen: list[tuple[bool, int]] = []

    class Watching(State):
        def success(self) -> None:
            page = (out / "claim" / "scaling-works.html").read_text("utf-8")
            seen.append(("Scaling lowers loss again." in page, shards.stat().st_mtime_ns))
            super().success()

    state = Watching()
    rebuilder = Rebuilder(folder, out, state, Console(file=io.StringIO()))
    assert rebuilder.rebuild()
    indexed = shards.stat().st_mtime_ns
    path = folder / "claims.yaml"
    path.write_text(
        path.read_text("utf-8").replace(
            "Scaling keeps lowering loss.", "Scaling lowers loss again."
        ),
        "utf-8",
    )
    assert rebuilder.rebuild()
    assert seen[1] == (True, indexed)
    assert shards.stat().st_mtime_ns != indexed
    assert state.version == 2


def test_pages_that_ask_for_the_status_are_rendered_first(tmp_path: Path) -> None:
    # live.js sends its page's path with every poll; the rebuild renders those pages first.
    state = State()
    server = make_server(tmp_path, state, port=0)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/__kb/status?page="
        for page in ("%2Fclaim%2Fa%2520b.html", "%2Fclaims%2F", "%2F", "%2F..%2Fx.html", "x"):
            json.loads(get(url + page))
    finally:
        server.shutdown()
        server.server_close()
    assert state.open_pages() == {"claim/a b.html", "claims/index.html", "index.html"}
    rebuilder = Rebuilder(write_kb(tmp_path / "kb"), tmp_path / "site", state, Console())
    assert rebuilder.builder.first == state.open_pages


def test_a_page_stops_counting_as_open_when_it_stops_asking() -> None:
    state = State()
    state.note("claim/a.html")
    state.asked["claim/a.html"] -= OPEN_FOR + 1
    state.note("claim/b.html")
    assert state.open_pages() == {"claim/b.html"}
    assert site_path("/claims/") == "claims/index.html" and site_path("/../etc") is None


def test_a_status_request_waits_for_the_next_build() -> None:
    # live.js sends the stamp it last saw: the answer comes when a build succeeds or fails, so
    # that the page reloads at once instead of at its next poll, and a waiting page is open.
    state = State()
    server = make_server(Path("."), state, port=0)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/__kb/status?page=%2Fclaim%2Fa.html"
    answers: list[dict[str, object]] = []

    def ask(seen: int) -> threading.Thread:
        thread = threading.Thread(
            target=lambda: answers.append(json.loads(get(f"{url}&seen={seen}")))
        )
        thread.start()
        return thread

    try:
        assert json.loads(get(url)) == {"version": 0, "error": None, "stamp": 0}
        waiting = ask(0)
        deadline = time.monotonic() + 10
        while not state.waiting:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert state.open_pages() == {"claim/a.html"} and answers == []
        state.success()
        waiting.join(10)
        assert answers == [{"version": 1, "error": None, "stamp": 1}]
        waiting = ask(1)
        state.failure("claims.yaml:3:1: error")
        waiting.join(10)
        assert answers[-1] == {"version": 1, "error": "claims.yaml:3:1: error", "stamp": 2}
        assert json.loads(get(f"{url}&seen=0")) == answers[-1]  # an old stamp: answered at once
        assert json.loads(get(f"{url}&seen=x")) == answers[-1]  # no stamp: at once too
        waiting = ask(2)
        state.close()  # the server stops: waiting requests answer
        waiting.join(10)
        assert not waiting.is_alive() and answers[-1]["stamp"] == 2
    finally:
        server.shutdown()
        server.server_close()


def test_a_waiting_status_request_answers_after_its_time() -> None:
    state = State()
    start = time.monotonic()
    answer = json.loads(state.wait(0, "claim/a.html", timeout=0.2))
    assert answer == {"version": 0, "error": None, "stamp": 0}
    assert 0.2 <= time.monotonic() - start < 5
    assert state.waiting == {} and state.open_pages() == {"claim/a.html"}


def test_a_rebuild_lets_the_open_pages_load_again_before_it_goes_on() -> None:
    # Once the open pages are written, the rest of a rebuild (other pages, the search index)
    # would take the cores from the browser loading them: it waits until each has asked again.
    state = State()
    start = time.monotonic()
    state.success()
    state.wait_for_reloads(5.0)  # no page open: nothing to wait for
    assert time.monotonic() - start < 1
    state.waiting = {"claim/a.html": 1}
    state.success()
    assert state.reloading == {"claim/a.html"}
    threading.Timer(0.2, state.note, ("claim/b.html", True)).start()  # another page: no help
    threading.Timer(0.3, state.note, ("claim/a.html",)).start()  # a poll that waited: no load
    threading.Timer(0.4, state.note, ("claim/a.html", True)).start()  # loaded again
    start = time.monotonic()
    state.wait_for_reloads(5.0)
    assert 0.35 < time.monotonic() - start < 4
    assert state.reloading == set()
    state.success()  # the page does not come back: the rebuild goes on after its wait
    start = time.monotonic()
    state.wait_for_reloads(0.3)
    assert 0.3 <= time.monotonic() - start < 4 and state.reloading == set()


def test_a_page_that_navigates_away_stops_waiting() -> None:
    # A browser leaving a page drops its waiting request: the page is then no longer open, and
    # a rebuild does not wait for it to load again (it waited its whole half second before).
    state = State()
    server = make_server(Path("."), state, port=0)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        with socket.create_connection(server.server_address[:2], timeout=5) as browser:
            page = "%2Fclaim%2Fleft.html"
            browser.sendall(f"GET /__kb/status?page={page}&seen=0 HTTP/1.1\r\n\r\n".encode())
            deadline = time.monotonic() + 5
            while not state.waiting:
                assert time.monotonic() < deadline
                time.sleep(0.01)
        left = time.monotonic()  # the connection is closed here
        while state.waiting:
            assert time.monotonic() - left < 2, state.waiting
            time.sleep(0.01)
        state.asked.clear()
        assert state.open_pages() == set()
        start = time.monotonic()
        state.success()
        state.wait_for_reloads(5.0)
        assert time.monotonic() - start < 1
    finally:
        server.shutdown()
        server.server_close()


def test_hung_up_tells_a_closed_connection_from_a_quiet_one() -> None:
    ours, theirs = socket.socketpair()
    with ours:
        assert not hung_up(ours)  # quiet, still there
        theirs.sendall(b"x")
        assert not hung_up(ours)  # more to read: still there
        assert ours.recv(1) == b"x"
        theirs.close()
        assert hung_up(ours)


def test_no_more_than_four_requests_wait_at_once() -> None:
    # A browser opens six connections to a host: pages past the fourth are told the server is
    # busy and ask again a second later, so that page loads still find a connection.
    state = State()
    threads = [
        threading.Thread(target=state.wait, args=(0, f"p{i}.html"), kwargs={"timeout": 10})
        for i in range(MAX_HELD)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 5
    while state.held < MAX_HELD:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    start = time.monotonic()
    answer = json.loads(state.wait(0, "p9.html", timeout=10))
    assert answer == {"version": 0, "error": None, "stamp": 0, "busy": True}
    assert time.monotonic() - start < 1 and "p9.html" in state.open_pages()
    state.success()
    for thread in threads:
        thread.join(5)
    assert state.held == 0 and state.waiting == {}
    assert "busy" not in json.loads(state.wait(0, "p9.html", timeout=10))  # a change: at once


def test_the_rebuilder_reloads_the_open_pages_then_waits_for_them(tmp_path: Path) -> None:
    # The builder calls this once the open pages are written: the signal to reload, then the
    # wait that keeps the rest of the rebuild from the browser's way.
    calls: list[str] = []

    class Noting(State):
        def success(self) -> None:
            calls.append("success")
            super().success()

        def wait_for_reloads(self, timeout: float = 0.5) -> None:
            calls.append("wait")
            super().wait_for_reloads(timeout)

    state = Noting()
    rebuilder = Rebuilder(write_kb(tmp_path), tmp_path / "site", state, Console(file=io.StringIO()))
    assert rebuilder.builder.on_visible == rebuilder.shown
    rebuilder.shown()
    assert calls == ["success", "wait"] and state.version == 1
