"""Faults: killed builds, write errors, concurrent builds, time zones, and `kb serve` abuse."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import write_kb

from kb.cli import main
from kb.cli import server as serve
from kb.cli.status import State

KILLS = 10
EXTRA_CLAIM = """
claims:
  - id: added-later
    text: A claim added after the first build.
    rebuts: [scaling-works]
"""
ENV = {**os.environ, "NO_COLOR": "1", "PYTHONDONTWRITEBYTECODE": "1"}


def manifest(site: Path) -> dict[str, str]:
    """Return the SHA-256 of every file of a site, by relative path."""
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def pages(site: Path) -> dict[str, str]:
    """Return the manifest without Pagefind's index."""
    return {k: v for k, v in manifest(site).items() if not k.startswith("pagefind/")}


def complete(site: Path, expected: dict[str, str]) -> bool:
    """Tell whether a site holds exactly the expected pages and a search index."""
    return pages(site) == expected and (site / "pagefind" / "pagefind-entry.json").is_file()


def run_build(kb_dir: Path, out: Path, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """Run `kb build` in its own process."""
    return subprocess.run(
        [sys.executable, "-m", "kb", "build", "--kb", str(kb_dir), "--out", str(out)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**ENV, **env},
    )


def two_kbs(tmp_path: Path) -> tuple[Path, Path]:
    """Write knowledge base A and B (A plus one claim) side by side."""
    a = write_kb(tmp_path / "a")
    b = write_kb(tmp_path / "b", {"later.yaml": EXTRA_CLAIM})
    return a, b


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Build A and B once each; return their folders, page manifests and build time."""
    tmp = tmp_path_factory.mktemp("built")
    a, b = two_kbs(tmp)
    started = time.perf_counter()
    for kb_dir, name in ((a, "site-a"), (b, "site-b")):
        proc = run_build(kb_dir, tmp / name, tmp)
        assert proc.returncode == 0, proc.stderr
    seconds = (time.perf_counter() - started) / 2
    return {
        "tmp": tmp,
        "a": a,
        "b": b,
        "pages_a": pages(tmp / "site-a"),
        "pages_b": pages(tmp / "site-b"),
        "seconds": seconds,
    }


def leftovers(folder: Path, name: str) -> list[str]:
    """List the temporary folders a build left beside its target."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(f".{name}."))


def test_sigkill_never_breaks_the_previous_site(built: dict, tmp_path: Path) -> None:
    """Kill `kb build` at moments spread over a whole build: the old or the new site, whole."""
    out = tmp_path / "site"
    shutil.copytree(built["tmp"] / "site-a", out)
    rng = random.Random(8)
    # One kill in each of ten equal slices of 1.1 builds' time, at a random point of its slice:
    # every stage is hit, where twice as many kills at random moments could miss some.
    moments = [(i + rng.random()) * 1.1 / KILLS for i in range(KILLS)]
    rng.shuffle(moments)
    finished = 0
    for moment in moments:
        kb_dir = rng.choice([built["a"], built["b"]])
        proc = subprocess.Popen(
            [sys.executable, "-m", "kb", "build", "--kb", str(kb_dir), "--out", str(out)],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=ENV,
            start_new_session=True,  # the kill takes Pagefind's process with it
        )
        time.sleep(moment * built["seconds"])
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            finished += 1
        proc.wait()
        assert out.is_dir(), "the site folder is gone"
        assert complete(out, built["pages_a"]) or complete(out, built["pages_b"]), (
            "the site is neither the old one nor the new one"
        )
    proc_done = run_build(built["b"], out, tmp_path)
    assert proc_done.returncode == 0, proc_done.stderr
    assert complete(out, built["pages_b"])
    # The last build's own swapped-out site goes a moment after it returns (its forked process
    # removes it once the state is saved); the killed builds' folders, swept by it, never come back.
    gone = _wait_for(lambda: leftovers(tmp_path, "site") == [], 30)
    assert gone, f"temporary folders of killed builds remain: {leftovers(tmp_path, 'site')}"
    assert finished < KILLS, "no build was interrupted: the delays are too long"


@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.ENOSPC, "No space left on device"), (errno.EROFS, "Read-only file system")],
)
def test_write_error_keeps_the_previous_site(
    built: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    """A disk that fills up or turns read-only mid-build: a clear message, the old site kept."""
    out = tmp_path / "site"
    shutil.copytree(built["tmp"] / "site-a", out)
    before = manifest(out)
    writes = {"n": 0}
    real_write = Path.write_bytes

    def failing_write(self: Path, data: bytes) -> int:
        writes["n"] += 1
        if writes["n"] > 3:
            raise OSError(code, words, str(self))
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing_write)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "--kb", str(built["b"]), "--out", str(out)])
    assert writes["n"] > 3, "the build wrote no files through Path.write_bytes"
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exc_info
    assert words in result.output and "Traceback" not in result.output
    assert manifest(out) == before
    assert leftovers(tmp_path, "site") == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders anyway")
def test_read_only_target_folder(built: dict, tmp_path: Path) -> None:
    """A target whose folder is read-only: a clear message, the old site kept."""
    parent = tmp_path / "ro"
    out = parent / "site"
    shutil.copytree(built["tmp"] / "site-a", out)
    before = manifest(out)
    parent.chmod(0o555)
    try:
        proc = run_build(built["b"], out, tmp_path)
    finally:
        parent.chmod(0o755)
    assert proc.returncode == 1
    assert "error" in proc.stderr and "Traceback" not in proc.stderr
    assert manifest(out) == before


def test_two_builds_at_once_never_mix(built: dict, tmp_path: Path) -> None:
    """Two builds of different KBs into one target: one waits or refuses; never a mix."""
    out = tmp_path / "site"
    for round_ in range(2):  # A then B, and B then A
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "kb", "build", "--kb", str(kb_dir), "--out", str(out)],
                cwd=tmp_path,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=ENV,
            )
            for kb_dir in (built["a"], built["b"])[:: 1 if round_ % 2 else -1]
        ]
        results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
        for p in procs:
            for stream in (p.stdout, p.stderr):
                if stream:
                    stream.close()
        assert any(code == 0 for code, _ in results), results
        for code, err in results:
            assert code in (0, 1), err
            assert "Traceback" not in err, err
        assert complete(out, built["pages_a"]) or complete(out, built["pages_b"])
    # Each build's swapped-out site goes a moment after it returns (removed by its forked process).
    assert _wait_for(lambda: leftovers(tmp_path, "site") == [], 30), leftovers(tmp_path, "site")


def test_failed_build_leaves_the_site(built: dict, tmp_path: Path) -> None:
    """A build of an invalid KB reports its errors and leaves the previous site alone."""
    out = tmp_path / "site"
    shutil.copytree(built["tmp"] / "site-a", out)
    before = manifest(out)
    broken = write_kb(tmp_path / "broken", {"bad.yaml": "claims:\n  - id: a\n\ttext: T\n"})
    proc = run_build(broken, out, tmp_path)
    assert proc.returncode == 1
    assert "KB001" in proc.stdout + proc.stderr and "Traceback" not in proc.stderr
    assert manifest(out) == before


def _git_kb(root: Path) -> Path:
    """Write KB A into a git repository with commits just before and after midnight UTC."""
    kb_dir = write_kb(root)
    git = ["git", "-C", str(root), "-c", "user.name=T", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    for i, stamp in enumerate(("2024-03-09T23:50:00+00:00", "2024-03-10T00:10:00+00:00")):
        (kb_dir / f"extra-{i}.yaml").write_text(
            f"claims:\n  - id: extra-{i}\n    text: Extra claim {i}.\n", encoding="utf-8"
        )
        subprocess.run([*git, "add", "-A"], check=True)
        env = {**ENV, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        subprocess.run([*git, "commit", "-q", "-m", f"c{i}"], check=True, env=env)
    return kb_dir


def test_builds_are_byte_identical_across_runs_folders_and_time_zones(tmp_path: Path) -> None:
    """The same KB built twice, from two folders, under far-apart time zones: the same bytes."""
    first = _git_kb(tmp_path / "one")
    shutil.copytree(tmp_path / "one", tmp_path / "two", symlinks=True)
    second = tmp_path / "two" / "claims"
    runs = [
        (first, "s1", {"TZ": "UTC"}),
        (first, "s2", {"TZ": "Pacific/Kiritimati", "LC_ALL": "C"}),
        (second, "s3", {"TZ": "America/Adak", "LANG": "de_DE.UTF-8"}),
    ]
    for kb_dir, out, env in runs:
        proc = run_build(kb_dir, tmp_path / out, kb_dir.parent, **env)
        assert proc.returncode == 0, proc.stderr
    reference = manifest(tmp_path / "s1")
    assert len(reference) > 10 and any(k.startswith("pagefind/") for k in reference)
    for _, out, _ in runs[1:]:
        other = manifest(tmp_path / out)
        differing = sorted(
            k for k in reference.keys() | other.keys() if reference.get(k) != other.get(k)
        )
        assert not differing, f"{out} differs in {differing[:10]}"


def test_search_index_is_byte_identical(built: dict, tmp_path: Path) -> None:
    """Pagefind's index, too, is the same for the same site."""
    proc = run_build(built["a"], tmp_path / "again", tmp_path)
    assert proc.returncode == 0, proc.stderr
    first = {
        k: v for k, v in manifest(built["tmp"] / "site-a").items() if k.startswith("pagefind/")
    }
    again = {k: v for k, v in manifest(tmp_path / "again").items() if k.startswith("pagefind/")}
    assert first == again


# kb serve ------------------------------------------------------------------------------------


def _free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    """Fetch a URL; return its status and text."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def _wait_for(predicate: Callable[[], bool], seconds: float = 30.0) -> bool:
    """Poll a condition until it holds or the time is up."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def test_serve_survives_bad_saves_deletions_and_storms(tmp_path: Path) -> None:
    """`kb serve` keeps serving through invalid saves, deletions and save storms, then recovers."""
    kb_dir = write_kb(tmp_path)
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kb",
            "serve",
            "--kb",
            str(kb_dir),
            "--port",
            str(port),
            "--out",
            str(tmp_path / "site"),
        ],
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=ENV,
        start_new_session=True,
    )
    claims = kb_dir / "claims.yaml"
    good = claims.read_text(encoding="utf-8")

    def alive_and_serving() -> bool:
        return proc.poll() is None and _get(base + "index.html")[0] == 200

    def shows(word: str) -> bool:
        return word in _get(base + "claims.html")[1]

    def rebuilds() -> int:
        """Count the rebuilds the server has reported, failed or done."""
        text = (tmp_path / "serve.log").read_text(encoding="utf-8", errors="replace")
        return text.count("build failed") + text.count("\nrebuilt ")

    def rebuilt_after(change: Callable[[], object]) -> None:
        """Make a change and wait until the server has reported a rebuild since."""
        before = rebuilds()
        change()
        assert _wait_for(lambda: rebuilds() > before, 30), (tmp_path / "serve.log").read_text()

    def settled() -> bool:
        """Tell whether no rebuild was reported for a second: the storm's last one is done."""
        before = rebuilds()
        time.sleep(1)
        return rebuilds() == before

    try:
        assert _wait_for(alive_and_serving, 60), (tmp_path / "serve.log").read_text()
        # An invalid save: still serving the last good site.
        rebuilt_after(lambda: claims.write_text(good + "\n  - id: broken\n\ttext: tab\n"))
        assert alive_and_serving() and shows("Scaling keeps lowering loss")
        # Binary junk and an empty file.
        rebuilt_after(lambda: claims.write_bytes(b"\x00\xff" * 100))
        rebuilt_after(lambda: claims.write_text("", encoding="utf-8"))
        assert alive_and_serving()
        # A deleted file and a deleted folder's worth of files.
        rebuilt_after(lambda: (claims.unlink(), (kb_dir / "grounds.yaml").unlink()))
        assert alive_and_serving()
        # A storm of saves, alternating good and bad.
        for i in range(60):
            text = good.replace("Scaling keeps lowering loss.", f"Storm {i}.")
            claims.write_text(text if i % 2 else text + "\t:\n", encoding="utf-8")
            time.sleep(0.01)
        assert _wait_for(settled, 60), (tmp_path / "serve.log").read_text()
        assert alive_and_serving()
        # The whole content folder moved away, then back.
        rebuilt_after(lambda: kb_dir.rename(tmp_path / "away"))
        assert alive_and_serving()
        rebuilt_after(lambda: (tmp_path / "away").rename(kb_dir))
        # Fixed: the site catches up.
        claims.write_text(good.replace("Scaling keeps lowering loss.", "Recovered claim."))
        (kb_dir / "grounds.yaml").write_text("stances: []\n", encoding="utf-8")
        assert _wait_for(lambda: shows("Recovered claim"), 30), (tmp_path / "serve.log").read_text()
        assert proc.poll() is None
        assert "Traceback" not in (tmp_path / "serve.log").read_text()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


def test_manifest_helper_sees_every_file(tmp_path: Path) -> None:
    """The manifest used above lists nested files and nothing else."""
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "c.txt").write_text("x")
    assert list(manifest(tmp_path)) == ["a/b/c.txt"]
    assert json.dumps(manifest(tmp_path))


@pytest.mark.parametrize("error", [OSError(5, "bad [/x] disk"), KeyError("[/b] key")])
def test_serve_reports_errors_that_look_like_markup(error: Exception) -> None:
    """A build error whose text looks like rich markup is shown, not fatal to the server."""
    import io

    from rich.console import Console

    class Failing:
        def build(self) -> None:
            """Fail the way a disk or a template does."""
            raise error

    rebuilder = serve.Rebuilder.__new__(serve.Rebuilder)  # no builder: the failure is staged
    rebuilder.builder, rebuilder.state = Failing(), State()
    rebuilder.console = Console(file=io.StringIO())
    assert rebuilder.rebuild() is False
    assert "[/" in (rebuilder.state.error or "")
    assert "[/" in rebuilder.console.file.getvalue()


REAL_FS_SCRIPT = r"""
set -u
mount -t tmpfs -o size="$SIZE" tmpfs "$DIR" || exit 99
cp -a "$SITE" "$DIR/site"
"$PY" -m kb build --kb "$KB" --out "$DIR/site" >"$LOGS/full.out" 2>"$LOGS/full.err"
echo $? >"$LOGS/full.rc"
(cd "$DIR/site" && find . -type f -exec sha256sum {} + | sort -k2) >"$LOGS/full.sums"
ls -a "$DIR" >"$LOGS/full.ls"
mount -o remount,ro "$DIR" || exit 98
"$PY" -m kb build --kb "$KB" --out "$DIR/site" >"$LOGS/ro.out" 2>"$LOGS/ro.err"
echo $? >"$LOGS/ro.rc"
(cd "$DIR/site" && find . -type f -exec sha256sum {} + | sort -k2) >"$LOGS/ro.sums"
"""


def _sums(site: Path) -> str:
    """Return `sha256sum`-style lines for every file of a site, as the mount script writes them."""
    return "".join(
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}  ./{k}\n"
        for k, p in sorted((p.relative_to(site).as_posix(), p) for p in site.rglob("*"))
        if p.is_file()
    )


def test_real_full_disk_and_read_only_filesystem(built: dict, tmp_path: Path) -> None:
    """On a real tmpfs that fills up, then turns read-only: clear errors, the old site intact."""
    if not shutil.which("unshare"):
        pytest.skip("unshare is not available")
    site_a = built["tmp"] / "site-a"
    # What the old site takes on tmpfs, in whole pages per file and folder.
    size = sum((p.stat().st_size // 4096 + 1) * 4096 for p in site_a.rglob("*"))
    logs, mount_dir = tmp_path / "logs", tmp_path / "mnt"
    logs.mkdir()
    mount_dir.mkdir()
    env = {
        **ENV,
        "SIZE": str(size * 5 // 4 + 64 * 1024),  # the old site fits, the old and the new do not
        "DIR": str(mount_dir),
        "SITE": str(site_a),
        "KB": str(built["b"]),
        "PY": sys.executable,
        "LOGS": str(logs),
    }
    proc = subprocess.run(
        ["unshare", "-Urm", "sh", "-c", REAL_FS_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if proc.returncode in (98, 99) or not (logs / "full.rc").exists():
        pytest.skip(f"cannot mount a private tmpfs here: {proc.stderr.strip()[:200]}")
    expected = _sums(site_a)
    for step, words in (("full", "No space left on device"), ("ro", "Read-only file system")):
        rc = (logs / f"{step}.rc").read_text().strip()
        err = (logs / f"{step}.err").read_text() + (logs / f"{step}.out").read_text()
        assert rc == "1", (step, rc, err[-2000:])
        assert words in err and "Traceback" not in err, err[-2000:]
        assert (logs / f"{step}.sums").read_text() == expected, f"{step}: the old site changed"
    assert [n for n in (logs / "full.ls").read_text().split() if n not in (".", "..")] == ["site"]
