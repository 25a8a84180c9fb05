"""The names the site's renderer has always offered, now defined in the modules named below."""

from __future__ import annotations

from markupsafe import escape

from kb.load.files import theme_dir
from kb.site.env import make_env, make_markdown, markdown, truncate
from kb.site.page import Page, PageFamily, View
from kb.site.paths import Paths, doi_url, index_key, page_name, safe_url, slug, split_index
from kb.site.settings import Settings
from kb.site.site import Site
from kb.site.standing import Standing, Standings
from kb.site.trees import TreeNode

__all__ = [
    "Page",
    "PageFamily",
    "Paths",
    "Settings",
    "Site",
    "Standing",
    "Standings",
    "TreeNode",
    "View",
    "doi_url",
    "escape",
    "index_key",
    "make_env",
    "make_markdown",
    "markdown",
    "page_name",
    "safe_url",
    "slug",
    "split_index",
    "theme_dir",
    "truncate",
]
