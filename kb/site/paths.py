"""Where every page goes, safe links out of the site, and how the long claim index splits."""

from __future__ import annotations

import itertools
import re
import unicodedata
from typing import TypeVar
from urllib.parse import quote, urlsplit

from kb.analysis.reader import exchange_path
from kb.model.records import ID_RE

T = TypeVar("T")

SAFE_SCHEMES = ("http", "https")


def safe_url(url: str | None) -> str | None:
    """Return the URL when it is http(s) or a DOI (as https://doi.org/...), else None."""
    if not url:
        return None
    url = url.strip()
    if url.lower().startswith("doi:"):
        return doi_url(url[4:])
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in SAFE_SCHEMES or not parts.netloc:
        return None
    if any(c in url for c in "\x00\r\n\t <>\"'`"):
        return None
    return url


def doi_url(doi: str | None) -> str | None:
    """Return the https://doi.org/ address of a DOI."""
    if not doi:
        return None
    doi = doi.strip()
    if not re.match(r"^10\.\d{4,9}/\S+$", doi):
        return None
    return "https://doi.org/" + quote(doi, safe="/:;()._-")


def slug(text: str) -> str:
    """Return a safe file-name slug for free text such as a tag."""
    out = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return out[:80] or "tag"


def page_name(record_id: str) -> str:
    """Return the file name of a record's page; an ID can never leave its folder."""
    if not ID_RE.match(record_id) or len(record_id) > 120:
        raise ValueError(f"unsafe record id {record_id!r}")
    return f"{record_id}.html"


class Paths:
    """Paths of every page, relative to the site root."""

    @staticmethod
    def claim(rid: str) -> str:
        """Return the path of a claim's page."""
        return "claim/" + page_name(rid)

    @staticmethod
    def question(rid: str) -> str:
        """Return the path of a question's page."""
        return "question/" + page_name(rid)

    @staticmethod
    def source(rid: str) -> str:
        """Return the path of a source's page."""
        return "source/" + page_name(rid)

    @staticmethod
    def actor(rid: str) -> str:
        """Return the path of an actor's page."""
        return "actor/" + page_name(rid)

    @staticmethod
    def tag(tag: str) -> str:
        """Return the path of a tag's page."""
        return "tag/" + slug(tag) + ".html"

    @staticmethod
    def exchange(a: str, b: str) -> str:
        """Return the path of the page of two actors' exchanges (the same for either order)."""
        return exchange_path(a, b)

    @staticmethod
    def timeline_year(year: str) -> str:
        """Return the path of one year of a long timeline."""
        return "timeline/" + slug(year) + ".html"

    @staticmethod
    def timeline_part(year: str, number: int) -> str:
        """Return the path of one part of a year too long for one page."""
        return f"timeline/{slug(year)}-part-{number}.html"

    @staticmethod
    def claims_part(key: str) -> str:
        """Return the path of one page of the claim index (key: letters, '0-9' or 'other')."""
        return "claims/" + slug(key) + ".html"


_NOT_ASCII_ALNUM = re.compile(r"[^A-Za-z0-9]+")


def index_key(text: str) -> str:
    """Return the letters a claim is filed under: its text folded to ASCII a-z and 0-9."""
    # Exactly the ASCII letters and digits of the folded text (str.isalnum on ASCII characters).
    return _NOT_ASCII_ALNUM.sub("", unicodedata.normalize("NFKD", text.lower()))


def _head(key: str, depth: int) -> str:
    """Return the name of the group a key falls in when groups are named by `depth` letters."""
    if not key:
        return "other"
    if key[0].isdigit():
        return "0-9"
    return key[:depth]


def split_index(keys: dict[str, str], limit: int) -> dict[str, list[str]]:
    """Group IDs by the first letters of their keys, longer prefixes only where a group is large."""
    # Every ID lands in exactly one group; groups are named by a prefix ('c', 'co'), '0-9' for keys
    # starting with a digit, 'other' for empty keys. A group over `limit` is split by one more
    # letter, up to three letters; IDs whose key ends before the prefix does keep the prefix.
    groups: dict[str, list[str]] = {}
    todo: list[tuple[int, list[str]]] = [(1, sorted(keys, key=lambda i: (keys[i], i)))]
    while todo:
        depth, ids = todo.pop()
        parts: dict[str, list[str]] = {}
        for rid in ids:
            parts.setdefault(_head(keys[rid], depth), []).append(rid)
        for name, members in parts.items():
            if len(members) > limit and depth < 3 and name not in ("other", "0-9"):
                todo.append((depth + 1, members))
            else:
                groups[name] = members
    return dict(sorted(groups.items()))


def split_rows(rows: list[T], limit: int) -> list[list[T]]:
    """Cut rows, in order, into the fewest parts of at most `limit`, their sizes one apart."""
    count = -(-len(rows) // max(limit, 1))
    if not count:
        return []
    size, longer = divmod(len(rows), count)
    bounds = [i * size + min(i, longer) for i in range(count + 1)]
    return [rows[a:b] for a, b in itertools.pairwise(bounds)]
