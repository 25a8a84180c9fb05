"""Abstract argumentation: frameworks, grounded/preferred/stable semantics and ICCMA formats."""

from __future__ import annotations

from kb.analysis.af_acceptance import EXACT_MAX_MEMBERS as EXACT_MAX_MEMBERS
from kb.analysis.af_acceptance import Acceptance as Acceptance
from kb.analysis.af_acceptance import Cache as Cache
from kb.analysis.af_acceptance import Standing as Standing
from kb.analysis.af_acceptance import TooManyLabellings as TooManyLabellings
from kb.analysis.af_acceptance import acceptance as acceptance
from kb.analysis.af_acceptance import acceptance_after_fiat as acceptance_after_fiat
from kb.analysis.af_exact import IN as IN
from kb.analysis.af_exact import OUT as OUT
from kb.analysis.af_exact import UNDEC as UNDEC
from kb.analysis.af_extensions import extensions as extensions
from kb.analysis.af_extensions import format_extensions as format_extensions
from kb.analysis.af_extensions import iter_extensions as iter_extensions
from kb.analysis.af_extensions import preferred_labellings as preferred_labellings
from kb.analysis.af_extensions import stable_labellings as stable_labellings
from kb.analysis.af_extensions import witness_lines as witness_lines
from kb.analysis.af_formats import FORMATS as FORMATS
from kb.analysis.af_formats import SUFFIXES as SUFFIXES
from kb.analysis.af_formats import AFFormatError as AFFormatError
from kb.analysis.af_formats import convert as convert
from kb.analysis.af_formats import format_af as format_af
from kb.analysis.af_formats import guess_format as guess_format
from kb.analysis.af_formats import parse_af as parse_af
from kb.analysis.af_formats import read_af as read_af
from kb.analysis.af_graph import Framework as Framework
from kb.analysis.af_graph import Node as Node
from kb.analysis.af_graph import condensation_order as condensation_order
from kb.analysis.af_graph import strongly_connected as strongly_connected
from kb.analysis.af_grounded import LABEL_NAMES as LABEL_NAMES
from kb.analysis.af_grounded import grounded as grounded
from kb.analysis.af_grounded import grounded_after_fiat as grounded_after_fiat
from kb.analysis.af_grounded import grounded_labelling as grounded_labelling
from kb.analysis.af_grounded import grounded_times as grounded_times
from kb.analysis.af_sat import Budget as Budget
