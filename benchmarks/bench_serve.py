"""Time an edit in `kb serve` as a reader sees it: from the file saved to the open page showing it.

Starts `kb serve` on a copy of FOLDER, opens a claim's page in Chromium (as an author keeps the
page they edit open), rewrites that claim's statement and measures how long until the page in the
browser shows the new text: the watcher, the rebuild up to that page, and live reload together.

Run: python benchmarks/bench_serve.py FOLDER [--edits 5] [--code CHECKOUT]
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

CHROMIUM = "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _lines(stream: object, into: queue.Queue[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        into.put(line)


def _wait_for(lines: queue.Queue[str], needle: str, timeout: float) -> str:
    """Return the first line of the server's output that contains needle."""
    end = time.monotonic() + timeout
    while True:
        line = lines.get(timeout=max(0.01, end - time.monotonic()))
        if needle in line:
            return line


def _shows(page: object, text: str) -> bool:
    try:
        return text in page.inner_text("h1")  # type: ignore[attr-defined]
    except Exception:  # mid-reload: the old document is gone, the new one not yet there
        return False


def _status(port: int, seen: int | None = None) -> dict[str, object]:
    """Return kb serve's status; with seen, once its stamp moves on (as live.js waits)."""
    url = f"http://127.0.0.1:{port}/__kb/status" + ("" if seen is None else f"?seen={seen}")
    with urllib.request.urlopen(url, timeout=60) as answer:  # noqa: S310 - loopback only
        status: dict[str, object] = json.load(answer)
        return status


def _ready(port: int, out: list[float]) -> None:
    """Note when kb serve tells pages to reload: the open page is written then."""
    first = _status(port)
    if "stamp" not in first:  # a kb serve whose pages poll: ask every 20 ms
        while _status(port)["version"] == first["version"]:
            time.sleep(0.02)
    else:
        stamp = int(str(first["stamp"]))
        while int(str(_status(port, stamp)["stamp"])) == stamp:  # waited its longest: again
            pass
    out.append(time.perf_counter())


def run(folder: Path, edits: int, code: Path = HERE.parent) -> list[float]:
    """Serve a copy of folder, edit `edits` claims, return the seconds until each was shown."""
    from playwright.sync_api import sync_playwright
    from realistic import _claim_ids, edit_statement

    work = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    kb = work / "kb"
    shutil.copytree(folder, kb)
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(code)}  # the kb package of this checkout, or code's
    server = subprocess.Popen(
        [sys.executable, "-m", "kb", "serve", "--kb", str(kb), "--out", str(work / "site")]
        + ["--port", str(port)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=code,  # `python -m` looks in the working folder first
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(server.stderr, lines), daemon=True).start()
    shown: list[float] = []
    try:
        start = time.perf_counter()
        _wait_for(lines, "serving", 1800)
        print(f"first build and serving: {time.perf_counter() - start:.1f} s")
        claims = _claim_ids(kb)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox"], headless=True
            )
            page = browser.new_page()
            for i in range(edits):
                index = 1 + 37 * i
                cid = claims[index % len(claims)][1]
                page.goto(f"http://127.0.0.1:{port}/claim/{cid}.html")
                time.sleep(1.0)  # the page has asked for the status: it counts as open
                text = f"An edited statement ({i}-{time.time():.0f}): scaling holds."
                ready: list[float] = []
                poller = threading.Thread(target=_ready, args=(port, ready))
                poller.start()
                # Waiting on the browser's events, not polling it: polls would take the cores
                # the rebuild needs.
                with page.expect_event("domcontentloaded", timeout=60_000):
                    edit_statement(kb, index, text)
                    saved = time.perf_counter()
                while not _shows(page, text):  # reloaded before the page was written: again
                    page.wait_for_event("domcontentloaded", timeout=60_000)
                shown.append(time.perf_counter() - saved)
                poller.join()
                summary = _wait_for(lines, "rebuilt", 120).strip()
                print(
                    f"edit {i}: reload signalled {ready[0] - saved:.3f} s, shown {shown[-1]:.3f} s "
                    f"after the save; {summary}"
                )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    return shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument(
        "--code", type=Path, default=HERE.parent, help="a checkout whose kb serve to time"
    )
    args = parser.parse_args()
    shown = run(args.folder, args.edits, args.code.resolve())
    print(
        f"save to shown, {len(shown)} edits: median {statistics.median(shown):.3f} s, "
        f"range {min(shown):.3f}-{max(shown):.3f} s (load {os.getloadavg()[0]:.1f})"
    )


if __name__ == "__main__":
    main()
