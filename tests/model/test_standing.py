"""The standing labels: one enum whose values are the words the analysis and the pages write."""

from __future__ import annotations

import kb.analysis
from kb.model.standing import Label
from kb.site.settings import LABELS


def test_the_labels_are_the_pages_words_in_their_order() -> None:
    assert [label.value for label in Label] == list(LABELS)
    assert list(Label) == ["accepted", "defensible", "undecided", "rejected"]


def test_the_labels_are_the_analysis_words() -> None:
    analysis = (kb.analysis.ACCEPTED, kb.analysis.DEFENSIBLE, kb.analysis.UNDECIDED)
    assert (Label.accepted, Label.defensible, Label.undecided) == analysis
    assert Label.rejected == kb.analysis.REJECTED
    assert f"{Label.rejected}" == str(Label.rejected) == "rejected"
