"""The registry of formats: the built-in ones and those plugins add, by name."""

from __future__ import annotations

import pluggy

from kb.errors import UsageError
from kb.formats import builtin
from kb.formats.spec import Exporter as Exporter
from kb.formats.spec import Format as Format
from kb.formats.spec import Reader as Reader
from kb.plugins import ensure_registered, plugin_manager


class FormatConflict(UsageError):
    """Two formats with one name, or a plugin that returned something other than formats."""


def formats(pm: pluggy.PluginManager | None = None) -> dict[str, Format]:
    """Return every format of pm's plugins (default: those installed) by name, built-ins first."""
    # Plugins' formats come sorted by name, whatever order the plugins were found in.
    pm = ensure_registered(pm if pm is not None else plugin_manager(), builtin)
    found: dict[str, str] = {}  # format name -> the plugin that gave it
    built_in: list[Format] = []
    plugins: list[Format] = []
    for impl in pm.hook.kb_formats.get_hookimpls():
        given = impl.function()
        for item in given if isinstance(given, (list, tuple)) else [given]:
            if not isinstance(item, Format):
                raise FormatConflict(
                    f"plugin {impl.plugin_name!r} gave {item!r} as a format; "
                    "hint: kb_formats returns a list of kb.formats.registry.Format"
                )
            if item.name in found:
                raise FormatConflict(
                    f"two plugins define the format {item.name!r}: "
                    f"{found[item.name]!r} and {impl.plugin_name!r}; "
                    "hint: uninstall one of them, or rename the format"
                )
            found[item.name] = impl.plugin_name
            (built_in if impl.plugin is builtin else plugins).append(item)
    ordered = [*built_in, *sorted(plugins, key=lambda f: f.name)]
    return {f.name: f for f in ordered}


def exporting(registry: dict[str, Format]) -> dict[str, Exporter]:
    """Return the export function of each format that writes, in registry order."""
    return {name: f.export for name, f in registry.items() if f.export is not None}


def reading(registry: dict[str, Format]) -> dict[str, Reader]:
    """Return the read function of each format that imports, in registry order."""
    return {name: f.read for name, f in registry.items() if f.read is not None}
