"""The click parameter type that offers the registered formats, looked up when click asks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import click


class FormatChoice(click.Choice[str]):
    """The names of the formats that export (or import), from the plugins installed now."""

    def __init__(self, role: Literal["export", "import"]) -> None:
        self.role = role
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        """Return the format names, in registry order."""
        # Lazy: the registry imports every format, which `kb --help` does not need.
        from kb.formats.registry import exporting, formats, reading

        registry = formats()
        return tuple(exporting(registry) if self.role == "export" else reading(registry))

    @choices.setter
    def choices(self, value: Sequence[str]) -> None:
        """Ignore click's list: the registry decides."""
