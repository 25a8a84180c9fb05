"""What a site is made of besides its pages: the Site itself, downloads and theme assets."""

from __future__ import annotations

import gc
from pathlib import Path

import pluggy

from kb.analysis.gcpause import gc_paused
from kb.build.gitdates import git_dates
from kb.errors import ProblemsFound
from kb.formats.export import DESCRIPTIONS, EXPORTERS, ExportMemo, file_name
from kb.load.files import theme_dir
from kb.load.safety import read_theme_file, theme_files
from kb.model.kb import KnowledgeBase
from kb.site.memos import Memos
from kb.site.site import Site


def download_path(fmt: str) -> str:
    """Return the path in the site of one format's download."""
    return "downloads/" + file_name(fmt)


def download_list() -> list[tuple[str, str, str]]:
    """Return (path, format, description) of every download, from the exporters."""
    return [(download_path(f), f, DESCRIPTIONS.get(f, "")) for f in sorted(EXPORTERS)]


def downloads(kb: KnowledgeBase, memo: ExportMemo | None = None) -> dict[str, bytes]:
    """Return the whole KB in every export format, as files of the Downloads page."""
    # Pass the `ExportMemo` of the last build to re-serialise only what changed since.
    files = (memo or ExportMemo()).export_all(kb)
    return {download_path(f): data for f, data in files.items()}


# Gathering -----------------------------------------------------------------------------------


def make_site(
    kb: KnowledgeBase,
    base_url: str | None = None,
    use_git: bool = True,
    memos: Memos | None = None,
    pm: pluggy.PluginManager | None = None,
) -> Site:
    """Return the Site of a loaded knowledge base, with git dates when it is a repository."""
    dates, head = git_dates(kb) if use_git else ({}, None)
    overrides = kb.root / "site" / "templates"
    # A builder's memos keep the compiled templates between builds.
    env = (memos or Memos()).env(overrides, kb.root)
    with gc_paused():
        site = Site(
            kb,
            env,
            base_url=base_url,
            dates=dates,
            head_date=head,
            downloads=download_list(),
            memos=memos,
            pm=pm,
        )
    # The site and its KB live as long as the build: the collections that rendering's objects set
    # off need not walk them again (at 10,000 claims, a second of an edit's rebuild).
    gc.freeze()
    return site


def assets(kb_root: Path) -> dict[str, bytes]:
    """Return the theme's static files, each overridable by the KB's own site/assets/."""
    # The KB's files obey the rule of its YAML files: a link leading out of it is refused.
    out: dict[str, bytes] = {}
    theme = theme_dir() / "assets"
    for path in sorted(theme.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            out["assets/" + path.relative_to(theme).as_posix()] = path.read_bytes()
    real_root = Path(kb_root).resolve()
    folder = Path(kb_root) / "site" / "assets"
    files, problems = theme_files(folder, real_root)
    if problems:
        raise ProblemsFound(problems)
    for path in files:
        out["assets/" + path.relative_to(folder).as_posix()] = read_theme_file(path, real_root)
    if "assets/favicon.svg" in out:
        out["favicon.svg"] = out["assets/favicon.svg"]
    return out
