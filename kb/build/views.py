"""What Pagefind reads of a page: its title and indexed parts, at a third of the bytes."""

from __future__ import annotations

import re
from pathlib import Path

SEARCH_MARK = b"data-pagefind-body"

# Elements whose end tag may be left out: their extent cannot be found by counting tags.
_OPTIONAL_END = {b"p", b"li", b"dt", b"dd", b"tr", b"td", b"th", b"option", b"thead", b"tbody"}
_VOID = {b"area", b"br", b"col", b"embed", b"hr", b"img", b"input", b"link", b"meta", b"source"}
_OTHER_ATTR = re.compile(rb"data-pagefind-(?!ignore[\s=>])")  # filters, metadata, sort keys
_ATTR = re.compile(rb"<([a-zA-Z][a-zA-Z0-9-]*)(?:\s[^<>]*)?\sdata-pagefind-(body|ignore)\b[^<>]*>")


def _element_end(page: bytes, start: int, name: bytes) -> int | None:
    """Return where the element whose start tag begins at `start` ends, or None if unsure."""
    tag_end = page.find(b">", start)
    if tag_end < 0:
        return None
    if name in _VOID:
        return tag_end + 1
    if name in _OPTIONAL_END:
        return None
    opening, closing = b"<" + name, b"</" + name + b">"
    depth, pos = 1, tag_end + 1
    while depth:
        close = page.find(closing, pos)
        if close < 0:
            return None
        inner = page.find(opening, pos, close)
        while inner >= 0 and page[inner + len(opening) : inner + len(opening) + 1] not in (
            b" ",
            b">",
            b"\n",
            b"\t",
            b"/",
        ):
            inner = page.find(opening, inner + 1, close)
        if inner >= 0:
            depth, pos = depth + 1, inner + len(opening)
        else:
            depth, pos = depth - 1, close + len(closing)
    return pos


def search_view(page: bytes) -> bytes:
    """Return the part of a page Pagefind reads: its title and indexed parts."""
    # That is its data-pagefind-body elements without their data-pagefind-ignore parts (those
    # holding filters or metadata stay). Pagefind indexes the view as it would the page, at a third
    # of the bytes; whatever this scan cannot place for sure (a marker in text, an element it cannot
    # find the end of, a Pagefind attribute outside the indexed parts) makes it return the page
    # unchanged.
    if SEARCH_MARK not in page:
        return page
    regions: list[tuple[int, int]] = []
    pos = 0
    while True:
        at = page.find(SEARCH_MARK, pos)
        if at < 0:
            break
        start = page.rfind(b"<", 0, at)
        m = _ATTR.match(page, start) if start >= 0 else None
        if m is None or m.group(2) != b"body" or m.end() <= at:
            return page
        end = _element_end(page, start, m.group(1).lower())
        if end is None:
            return page
        regions.append((start, end))
        pos = end
    kept: list[bytes] = []
    cut = 0
    for start, end in regions:
        if _OTHER_ATTR.search(page, cut, start):
            return page
        body = _without_ignored(page[start:end])
        if body is None:
            return page
        kept.append(body)
        cut = end
    if _OTHER_ATTR.search(page, cut):
        return page
    html = re.search(rb"<html\b[^<>]*>", page[: regions[0][0]])
    title = re.search(rb"<title>[^<]*</title>", page[: regions[0][0]])
    head = (html.group(0) if html else b"<html>") + b"<head>" + (title.group(0) if title else b"")
    return b"<!DOCTYPE html>" + head + b"</head><body>" + b"".join(kept) + b"</body></html>"


def _without_ignored(body: bytes) -> bytes | None:
    """Return an indexed element without its ignored elements, or None if unsure."""
    out: list[bytes] = []
    pos = cut = 0
    marker = b"data-pagefind-ignore"
    while True:
        at = body.find(marker, pos)
        if at < 0:
            break
        start = body.rfind(b"<", 0, at)
        m = _ATTR.match(body, start) if start >= 0 else None
        if m is None or m.group(2) != b"ignore" or m.end() <= at:
            return None
        end = _element_end(body, start, m.group(1).lower())
        if end is None or _OTHER_ATTR.search(body, m.end(), end):
            pos = at + len(marker)  # kept whole: it holds filters or metadata, or is unsure
            continue
        out.append(body[cut:start])
        cut = pos = end
    out.append(body[cut:])
    return b"".join(out)


def has_mark(path: Path) -> bool:
    with open(path, "rb") as handle:
        return SEARCH_MARK in handle.read()
