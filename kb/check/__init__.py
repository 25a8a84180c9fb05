"""Cross-record checks, their registry, and the one entry point that loads and checks a KB."""

from kb.check.context import Check, CheckContext, RunMemo
from kb.check.entry import PrereadLoader, load_and_check, load_kb, raise_errors, run_check
from kb.check.links import SAFE_SCHEMES
from kb.check.quality import MAX_QUOTE_WORDS
from kb.check.quotes import closest_passage, normalise, quote_in, read_archive
from kb.check.registry import DuplicateCheck, checks
from kb.check.run import check

__all__ = [
    "MAX_QUOTE_WORDS",
    "SAFE_SCHEMES",
    "Check",
    "CheckContext",
    "DuplicateCheck",
    "PrereadLoader",
    "RunMemo",
    "check",
    "checks",
    "closest_passage",
    "load_and_check",
    "load_kb",
    "normalise",
    "quote_in",
    "raise_errors",
    "read_archive",
    "run_check",
]
