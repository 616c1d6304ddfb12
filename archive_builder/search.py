"""Stage 5: the Pagefind search index, written as pagefind/ inside the staging folder.

Only document pages are indexed, and only what their templates mark with
`data-pagefind-body` (the metadata block and the text): navigation, reader
comments, removed lines and original-capture pages never reach the index.
Pages are added one by one in sorted path order, so the same site gives
the same index.  One index for the whole archive (force_language): a
reader searching in the site's language also finds documents in others.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from .config import Config

# A real attribute of a real tag: document text is escaped, so it can never produce one.
_INDEXED_PAGE = re.compile(r"<[a-zA-Z][^<>]*\sdata-pagefind-body[\s=>]")
OUTPUT_FOLDER = "pagefind"


def pages_to_index(site: Path) -> list[tuple[str, str]]:
    """(site-relative URL, HTML) of every page that marks a search body, sorted by path."""
    out: list[tuple[str, str]] = []
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if rel.startswith(OUTPUT_FOLDER + "/"):
            continue
        html = path.read_text(encoding="utf-8")
        if _INDEXED_PAGE.search(html):
            url = "/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)
            out.append((url, html))
    return out


async def _index(site: Path, pages: list[tuple[str, str]], language: str) -> None:
    from pagefind.index import IndexConfig, PagefindIndex

    config = IndexConfig(force_language=language, output_path=str(site / OUTPUT_FOLDER))
    async with PagefindIndex(config=config) as index:
        for url, html in pages:
            # URLs without the base path: the search page's Pagefind UI adds it (baseUrl)
            await index.add_html_file(content=html, url=url)


def index_site(site: Path, config: Config) -> int:
    """Index the built pages in `site`; returns the number of pages indexed."""
    pages = pages_to_index(site)
    if not pages:
        return 0
    asyncio.run(_index(site, pages, config.language))
    return len(pages)
