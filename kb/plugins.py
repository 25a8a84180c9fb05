"""The plugin hooks through which formats, checks and page families register, built in or not."""
# Built-in formats, checks and page families are plugins like any other: each layer's registry
# (`kb.formats.registry`, `kb.check.registry`, `kb.site.registry`) registers its own built-in module
# on the manager it is given, and third-party plugins are found through the `debate_kb` entry point
# group, as pytest and datasette find theirs.

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

import pluggy

PROJECT = "kb"
ENTRY_POINTS = "debate_kb"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class Specs:
    """The hooks a plugin may implement; each returns a list of what it adds."""

    @hookspec
    def kb_formats(self) -> list[Any]:
        """Return the formats this plugin reads or writes (`kb.formats.registry.Format`)."""
        raise NotImplementedError

    @hookspec
    def kb_checks(self) -> list[Any]:
        """Return the checks this plugin runs on a loaded KB (`kb.check.registry.Check`)."""
        raise NotImplementedError

    @hookspec
    def kb_page_families(self) -> list[Any]:
        """Return the page families this plugin adds to the site (`kb.site.registry.PageFamily`)."""
        raise NotImplementedError


def plugin_manager(*plugins: object, entry_points: bool = True) -> pluggy.PluginManager:
    """Return a new manager with the hooks, the given plugins and (by default) installed ones."""
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(Specs)
    for plugin in plugins:
        pm.register(plugin)
    if entry_points:
        pm.load_setuptools_entrypoints(ENTRY_POINTS)
    return pm


def ensure_registered(pm: pluggy.PluginManager, plugin: object) -> pluggy.PluginManager:
    """Register a built-in plugin module on pm unless it is there already; return pm."""
    if not pm.is_registered(plugin):
        pm.register(plugin)
    return pm


def installed() -> list[tuple[str, str, str | None, str | None]]:
    """Return each installed plugin's entry point and distribution (name and version)."""
    # What a result kept between runs depends on, beside kb's own code: installing, removing or
    # upgrading a plugin must not reuse what was worked out without it.
    found: list[tuple[str, str, str | None, str | None]] = []
    for ep in entry_points(group=ENTRY_POINTS):
        dist = ep.dist
        name, version = (dist.name, dist.version) if dist is not None else (None, None)
        found.append((ep.name, ep.value, name, version))
    return sorted(found, key=repr)
