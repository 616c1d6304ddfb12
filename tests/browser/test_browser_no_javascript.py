"""Browsing needs no JavaScript: every document is reachable from home by links alone."""

from __future__ import annotations

from collections import deque
from urllib.parse import urldefrag

MAX_PAGES = 500
# Folders of data, not pages: a crawl for pages does not open them.
NOT_PAGES = ("pagefind/", "data/", "originals/", "static/")


def crawl(page, root: str, rel_path) -> set[str]:
    """Paths of every page reachable from `root` by following links (JavaScript off)."""
    seen, queue = {""}, deque([root])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        response = page.goto(url)
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            path = rel_path(urldefrag(href).url)
            if path is None or path in seen or path.startswith(NOT_PAGES) or not (path == "" or path.endswith(("/", ".html"))):
                continue
            seen.add(path)
            queue.append(root + path)
    return seen


def test_every_document_is_reachable_from_home_without_javascript(open_page, site_server, rel_path, seed_records):
    page, watch = open_page(js=False)
    reached = crawl(page, site_server, rel_path)
    documents = {f"documents/{r['id']}/" for r in seed_records}
    assert documents, "the build has no documents"
    missing = sorted(documents - reached)
    assert not missing, f"not reachable from home without JavaScript: {missing}"
    assert {f"documents/{r['id']}/original.html" for r in seed_records} <= reached
    watch.assert_clean()


def test_the_search_page_without_javascript_points_to_the_browse_lists(open_page, url_of, rel_path):
    page, _ = open_page(js=False)
    page.goto(url_of("search/"))
    links = [rel_path(h) for h in page.eval_on_selector_all("main a[href]", "els => els.filter(e => e.offsetParent !== null).map(e => e.href)")]
    browse = {p for p in links if p in ("documents/", "authors/", "publishers/", "events/", "timeline/", "claims/")}
    assert browse, f"with JavaScript off, the search page's main content should link the browse lists; it links {links}"
