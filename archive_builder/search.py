"""Stage 5: the Pagefind search index, written as pagefind/ inside the staging folder.

Only document pages are indexed (their URLs, from Urls), and only what
their template marks with `data-pagefind-body` (the metadata block and the
text): navigation, reader comments, removed lines and original-capture pages
never reach the index.  One language for the whole archive (force_language):
a reader searching in the site's language also finds documents in others.
A large archive is indexed in shards of `search_shard_size` documents, one
Pagefind bundle each, which the search page merges (see index_site).
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import shutil
import struct
from pathlib import Path
from typing import Any, Sequence

from .config import Config
from .output import link_file
from .urls import Urls, page_file

OUTPUT_FOLDER = "pagefind"
# In the first bundle: the site-relative folder of every bundle, for static/search.js
BUNDLES_FILE = "bundles.json"
# Where a shard's pages are gathered (hard links) for Pagefind to read them alone
SHARD_PAGES_FOLDER = ".pagefind-shard"


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


async def _index(source: Path, bundle: Path, config: Config) -> int:
    from pagefind.index import IndexConfig, PagefindIndex

    index_config = IndexConfig(force_language=config.language, output_path=str(bundle))
    async with PagefindIndex(config=index_config) as index:
        # One request for the whole folder: Pagefind reads the pages itself, in
        # parallel; a request per page costs the Python API a 0.1 s poll each.
        # URLs come out without the base path; the search page's UI adds it (baseUrl).
        result = await index.add_directory(str(source), glob=document_glob(config))
    return int(result["page_count"])


def _index_bundle(source: Path, bundle: Path, config: Config) -> int:
    """Index the document pages under `source` into `bundle`; returns the pages indexed."""
    for _ in range(INDEX_ATTEMPTS):
        shutil.rmtree(bundle, ignore_errors=True)
        indexed = asyncio.run(_index(source, bundle, config))
        if indexed == 0:
            shutil.rmtree(bundle, ignore_errors=True)   # nothing to search: no bundle
            return 0
        if not incomplete_files(bundle):
            break
    else:
        raise RuntimeError(f"Pagefind left empty files in {bundle}: {', '.join(incomplete_files(bundle))}")
    canonical_filters(bundle)
    return indexed


def _gather(site: Path, pages: Sequence[str]) -> Path:
    """A folder holding only `pages`, at their site-relative paths (so Pagefind
    gives them the same URLs); hard links, or copies where links fail."""
    folder = site / SHARD_PAGES_FOLDER
    shutil.rmtree(folder, ignore_errors=True)
    for rel in pages:
        link_file(folder, rel, site / rel)
    return folder


def index_site(site: Path, config: Config) -> int:
    """Index the built pages in `site`; returns the number of pages indexed.

    Up to `search_shard_size` documents make one bundle, pagefind/.  More are
    cut into shards by document id, one bundle each (pagefind-2/, …), indexed
    one after another: Pagefind's memory grows with the pages of one index
    (Pagefind issue #842), so a shard bounds it.  pagefind/bundles.json lists
    the bundles; the search page merges them (Pagefind's mergeIndex)."""
    for stale in site.glob(f"{OUTPUT_FOLDER}-*"):
        shutil.rmtree(stale, ignore_errors=True)
    parts = shards(document_pages(site, config), config.search_shard_size)
    if len(parts) == 1:
        indexed = _index_bundle(site, site / OUTPUT_FOLDER, config)
        bundles = [OUTPUT_FOLDER] if indexed else []
    else:
        indexed, bundles = 0, []
        try:
            for number, pages in enumerate(parts):
                count = _index_bundle(_gather(site, pages), site / bundle_folder(number), config)
                if count:
                    indexed += count
                    bundles.append(bundle_folder(number))
        finally:
            shutil.rmtree(site / SHARD_PAGES_FOLDER, ignore_errors=True)
        if bundles and bundles[0] != OUTPUT_FOLDER:     # the search page loads pagefind/ first
            raise RuntimeError(f"Pagefind indexed nothing of the first shard in {site}")
    if bundles:
        manifest = {"bundles": [f"{b}/" for b in bundles]}
        (site / OUTPUT_FOLDER / BUNDLES_FILE).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return indexed


# Pagefind's Python API stops its backend as soon as the last reply arrives;
# under load we have seen a UI asset left empty (0 bytes) by that.  Every file
# of a bundle has content, so an empty one means: index again.
INDEX_ATTEMPTS = 3


def incomplete_files(bundle: Path) -> list[str]:
    if not (bundle / "pagefind-entry.json").is_file():
        return ["pagefind-entry.json"]
    return sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file() and p.stat().st_size == 0)


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
