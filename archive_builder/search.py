"""Stage 5: the Pagefind search index, written as pagefind/ inside the staging folder.

Only document pages are indexed (their URLs, from Urls), and only what
their template marks with `data-pagefind-body` (the metadata block and the
text): navigation, reader comments, removed lines and original-capture pages
never reach the index.  One language for the whole archive (force_language):
a reader searching in the site's language also finds documents in others.
A large archive is indexed in shards of `search_shard_size` documents, one
Pagefind bundle each, which the search page merges (see index_site).

Pagefind runs as a service (`pagefind --service`, PagefindService) fed one page
at a time.  During a build, LiveIndex hands it each document page as soon as
the page is written, so Pagefind indexes while the rest of the site renders,
and only writing the bundle is left for the index stage.  Pagefind numbers
pages in the order they arrive, and that order is in its files: pages are fed
in the order the site writes them (the build) or by document id (index_site),
never in the order a folder lists them.
"""

from __future__ import annotations

import base64
import collections
import gzip
import hashlib
import json
import os
import queue
import re
import shutil
import struct
import subprocess
import threading
import time
from bisect import bisect_left
from itertools import chain
from pathlib import Path
from typing import Any, Iterable, Sequence

from .config import Config
from .urls import Urls, page_file

OUTPUT_FOLDER = "pagefind"
# In the first bundle: the site-relative folder of every bundle, for static/search.js
BUNDLES_FILE = "bundles.json"


def document_glob(config: Config) -> str:
    """The document pages, as a glob relative to the site (from Urls, never spelled here)."""
    urls = Urls(config.base_url)
    return page_file(urls.document("*"), urls.base)


def bundle_folder(shard: int) -> str:
    """The site-relative folder of shard `shard` (0-based): pagefind, pagefind-2, pagefind-3, …"""
    return OUTPUT_FOLDER if shard == 0 else f"{OUTPUT_FOLDER}-{shard + 1}"


def document_pages(site: Path, config: Config) -> list[str]:
    """The document pages of `site` (site-relative, posix), in order of document id."""
    pages = (p.relative_to(site).as_posix() for p in site.glob(document_glob(config)) if p.is_file())
    return sorted(pages, key=lambda rel: rel.split("/"))    # by path part: "a/" before "a-b/"


def shards(pages: Sequence[str], shard_size: int) -> list[list[str]]:
    """`pages` cut, in order, into the fewest shards of at most `shard_size`, as even as can be.

    Depends only on the pages and the size: the same archive always puts a
    document in the same shard, whatever order the file system lists them in."""
    count = max(1, -(-len(pages) // shard_size))
    return [list(pages[len(pages) * i // count:len(pages) * (i + 1) // count]) for i in range(count)]


def page_url(rel: str) -> str:
    """The URL Pagefind gives a page file (site-relative, posix), as when it reads the site itself."""
    return "/" + (rel[:-len("index.html")] if rel == "index.html" or rel.endswith("/index.html") else rel)


class PagefindError(Exception):
    """Pagefind failed (not found, ended, refused a page, left a bundle incomplete)."""


class PagefindService:
    """One `pagefind --service` process, driven over its pipes.

    The protocol (that of Pagefind's own Python API, which polls for each reply
    every 0.1 s): requests and replies are base64 JSON, each followed by a comma.
    The service answers in order, one request at a time; requests are sent
    without waiting for the replies before them, at most WINDOW unanswered, and
    a reader thread collects the replies (AddFile's only counted)."""

    WINDOW = 16

    def __init__(self) -> None:
        from pagefind.service import get_executable

        executable = get_executable()
        if executable is None:
            raise PagefindError("Pagefind was not found (pip install pagefind[bin])")
        try:
            self.process = subprocess.Popen([str(executable), "--service"], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as exc:
            raise PagefindError(f"Pagefind could not be started: {exc}") from None
        self.last_id = 0
        self.awaited: dict[int, Any] = {}       # message id -> reply (None until it comes)
        self.added = 0                          # AddFile requests answered with a page
        self.error: str | None = None
        self.ended = False
        self.changed = threading.Condition()
        self.slots = threading.Semaphore(self.WINDOW)
        self.stderr_tail: collections.deque[bytes] = collections.deque(maxlen=20)
        threading.Thread(target=self._read_replies, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stderr(self) -> None:
        for line in self.process.stderr:
            self.stderr_tail.append(line)

    def _read_replies(self) -> None:
        pending = b""
        try:
            while chunk := self.process.stdout.read1(1 << 16):
                *messages, pending = (pending + chunk).split(b",")
                for message in messages:
                    self._take(json.loads(base64.b64decode(message)))
        except (ValueError, OSError) as exc:
            self.error = self.error or f"unreadable reply from Pagefind: {exc}"
        finally:
            with self.changed:
                self.ended = True
                self.changed.notify_all()
            for _ in range(self.WINDOW):        # a sender waiting for a slot sees the end
                self.slots.release()

    def _take(self, reply: dict) -> None:
        payload = reply.get("payload") or {}
        with self.changed:
            if payload.get("type") == "Error":
                self.error = self.error or str(payload.get("message"))
            message_id = reply.get("message_id")
            if message_id in self.awaited:
                self.awaited[message_id] = payload
            elif payload.get("type") == "IndexedFile":
                self.added += 1
            self.changed.notify_all()
        self.slots.release()

    def send(self, payload: dict, awaited: bool = False) -> int:
        self.slots.acquire()
        with self.changed:
            self._check()
            self.last_id += 1
            message_id = self.last_id
            if awaited:
                self.awaited[message_id] = None
        data = json.dumps({"message_id": message_id, "payload": payload}, ensure_ascii=False).encode("utf-8")
        try:
            self.process.stdin.write(base64.b64encode(data) + b",")
            self.process.stdin.flush()
        except OSError:
            self._check(ended=True)
        return message_id

    def reply(self, message_id: int) -> dict:
        with self.changed:
            while self.awaited[message_id] is None:
                self._check()
                self.changed.wait()
            self._check()
            return self.awaited.pop(message_id)

    def _check(self, ended: bool = False) -> None:
        if self.error is not None or ended or self.ended:
            detail = b"".join(self.stderr_tail).decode("utf-8", "replace").strip()
            raise PagefindError((self.error or "Pagefind ended unexpectedly") + (f": {detail}" if detail else ""))

    def close(self) -> None:
        """Stop the service (it exits when its input ends)."""
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class BundleWriter:
    """One bundle being indexed: pages fed one at a time, then written."""

    def __init__(self, bundle: Path, config: Config):
        self.bundle = bundle
        self.service = PagefindService()
        try:
            reply = self.service.reply(self.service.send(
                {"type": "NewIndex", "config": {"force_language": config.language}}, awaited=True))
            self.index_id = reply["index_id"]
        except BaseException:
            self.service.close()
            raise

    def add(self, rel: str, html: str) -> None:
        # URLs come out without the base path; the search page's UI adds it (baseUrl).
        self.service.send({"type": "AddFile", "index_id": self.index_id, "url": page_url(rel),
                           "file_contents": search_input(html), "file_path": None})

    def write(self) -> int:
        """Write the bundle (none for no pages); returns the pages indexed."""
        try:
            shutil.rmtree(self.bundle, ignore_errors=True)
            self.service.reply(self.service.send(
                {"type": "WriteFiles", "index_id": self.index_id, "output_path": str(self.bundle)}, awaited=True))
            indexed = self.service.added
            if indexed:
                _wait_until_written(self.bundle)
        finally:
            self.service.close()
        if not indexed:
            shutil.rmtree(self.bundle, ignore_errors=True)   # nothing to search: no bundle
        return indexed

    def abandon(self) -> None:
        self.service.process.kill()
        self.service.close()


def _wait_until_written(bundle: Path, patience: float = 10.0) -> None:
    """Pagefind answers WriteFiles with some files still being written by its
    background tasks, which stop when the service does.  Every file of a bundle
    has content, so wait (a while) until none is empty and the sizes hold."""
    deadline = time.monotonic() + patience
    previous = None
    while time.monotonic() < deadline:
        sizes = _file_sizes(bundle)
        if sizes == previous and not _incomplete(sizes):
            return
        previous = sizes
        time.sleep(0.02)


def _file_sizes(folder: Path) -> list[tuple[str, int]]:
    """Every file under `folder` (relative, posix) with its size, sorted; none if it is missing.
    (os.scandir: a bundle has a file for each page, and this is read every 20 ms while
    Pagefind writes; pathlib's rglob and stat took three times as long.)"""
    files, folders = [], [("", folder)]
    while folders:
        prefix, path = folders.pop()
        try:
            entries = list(os.scandir(path))
        except FileNotFoundError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                folders.append((f"{prefix}{entry.name}/", entry.path))
            elif entry.is_file(follow_symlinks=False):
                files.append((prefix + entry.name, entry.stat(follow_symlinks=False).st_size))
    return sorted(files)


def _index_bundle(site: Path, pages: Sequence[str], bundle: Path, config: Config) -> int:
    """Index `pages` (site-relative, in this order) into `bundle`; returns the pages indexed."""
    shutil.rmtree(bundle, ignore_errors=True)
    if not pages:
        return 0
    for _ in range(INDEX_ATTEMPTS):
        writer = BundleWriter(bundle, config)
        try:
            for rel in pages:
                writer.add(rel, (site / rel).read_text(encoding="utf-8"))
        except BaseException:
            writer.abandon()
            raise
        indexed = writer.write()
        if indexed == 0 or not incomplete_files(bundle):
            break
    else:
        raise PagefindError(f"Pagefind left empty files in {bundle}: {', '.join(incomplete_files(bundle))}")
    if indexed:
        canonical_filters(bundle)
    return indexed


def _clear_bundles(site: Path) -> None:
    for stale in site.glob(f"{OUTPUT_FOLDER}-*"):
        shutil.rmtree(stale, ignore_errors=True)


def _list_bundles(site: Path, bundles: list[str]) -> None:
    if bundles and bundles[0] != OUTPUT_FOLDER:     # the search page loads pagefind/ first
        raise PagefindError(f"Pagefind indexed nothing of the first shard in {site}")
    if bundles:
        manifest = {"bundles": [f"{b}/" for b in bundles]}
        (site / OUTPUT_FOLDER / BUNDLES_FILE).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


def index_site(site: Path, config: Config, order: Sequence[str] | None = None) -> int:
    """Index the built pages in `site`; returns the number of pages indexed.

    Up to `search_shard_size` documents make one bundle, pagefind/.  More are
    cut into shards by document id, one bundle each (pagefind-2/, …), indexed
    one after another: Pagefind's memory grows with the pages of one index
    (Pagefind issue #842), so a shard bounds it.  pagefind/bundles.json lists
    the bundles; the search page merges them (Pagefind's mergeIndex).
    Each shard's pages are fed in the order of `order` (pages it does not
    list come after, by id), by default by document id."""
    _clear_bundles(site)
    pages = document_pages(site, config)
    rank = {rel: n for n, rel in enumerate(order or ())}
    indexed, bundles = 0, []
    for number, part in enumerate(shards(pages, config.search_shard_size)):
        part = sorted(part, key=lambda rel: rank.get(rel, len(rank)))      # stable: the rest by id
        count = _index_bundle(site, part, site / bundle_folder(number), config)
        if count:
            indexed += count
            bundles.append(bundle_folder(number))
    _list_bundles(site, bundles)
    return indexed


class LiveIndex:
    """The index of a site being written: each document page goes to Pagefind
    as soon as it is on disk (`page_written`, called in the order the site is
    written), and a shard's bundle is written as soon as its last page is in,
    so Pagefind works while the rest of the site renders; `finish` waits for
    what is left and lists the bundles.

    Pages are read, cut down (search_input) and sent by a thread of its own,
    so a busy Pagefind never holds up rendering.  Shards are cut by document
    id as in index_site and indexed one after another (one Pagefind at a time:
    memory), each with its pages in the order they were written.  Should the
    pages on disk not be the documents expected, `finish` indexes the site from
    disk instead (index_site, in the same order): the same bundles either way."""

    def __init__(self, site: Path, config: Config, document_ids: Iterable[str]):
        urls = Urls(config.base_url)
        self.site, self.config = site, config
        self.expected = sorted((page_file(urls.document(i), urls.base) for i in document_ids),
                               key=lambda rel: rel.split("/"))
        self.parts = shards(self.expected, config.search_shard_size)
        self.shard_of = {rel: n for n, part in enumerate(self.parts) for rel in part}
        self.order: list[str] = []              # document pages, in the order they were written
        self.queue: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self.writer: BundleWriter | None = None
        self.failure: BaseException | None = None
        self.stopping = False
        self.indexed, self.bundles = 0, []      # of the shards written
        _clear_bundles(site)
        self.feeder = threading.Thread(target=self._feed, daemon=True)
        self.feeder.start()

    def page_written(self, rel: str) -> None:
        if rel in self.shard_of:
            self.order.append(rel)
            self.queue.put(rel)

    def _feed(self) -> None:
        waiting: list[list[str]] = [[] for _ in self.parts]     # arrived, not yet fed, by shard
        fed = [0] * len(self.parts)
        current = 0                                             # the shard being fed
        try:
            while (rel := self.queue.get()) is not None:
                if self.failure is not None or self.stopping:
                    continue
                waiting[self.shard_of[rel]].append(rel)
                while current < len(self.parts) and waiting[current]:
                    if self.writer is None:
                        self.writer = BundleWriter(self.site / bundle_folder(current), self.config)
                    for page in waiting[current]:
                        self.writer.add(page, (self.site / page).read_text(encoding="utf-8"))
                    fed[current] += len(waiting[current])
                    waiting[current] = []
                    if fed[current] < len(self.parts[current]):
                        break
                    self._write_shard(current)
                    current += 1
        except BaseException as exc:        # reported by finish
            self.failure = exc

    def _write_shard(self, number: int) -> None:
        writer, self.writer = self.writer, None
        bundle = self.site / bundle_folder(number)
        count = writer.write()
        if count and incomplete_files(bundle):
            rank = {rel: n for n, rel in enumerate(self.order)}
            count = _index_bundle(self.site, sorted(self.parts[number], key=rank.__getitem__), bundle, self.config)
        elif count:
            canonical_filters(bundle)
        if count:
            self.indexed += count
            self.bundles.append(bundle_folder(number))

    def _stop_feeding(self) -> None:
        if self.feeder.is_alive():
            self.queue.put(None)
            self.feeder.join()

    def finish(self) -> int:
        """Write what is left of the bundles; returns the number of pages indexed."""
        self._stop_feeding()
        complete = (self.failure is None and self.writer is None
                    and len(self.order) == len(set(self.order)) == len(self.expected)
                    and document_pages(self.site, self.config) == self.expected)
        if isinstance(self.failure, PagefindError):
            raise self.failure
        if not complete:
            self.close()
            return index_site(self.site, self.config, self.order)
        _list_bundles(self.site, self.bundles)
        return self.indexed

    def close(self) -> None:
        """Stop Pagefind if it still runs (a build that failed before `finish`)."""
        self.stopping = True
        writer = self.writer
        if writer is not None:
            writer.service.process.kill()       # a feeder waiting on Pagefind wakes up
        self._stop_feeding()
        if self.writer is not None:
            self.writer.abandon()
            self.writer = None


# --- what Pagefind is given of a page -----------------------------------------------
#
# Pagefind reads a page's text only inside its data-pagefind-body element, and
# outside it only the elements marked data-pagefind-filter, -meta or -sort (and,
# for a page without those marks, the first h1, <title> and img).  A document
# page is mostly other things (navigation, related documents, citations,
# comments: 31 KB of 44), all of which Pagefind parses and drops.
# search_input leaves out of the page every head, header, nav, footer, section
# and aside element outside the body that holds none of those, whole, and of a
# head it keeps (for its <title>) the script, style, meta and link elements
# that bear no mark (a document's head is mostly its JSON-LD, which names every
# claim, and the tags for social sites and citation managers); what remains is
# parsed by Pagefind exactly as before (the same bundle, byte for byte:
# tests/test_search.py), in about a sixth of the bytes.

_SECTIONING = re.compile(r"<(/?)(head|header|nav|footer|section|aside)[\s>]")
# Besides the marks, Pagefind takes a page's title from its first h1 (else its
# <title>) and its image from an img, wherever they are, when no mark names them.
# (two patterns: one alternation of both scans several times slower)
_KEPT_MARKS = (re.compile(r"data-pagefind-(?:filter|meta|sort|body)"),
               re.compile(r"<(?:[hH]1|[iI][mM][gG]|[tT][iI][tT][lL][eE])[\s/>]"))
# Pagefind reads nothing of a head but its <title> and marked elements (a script's or
# style's content is text, never tags); a quoted attribute value may hold a ">".
# (a script's text as an unrolled loop: `.*?` steps through it several times slower)
_HEAD_CLUTTER = re.compile(r"<(script|style)\b[^>]*>[^<]*(?:<(?!/\1)[^<]*)*</\1\s*>"
                           r"|<(?:meta|link)\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")
_TAG_NAME = re.compile(r"<([a-zA-Z][\w-]*)")
_SAME_NAME_TAGS: dict[str, re.Pattern[str]] = {}
BODY_MARK = " data-pagefind-body"


def _element_end(html: str, start: int, name: str) -> int | None:
    """Where the element opened at `start` ends (after its end tag), by counting `name` tags."""
    tags = _SAME_NAME_TAGS.get(name) or _SAME_NAME_TAGS.setdefault(name, re.compile(rf"<(/?){name}[\s>]"))
    depth = 0
    for m in tags.finditer(html, start):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            end = html.find(">", m.end() - 1)
            return None if end < 0 else end + 1
    return None


def search_input(html: str) -> str:
    """`html` without the elements Pagefind would parse and drop (see above);
    the page whole where its layout is not as expected (no body mark, two,
    or sectioning tags that do not nest)."""
    at = html.find(BODY_MARK)
    if at < 0 or html.find(BODY_MARK, at + 1) >= 0:
        return html
    body_start = html.rfind("<", 0, at)
    name = _TAG_NAME.match(html, body_start)
    body_end = _element_end(html, body_start, name.group(1)) if name else None
    if body_end is None:
        return html
    # what the body holds is kept whole: only the page around it is read
    outside = ((0, body_start), (body_end, len(html)))
    marks = sorted(m.start() for lo, hi in outside for pattern in _KEPT_MARKS for m in pattern.finditer(html, lo, hi))
    left_out, open_tags = [], []
    for m in chain.from_iterable(_SECTIONING.finditer(html, lo, hi) for lo, hi in outside):
        if not m.group(1):
            open_tags.append((m.group(2), m.start()))
            continue
        if not open_tags or open_tags[-1][0] != m.group(2):
            return html
        start = open_tags.pop()[1]
        end = html.find(">", m.end() - 1) + 1
        i = bisect_left(marks, start)
        holds_body = start < body_start < end
        if (i == len(marks) or marks[i] >= end) and not holds_body:
            left_out.append((start, end))
        elif m.group(2) == "head" and not holds_body:
            left_out.extend(c.span() for c in _HEAD_CLUTTER.finditer(html, start, end)
                            if "data-pagefind" not in c.group())
    if open_tags:
        return html
    kept, copied = [], 0
    for start, end in sorted(left_out):
        if start >= copied:                 # not inside an element already left out
            kept.append(html[copied:start])
            copied = end
    kept.append(html[copied:])
    return "".join(kept)


# Pagefind answers WriteFiles before its background writes end, and they stop
# with the service: under load we have seen a UI asset left empty (0 bytes).
# Every file of a bundle has content, so an empty one means: wait
# (_wait_until_written), and if it stays empty, index again.
INDEX_ATTEMPTS = 3


def incomplete_files(bundle: Path) -> list[str]:
    return _incomplete(_file_sizes(bundle))


def _incomplete(sizes: list[tuple[str, int]]) -> list[str]:
    """The files of a bundle (`sizes`, from _file_sizes) still empty, or its entry file if missing."""
    if "pagefind-entry.json" not in (rel for rel, _ in sizes):
        return ["pagefind-entry.json"]
    return [rel for rel, size in sizes if size == 0]


# --- byte-identical filter indexes ------------------------------------------------
#
# Pagefind 1.5 writes its filter indexes (and so the metadata file naming them)
# in Rust HashMap order, which changes from run to run (Pagefind issue #638:
# fragments and word indexes are stable, filters are not).  We rewrite those
# few files with values and page numbers sorted, name them by their content,
# and point the metadata and pagefind-entry.json at the new names.  Each file
# is first checked to re-encode to exactly its own bytes; a bundle whose
# layout we do not recognise is left as Pagefind wrote it.

SIGNATURE = b"pagefind_dcd"


class _Unrecognised(Exception):
    pass


def _cbor_decode(data: bytes, pos: int = 0) -> tuple[Any, int]:
    head = data[pos]
    major, info = head >> 5, head & 0x1F
    pos += 1
    if info < 24:
        n = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        n = int.from_bytes(data[pos:pos + size], "big")
        pos += size
    else:
        raise _Unrecognised(f"CBOR item {head:#x}")
    if major == 0:
        return n, pos
    if major == 1:
        return -1 - n, pos
    if major == 2:
        return bytes(data[pos:pos + n]), pos + n
    if major == 3:
        return data[pos:pos + n].decode("utf-8"), pos + n
    if major == 4:
        items = []
        for _ in range(n):
            item, pos = _cbor_decode(data, pos)
            items.append(item)
        return items, pos
    raise _Unrecognised(f"CBOR major type {major}")


def _cbor_head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | info]) + n.to_bytes(size, "big")
    raise _Unrecognised("integer too large")


def _cbor_encode(value: Any) -> bytes:
    if isinstance(value, bool) or value is None:
        raise _Unrecognised("simple value")
    if isinstance(value, int):
        return _cbor_head(0, value) if value >= 0 else _cbor_head(1, -1 - value)
    if isinstance(value, bytes):
        return _cbor_head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _cbor_head(3, len(raw)) + raw
    if isinstance(value, list):
        return _cbor_head(4, len(value)) + b"".join(_cbor_encode(v) for v in value)
    raise _Unrecognised(type(value).__name__)


def _read_pf(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise _Unrecognised(f"{path.name}: no signature")
    value, end = _cbor_decode(data, len(SIGNATURE))
    if end != len(data) or _cbor_encode(value) != data[len(SIGNATURE):]:
        raise _Unrecognised(f"{path.name}: does not round-trip")
    return value


def _write_pf(folder: Path, stem: str, prefix: str, digits: int, value: Any) -> str:
    """Write value under a name made from its content; returns the hash part of the name."""
    data = SIGNATURE + _cbor_encode(value)
    name = f"{prefix}_{hashlib.sha256(data).hexdigest()[:digits]}"
    (folder / stem.format(name)).write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    return name


def canonical_filters(bundle: Path) -> None:
    entry = bundle / "pagefind-entry.json"
    try:
        entry_text = entry.read_text(encoding="utf-8")
        for meta_path in sorted(bundle.glob("pagefind.*.pf_meta")):
            old_meta = meta_path.name[len("pagefind."):-len(".pf_meta")]
            language = old_meta.rsplit("_", 1)[0]
            meta = _read_pf(meta_path)
            if not (isinstance(meta, list) and len(meta) >= 4 and isinstance(meta[3], list)):
                raise _Unrecognised("metadata layout")
            filters = []
            for name, old in meta[3]:
                old_path = bundle / "filter" / f"{old}.pf_filter"
                content = _read_pf(old_path)
                values = sorted(([v, sorted(pages)] for v, pages in content[1]), key=lambda vp: vp[0])
                new = _write_pf(bundle / "filter", "{}.pf_filter", language, len(old.rsplit("_", 1)[1]),
                                [content[0], values])
                if new != old:
                    old_path.unlink()
                filters.append([name, new])
            meta[3] = sorted(filters)
            new_meta = _write_pf(bundle, "pagefind.{}.pf_meta", language, len(old_meta.rsplit("_", 1)[1]), meta)
            if new_meta != old_meta:
                meta_path.unlink()
                entry_text = entry_text.replace(f'"{old_meta}"', f'"{new_meta}"')
        entry.write_text(entry_text, encoding="utf-8")
    except (_Unrecognised, OSError, ValueError, IndexError, TypeError, struct.error):
        return      # Pagefind's own output still works; it is only not byte-stable
