"""How a site computes what its pages share: layouts, the graph, the analysis, the exchanges."""
# The site asks its `Memos` object for each of these instead of calling the functions directly, so
# that a builder that keeps results between builds (`kb.build`) passes a subclass that remembers
# them, without replacing any function of this package at run time.

from __future__ import annotations

import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment

from kb.analysis import Analysis, analyse
from kb.analysis.reader import exchange_pairs
from kb.model.graph import KBGraph
from kb.model.kb import KnowledgeBase
from kb.site.env import make_env
from kb.site.map_index import ArgIndex

Positions = dict[str, tuple[float, float]]


class Memos:
    """Computes each shared value afresh; subclasses may keep results between builds."""

    def __init__(self) -> None:
        # The link index of each graph, by its networkx graph (which a reused KBGraph keeps).
        self._arg_indexes: weakref.WeakKeyDictionary[Any, ArgIndex] = weakref.WeakKeyDictionary()

    def env(self, overrides: Path | None, within: Path | None) -> Environment:
        """Return the Jinja environment of the theme and a KB's template overrides."""
        return make_env(overrides, within=within)

    def layout(self, fn: Callable[..., Positions], *args: Any, **kwargs: Any) -> Positions:
        """Return fn(*args, **kwargs): the positions of a map's nodes."""
        return fn(*args, **kwargs)

    def graph(self, kb: KnowledgeBase) -> KBGraph:
        """Return the graph of a KB."""
        return KBGraph(kb)

    def analyse(self, kb: KnowledgeBase, cruxes: bool = True) -> Analysis:
        """Return the analysis of a KB (labels, strengths, cruxes)."""
        return analyse(kb, cruxes)

    def exchange_pairs(self, kb: KnowledgeBase, graph: KBGraph) -> dict[str, list[str]]:
        """Return who answers whom, by claim (`kb.analysis.reader.exchange_pairs`)."""
        return exchange_pairs(kb, graph)

    def arg_index(self, graph: KBGraph) -> ArgIndex:
        """Return the index of a graph's argumentative links, made once per graph."""
        g = graph.g
        found = self._arg_indexes.get(g)
        if found is None:
            found = self._arg_indexes[g] = ArgIndex(g)
        return found
