"""Attacks from outside (issue 13): each test reproduces one and checks that it now fails safely."""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import write_kb
from rich.console import Console

from kb.cli import main
from kb.errors import ProblemsFound
from kb.formats.imports import Batch, read_aif, read_kialo
from kb.load.safety import output_problem

SECRET = "TOP-SECRET-TOKEN-4711"


def run(*args: str, cwd: Path | None = None) -> object:
    """Invoke the CLI (in cwd when given); never let an exception escape as a traceback."""
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(main, list(args))
    finally:
        os.chdir(old)


def refused(result: object, code: str) -> str:
    """Assert a located refusal with a code and a hint; return the output."""
    text = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 1, text  # type: ignore[attr-defined]
    exc = result.exception  # type: ignore[attr-defined]
    assert exc is None or isinstance(exc, SystemExit), text
    lines = [line for line in text.splitlines() if f" error {code}: " in line]
    assert lines and all(line.endswith(")") for line in lines), text  # each with its hint
    assert "Traceback" not in text
    return text


def tree(folder: Path) -> dict[str, bytes]:
    """Return every file below folder with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# 1. One guard for every command that writes a site ----------------------------------------------

COMMANDS = ("build", "serve")


def _targets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[Path, Path]]:
    """Return (kb, out) for each dangerous target, with a file that must survive."""
    project = tmp_path / "project"
    kb = write_kb(project)
    (project / ".git").mkdir()
    (project / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (project / "notes.txt").write_text("my notes\n")
    home = tmp_path / "home"
    (home / "documents").mkdir(parents=True)
    (home / "documents" / "letter.txt").write_text("dear\n")
    monkeypatch.setenv("HOME", str(home))
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("chapter one\n")
    return {
        "content folder": (kb, kb),
        "project root with .git": (kb, project),
        "home folder": (kb, home),
        "parent of the content folder": (kb, project.parent),
        "file-system root": (kb, Path("/")),
        "non-empty foreign folder": (kb, foreign),
        "inside the content folder": (kb, kb / "site"),
    }


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    "target",
    [
        "content folder",
        "project root with .git",
        "home folder",
        "parent of the content folder",
        "file-system root",
        "non-empty foreign folder",
        "inside the content folder",
    ],
)
def test_serve_out_x_no_longer_empties_x(
    command: str, target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`kb serve --out X` and `kb build --out X` refuse the same dangerous targets, losing nothing."""
    kb, out = _targets(tmp_path, monkeypatch)[target]
    before = tree(tmp_path)
    args = [command, "--kb", str(kb), "--out", str(out)]
    if command == "serve":
        args += ["--port", "0"]
    text = refused(run(*args), "KB701")
    assert str(out.resolve()) in text or os.path.relpath(out.resolve()) in text
    assert tree(tmp_path) == before  # not one file written or removed


def test_the_guard_accepts_new_empty_and_own_folders(tmp_path: Path) -> None:
    kb = write_kb(tmp_path)
    assert output_problem(tmp_path / "new", kb) is None
    (tmp_path / "empty").mkdir()
    assert output_problem(tmp_path / "empty", kb) is None
    assert output_problem(kb / "_site", kb) is None  # the loader skips '_' folders
    own = tmp_path / "own"
    own.mkdir()
    (own / ".kb-site").write_text("debate-kb site\n")
    (own / "index.html").write_text("old\n")
    assert output_problem(own, kb) is None


def test_serve_refuses_before_building(tmp_path: Path) -> None:
    """The Python entry point of serve goes through the guard too (no thread, no server)."""
    from kb.cli.server import serve

    kb = write_kb(tmp_path)
    with pytest.raises(ProblemsFound) as caught:
        serve(kb, kb, port=0, stop=threading.Event())
    assert caught.value.problems[0].code == "KB701"
    assert len(list(kb.glob("*.yaml"))) == 4


# 2. Symlinks in the content folder's theme and settings ------------------------------------------


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "id_rsa"
    path.parent.mkdir()
    path.write_text(f"-----BEGIN KEY----- {SECRET}\n")
    return path


@pytest.mark.parametrize(
    "link",
    ["site/assets/key.txt", "site/assets/sub/key.css", "site/templates/_footer.html", "kb.yaml"],
)
def test_symlinked_overrides_no_longer_publish_secrets(
    link: str, tmp_path: Path, secret: Path
) -> None:
    kb = write_kb(tmp_path)
    path = kb / link
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(secret)
    text = refused(run("check", "--kb", str(kb)), "KB009")
    assert f"{link}:1:1: error KB009" in text.replace(str(kb) + "/", "").replace("claims/", "")
    out = tmp_path / "site"
    refused(run("build", "--kb", str(kb), "--out", str(out)), "KB009")
    assert not out.exists() or SECRET not in str(tree(out))


@pytest.mark.parametrize("linked", ["site/assets", "site/templates", "site"])
def test_a_linked_theme_folder_leading_out_is_refused(
    linked: str, tmp_path: Path, secret: Path
) -> None:
    kb = write_kb(tmp_path)
    outside = secret.parent
    for sub in ("assets", "templates"):
        (outside / sub).mkdir()
        (outside / sub / "_footer.html").write_text(SECRET)
    target = outside / linked.removeprefix("site").strip("/") if linked != "site" else outside
    (kb / linked).parent.mkdir(parents=True, exist_ok=True)
    (kb / linked).symlink_to(target, target_is_directory=True)
    refused(run("check", "--kb", str(kb)), "KB009")
    out = tmp_path / "out"
    refused(run("build", "--kb", str(kb), "--out", str(out)), "KB009")
    assert not out.exists()


def test_links_inside_the_content_folder_are_fine(tmp_path: Path) -> None:
    kb = write_kb(tmp_path)
    (kb / "site" / "assets").mkdir(parents=True)
    (kb / "style.css.txt").write_text(":root { --accent: teal; }\n")
    (kb / "site" / "assets" / "extra.css").symlink_to(kb / "style.css.txt")
    result = run("check", "--kb", str(kb))
    assert result.exit_code == 0, result.output


def test_the_template_loader_refuses_a_link_out_even_unchecked(
    tmp_path: Path, secret: Path
) -> None:
    from jinja2.sandbox import SecurityError

    from kb.site.env import make_env

    kb = write_kb(tmp_path)
    templates = kb / "site" / "templates"
    templates.mkdir(parents=True)
    (templates / "_footer.html").symlink_to(secret)
    with pytest.raises(SecurityError):
        make_env(templates, within=kb).get_template("_footer.html")


# 3. base_scores ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "1e308", "-5", "1.5"])
def test_base_scores_nan_inf_or_out_of_range_are_located_errors(value: str, tmp_path: Path) -> None:
    kb = write_kb(tmp_path)
    (kb / "kb.yaml").write_text(f"title: T\nbase_scores:\n  scaling-works: {value}\n")
    text = refused(run("check", "--kb", str(kb)), "KB102")
    assert "kb.yaml:3:18: error KB102" in text


def test_base_scores_within_zero_and_one_pass(tmp_path: Path) -> None:
    kb = write_kb(tmp_path)
    (kb / "kb.yaml").write_text("base_scores:\n  scaling-works: 0.25\n  curves-bend: 1\n")
    assert run("check", "--kb", str(kb)).exit_code == 0


# 4. kb serve after the content folder is deleted and put back ------------------------------------


def test_serve_rearms_its_watch_when_the_folder_is_deleted_and_restored(tmp_path: Path) -> None:
    """A scripted watcher: deletion, restoration, then an edit must each rebuild."""
    from watchfiles import Change

    from kb.cli.server import watch_and_rebuild

    kb = write_kb(tmp_path)
    backup = tmp_path / "backup"
    shutil.copytree(kb, backup)
    stop = threading.Event()
    calls: list[tuple[str, ...]] = []
    rebuilds: list[bool] = []

    def watcher(*paths: Path, **_: object):
        calls.append(tuple(str(p) for p in paths))
        if len(calls) == 1:
            shutil.rmtree(kb)  # rm -rf claims
            yield {(Change.deleted, str(kb))}
        elif len(calls) == 2:
            yield set()  # the watch's time is up with the folder still gone
            shutil.copytree(backup, kb)  # git checkout claims: a new folder, unwatched
            yield set()
        else:
            yield {(Change.modified, str(kb / "claims.yaml"))}
            stop.set()

    watch_and_rebuild(kb, lambda: rebuilds.append(kb.is_dir()), stop, watcher=watcher)
    # The deletion shows once the rest is watched; the restored folder and its edit, once it is
    # watched again, in one rebuild.
    assert rebuilds == [False, True]
    assert str(kb) not in calls[1]  # while it is gone, the rest is watched
    assert str(kb) in calls[2]  # watched again once it is back


def test_serve_rebuilds_a_moved_folder_only_once_it_is_watched_again(tmp_path: Path) -> None:
    """A save made right after the rebuild that follows a move is never missed."""
    from kb.cli.server import watch_and_rebuild

    kb = write_kb(tmp_path)
    stop = threading.Event()
    log: list[str] = []

    def watcher(*paths: Path, **_: object):
        log.append("armed")  # a watch reports what changes from here on
        if log.count("armed") == 1:
            kb.rename(tmp_path / "away")  # mv claims away && mv away claims: another folder's
            (tmp_path / "away").rename(kb)  # watch, though the path is the same
            shutil.copytree(kb, tmp_path / "copy")
            shutil.rmtree(kb)
            (tmp_path / "copy").rename(kb)
            yield set()
        else:
            yield set()  # the new watch's first batch: nothing saved since it was armed
            stop.set()

    watch_and_rebuild(kb, lambda: log.append("rebuild"), stop, watcher=watcher)
    # Rebuilt after the new watch was armed: a save between the rebuild and the watch would have
    # shown in neither.
    assert log == ["armed", "armed", "rebuild"]


def test_serve_picks_up_a_restored_folder_for_real(tmp_path: Path) -> None:
    """The same through watchfiles and the builder: a later edit reaches the page."""
    from kb.cli.server import serve

    kb = write_kb(tmp_path)
    backup = tmp_path / "backup"
    shutil.copytree(kb, backup)
    out = tmp_path / "site"
    stop = threading.Event()
    thread = threading.Thread(target=serve, args=(kb, out, 0, stop), daemon=True)
    thread.start()
    page = out / "claim" / "scaling-works.html"

    def wait_for(predicate, seconds: float = 60) -> bool:  # noqa: ANN001
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.1)
        return False

    try:
        assert wait_for(page.is_file)
        time.sleep(0.5)  # the watch starts after the first build
        shutil.rmtree(kb)
        time.sleep(1.0)
        shutil.copytree(backup, kb)
        time.sleep(1.5)  # the re-armed watch
        claims = kb / "claims.yaml"
        claims.write_text(claims.read_text().replace("Scaling keeps", "Scaling still keeps"))
        assert wait_for(lambda: "Scaling still keeps" in page.read_text("utf-8"))
    finally:
        stop.set()
        thread.join(30)


# 5. Imports in linear time -----------------------------------------------------------------------


def test_aif_nodes_with_the_same_text_are_numbered_in_linear_time() -> None:
    """20,000 I-nodes of one text took 54-97 s; each new ID no longer counts up from 2."""
    nodes = [{"nodeID": str(i), "type": "I", "text": "The same claim."} for i in range(20_000)]
    batch = Batch("dup.json", set())
    start = time.perf_counter()
    read_aif({"nodes": nodes, "edges": []}, "dup.json", batch)
    seconds = time.perf_counter() - start
    ids = [c["id"] for c in batch.records["claims"]]
    assert ids[:3] == ["the-same-claim", "the-same-claim-2", "the-same-claim-3"]
    assert ids[-1] == "the-same-claim-20000" and len(set(ids)) == 20_000
    assert seconds < 10, seconds


def test_a_kialo_line_of_brackets_reads_in_linear_time() -> None:
    """60 KB of '[' took 22-44 s (regex backtracking)."""
    text = "1. " + "[" * 60_000 + "\n1.1. Pro: " + "[a](" * 4_000 + "\n"
    batch = Batch("brackets.txt", set())
    start = time.perf_counter()
    read_kialo(text, "brackets.txt", batch)
    assert time.perf_counter() - start < 5
    assert [c["text"][:8] for c in batch.records["claims"]] == ["[a]([a]("]  # the first: too long
    assert "at most 20000 characters" in str(batch.skipped[0])


def test_kialo_links_keep_their_order_and_text() -> None:
    one, two = "[one](https://a.example/x)", "[two](https://b.example/)"
    batch = Batch("links.txt", set())
    read_kialo(f"1. See {two} and {one} and {two}\n", "links.txt", batch)
    claim = batch.records["claims"][0]
    assert claim["text"] == "See two and one and two"
    assert claim["notes"] == f"Sources: {two}, {one}"


# 6. Cached builds equal fresh builds, whatever was done to the folder ---------------------------


@pytest.mark.parametrize("atomic", [True, False])
def test_hand_edited_and_stray_files_do_not_survive_a_cached_build(
    atomic: bool, tmp_path: Path
) -> None:
    from kb.build.incremental import IncrementalBuilder

    kb = write_kb(tmp_path)
    out, cache = tmp_path / "site", tmp_path / "cache"

    def build() -> object:
        builder = IncrementalBuilder(
            kb, out, search=False, use_git=False, jobs=1, cache_dir=cache, atomic=atomic
        )
        return builder.build()

    build()
    fresh_out = tmp_path / "fresh"
    IncrementalBuilder(kb, fresh_out, search=False, use_git=False, jobs=1).build()
    fresh = tree(fresh_out)
    assert tree(out) == fresh
    page = out / "claim" / "scaling-works.html"
    page.write_text("<p>defaced</p>")
    (out / "CNAME").write_text("evil.example\n")
    (out / "claim" / "stray.html").write_text("<p>stray</p>")
    (out / "claims.html").unlink()
    report = build()
    assert report.repaired and report.full
    assert tree(out) == fresh
    assert not build().repaired  # an untouched site is rebuilt incrementally again


# 7. Malformed imports are located errors, never tracebacks ---------------------------------------

MALFORMED = {
    "aif-5000-digit-id.json": '{"nodes": [{"nodeID": ' + "9" * 5000 + ', "type": "I"}]}',
    "aif-deep.json": '{"nodes": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "aif-participants.json": json.dumps(
        {"nodes": [{"nodeID": "1", "type": "I", "text": "A claim."}], "participants": 5}
    ),
    "argdown-statement.json": json.dumps({"statements": {"a": 5}}),
    "argdown-arguments.json": json.dumps({"statements": {}, "arguments": [1, 2]}),
    "argdown-relations.json": json.dumps({"statements": {}, "relations": 5}),
    "argdown-members.json": json.dumps({"statements": {"a": {"members": 5}}}),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_import_prints_no_traceback(name: str, tmp_path: Path) -> None:
    kb = write_kb(tmp_path)
    path = tmp_path / name
    path.write_text(MALFORMED[name])
    fmt = "argdown" if name.startswith("argdown") else "aif"
    result = run("import", "--kb", str(kb), fmt, str(path))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    if name == "aif-participants.json":  # the list is optional: reported, the rest imported
        assert result.exit_code == 0 and "participants" in result.output
    else:
        assert result.exit_code == 2 and name in result.output
        assert not (kb / "imported").exists()


# 8. kb new: --set id, bad --set values, IDs with a newline ---------------------------------------


def test_new_set_id_is_checked_like_id(tmp_path: Path) -> None:
    kb = write_kb(tmp_path)
    result = run("new", "--kb", str(kb), "claim", "Text.", "--set", "id=scaling-works")
    assert result.exit_code == 2 and "already taken" in result.output
    assert not (kb / "claims" / "scaling-works.yaml").exists()


def test_new_bad_set_value_is_a_usage_error(tmp_path: Path) -> None:
    kb = write_kb(tmp_path)
    result = run("new", "--kb", str(kb), "claim", "Text.", "--set", "kind=bogus")
    assert result.exit_code == 2 and "--set kind" in result.output
    assert "Traceback" not in result.output and "ValidationError" not in result.output


def test_new_id_with_a_trailing_newline_is_refused(tmp_path: Path) -> None:
    kb = write_kb(tmp_path)
    result = run("new", "--kb", str(kb), "claim", "Text.", "--id", "abc\n")
    assert result.exit_code == 2 and "not a valid ID" in result.output
    assert not list(kb.rglob("abc*"))


# 9. Control characters ---------------------------------------------------------------------------

ESC = "\x1b[2J\x1b]8;;http://evil.example\x1b\\all checks passed\x1b]8;;\x1b\\"


def test_control_characters_in_yaml_text_are_located_errors(tmp_path: Path) -> None:
    kb = write_kb(tmp_path)
    (kb / "evil.yaml").write_text('claims:\n  - id: evil\n    text: "x \\e[2J y"\n')
    text = refused(run("check", "--kb", str(kb)), "KB012")
    assert "evil.yaml:3:11: error KB012" in text and "\x1b" not in text


def test_emoji_codes_in_an_authors_text_are_printed_as_written(tmp_path: Path) -> None:
    """Rich's ":name:" codes in a claim are text: `kb check` and `kb show` print them verbatim."""
    kb = write_kb(tmp_path)
    (kb / "emoji.yaml").write_text(
        'claims:\n  - id: emoji-claim\n    text: "TODO :thumbs_up: write this"\n'
        "    rebuts: [scaling-works]\n",
        encoding="utf-8",
    )
    checked = run("check", "--kb", str(kb)).output  # type: ignore[attr-defined]
    assert "placeholder text 'TODO :thumbs_up: write this'" in checked, checked
    assert "\N{THUMBS UP SIGN}" not in checked
    shown = run("show", "--kb", str(kb), "emoji-claim")
    assert ":thumbs_up:" in shown.output  # type: ignore[attr-defined]
    assert "\N{THUMBS UP SIGN}" not in shown.output  # type: ignore[attr-defined]


def test_kb_show_escapes_control_characters(tmp_path: Path) -> None:
    from kb.check.entry import load_kb
    from kb.cli.console import claim_tree

    kb = load_kb(write_kb(tmp_path))
    kb.claims["scaling-works"].text = "Scaling " + ESC
    kb.actors["ann-author"].name = "Ann\x9b2J"
    buffer = io.StringIO()
    Console(file=buffer, width=300).print(claim_tree(kb, "scaling-works"))
    shown = buffer.getvalue()
    assert "\x1b" not in shown and "\x9b" not in shown
    assert "\\x1b[2J" in shown


def test_import_skipped_list_escapes_control_characters(tmp_path: Path) -> None:
    kb = write_kb(tmp_path)
    path = tmp_path / "evil.json"
    nodes = [
        {"nodeID": "1", "type": "I", "text": "Fine claim."},
        {"nodeID": "2" + ESC, "type": "XX", "text": "odd"},
        {"nodeID": "3", "type": "I", "text": "Bad " + ESC},
    ]
    path.write_text(json.dumps({"nodes": nodes, "edges": []}))
    result = run("import", "--kb", str(kb), "aif", str(path))
    assert "\x1b" not in result.output
    assert "control characters" in result.output and "\\x1b" in result.output


# 10. kb.txt imported into the content root --------------------------------------------------------


def test_kb_txt_imported_into_the_root_does_not_become_the_settings(tmp_path: Path) -> None:
    kb = write_kb(tmp_path)
    path = tmp_path / "kb.txt"
    path.write_text("1. A thesis.\n1.1. Pro: A reason.\n")
    result = run("import", "--kb", str(kb), "kialo", str(path), "--into", str(kb))
    assert not (kb / "kb.yaml").exists(), result.output
    assert (kb / "kb-2.yaml").is_file()


# 11. The dev server: NUL bytes, many connections, idle connections -------------------------------


@pytest.fixture
def server(tmp_path: Path):  # noqa: ANN201
    from kb.cli.server import make_server
    from kb.cli.status import State

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<body>hi</body>")
    srv = make_server(site, State(), 0)
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def test_a_nul_byte_request_is_a_404_not_a_crash(server, capsys: pytest.CaptureFixture) -> None:  # noqa: ANN001
    port = server.server_address[1]
    for path in ("/%00", "/a%00b.html", "/%00/"):
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10)  # noqa: S310
        assert caught.value.code == 404
    assert "Traceback" not in capsys.readouterr().err


def test_two_hundred_simultaneous_connections_are_all_answered(server) -> None:  # noqa: ANN001
    port = server.server_address[1]
    socks = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(200)]
    try:
        for s in socks:
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        answers = [s.recv(12) for s in socks]
    finally:
        for s in socks:
            s.close()
    assert all(a.startswith(b"HTTP/1.0 200") for a in answers)


def test_an_idle_connection_is_closed(server, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    from kb.cli.server import Handler

    monkeypatch.setattr(Handler, "timeout", 0.5)
    port = server.server_address[1]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        start = time.monotonic()
        assert s.recv(10) == b""  # the server hung up
        assert time.monotonic() - start < 5


# 13. AIF's generic labels are not schemes ---------------------------------------------------------


def test_generic_aif_labels_are_not_scheme_names() -> None:
    nodes = [
        {"nodeID": "1", "type": "I", "text": "Premise one."},
        {"nodeID": "2", "type": "I", "text": "Conclusion."},
        {"nodeID": "3", "type": "RA", "text": "RA"},
        {"nodeID": "4", "type": "I", "text": "Objection."},
        {"nodeID": "5", "type": "CA", "text": "CA"},
        {"nodeID": "6", "type": "I", "text": "Expert premise."},
        {"nodeID": "7", "type": "RA", "text": "Argument From Expert Opinion"},
    ]
    pairs = [("1", "3"), ("3", "2"), ("4", "5"), ("5", "2"), ("6", "7"), ("7", "2")]
    edges = [{"edgeID": str(i), "fromID": a, "toID": b} for i, (a, b) in enumerate(pairs)]
    batch = Batch("map.json", set())
    read_aif({"nodes": nodes, "edges": edges}, "map.json", batch)
    schemes = {(r["from"], r["type"]): r.get("scheme") for r in batch.records["relations"]}
    assert schemes == {
        ("premise-one", "supports"): None,
        ("objection", "rebuts"): None,
        ("expert-premise", "supports"): "Argument From Expert Opinion",
    }


# 14. A failed import leaves nothing behind --------------------------------------------------------


def test_an_import_too_large_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kb.formats.imports

    monkeypatch.setattr(kb.formats.imports, "MAX_FILE_BYTES", 2000)
    folder = write_kb(tmp_path)
    path = tmp_path / "big.txt"
    path.write_text("1. Thesis.\n" + "".join(f"1.{i}. Pro: Reason {i}.\n" for i in range(1, 200)))
    result = run("import", "--kb", str(folder), "kialo", str(path))
    assert result.exit_code == 2 and "split the input" in result.output
    assert not (folder / "imported").exists()


def test_an_import_the_checks_refuse_is_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kb.load.files

    monkeypatch.setattr(kb.load.files, "MAX_FILE_BYTES", 3000)  # the written file is then KB003
    folder = write_kb(tmp_path)
    path = tmp_path / "big.txt"
    path.write_text("1. Thesis.\n" + "".join(f"1.{i}. Pro: Reason {i}.\n" for i in range(1, 60)))
    result = run("import", "--kb", str(folder), "kialo", str(path))
    assert result.exit_code == 1 and "KB003" in result.output
    assert "were removed" in result.output
    assert not (folder / "imported").exists()


# Design: overrides are code ----------------------------------------------------------------------

OVERRIDES = {
    "site/assets/theme.js": ("alert(1)\n", "site/assets/theme.js:1:1"),
    "site/assets/icon.svg": ("<svg onload='alert(1)'/>\n", "site/assets/icon.svg:1:1"),
    "site/templates/_footer.html": (
        "<footer>\n  <p>x</p><script>alert(1)</script>\n</footer>\n",
        "site/templates/_footer.html:2:11",
    ),
    "site/templates/base.html": (
        "<html><body>{% block content %}{% endblock %}</body></html>\n",
        "site/templates/base.html:1:1",
    ),
}


@pytest.mark.parametrize("name", sorted(OVERRIDES))
def test_script_and_csp_overrides_need_trust(name: str, tmp_path: Path) -> None:
    kb = write_kb(tmp_path)
    body, where = OVERRIDES[name]
    path = kb / name
    path.parent.mkdir(parents=True)
    path.write_text(body)
    text = refused(run("check", "--kb", str(kb)), "KB702")
    assert f"{where}: error KB702" in text and "trust_theme_scripts" in text
    out = tmp_path / "site"
    refused(run("build", "--kb", str(kb), "--out", str(out)), "KB702")
    assert not out.exists()
    (kb / "kb.yaml").write_text("trust_theme_scripts: true\n")
    result = run("check", "--kb", str(kb))
    assert result.exit_code == 0, result.output


def test_overrides_that_keep_scripts_and_csp_need_no_trust(tmp_path: Path) -> None:
    kb = write_kb(tmp_path)
    templates = kb / "site" / "templates"
    templates.mkdir(parents=True)
    (templates / "claim.html").write_text(
        '{% extends "default:claim.html" %}{% block title %}x{% endblock %}\n'
    )
    (templates / "base.html").write_text('{% extends "default:base.html" %}\n')
    (kb / "site" / "assets").mkdir()
    (kb / "site" / "assets" / "site.css").write_text("body { color: teal; }\n")
    result = run("check", "--kb", str(kb))
    assert result.exit_code == 0, result.output
