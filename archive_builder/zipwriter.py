"""A zip writer that makes exactly the bytes `zipfile` makes for originals.zip.

`zipfile` compresses what it is given and cannot take bytes compressed
elsewhere, so a rebuild could not copy an unchanged capture's compressed bytes
from the previous zip.  This writer takes each entry already deflated
(`deflate` makes one; reuse.py copies others from the previous zip) and
writes the headers `zipfile.ZipFile(..., "w")` on a seekable file writes for
reuse.zip_in_order's settings: deflate, one timestamp, Unix 0o100644
permissions, no comment, no data descriptors (the local header is rewritten
with the CRC and sizes), UTF-8 flag for non-ASCII names, and ZIP64 records
exactly where zipfile puts them (its limits are read from the zipfile module,
so a test can lower them).  tests/test_zipwriter.py compares the two byte for
byte.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import Iterable

DEFLATE_LEVEL = 9
UNIX_FILE = 0o100644                 # a regular file, rw-r--r--
_UNIX = 3                             # create_system: the permissions above are read
_DEFAULT_VERSION, _ZIP64_VERSION = 20, 45
_UTF8_NAME = 0x800
_NO_ZIP64 = b""


@dataclass(frozen=True)
class Entry:
    """One file of a zip: its name, the CRC-32 and size of its bytes, and those
    bytes deflated (a raw deflate stream, as it stands in the zip)."""

    name: str
    crc: int
    size: int
    deflated: bytes


def deflate(name: str, data: bytes, level: int = DEFLATE_LEVEL) -> Entry:
    """An entry of `data`, compressed as zipfile compresses it (one write, then a flush)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return Entry(name, zlib.crc32(data), len(data), compressor.compress(data) + compressor.flush())


def local_zip64(size: int) -> bool:
    """zipfile's choice of a ZIP64 local header, made before it knows the compressed size."""
    return size * 1.05 > zipfile.ZIP64_LIMIT


def stored_name(name: str) -> tuple[bytes, int]:
    """The name as zipfile stores it (cut at a NUL) and the flag bits it implies."""
    name = name.split("\0", 1)[0]
    try:
        return name.encode("ascii"), 0
    except UnicodeEncodeError:
        return name.encode("utf-8"), _UTF8_NAME


def dos_time(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    """(time, date) in MS-DOS form, as zipfile packs them."""
    y, mo, d, h, mi, s = date_time
    return h << 11 | mi << 5 | s // 2, (y - 1980) << 9 | mo << 5 | d


def local_header(entry: Entry, date_time: tuple[int, int, int, int, int, int]) -> bytes:
    """The entry's local file header, as zipfile leaves it once the data is written."""
    name, flags = stored_name(entry.name)
    dostime, dosdate = dos_time(date_time)
    compressed = len(entry.deflated)
    if local_zip64(entry.size):
        extra = struct.pack("<HHQQ", 1, 16, entry.size, compressed)
        version, size_field, compressed_field = _ZIP64_VERSION, 0xFFFFFFFF, 0xFFFFFFFF
    else:
        if entry.size > zipfile.ZIP64_LIMIT or compressed > zipfile.ZIP64_LIMIT:
            raise RuntimeError("File size too large, try using force_zip64")   # as zipfile
        extra, version, size_field, compressed_field = _NO_ZIP64, _DEFAULT_VERSION, entry.size, compressed
    return struct.pack(zipfile.structFileHeader, zipfile.stringFileHeader, version, 0, flags,
                       zipfile.ZIP_DEFLATED, dostime, dosdate, entry.crc, compressed_field, size_field,
                       len(name), len(extra)) + name + extra


class ZipWriter:
    """Entries in, zip bytes out: `add` each entry in order, then `finish`."""

    def __init__(self, date_time: tuple[int, int, int, int, int, int]):
        self.date_time = date_time
        self._chunks: list[bytes] = []
        self._central: list[bytes] = []
        self._offset = 0

    def add(self, entry: Entry) -> int:
        """Write the entry; returns where its compressed bytes start in the zip."""
        header = local_header(entry, self.date_time)
        header_offset = self._offset
        self._chunks += (header, entry.deflated)
        self._offset += len(header) + len(entry.deflated)
        self._central.append(self._central_header(entry, header_offset))
        return header_offset + len(header)

    def _central_header(self, entry: Entry, header_offset: int) -> bytes:
        name, flags = stored_name(entry.name)
        dostime, dosdate = dos_time(self.date_time)
        compressed, limit = len(entry.deflated), zipfile.ZIP64_LIMIT
        wide: list[int] = []     # the values too large for their field, in a ZIP64 extra field
        size_field, compressed_field, offset_field = entry.size, compressed, header_offset
        if entry.size > limit or compressed > limit:
            wide += (entry.size, compressed)
            size_field = compressed_field = 0xFFFFFFFF
        if header_offset > limit:
            wide.append(header_offset)
            offset_field = 0xFFFFFFFF
        extra = struct.pack("<HH" + "Q" * len(wide), 1, 8 * len(wide), *wide) if wide else _NO_ZIP64
        # zipfile raises the entry's versions to 4.5 once its local header needed ZIP64
        version = _ZIP64_VERSION if wide or local_zip64(entry.size) else _DEFAULT_VERSION
        return struct.pack(zipfile.structCentralDir, zipfile.stringCentralDir, version, _UNIX, version, 0,
                           flags, zipfile.ZIP_DEFLATED, dostime, dosdate, entry.crc, compressed_field,
                           size_field, len(name), len(extra), 0, 0, 0, UNIX_FILE << 16,
                           offset_field) + name + extra

    def finish(self) -> bytes:
        """The zip: the entries, the central directory and the end records."""
        start = self._offset
        directory = b"".join(self._central)
        count, size = len(self._central), len(directory)
        end: list[bytes] = []
        if count > zipfile.ZIP_FILECOUNT_LIMIT or start > zipfile.ZIP64_LIMIT or size > zipfile.ZIP64_LIMIT:
            end += (struct.pack(zipfile.structEndArchive64, zipfile.stringEndArchive64,
                                44, 45, 45, 0, 0, count, count, size, start),
                    struct.pack(zipfile.structEndArchive64Locator, zipfile.stringEndArchive64Locator,
                                0, start + size, 1))
            count, size, start = min(count, 0xFFFF), min(size, 0xFFFFFFFF), min(start, 0xFFFFFFFF)
        end.append(struct.pack(zipfile.structEndArchive, zipfile.stringEndArchive,
                               0, 0, count, count, size, start, 0))
        return b"".join((*self._chunks, directory, *end))


def zip_entries(entries: Iterable[Entry], date_time: tuple[int, int, int, int, int, int]) -> bytes:
    writer = ZipWriter(date_time)
    for entry in entries:
        writer.add(entry)
    return writer.finish()
