"""A claim's standing as the site shows it, read from the argumentation analysis."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kb.model.kb import KnowledgeBase
from kb.site.memos import Memos
from kb.site.settings import LABELS, VERDICTS


@dataclass(frozen=True)
class Standing:
    """A claim's computed standing, as the site shows it."""

    label: str = "undecided"
    strength: float | None = None
    explanation: str = ""
    crux: float | None = None
    model: str = ""
    converged: bool = True
    attacked: bool = False
    why: str = ""  # why it has its label, without the label itself
    why_strength: str = ""
    crux_labels: int = 0

    @property
    def verdict(self) -> str:
        """Return what the label means for a reader, as a key the templates put in words."""
        if self.label == "accepted":
            return "holds" if self.attacked else "unchallenged"
        return VERDICTS.get(self.label, "unsettled")


class Standings:
    """Wraps `kb.analysis.analyse` (its `claims` and `questions` tables) for the templates."""

    def __init__(self, kb: KnowledgeBase, memos: Memos) -> None:
        self.model = ""  # part of the incremental builder's fingerprint of global state
        self._by: dict[str, Standing] = {}
        self._result: Any = memos.analyse(kb)
        self.available = True
        for cid in kb.claims:
            self._by[cid] = self._read(cid)

    def _read(self, cid: str) -> Standing:
        item = self._result.claims.get(cid)
        if item is None:
            return Standing()
        label = str(item.label)
        why = str(getattr(item, "why_label", "") or "")
        return Standing(
            label=label if label in LABELS else "undecided",
            strength=round(float(item.strength), 3),
            explanation=str(item.explanation or ""),
            crux=round(float(item.crux), 3),
            model=str(item.model or ""),
            converged=bool(item.converged),
            attacked=bool(getattr(item, "attacked", False)),
            why=why.split(": ", 1)[1] if why.startswith(f"{label}") and ": " in why else why,
            why_strength=str(getattr(item, "why_strength", "") or ""),
            crux_labels=int(getattr(item, "crux_labels", 0)),
        )

    def evidence(self, eid: str) -> float:
        """Return a piece of evidence's strength (0.5 when unknown)."""
        found = self._result.evidence_strength.get(eid) if self._result is not None else None
        return 0.5 if found is None else round(float(found), 3)

    def disagreements(self, actor_a: str, actor_b: str) -> list[Any]:
        """Return the claims two actors take different positions on, ranked by crux score."""
        if self._result is None:
            return []
        return list(self._result.disagreements(actor_a, actor_b))

    def question(self, qid: str) -> dict[str, Any] | None:
        """Return a question's balance and its cruxes (claim, score), best first."""
        q = self._result.questions.get(qid) if self._result is not None else None
        if q is None:
            return None
        return {
            "balance": round(float(q.balance), 3),
            "pro": round(float(q.pro), 3),
            "con": round(float(q.con), 3),
            "cruxes": [(c, round(float(score), 3)) for c, score in q.cruxes],
            "cruxes_computed": bool(getattr(self._result, "cruxes_computed", True)),
        }

    def of(self, cid: str) -> Standing:
        """Return a claim's standing."""
        return self._by.get(cid, Standing())

    def strength(self, cid: str) -> float:
        """Return a claim's strength for ranking (0.5 when unknown)."""
        s = self.of(cid).strength
        return 0.5 if s is None else s
