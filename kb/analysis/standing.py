"""The results of an analysis: claim and question standings, what-if changes, disagreements."""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.model.records import Position
from kb.model.standing import Label

# Plain strings (the enum's values): results are pickled in the build state and compared as text.
ACCEPTED, DEFENSIBLE = Label.accepted.value, Label.defensible.value
REJECTED, UNDECIDED = Label.rejected.value, Label.undecided.value
LABELS = (ACCEPTED, DEFENSIBLE, REJECTED, UNDECIDED)
FIAT = "what-if"  # the unattackable argument that enforces a what-if


@dataclass
class ClaimStanding:
    """Where one claim stands: its label, strength, the model behind it, and why."""

    id: str
    label: str  # accepted | defensible | rejected | undecided
    grounded: str  # in | out | undec (the cautious, grounded reading)
    strength: float
    base: float
    model: str  # df-quad | quadratic-energy
    converged: bool
    explanation: str = ""
    crux: float = 0.0  # crux_labels + crux_strength
    crux_labels: int = 0  # other claims whose label would change if this one flipped
    crux_strength: float = 0.0  # summed change of question balances if it flipped
    attacked: bool = False  # whether a recorded rebuttal or contradiction attacks it
    why_label: str = ""  # the explanation's first part: why it has its label
    why_strength: str = ""  # its second part: how its strength comes about


@dataclass
class QuestionStanding:
    """A question's balance (mean pro strength minus mean con strength) and its cruxes."""

    id: str
    balance: float
    pro: float
    con: float
    cruxes: list[tuple[str, float]] = field(default_factory=list)  # (claim, score), best first


@dataclass
class Disagreement:
    """A claim two actors take different positions on, with its crux score."""

    claim: str
    position_a: str
    position_b: str
    crux: float
    full: bool  # one asserts what the other denies


@dataclass
class Change:
    """How a claim's label or strength moves under a what-if."""

    claim: str
    label_before: str
    label_after: str
    strength_before: float
    strength_after: float


@dataclass
class Analysis:
    """Every claim's standing, question balances and cruxes, and actors' positions."""

    claims: dict[str, ClaimStanding]
    questions: dict[str, QuestionStanding]
    evidence_strength: dict[str, float]
    positions: dict[str, dict[str, str]]  # actor -> claim -> asserts | denies | qualifies
    non_converged: list[str] = field(default_factory=list)
    cruxes_computed: bool = True

    def disagreements(self, actor_a: str, actor_b: str) -> list[Disagreement]:
        """Return the claims two actors disagree on, ranked by crux score."""
        mine = self.positions.get(actor_a, {})
        theirs = self.positions.get(actor_b, {})
        found = []
        for claim in sorted(set(mine) & set(theirs)):
            a, b = mine[claim], theirs[claim]
            if a != b:
                full = {a, b} == {Position.asserts.value, Position.denies.value}
                crux = self.claims[claim].crux if claim in self.claims else 0.0
                found.append(Disagreement(claim, a, b, crux, full))
        return sorted(found, key=lambda d: (-d.crux, not d.full, d.claim))
