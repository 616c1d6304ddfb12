"""Reuse: the downloads page and everything a machine reads.

`render_reuse_files(ctx, env, pages)` yields (site-relative path, bytes) for
the downloads page, data/documents.csv, data/citations.bib and .json (every
document's citation), data/originals.zip, data/datapackage.json, feed.xml,
robots.txt and (when `site_url` is set) sitemap.xml.  `document_jsonld(ctx, record)` is a document page's Schema.org
JSON-LD and `document_meta(ctx, record)` its Open Graph / Twitter / Highwire
meta tags.  Pure apart from reading the capture bytes for the zip and, on a
rebuild, the parts of the previous data files that did not change.

Choices:

* No clock.  Zip entries carry SOURCE_DATE_EPOCH (or 1980-01-01, the zip
  format's first day); the feed's `updated` is the record's own date, else
  SOURCE_DATE_EPOCH, else the Unix epoch — never the build time.
* Dates in JSON-LD: `datePublished` is the record's EDTF date whenever it is
  known.  Schema.org dates are ISO 8601, and EDTF (levels 0-1) is a profile of
  ISO 8601-2, so intervals ("2021-01-13/..": on or after) and qualifiers are
  written as they are, never rounded to a day.  An inferred date is also said
  in words in `description` ("date inferred by the archive"), since JSON-LD
  has no field for provenance.
* The sitemap protocol needs absolute URLs, so there is a sitemap only when
  `site_url` is set; the downloads page says so.  robots.txt is always
  written (crawlers read it only at the root of a host: a site under a base
  path should copy its lines into the host's own robots.txt).
* A rebuild does not compress every capture or cite every record again: an
  unchanged capture's compressed bytes (same name and SHA-256) are copied from
  the previous originals.zip, an unchanged record's citations (same cited
  fields and permalink, same code and site title) from the previous
  citations.bib and .json, located by offsets noted in the cache beside each
  file's inode, mtime and size.  Anything doubtful is made afresh; the bytes
  are those of a clean build (tests/test_zipwriter.py, tests/test_reuse.py).
* JSON-LD is escaped for a <script> element: "<", ">" and "&" are written as
  \\u003c, \\u003e and \\u0026, so no document text can end the script.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import heapq
import io
import json
import os
import pickle
import re
import struct
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Iterable, Iterator, Sequence
from xml.sax.saxutils import escape as xml_escape, quoteattr

from markupsafe import Markup, escape

from . import render as site   # a cycle render -> reuse -> render: used at call time only
from .cite import bibtex, cited_date, citations, csl, is_person
from .cache import code_version
from .data import dumps, indented_json
from .output import PageSpec
from .model import Agent, Record, Sourced
from .report import source_date
from .urls import absolute_url, page_file, slugify
from .zipwriter import DEFLATE_LEVEL, Entry, ZipWriter, deflate, local_header

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)        # the earliest time a zip entry can hold
ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
ATOM_TIME = "%Y-%m-%dT%H:%M:%SZ"      # the form report.source_date gives


# --- time, from the environment only --------------------------------------------


def zip_timestamp() -> tuple[int, int, int, int, int, int]:
    stamp = source_date()
    if stamp is None:
        return ZIP_EPOCH
    t = datetime.datetime.strptime(stamp, ATOM_TIME)
    # zip timestamps cannot go before 1980 and have two-second steps
    return max(ZIP_EPOCH, (t.year, t.month, t.day, t.hour, t.minute, t.second - t.second % 2))


def permalink(ctx, record: Record) -> str:
    return absolute_url(ctx.config.site_url, ctx.urls.document(record.id))


def capture_url(ctx, record: Record) -> str:
    """The capture as a file, byte for byte (written by build.py beside records.json)."""
    return absolute_url(ctx.config.site_url, ctx.urls.raw(record.id, PurePosixPath(record.source_file).suffix.lower()))


def document_citations(ctx, record: Record):
    """The document page's "Cite this" block (templates/partials/cite.html)."""
    return citations(record, permalink(ctx, record), ctx.config.title)


# --- documents.csv -----------------------------------------------------------------

DOCUMENT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    # (column, Table Schema type, description)
    ("id", "string", "Stable id of the document; its page is documents/<id>/"),
    ("title", "string", "Title"),
    ("document_type", "string", "statement, comment, letter, …"),
    ("author", "string", "Who issued the document (canonical name when the archive has one)"),
    ("publisher", "string", "Who published it"),
    ("date_edtf", "string", "Date of the document in EDTF (ISO 8601-2): uncertain dates and intervals as such"),
    ("date_basis", "string", "stated, inferred, sidecar (set by an archivist) or unknown"),
    ("language", "string", "Language tag"),
    ("source_file", "string", "Path of the capture in originals.zip"),
    ("sha256", "string", "SHA-256 of the capture's bytes"),
    ("url", "string", "The document's page"),
)


def _display(agent: Any) -> str:
    return agent.display if isinstance(agent, Agent) else ""


def documents_csv(ctx, records: Sequence[Record]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([c for c, _, _ in DOCUMENT_COLUMNS])
    for r in records:
        w.writerow([r.id, r.title.value or "", r.document_type.value or "", _display(r.author.value),
                    _display(r.publisher.value), r.date.value or "", r.date.basis, r.language.value or "",
                    r.source_file, r.sha256, permalink(ctx, r)])
    return out.getvalue().encode("utf-8")


# --- parts of the previous build's data files --------------------------------------
# A rebuild copies what did not change from the previous site's data files, as
# render.write_records_json does for records.json: the cache notes where each
# part is, beside the file's inode, mtime and size, and the parts are read only
# from that very file.  The files are written by write_site after they are
# yielded, so their notes are made once the next item is asked for.


def read_noted(path: Path, file_id: Any) -> bytes | None:
    """The file's bytes if it is still the file noted (inode, mtime, size), else None."""
    try:
        with open(path, "rb") as handle:
            st = os.fstat(handle.fileno())      # the file opened, not whatever the name points to later
            if [st.st_ino, st.st_mtime_ns, st.st_size] != file_id:
                return None
            data = handle.read()
    except OSError:
        return None
    return data if len(data) == st.st_size else None


def load_note(previous: Any, name: str) -> dict | None:
    """A note the previous build left in the cache, when there is a previous site to read."""
    if getattr(previous, "previous", None) is None or getattr(previous, "cache", None) is None:
        return None
    try:
        note = json.loads((previous.cache / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return note if isinstance(note, dict) else None


def staged_id(previous: Any, rel: str, data: bytes) -> list[int] | None:
    """The inode, mtime and size of the file `rel` written into staging, if it is
    there as made (its size); None otherwise."""
    staging = getattr(previous, "staging", None)
    try:
        st = os.stat(staging / rel) if staging is not None else None
    except OSError:
        return None
    return [st.st_ino, st.st_mtime_ns, st.st_size] if st is not None and st.st_size == len(data) else None


def save_note(previous: Any, name: str, note: dict | None) -> None:
    """Keep the note in the cache for the next build; None removes a stale one."""
    cache = getattr(previous, "cache", None)
    if cache is None:
        return
    if note is None:
        (cache / name).unlink(missing_ok=True)
        return
    cache.mkdir(parents=True, exist_ok=True)
    site.write_atomically(cache / name, json.dumps(note, sort_keys=True, separators=(",", ":")).encode("utf-8"))


# --- originals.zip -------------------------------------------------------------------


def originals_zip(captures: Iterable[tuple[str, bytes]]) -> bytes:
    """The captures in a zip that is the same bytes on every build: names sorted,
    one fixed time, fixed permissions, one compression level."""
    return zip_in_order(sorted(captures, key=lambda c: c[0]))


def zip_in_order(captures: Iterable[tuple[str, bytes]]) -> bytes:
    """originals_zip for captures already sorted by name: read one at a time, so
    only the compressed zip is held in memory, never every capture at once."""
    buffer = io.BytesIO()
    stamp = zip_timestamp()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in captures:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3                      # Unix, so the permissions below are read
            info.external_attr = (0o100644 & 0xFFFF) << 16
            z.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return buffer.getvalue()


ORIGINALS_ENTRIES = "originals-entries.json"   # in the cache folder: each capture's compressed bytes in originals.zip
# what makes a capture's compressed bytes: the same bytes in, these the same, the same bytes out
DEFLATER = [zlib.ZLIB_RUNTIME_VERSION, DEFLATE_LEVEL]
_HEADER_TIME = slice(10, 14)     # a local header's time and date: SOURCE_DATE_EPOCH may have changed since


@dataclass(frozen=True)
class PreviousZip:
    """The previous build's originals.zip and, by capture name, where each entry's
    compressed bytes are in it: [SHA-256 of the capture, offset, CRC-32, size,
    compressed size] (as noted in the cache last build)."""

    data: bytes
    entries: dict[str, list]


def previous_zip(previous: Any, rel: str) -> PreviousZip | None:
    """The previous site's zip, if the cache's note is about this very file and
    about this deflater; None when anything is missing or doubtful."""
    note = load_note(previous, ORIGINALS_ENTRIES)
    if note is None or note.get("deflater") != DEFLATER or not isinstance(note.get("entries"), dict):
        return None
    data = read_noted(previous.previous / rel, note.get("file"))
    return PreviousZip(data, note["entries"]) if data is not None else None


def reused_entry(previous: PreviousZip, name: str, sha256: str) -> Entry | None:
    """The capture's entry copied from the previous zip, if it holds these very bytes
    (by SHA-256) and its local header there is the one this entry would have."""
    noted = previous.entries.get(name)
    if not isinstance(noted, list) or len(noted) != 5 or noted[0] != sha256:
        return None
    _, offset, crc, size, compressed = noted
    if not all(isinstance(n, int) and n >= 0 for n in (offset, crc, size, compressed)) \
            or offset + compressed > len(previous.data):
        return None
    entry = Entry(name, crc, size, previous.data[offset:offset + compressed])
    try:
        header = local_header(entry, ZIP_EPOCH)
    except (struct.error, RuntimeError):     # numbers no header can hold: not our note
        return None
    start = offset - len(header)
    found = previous.data[max(start, 0):offset]
    if start < 0 or found[:_HEADER_TIME.start] + found[_HEADER_TIME.stop:] != \
            header[:_HEADER_TIME.start] + header[_HEADER_TIME.stop:]:
        return None
    return entry


def originals_zip_reusing(ctx, records: Iterable[Record], previous: PreviousZip | None
                          ) -> tuple[bytes, dict[str, list]]:
    """zip_in_order of the records' captures (sorted by source file), the same bytes,
    with each unchanged capture's compressed bytes copied from `previous` rather
    than compressed again.  Returns the zip and the note of its entries."""
    writer = ZipWriter(zip_timestamp())
    entries: dict[str, list] = {}
    for r in sorted(records, key=lambda r: r.source_file):
        entry, sha256 = (reused_entry(previous, r.source_file, r.sha256), r.sha256) if previous else (None, "")
        if entry is None:
            raw = site.read_raw(ctx, r)
            if raw is None:
                continue
            # the hash of the bytes compressed, not the record's: the note must say what the zip holds
            entry, sha256 = deflate(r.source_file, raw), hashlib.sha256(raw).hexdigest()
        offset = writer.add(entry)
        entries[entry.name] = [sha256, offset, entry.crc, entry.size, len(entry.deflated)]
    return writer.finish(), entries


def note_originals(previous: Any, rel: str, zipped: bytes, entries: dict[str, list]) -> None:
    """Note in the cache where each capture's compressed bytes are in the zip just
    written into staging (by `rel`); a stale note is removed when the file is
    not there as made."""
    file_id = staged_id(previous, rel, zipped)
    save_note(previous, ORIGINALS_ENTRIES,
              None if file_id is None else {"deflater": DEFLATER, "file": file_id, "entries": entries})


# --- datapackage.json ---------------------------------------------------------------

CLAIM_FIELD_TYPES = {"value": "number", "low": "number", "high": "number"}


@dataclass(frozen=True)
class Download:
    """One file of the downloads page and of the data package."""

    name: str           # data package resource name
    path: str           # relative to data/
    title: str
    description: str
    mediatype: str
    format: str
    schema: dict | None = None
    hash: str | None = None     # "sha256:…", for the files made here
    size: int | None = None


def table_schema(columns: Iterable[tuple[str, str, str]], primary_key: str | None = None) -> dict:
    schema: dict[str, Any] = {"fields": [{"name": n, "type": t, "description": d} for n, t, d in columns]}
    if primary_key:
        schema["primaryKey"] = primary_key
    return schema


def claim_columns() -> list[tuple[str, str, str]]:
    columns = getattr(site.render_analysis, "CSV_COLUMNS", ())
    return [(c, CLAIM_FIELD_TYPES.get(c, "string"), "") for c in columns]


def downloads(ctx, made: dict[str, bytes]) -> list[Download]:
    """Every data file, in the order the downloads page lists them; `made` holds the
    bytes of the files made here (by path), whose hash and size are given."""
    def made_here(path: str) -> dict[str, Any]:
        return dict(hash="sha256:" + hashlib.sha256(made[path]).hexdigest(), size=len(made[path]))

    items = [
        Download("records", "records.json", "Records",
                 "Every document with its metadata (and each value's basis and evidence), text, what was set "
                 "aside and why, reader comments (kept apart) and claims. Schema: records.schema.json.",
                 "application/json", "json"),
        Download("documents", "documents.csv", "Documents (CSV)",
                 "One row per document: title, type, author, publisher, date (EDTF) and its basis, language, "
                 "capture file and its SHA-256, page URL.", "text/csv", "csv",
                 table_schema(DOCUMENT_COLUMNS, "id"), **made_here("documents.csv")),
    ]
    if site.render_analysis is not None:
        items += [
            Download("events", "events.json", "Events",
                     "Events with neutral labels (place and date), the names each side's sources use, "
                     "and the figures each source gives.", "application/json", "json"),
            Download("claims", "claims.csv", "Claims (CSV)",
                     "One row per figure of a claim: what a source states, with its exact quote.",
                     "text/csv", "csv", table_schema(claim_columns())),
        ]
    items += [
        Download("citations-bibtex", "citations.bib", "Citations (BibTeX)",
                 "Every document as a BibTeX/biblatex entry, as in its “Cite this document” block.",
                 "application/x-bibtex", "bib", **made_here("citations.bib")),
        Download("citations-csl", "citations.json", "Citations (CSL-JSON)",
                 "Every document as a CSL-JSON item, for Zotero, Pandoc and other reference managers.",
                 "application/vnd.citationstyles.csl+json", "json", **made_here("citations.json")),
        Download("originals", "originals.zip", "Original captures (zip)",
                 "Every capture exactly as received, byte for byte; compare with the SHA-256 in "
                 "documents.csv.", "application/zip", "zip", **made_here("originals.zip")),
    ]
    return items


def citation_files(ctx, records: Sequence[Record]) -> dict[str, bytes]:
    """citations.bib and citations.json: every document's citation in one file each."""
    # the two formats these files hold, not the document page's five (a third of the cost)
    cited = [(permalink(ctx, r), r) for r in records]
    title = ctx.config.title
    return {"citations.bib": ("\n\n".join(bibtex(r, link, title) for link, r in cited) + "\n").encode("utf-8"),
            "citations.json": dumps([csl(r, link, title) for link, r in cited])}


CITATIONS = ("citations.bib", "citations.json")
CITATION_PIECES = "citations-pieces.json"   # in the cache folder: each record's citation in both files
# what cite.bibtex and cite.csl read of a record (tests/test_reuse.py checks that they read no other field)
CITED_FIELDS = ("id", "sha256", "title", "document_type", "author", "publisher", "date", "language")


def _cited(sourced: Sourced) -> tuple:
    v = sourced.value    # an Agent as its fields: a pickled dataclass is several times slower
    value = (True, v.name, v.title, v.affiliation, v.canonical) if isinstance(v, Agent) else (False, v)
    return value, sourced.basis, sourced.evidence, sourced.line


def citation_key(record: Record, link: str) -> str:
    """A digest of everything of the record its citations read, and its permalink
    (the code and the site title are in the note's `made_by`)."""
    return hashlib.blake2b(pickle.dumps(
        (record.id, record.sha256, _cited(record.title), _cited(record.document_type), _cited(record.author),
         _cited(record.publisher), _cited(record.date), _cited(record.language), link), 5), digest_size=16).hexdigest()


def citations_made_by(ctx) -> list[str]:
    return [code_version(), ctx.config.title]


def previous_citations(ctx, previous: Any, rels: Sequence[str]) -> tuple[list[bytes], dict] | None:
    """The previous site's citations.bib and .json and where each record's piece is
    in them (by citation_key), if the note is about these very files and this
    code and title; None otherwise."""
    note = load_note(previous, CITATION_PIECES)
    if note is None or note.get("made_by") != citations_made_by(ctx) or not isinstance(note.get("at"), dict) \
            or not isinstance(note.get("files"), list) or len(note["files"]) != len(rels):
        return None
    files = [read_noted(previous.previous / rel, file_id) for rel, file_id in zip(rels, note["files"])]
    return (files, note["at"]) if all(f is not None for f in files) else None


def _noted_piece(data: bytes, where: Any, start: int, length: int, opening: bytes, closing: bytes) -> bytes | None:
    """data[offset:offset + size] from a note's [offset, size, …], if it looks like a piece."""
    if not isinstance(where, list) or len(where) != 4:
        return None
    offset, size = where[start], where[length]
    if not (isinstance(offset, int) and isinstance(size, int) and 0 <= offset and 0 < size <= len(data) - offset):
        return None
    piece = data[offset:offset + size]
    return piece if piece.startswith(opening) and piece.endswith(closing) else None


def citation_files_reusing(ctx, records: Sequence[Record], previous: tuple[list[bytes], dict] | None
                           ) -> tuple[dict[str, bytes], dict[str, list[int]]]:
    """citation_files, the same bytes, with each record's unchanged citations copied
    from the previous files; returns the files and where each record's pieces
    are in them ([bib offset, size, json offset, size] by citation_key)."""
    title = ctx.config.title
    (old_bib, old_json), old_at = previous if previous is not None else ((b"", b""), {})
    bib: list[bytes] = []
    items: list[bytes] = []
    at: dict[str, list[int]] = {}
    bib_offset, json_offset = 0, 3      # after "[\n "
    for r in records:
        link = permalink(ctx, r)
        key = citation_key(r, link)
        where = old_at.get(key)
        entry = _noted_piece(old_bib, where, 0, 1, b"@misc{", b"}") if where is not None else None
        item = _noted_piece(old_json, where, 2, 3, b"{", b"}") if entry is not None else None
        if item is None:
            entry = bibtex(r, link, title).encode("utf-8")
            # the item as it stands in the list, one level in (JSON strings hold no raw newline)
            item = indented_json(csl(r, link, title)).replace("\n", "\n ").encode("utf-8")
        at[key] = [bib_offset, len(entry), json_offset, len(item)]
        bib.append(entry)
        items.append(item)
        bib_offset += len(entry) + 2      # "\n\n" between entries
        json_offset += len(item) + 3      # ",\n " between items
    return {"citations.bib": b"\n\n".join(bib) + b"\n",
            "citations.json": b"[\n " + b",\n ".join(items) + b"\n]\n" if items else b"[]\n"}, at


def note_citations(ctx, previous: Any, rels: Sequence[str], made: dict[str, bytes], at: dict[str, list[int]]) -> None:
    """Note where each record's citations are in the files just written into staging."""
    files = [staged_id(previous, rel, made[name]) for rel, name in zip(rels, CITATIONS)]
    save_note(previous, CITATION_PIECES, None if None in files else
              {"made_by": citations_made_by(ctx), "files": files, "at": at})


def datapackage_json(ctx, items: Sequence[Download]) -> bytes:
    """A Frictionless Data Package (v1) describing the data files."""
    resources = []
    for d in items:
        resource: dict[str, Any] = {"name": d.name, "path": d.path, "title": d.title, "description": d.description,
                                    "format": d.format, "mediatype": d.mediatype}
        if d.format == "csv":
            resource.update(profile="tabular-data-resource", encoding="utf-8", schema=d.schema)
        else:
            resource["profile"] = "data-resource"
        if d.hash:
            resource.update(hash=d.hash, bytes=d.size)
        resources.append(resource)
    package: dict[str, Any] = {"profile": "data-package", "name": slugify(ctx.config.title),
                               "title": ctx.config.title, "description": ctx.config.description}
    if ctx.config.site_url:
        package["homepage"] = absolute_url(ctx.config.site_url, ctx.urls.home())
    package["resources"] = resources
    return dumps(package)


# --- sitemap, robots, feed ------------------------------------------------------------


def page_url(ctx, rel: str) -> str:
    """The URL of a page from its file in the site ("documents/x/index.html" -> ".../documents/x/")."""
    path = rel[: -len("index.html")] if rel == "index.html" or rel.endswith("/index.html") else rel
    return absolute_url(ctx.config.site_url, ctx.urls.path(path))


SITEMAP_LIMIT = 50_000     # URLs in one sitemap file, as the protocol allows


def sitemap_files(ctx, pages: Iterable[str], limit: int = SITEMAP_LIMIT) -> list[tuple[str, bytes]]:
    """(site-relative path, bytes): sitemap.xml alone, or, past `limit` URLs,
    sitemap.xml as an index of sitemap-1.xml, sitemap-2.xml, …"""
    urls = [page_url(ctx, rel) for rel in sorted(set(pages))]
    main = page_file(ctx.urls.sitemap(), ctx.urls.base)
    if len(urls) <= limit:
        return [(main, _urlset(urls))]
    parts = [(main.replace("sitemap.xml", f"sitemap-{n}.xml"), _urlset(urls[i:i + limit]))
             for n, i in enumerate(range(0, len(urls), limit), start=1)]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{SITEMAP_NS}">']
    for rel, _ in parts:
        lines.append(f"  <sitemap><loc>{xml_escape(page_url(ctx, rel))}</loc></sitemap>")
    lines.append("</sitemapindex>")
    return [(main, ("\n".join(lines) + "\n").encode("utf-8")), *parts]


def _urlset(urls: Sequence[str]) -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{SITEMAP_NS}">']
    lines += [f"  <url><loc>{xml_escape(u)}</loc></url>" for u in urls]
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots_txt(ctx) -> bytes:
    lines = ["User-agent: *", "Allow: /"]
    if ctx.config.site_url:
        lines.append(f"Sitemap: {absolute_url(ctx.config.site_url, ctx.urls.sitemap())}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _rfc3339(d: datetime.date) -> str:
    return f"{d.isoformat()}T00:00:00Z"


def entry_updated(record: Record) -> str:
    """The record's own date as an Atom time: the first day it can be (Atom needs a full
    time); else SOURCE_DATE_EPOCH; else the Unix epoch.  Never the build's clock."""
    d = cited_date(record.date.value, record.date.basis)
    point = d.start if d.kind in ("single", "range", "after") else d.end if d.kind == "before" else None
    if point is not None and point.year is not None and 1 <= point.year <= 9999:
        return _rfc3339(datetime.date(point.year, point.month or 1, point.day or 1))
    return epoch_time()


def epoch_time() -> str:
    """SOURCE_DATE_EPOCH, else the Unix epoch, as an Atom time."""
    return source_date() or "1970-01-01T00:00:00Z"


def entry_id(ctx, record: Record) -> str:
    """The permalink when the site's address is known, else a name-based UUID URN of
    the site and document id (Atom ids must be absolute IRIs)."""
    if ctx.config.site_url:
        return permalink(ctx, record)
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"archive-builder:{ctx.config.title}:{record.id}"))


def summary_text(record: Record) -> str:
    """'Issued by X; published by Y; 20 January 2021 (date inferred by the archive).'"""
    parts = [f"Issued by {_display(record.author.value) or 'an unknown author'}"]
    if isinstance(record.publisher.value, Agent):
        parts.append(f"published by {record.publisher.value.display}")
    if record.date.value:
        date = site.format_edtf(record.date.value)
        parts.append(f"{date} (date inferred by the archive)" if record.date.basis == "inferred" else date)
    else:
        parts.append("date unknown")
    return "; ".join(parts) + "."


FEED_ENTRIES = 100     # a feed is for news: the newest documents; documents.csv lists them all


def feed_xml(ctx, records: Sequence[Record], limit: int = FEED_ENTRIES) -> bytes:
    """An Atom feed of the newest `limit` documents, newest first by the document's date."""
    u, config = ctx.urls, ctx.config
    ordered = heapq.nsmallest(limit, records, key=site.newest_first_key)   # sorted, without sorting them all
    updated = max((entry_updated(r) for r in ordered), default=epoch_time())
    feed_id = absolute_url(config.site_url, u.home()) if config.site_url else \
        "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"archive-builder:{config.title}"))
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f'<feed xmlns="{ATOM_NS}" xml:lang={quoteattr(config.language)}>',
             f"  <title>{xml_escape(config.title)}</title>",
             f"  <subtitle>{xml_escape(config.description)}</subtitle>",
             f"  <id>{xml_escape(feed_id)}</id>",
             f"  <updated>{updated}</updated>",
             f"  <link rel=\"self\" href={quoteattr(absolute_url(config.site_url, u.feed()))}/>",
             f"  <link rel=\"alternate\" type=\"text/html\" href={quoteattr(absolute_url(config.site_url, u.home()))}/>",
             "  <generator>archive_builder</generator>"]
    for r in ordered:
        author = _display(r.author.value) or _display(r.publisher.value) or "Unknown source"
        lines += ["  <entry>",
                  f"    <title>{xml_escape(r.title.value or r.id)}</title>",
                  f"    <id>{xml_escape(entry_id(ctx, r))}</id>",
                  f"    <link rel=\"alternate\" type=\"text/html\" href={quoteattr(permalink(ctx, r))}/>",
                  f"    <link rel=\"related\" type=\"text/plain\" href={quoteattr(capture_url(ctx, r))}/>",
                  f"    <updated>{entry_updated(r)}</updated>",
                  f"    <author><name>{xml_escape(author)}</name></author>"]
        if r.document_type.value:
            lines.append(f"    <category term={quoteattr(r.document_type.value)}/>")
        lines += [f"    <summary>{xml_escape(summary_text(r))}</summary>", "  </entry>"]
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- JSON-LD and meta tags of a document page ---------------------------------------

# document type -> Schema.org type; anything else is a CreativeWork
SCHEMA_TYPES: dict[str, str] = {
    "letter": "Message",
    "note verbale": "Message",
    "news report": "NewsArticle",
    "article": "Article",
    "press release": "Article",
}
_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_SCRIPT_UNSAFE_RE = re.compile("[<>&\u2028\u2029]")


def script_json(data: Any) -> str:
    """JSON that is safe inside <script type="application/ld+json">: the characters
    that could end the element or start markup are written as JSON escapes."""
    text = indented_json(data)
    return _SCRIPT_UNSAFE_RE.sub(lambda m: _SCRIPT_UNSAFE[m.group(0)], text)


def schema_date(record: Record) -> str | None:
    """The record's EDTF date (an ISO 8601-2 profile), or None when unknown."""
    return record.date.value or None


def agent_ld(agent: Agent) -> dict[str, Any]:
    if is_person(agent):
        ld: dict[str, Any] = {"@type": "Person", "name": agent.display}
        if agent.title:
            ld["jobTitle"] = agent.title
        if agent.affiliation:
            ld["affiliation"] = {"@type": "Organization", "name": agent.affiliation}
    else:
        ld = {"@type": "Organization", "name": agent.display}
    if agent.name != agent.display:
        ld["alternateName"] = agent.name
    return ld


def document_description(record: Record) -> str:
    return summary_text(record) + " Text as published by its source, reproduced without endorsement."


def document_ld(ctx, record: Record) -> dict[str, Any]:
    """The document as Schema.org data, its claims as `Claim` parts."""
    url = permalink(ctx, record)
    kind = SCHEMA_TYPES.get(record.document_type.value or "", "CreativeWork")
    ld: dict[str, Any] = {"@context": "https://schema.org", "@type": kind, "@id": url, "url": url,
                          "name": record.title.value or record.id}
    author = record.author.value if isinstance(record.author.value, Agent) else None
    if author:
        ld["author"] = agent_ld(author)
    if isinstance(record.publisher.value, Agent):
        ld["publisher"] = agent_ld(record.publisher.value)
    date = schema_date(record)
    if date:
        ld["datePublished"] = date
    ld["description"] = document_description(record)
    if record.document_type.value:
        ld["genre"] = record.document_type.value
    if record.language.value:
        ld["inLanguage"] = record.language.value
    ld["identifier"] = {"@type": "PropertyValue", "propertyID": "SHA-256", "value": record.sha256}
    ld["isBasedOn"] = capture_url(ctx, record)
    ld["isPartOf"] = {"@type": "WebSite", "name": ctx.config.title,
                      "url": absolute_url(ctx.config.site_url, ctx.urls.home())}
    claims = ctx.claims_by_document.get(record.id, ())
    if claims:
        ld["hasPart"] = [claim_ld(url, c, author) for c in claims]
    return ld


def claim_ld(document_url: str, claim, author: Agent | None) -> dict[str, Any]:
    anchor = f"{document_url}#claim-{claim.id}"
    ld: dict[str, Any] = {"@type": "Claim", "@id": anchor, "text": claim.quote,
                          "appearance": {"@type": "CreativeWork", "url": anchor}}
    if author:   # the name is enough here: the document's own `author` has the rest
        ld["author"] = {"@type": agent_ld(author)["@type"], "name": author.display}
    return ld


def document_jsonld(ctx, record: Record) -> Markup:
    """The <script> element's content, ready to be put in the page as it is."""
    return Markup(script_json(document_ld(ctx, record)))


def meta_tags_html(tags: Iterable[tuple[str, str, str]]) -> Markup:
    """The <meta> elements of `document_meta`'s tags, one a line, values escaped."""
    return Markup("".join(f'<meta {"property" if attribute == "property" else "name"}="{escape(key)}" '
                          f'content="{escape(content)}">\n' for attribute, key, content in tags))


def document_meta(ctx, record: Record) -> list[tuple[str, str, str]]:
    """(attribute, key, content) of the page's meta tags: Open Graph ("property"),
    Twitter cards and Highwire Press tags ("name", read by Zotero and Google Scholar)."""
    config = ctx.config
    title = record.title.value or record.id
    description = summary_text(record)
    tags = [("property", "og:type", "article"), ("property", "og:title", title),
            ("property", "og:description", description), ("property", "og:site_name", config.title)]
    if config.site_url:   # Open Graph wants an absolute URL
        tags.append(("property", "og:url", permalink(ctx, record)))
    if record.language.value:
        tags.append(("property", "og:locale", record.language.value.replace("-", "_")))
    date = schema_date(record)
    if date:
        tags.append(("property", "article:published_time", date))
    tags += [("name", "twitter:card", "summary"), ("name", "twitter:title", title),
             ("name", "twitter:description", description),
             ("name", "citation_title", title)]
    if isinstance(record.author.value, Agent):
        tags.append(("name", "citation_author", record.author.value.display))
    if isinstance(record.publisher.value, Agent):
        tags.append(("name", "citation_publisher", record.publisher.value.display))
    if date:
        tags.append(("name", "citation_publication_date", date.replace("-", "/")))
    if record.language.value:
        tags.append(("name", "citation_language", record.language.value))
    return tags


# --- the files ---------------------------------------------------------------------------


def render_reuse_files(ctx, env, pages: Sequence[str] = (), previous: Any = None) -> Iterator[tuple[str, bytes]]:
    """The downloads page and the machine-readable files; `pages` are the site-relative
    files of every HTML page rendered so far (for the sitemap).  `previous` (a
    render.Reuse, or None): the previous build's site (`.previous`) and the cache
    folder (`.cache`), either of which may be None."""
    u, base = ctx.urls, ctx.urls.base
    records = sorted(ctx.records, key=lambda r: r.id)
    zip_rel = page_file(u.data("originals.zip"), base)
    zipped, zip_entries = originals_zip_reusing(ctx, records, previous_zip(previous, zip_rel))
    cited_rels = [page_file(u.data(name), base) for name in CITATIONS]
    cited, cited_at = citation_files_reusing(ctx, records, previous_citations(ctx, previous, cited_rels))
    made = {"documents.csv": documents_csv(ctx, records), **cited, "originals.zip": zipped}
    items = downloads(ctx, made)
    downloads_page = page_file(u.downloads(), base)
    html_pages = [p for p in (*pages, downloads_page) if p.endswith(".html") and p != page_file(u.not_found(), base)]
    yield downloads_page, env.get_template("downloads.html").render(
        items=items, has_sitemap=bool(ctx.config.site_url), documents_count=len(records),
        feed_entries=FEED_ENTRIES).encode("utf-8")
    for path, data in made.items():
        yield page_file(u.data(path), base), data
    # written by now: write_site writes each file before it asks for the next
    note_originals(previous, zip_rel, zipped, zip_entries)
    note_citations(ctx, previous, cited_rels, made, cited_at)
    yield page_file(u.data("datapackage.json"), base), datapackage_json(ctx, items)
    yield page_file(u.feed(), base), feed_xml(ctx, records)
    yield page_file(u.robots(), base), robots_txt(ctx)
    if ctx.config.site_url:
        yield from sitemap_files(ctx, html_pages)


def with_reuse_files(ctx, env, pages: Iterable[PageSpec | tuple[str, bytes]], previous: Any = None
                     ) -> Iterator[PageSpec | tuple[str, bytes]]:
    """Pass the site's pages through, noting their paths, then add the reuse files."""
    seen: list[str] = []
    for item in pages:
        if isinstance(item, site.DocumentPages):
            seen.extend(item.rels)
        else:
            seen.append(item.rel if isinstance(item, PageSpec) else item[0])
        yield item
    yield from render_reuse_files(ctx, env, seen, previous)
