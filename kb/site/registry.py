"""The page families a site is made of: the built-in ones, then those of installed plugins."""
# `PageFamily` is defined with `Page` (kb.site.page), where the built-in families can import it
# without importing this module, which registers them.

from __future__ import annotations

from typing import Any

import pluggy
from pluggy import HookImpl

import kb.plugins
from kb.errors import KBError
from kb.site import builtin
from kb.site.page import PageFamily

__all__ = ["PageFamily", "page_families"]


def page_families(pm: pluggy.PluginManager | None = None) -> tuple[PageFamily, ...]:
    """Return every plugin's page families, built-in ones first; refuse a name given twice."""
    # The built-in ones in the order the site has always written its pages, then the others by
    # plugin name.
    pm = kb.plugins.ensure_registered(
        pm if pm is not None else kb.plugins.plugin_manager(), builtin
    )
    impls = pm.hook.kb_page_families.get_hookimpls()
    ordered = sorted(impls, key=lambda i: (i.plugin is not builtin, i.plugin_name))
    found: dict[str, PageFamily] = {}
    for impl in ordered:
        for family in _families_of(impl):
            if family.name in found:
                raise KBError(
                    f"two page families are named {family.name!r}; "
                    f"the second comes from the plugin {impl.plugin_name!r}"
                )
            found[family.name] = family
    return tuple(found.values())


def _families_of(impl: HookImpl) -> list[PageFamily]:
    """Return what one plugin's hook returns, refusing anything but page families."""
    returned: Any = impl.function()
    families = list(returned or [])
    for family in families:
        if not isinstance(family, PageFamily):
            raise KBError(f"the plugin {impl.plugin_name!r} returned {family!r} as a page family")
    return families
