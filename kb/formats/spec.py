"""Format: what a plugin registers to read or write one file format."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kb.formats.batch import Batch
from kb.model.kb import KnowledgeBase

Exporter = Callable[[KnowledgeBase], bytes | str]
Reader = Callable[[Path, Batch], None]


@dataclass(frozen=True)
class Format:
    """A file format: its name, how it is downloaded, and how to write and/or read it."""

    # `export` returns the whole KB in the format (text is written as UTF-8); `read` adds the
    # records of one input file to a `Batch`. A format may do only one of the two.

    name: str
    file_name: str = ""
    media_type: str = ""
    description: str = ""
    export: Exporter | None = None
    read: Reader | None = None
