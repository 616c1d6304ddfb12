"""The zip writer (archive_builder.zipwriter) makes the bytes zipfile makes.

reuse.zip_in_order (zipfile) is the reference: for any names (non-ASCII ones
too), contents (empty ones too) and SOURCE_DATE_EPOCH, the writer's zip is the
same bytes; with zipfile's ZIP64 limits lowered, the ZIP64 records come out
the same too.
"""

from __future__ import annotations

import io
import os
import zipfile
from unittest import mock

import pytest
from hypothesis import given, settings, strategies as st

from archive_builder.reuse import zip_in_order, zip_timestamp
from archive_builder.zipwriter import ZipWriter, deflate, local_header, zip_entries

names = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"), min_size=1, max_size=40)
contents = st.one_of(st.binary(max_size=3000), st.text(max_size=2000).map(lambda t: t.encode("utf-8")),
                     st.sampled_from([b"", b"a" * 70_000]))
captures = st.dictionaries(names, contents, max_size=12).map(lambda d: sorted(d.items()))
# SOURCE_DATE_EPOCH: unset, before 1980, odd seconds, up to the end of the zip format's years
stamps = st.one_of(st.none(), st.integers(0, 4_000_000_000).map(str))


def with_epoch(stamp: str | None):
    environ = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    if stamp is not None:
        environ["SOURCE_DATE_EPOCH"] = stamp
    return mock.patch.dict(os.environ, environ, clear=True)


def written(captures) -> bytes:
    return zip_entries((deflate(name, data) for name, data in captures), zip_timestamp())


@settings(max_examples=200, deadline=None)
@given(captures, stamps)
def test_the_writer_makes_the_bytes_zipfile_makes(captures, stamp):
    with with_epoch(stamp):
        assert written(captures) == zip_in_order(captures)


@settings(max_examples=100, deadline=None)
@given(captures, st.integers(0, 400), st.integers(0, 4))
def test_zip64_records_come_where_zipfile_puts_them(captures, size_limit, count_limit):
    """Lowered limits, so small zips need ZIP64 local headers, extra fields and end records."""
    with mock.patch.object(zipfile, "ZIP64_LIMIT", size_limit), \
            mock.patch.object(zipfile, "ZIP_FILECOUNT_LIMIT", count_limit):
        try:
            expected = zip_in_order(captures)
        except RuntimeError:     # zipfile refuses an entry whose compressed size outgrew its header
            with pytest.raises(RuntimeError):
                written(captures)
            return
        assert written(captures) == expected


def test_a_zip_without_entries_is_the_end_record_alone():
    assert zip_entries([], (1980, 1, 1, 0, 0, 0)) == zip_in_order([]) == b"PK\x05\x06" + bytes(18)


def test_add_says_where_the_compressed_bytes_are():
    writer = ZipWriter((2021, 1, 20, 0, 0, 0))
    entries = [deflate("a.txt", b"one" * 100), deflate("é/b.txt", b""), deflate("c.txt", bytes(range(256)))]
    at = [writer.add(e) for e in entries]
    zipped = writer.finish()
    for entry, offset in zip(entries, at):
        assert zipped[offset:offset + len(entry.deflated)] == entry.deflated
        header = local_header(entry, writer.date_time)
        assert zipped[offset - len(header):offset] == header
    with zipfile.ZipFile(io.BytesIO(zipped)) as z:
        assert z.testzip() is None
        assert z.read("a.txt") == b"one" * 100 and z.read("é/b.txt") == b""
        assert z.getinfo("é/b.txt").flag_bits & 0x800     # a UTF-8 name says so


@pytest.mark.parametrize("size", [95, 96, 100, 101])
def test_an_entry_near_the_zip64_limit_has_zipfile_s_versions(size):
    """Within 5 % of the limit zipfile writes a ZIP64 local header (and version 4.5
    in both headers) though the central directory needs no ZIP64 field."""
    with mock.patch.object(zipfile, "ZIP64_LIMIT", 100):
        captures = [("a.txt", b"a" * size), ("b.txt", b"")]
        assert written(captures) == zip_in_order(captures)
