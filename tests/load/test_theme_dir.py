"""The bundled theme's folder, found by the loader without importing the site."""

from __future__ import annotations

from pathlib import Path

from kb.load.files import theme_dir

REPO = Path(__file__).resolve().parents[2]


def test_theme_dir_is_the_repos_site_folder_when_not_installed() -> None:
    folder = theme_dir()
    assert folder == REPO / "site"
    assert (folder / "templates").is_dir()


def test_theme_dir_prefers_the_installed_copy(tmp_path: Path, monkeypatch) -> None:
    package = tmp_path / "kb"
    (package / "_site" / "templates").mkdir(parents=True)
    (package / "load").mkdir()
    fake = package / "load" / "files.py"
    fake.write_text("", encoding="utf-8")
    monkeypatch.setattr("kb.load.files.__file__", str(fake))
    assert theme_dir() == package / "_site"
