"""BuildMemos: the layouts, graph, analysis and exchanges, kept from one build to the next."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, TemplateError

from kb.analysis import Analysis, analyse, inputs_digest, limits
from kb.analysis.reader import exchange_pairs
from kb.load.files import theme_dir
from kb.load.safety import hash_folder
from kb.model.graph import KBGraph
from kb.model.kb import KnowledgeBase
from kb.site.env import make_env
from kb.site.memos import Memos, Positions

_GRAPH_TABLES = ("questions", "sources", "actors", "stances", "evidence", "relations")


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _templates_digest(folders: list[tuple[Path | None, Path]]) -> bytes:
    """Return a digest of the files below template folders (names and contents), by folder."""
    h = hashlib.blake2b(digest_size=16)
    for folder, within in folders:
        h.update(b"\1" + str(folder).encode())
        hash_folder(h, folder, within.resolve())
    return h.digest()


def _same_graph_inputs(old: KnowledgeBase, new: KnowledgeBase) -> bool:
    """Tell whether two KBs give the same graph: equal records but claims' (their IDs alone)."""
    if list(old.claims) != list(new.claims):
        return False
    for name in _GRAPH_TABLES:
        a, b = getattr(old, name), getattr(new, name)
        if a.keys() != b.keys():
            return False
        # Unchanged files replay the same record objects: `is` settles most at once.
        if any(x is not y and x != y for x, y in zip(a.values(), b.values(), strict=True)):
            return False
    return True


@dataclass
class KeptGraph:
    """The last build's graph for the next process, with what it settles of the analysis."""

    kb: KnowledgeBase  # the last KB, which the state file names rather than holds twice
    graph: KBGraph
    pairs: dict[str, list[str]] | None  # the exchanges found on it
    settings: str | None  # the analysis settings the saved analysis is for, when it is kb's


class BuildMemos(Memos):
    """Keeps the last build's layouts, graph, analysis and exchanges while their inputs hold."""

    # An edited statement then re-analyses and re-links nothing. Layouts, pure functions of their
    # inputs, are kept by a digest of those inputs.

    def __init__(self) -> None:
        super().__init__()
        self._graph: tuple[KnowledgeBase, KBGraph] | None = None
        self._analysis: tuple[bytes, Analysis] | None = None
        # The KB whose graph is the last build's, its records equal, with what else the analysis
        # reads: then the analysis inputs (a subset, but the settings) are unchanged too.
        self._same_as_last: tuple[KnowledgeBase, str] | None = None
        self._pairs: tuple[KBGraph, dict[str, list[str]]] | None = None
        self._env: tuple[bytes, Environment] | None = None
        self.layouts: dict[bytes, Positions] = {}  # input digest -> positions, across builds
        self._new_layouts: dict[bytes, Positions] = {}  # computed here since the last take
        self._used_layouts: set[bytes] = set()

    def env(self, overrides: Path | None, within: Path | None) -> Environment:
        """Return the last build's environment, its templates compiled, while none changed."""
        # Compiling the templates anew was a third of an edit's rendering at 10,000 claims.
        theme = theme_dir() / "templates"
        folders = [(theme, theme), (overrides, within or overrides or theme)]
        key = _templates_digest(folders) + str(within).encode()
        if self._env is None or self._env[0] != key:
            self._env = (key, make_env(overrides, within=within))
        return self._env[1]

    def compile_templates(self) -> None:
        """Compile every page template of the kept environment, for the builds to come."""
        # `kb serve` calls this between builds: a full build renders in forked workers, so the
        # first edit after it would compile each template its pages use (0.2 s at 10,000 claims).
        if self._env is None:
            return
        env = self._env[1]
        for name in env.list_templates(extensions=["html", "xml"]):
            if ":" not in name:  # "default:..." names the same theme files again
                # A broken override is reported by the build that renders with it, not here.
                with contextlib.suppress(TemplateError):
                    env.get_template(name)

    def layout(self, fn: Callable[..., Positions], *args: Any, **kwargs: Any) -> Positions:
        """Return fn(*args, **kwargs), computed once for the same function and inputs."""
        # repr, not pickle: pickle's output depends on which equal strings are one object.
        key = _digest(repr((fn.__name__, args, sorted(kwargs.items()))).encode())
        self._used_layouts.add(key)
        found = self.layouts.get(key)
        if found is None:
            found = self.layouts[key] = self._new_layouts[key] = fn(*args, **kwargs)
        return dict(found)

    def take_layouts(self) -> tuple[dict[bytes, Positions], set[bytes]]:
        """Return and forget the layouts computed and used here since the last call."""
        new, used = self._new_layouts, self._used_layouts
        self._new_layouts, self._used_layouts = {}, set()
        return new, used

    def add_layouts(self, new: dict[bytes, Positions], used: set[bytes]) -> None:
        """Take in the layouts a render worker computed and used."""
        self.layouts.update(new)
        self._used_layouts.update(used)

    def trim_layouts(self, used: set[bytes], limit: int) -> None:
        """Keep only the layouts used when more than limit are kept."""
        if len(self.layouts) > limit:
            for key in self.layouts.keys() - used:
                del self.layouts[key]

    def graph(self, kb: KnowledgeBase) -> KBGraph:
        """Return the last build's graph when its inputs are unchanged, else a new one."""
        kept = self._graph is not None and _same_graph_inputs(self._graph[0], kb)
        if self._graph is not None and kept:
            graph = self._graph[1]
            graph.kb = kb  # its lookups hold equal records; claims are read through kb
        else:
            graph = KBGraph(kb)
        last = self._same_as_last
        self._same_as_last = (kb, last[1]) if kept and last is not None else None
        self._graph = (kb, graph)
        return graph

    def analyse(self, kb: KnowledgeBase, cruxes: bool = True) -> Analysis:
        """Return the last build's analysis when the KB's analysis inputs are unchanged."""
        settings = repr((kb.config.base_scores, cruxes, limits()))
        same = self._same_as_last
        if (
            self._analysis is not None
            and same is not None
            and same[0] is kb
            and same[1] == settings
        ):
            return self._analysis[1]  # no digest of every record: the graph's check settled it
        key = _digest(inputs_digest(kb) + repr((cruxes, limits())).encode())
        if self._analysis is None or self._analysis[0] != key:
            self._analysis = (key, analyse(kb, cruxes))
        self._same_as_last = (kb, settings)
        return self._analysis[1]

    def saved(self) -> dict[bytes, Analysis]:
        """Return what the build state keeps for the next process: the analysis, by its key."""
        return dict([self._analysis]) if self._analysis is not None else {}

    def kept_graph(self) -> KeptGraph | None:
        """Return the last build's graph with what it settles, for the build state."""
        if self._graph is None:
            return None
        kb, graph = self._graph
        pairs = self._pairs[1] if self._pairs is not None and self._pairs[0] is graph else None
        same = self._same_as_last
        return KeptGraph(kb, graph, pairs, same[1] if same is not None and same[0] is kb else None)

    def restore(
        self,
        saved: dict[bytes, Analysis],
        layouts: dict[bytes, Positions],
        kept: KeptGraph | None = None,
    ) -> None:
        """Take back what `saved` and `kept_graph` returned in an earlier process, and layouts."""
        self._analysis = next(iter(saved.items()), None)
        self.layouts.update(layouts)
        # Building the graph anew took 1.0 s of an edit's `kb build` at 10,000 claims.
        if kept is not None:
            self._graph = (kept.kb, kept.graph)
            self._pairs = (kept.graph, kept.pairs) if kept.pairs is not None else None
            if kept.settings is not None and self._analysis is not None:
                self._same_as_last = (kept.kb, kept.settings)

    def exchange_pairs(self, kb: KnowledgeBase, graph: KBGraph) -> dict[str, list[str]]:
        """Return the last result while the graph (whose inputs are all it reads) is reused."""
        if not (self._pairs is not None and self._pairs[0] is graph and graph.kb is kb):
            self._pairs = (graph, exchange_pairs(kb, graph))
        return {key: list(value) for key, value in self._pairs[1].items()}
