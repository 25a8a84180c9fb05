"""The standing of a claim after the analysis: its four labels, as pages and exports write them."""

from __future__ import annotations

from enum import StrEnum


class Label(StrEnum):
    """How a claim stands once every attack and support is weighed."""

    accepted = "accepted"
    defensible = "defensible"
    undecided = "undecided"
    rejected = "rejected"
