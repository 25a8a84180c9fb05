"""Content words and stems, with which a quote is compared to the claim it grounds."""

from __future__ import annotations

import re
from collections.abc import Callable

_WORD_RE = re.compile(r"[a-z]+")
_STOPWORDS_TEXT = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each even ever few for
    from further had has have having he her here hers him his how i if in into is it its itself
    just least less let like made make makes many may me might more most much must my no nor not
    now of off on once one only or other our ours out over own per rather same says said see seem
    seems she should since so some such than that the their theirs them then there these they
    this those though through thus to too under until up upon us very via was way we well were
    what when where whether which while who whom whose why will with within without would yet you
    your get gets got going go goes still really quite thing things lot lots something anything
    new use used using"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
_SUFFIXES = (
    ("ies", "y"),
    ("ied", "y"),
    ("ing", ""),
    ("ers", ""),
    ("ed", ""),
    ("er", ""),
    ("es", ""),
    ("ly", ""),
    ("s", ""),
    ("e", ""),
)


def stem(word: str) -> str:
    """Strip common English suffixes, enough to match a word's inflections."""
    for suffix, keep in _SUFFIXES:
        if suffix == "s" and word.endswith("ss"):
            break
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + keep
            # "capping" and "cap", "stopped" and "stop": undo the doubled consonant.
            if suffix in ("ing", "ed", "er") and word[-1] == word[-2] and word[-1] not in "aeiouls":
                word = word[:-1]
            return word
    return word


def content_words(text: str, stemmer: Callable[[str], str] = stem) -> frozenset[str]:
    """Return a text's content words: lowercase alphabetic tokens, stemmed, minus stopwords."""
    words = _WORD_RE.findall(text.lower().replace("\u2019", "'").replace("'s", ""))
    return frozenset(stemmer(w) for w in words if w not in STOPWORDS and len(w) > 1)


def shared_share(
    quote: str,
    claim_texts: list[str],
    words_of: Callable[[str], frozenset[str]] = content_words,
) -> float:
    """Return the largest share of a claim text's content words that the quote contains."""
    quoted = words_of(quote)
    best = 0.0
    for text in claim_texts:
        words = words_of(text)
        if words:
            best = max(best, len(words & quoted) / len(words))
    return best


class WordMemo:
    """The content words and stems one check run has worked out, each worked out once."""

    def __init__(self) -> None:
        self.words: dict[str, frozenset[str]] = {}
        self.stems: dict[str, str] = {}

    def stem(self, word: str) -> str:
        """Return stem(word), remembered."""
        found = self.stems.get(word)
        if found is None:
            found = self.stems[word] = stem(word)
        return found

    def content_words(self, text: str) -> frozenset[str]:
        """Return content_words(text), remembered: a claim's text meets each of its quotes."""
        found = self.words.get(text)
        if found is None:
            found = self.words[text] = content_words(text, self.stem)
        return found
