"""The site's one writer refuses every path that would leave the output folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kb.build import SiteWriter, write_files
from kb.build.writer import link_tree
from kb.errors import BuildError


@pytest.mark.parametrize(
    "rel", ["../x", "a/../../x", "/abs", "/etc/x", "", ".", "a/./b", "a//b", "a\\..\\x", "a/"]
)
def test_a_path_leaving_the_folder_is_refused(tmp_path: Path, rel: str) -> None:
    site = tmp_path / "site"
    site.mkdir()
    with pytest.raises(BuildError, match="refusing to write outside the site"):
        SiteWriter(site).write(rel, b"x")
    with pytest.raises(BuildError, match="refusing to write outside the site"):
        write_files(site, {rel: b"x"})
    assert list(tmp_path.iterdir()) == [site] and not list(site.iterdir())


def test_a_symlinked_parent_is_refused(tmp_path: Path) -> None:
    site, outside = tmp_path / "site", tmp_path / "outside"
    site.mkdir()
    outside.mkdir()
    (site / "claim").symlink_to(outside)
    for rel in ("claim/x.html", "claim/deeper/x.html"):
        with pytest.raises(BuildError, match="refusing to write outside the site"):
            SiteWriter(site).write(rel, b"x")
    assert not list(outside.iterdir())


def test_files_are_written_as_new_inodes(tmp_path: Path) -> None:
    site, old = tmp_path / "site", tmp_path / "old.html"
    old.write_bytes(b"old")
    (site / "claim").mkdir(parents=True)
    os.link(old, site / "claim" / "x.html")  # shared with the previous site
    writer = SiteWriter(site)
    writer.write("claim/x.html", b"new")
    writer.write_all({"a/b/c.html": b"c", "index.html": b"i"})
    assert old.read_bytes() == b"old" and (site / "claim" / "x.html").read_bytes() == b"new"
    assert (site / "a" / "b" / "c.html").read_bytes() == b"c"
    assert (site / "index.html").read_bytes() == b"i"


def test_a_swapped_out_site_goes_to_remove_or_is_removed_before_returning(tmp_path: Path) -> None:
    from kb.build import swap_in

    out = tmp_path / "site"
    swap_in({"a.html": b"first"}, out, search=False)
    swap_in({"a.html": b"second"}, out, search=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # the first site is gone
    handed: list[Path] = []
    swap_in({"a.html": b"third"}, out, search=False, remove=handed.append)
    assert (out / "a.html").read_bytes() == b"third"
    assert len(handed) == 1 and (handed[0] / "a.html").read_bytes() == b"second"
    assert handed[0].parent == tmp_path


def test_link_tree_links_every_file_but_the_skipped_top_level_names(tmp_path: Path) -> None:
    source, target = tmp_path / "old", tmp_path / "new"
    files = {f"claim/c{i}.html": b"c%d" % i for i in range(700)}
    files |= {"index.html": b"i", "pagefind/x.pf": b"p", "a/b/c/deep.txt": b"d", "a/pagefind": b"k"}
    write_files(source, files)
    (source / "empty").mkdir()
    link_tree(source, target, lambda name: name == "pagefind")
    linked = {p.relative_to(target).as_posix(): p for p in target.rglob("*") if p.is_file()}
    # Only the top-level name is skipped; the same name deeper down is linked.
    assert sorted(linked) == sorted(f for f in files if not f.startswith("pagefind/"))
    assert all(os.path.samefile(p, source / rel) for rel, p in linked.items())
    assert (target / "empty").is_dir()


def test_link_tree_raises_when_a_link_cannot_be_made(tmp_path: Path) -> None:
    source, target = tmp_path / "old", tmp_path / "new"
    write_files(source, {"claim/a.html": b"a", "claim/b.html": b"b"})
    write_files(target, {"claim/b.html": b"already here"})
    with pytest.raises(FileExistsError):
        link_tree(source, target, lambda name: False)
