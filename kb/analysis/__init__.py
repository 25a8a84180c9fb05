"""Computed standing of every claim: labels, strengths, explanations, what-ifs and cruxes."""

from __future__ import annotations

from kb.analysis import af_acceptance, af_sat, cruxes, solver
from kb.analysis.af import IN as IN
from kb.analysis.af import OUT as OUT
from kb.analysis.af import Framework as Framework
from kb.analysis.cruxes import CRUX_WORK_BUDGET as CRUX_WORK_BUDGET
from kb.analysis.cruxes import question_balances as question_balances
from kb.analysis.debate import DEFAULT_BASE_SCORES as DEFAULT_BASE_SCORES
from kb.analysis.debate import Debate as Debate
from kb.analysis.debate import base_scores as base_scores
from kb.analysis.debate import build as build
from kb.analysis.debate import equivalence_classes as equivalence_classes
from kb.analysis.explain import explain_claim as explain_claim
from kb.analysis.gcpause import gc_paused
from kb.analysis.gradual import DF_QUAD as DF_QUAD
from kb.analysis.result import _analyse as _analyse
from kb.analysis.result import inputs_digest as inputs_digest
from kb.analysis.solver import SAT_BUDGET as SAT_BUDGET
from kb.analysis.solver import SAT_CONFLICT_BUDGET as SAT_CONFLICT_BUDGET
from kb.analysis.solver import SAT_PROPAGATION_BUDGET as SAT_PROPAGATION_BUDGET
from kb.analysis.solver import Solution as Solution
from kb.analysis.solver import framework as framework
from kb.analysis.solver import solve as solve
from kb.analysis.solver import whatif as whatif
from kb.analysis.standing import ACCEPTED as ACCEPTED
from kb.analysis.standing import DEFENSIBLE as DEFENSIBLE
from kb.analysis.standing import FIAT as FIAT
from kb.analysis.standing import LABELS as LABELS
from kb.analysis.standing import REJECTED as REJECTED
from kb.analysis.standing import UNDECIDED as UNDECIDED
from kb.analysis.standing import Analysis as Analysis
from kb.analysis.standing import Change as Change
from kb.analysis.standing import ClaimStanding as ClaimStanding
from kb.analysis.standing import Disagreement as Disagreement
from kb.analysis.standing import QuestionStanding as QuestionStanding
from kb.model.kb import KnowledgeBase


def analyse(kb: KnowledgeBase, cruxes: bool = True) -> Analysis:
    """Compute every claim's label, strength, explanation and crux score, and question cruxes."""
    # Calls `_analyse` through this package's namespace: a test counts analyses by replacing it.
    with gc_paused():
        return _analyse(kb, cruxes)


def limits() -> tuple[tuple[str, object], ...]:
    """Return the budgets and limits a result depends on besides its inputs, as they are now."""
    # Read from the modules that use them at call time, so that a kept result is reused only
    # under the same limits.
    return (
        ("CRUX_WORK_BUDGET", cruxes.CRUX_WORK_BUDGET),
        ("SAT_CONFLICT_BUDGET", solver.SAT_CONFLICT_BUDGET),
        ("SAT_PROPAGATION_BUDGET", solver.SAT_PROPAGATION_BUDGET),
        ("EXACT_MAX_MEMBERS", af_acceptance.EXACT_MAX_MEMBERS),
        ("PROPAGATIONS_PER_UNIT", af_sat.PROPAGATIONS_PER_UNIT),
        ("REGION_FACTOR", af_sat.REGION_FACTOR),
        ("REGION_SHARE", af_sat.REGION_SHARE),
        ("SOLVER", af_sat.SOLVER),
    )
