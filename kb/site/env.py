"""The site's Jinja environment: the theme and a KB's overrides, safe Markdown, the filters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    select_autoescape,
)
from jinja2.sandbox import SandboxedEnvironment
from markdown_it import MarkdownIt
from markupsafe import Markup

from kb.load.files import theme_dir
from kb.load.safety import contained_loader
from kb.site.map_legend import legend
from kb.site.paths import Paths, doi_url, safe_url
from kb.site.settings import POSITION_VERB, SIDE_NAMES


def _validate_link(url: str) -> bool:
    return safe_url(url) is not None


def make_markdown() -> MarkdownIt:
    """Return a Markdown renderer with raw HTML off and only http(s) links."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.validateLink = _validate_link  # type: ignore[method-assign]  # reason: only http(s)
    md.disable(["image"])
    return md


_MD = make_markdown()


def markdown(text: str | None) -> Markup:
    """Render Markdown notes safely."""
    if not text:
        return Markup("")
    return Markup(_MD.render(text))


def truncate(text: str, length: int = 90) -> str:
    """Shorten text to a length on a word boundary."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    cut = text[: length - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"


def make_env(overrides: Path | None = None, within: Path | None = None) -> Environment:
    """Return the shared Jinja environment: overrides first, then the theme."""
    # Override templates whose links lead out of `within` (the content folder) are refused.
    theme = FileSystemLoader(str(theme_dir() / "templates"))
    loaders: list[Any] = []
    if overrides is not None and overrides.is_dir() and any(overrides.iterdir()):
        loaders.append(contained_loader(overrides, within or overrides))
    loaders.append(theme)
    # Sandboxed when there are overrides: they come from the content folder, so from
    # contributors, and a plain Environment lets `{{ cycler.__init__.__globals__.os.popen(...) }}`
    # run commands. The bundled templates alone are ours: they skip the sandbox's attribute
    # checks (an eighth of the rendering time).
    kind = SandboxedEnvironment if len(loaders) > 1 else Environment
    env = kind(
        loader=ChoiceLoader([PrefixLoader({"default": theme}, delimiter=":"), *loaders]),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        keep_trailing_newline=True,
    )
    env.filters.update(md=markdown, truncate_words=truncate, safe_url=safe_url)
    env.globals.update(
        paths=Paths,
        SIDE_NAMES=SIDE_NAMES,
        POSITION_VERB=POSITION_VERB,
        doi_url=doi_url,
        map_legend=legend(focus=True),
    )
    return env
