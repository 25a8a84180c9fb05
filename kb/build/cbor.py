"""The subset of CBOR that Pagefind writes: integers, strings, byte strings and arrays."""

from __future__ import annotations


def decode(data: bytes, i: int = 0) -> tuple[object, int]:
    """Decode the CBOR subset Pagefind writes: integers, strings and arrays."""
    major, info = data[i] >> 5, data[i] & 31
    i += 1
    if info < 24:
        arg = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        arg = int.from_bytes(data[i : i + size], "big")
        i += size
    else:
        raise ValueError("unsupported CBOR item")
    if major == 0:
        return arg, i
    if major == 1:
        return -1 - arg, i
    if major in (2, 3):
        raw = data[i : i + arg]
        return (raw.decode("utf-8") if major == 3 else raw), i + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, i = decode(data, i)
            items.append(item)
        return items, i
    raise ValueError("unsupported CBOR item")


def _head(major: int, arg: int) -> bytes:
    if arg < 24:
        return bytes([major << 5 | arg])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * size):
            return bytes([major << 5 | info]) + arg.to_bytes(size, "big")
    raise ValueError("integer too large")


def encode(value: object) -> bytes:
    """Encode what decode reads."""
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(encode(v) for v in value)
    raise ValueError("unsupported value")
