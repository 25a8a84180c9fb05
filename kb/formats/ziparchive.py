"""The zip archive zipfile writes, assembled from members compressed earlier."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from kb.formats.writer import Bytes

_ZIP_DATE = (2000, 1, 1, 0, 0, 0)


def deflate(data: bytes) -> bytes:
    """Return data compressed as zipfile compresses a ZIP_DEFLATED member."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def zip_members(members: list[tuple[str, Bytes, int, Bytes]]) -> bytes:
    """Return the zip archive that zipfile writes of these (name, data, CRC, deflated) members."""
    # Writing it here lets a member whose text did not change keep its compressed bytes.
    if any(len(data) > 1 << 30 for _, data, _, _ in members):
        return zip_with_zipfile(members)  # zipfile switches to ZIP64 near 4 GiB
    out: list[Bytes] = []
    central: list[bytes] = []
    offset = 0
    for name, data, crc, deflated in members:
        info = _zip_info(name)
        info.CRC, info.compress_size, info.file_size = crc, len(deflated), len(data)
        header = info.FileHeader(False)
        dt = info.date_time
        dosdate = (dt[0] - 1980) << 9 | dt[1] << 5 | dt[2]
        dostime = dt[3] << 11 | dt[4] << 5 | (dt[5] // 2)
        filename = name.encode("ascii")
        central.append(
            struct.pack(
                "<4s4B4HL2L5H2L",
                b"PK\x01\x02",
                info.create_version,
                info.create_system,
                info.extract_version,
                info.reserved,
                info.flag_bits,
                info.compress_type,
                dostime,
                dosdate,
                crc,
                len(deflated),
                len(data),
                len(filename),
                0,
                0,
                0,
                info.internal_attr,
                info.external_attr,
                offset,
            )
            + filename
        )
        out += [header, deflated]
        offset += len(header) + len(deflated)
    directory = b"".join(central)
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), offset, 0
    )
    return b"".join([*out, directory, end])


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def zip_with_zipfile(members: list[tuple[str, Bytes, int, Bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data, _, _ in members:
            archive.writestr(_zip_info(name), data)
    return buffer.getvalue()
