"""What a build did: pages rendered and written, shards indexed, seconds per stage."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Report:
    """What a build did."""

    pages: int = 0
    rendered: int = 0
    written: int = 0
    removed: int = 0
    parsed_files: int = 0
    full: bool = True
    indexed: bool = False
    shards: tuple[int, int] = (0, 0)  # search shards indexed, and reused from the last build
    repaired: bool = False  # the site had been changed by hand since the last build: rebuilt whole
    seconds: dict[str, float] = field(default_factory=dict)
    # Seconds from the start until the new pages could be read: written in place (`kb serve`,
    # before re-indexing and downloads) or the new folder swapped in.
    visible: float | None = None
    early: int = 0  # pages open in a browser, rendered and shown before the rest (`kb serve`)
