"""The words the site puts on sides, verdicts and positions, and how much one page shows."""

from __future__ import annotations

from dataclasses import dataclass

from kb.model.standing import Label

SIDES = ("pro", "con", "mixed")
SIDE_NAMES = {"pro": "Yes", "con": "No", "mixed": "Mixed"}
LABELS = tuple(label.value for label in Label)
# The reader's word for each label (the templates' macros say them); "accepted" splits in two.
VERDICTS = {"defensible": "contested", "undecided": "unsettled", "rejected": "refuted"}
VERDICT_ORDER = ("unchallenged", "holds", "contested", "unsettled", "refuted")
POSITION_VERB = {"asserts": "agrees", "denies": "disagrees", "qualifies": "qualifies"}
# Two levels: what bears on a claim, and what bears on that; deeper arguments are a link away
# (three levels made the pages of much-argued claims hundreds of kilobytes).
TREE_DEPTH = 2
KEY_CLAIMS = 40
MATRIX_ACTORS = 40
RECENT = 10
TIMELINE_PER_PAGE = 1000  # rows (sources, claims, forecasts) above which years get own pages
CLAIMS_PER_PAGE = 1000  # above this the claim index is split into pages by initial letters


@dataclass(frozen=True)
class Settings:
    """How long the claim index and the timeline may grow before they split into pages."""

    claims_per_page: int = CLAIMS_PER_PAGE
    timeline_per_page: int = TIMELINE_PER_PAGE
