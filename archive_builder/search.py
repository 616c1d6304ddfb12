"""Stage 5: the Pagefind search index, written as pagefind/ inside the staging folder.

Only document pages are indexed (their URLs, from Urls), and only what
their template marks with `data-pagefind-body` (the metadata block and the
text): navigation, reader comments, removed lines and original-capture pages
never reach the index.  One index for the whole archive (force_language): a
reader searching in the site's language also finds documents in others.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import shutil
import struct
from pathlib import Path
from typing import Any

from .config import Config
from .urls import Urls, page_file

OUTPUT_FOLDER = "pagefind"


def document_glob(config: Config) -> str:
    """The document pages, as a glob relative to the site (from Urls, never spelled here)."""
    urls = Urls(config.base_url)
    return page_file(urls.document("*"), urls.base)


async def _index(site: Path, config: Config) -> int:
    from pagefind.index import IndexConfig, PagefindIndex

    index_config = IndexConfig(force_language=config.language, output_path=str(site / OUTPUT_FOLDER))
    async with PagefindIndex(config=index_config) as index:
        # One request for the whole folder: Pagefind reads the pages itself, in
        # parallel; a request per page costs the Python API a 0.1 s poll each.
        # URLs come out without the base path; the search page's UI adds it (baseUrl).
        result = await index.add_directory(str(site), glob=document_glob(config))
    return int(result["page_count"])


def index_site(site: Path, config: Config) -> int:
    """Index the built pages in `site`; returns the number of pages indexed."""
    bundle = site / OUTPUT_FOLDER
    for _ in range(INDEX_ATTEMPTS):
        shutil.rmtree(bundle, ignore_errors=True)
        indexed = asyncio.run(_index(site, config))
        if indexed == 0:
            shutil.rmtree(bundle, ignore_errors=True)   # nothing to search: no bundle
            return 0
        if not incomplete_files(bundle):
            break
    else:
        raise RuntimeError(f"Pagefind left empty files in {bundle}: {', '.join(incomplete_files(bundle))}")
    canonical_filters(bundle)
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
