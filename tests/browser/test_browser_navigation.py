"""Walking the site by its links, as a reader does: every page type, no errors."""

from __future__ import annotations

import re

# The reader's walk: each step follows a link to the next page type.
WALK = (
    ("document", re.compile(r"^documents/[^/]+/$")),
    ("author", re.compile(r"^authors/[^/]+/$")),
    ("publisher", re.compile(r"^publishers/[^/]+/$")),
    ("original capture", re.compile(r"^documents/[^/]+/original\.html$")),
    ("events", re.compile(r"^events/$")),
    ("timeline", re.compile(r"^timeline/$")),
    ("claims", re.compile(r"^claims/$")),
    ("search", re.compile(r"^search/$")),
)


def follow(page, pattern: re.Pattern, rel_path) -> str | None:
    """Click the first visible link on the page to a path matching `pattern`; its path, or None."""
    for link in page.locator("a[href]").all():
        href = link.evaluate("e => e.href")
        path = rel_path(href)
        if path is not None and "#" not in href and pattern.match(path) and link.is_visible():
            link.click()
            page.wait_for_load_state("load")
            return path
    return None


def test_every_page_type_is_reachable_by_links_without_errors(open_page, site_server, rel_path):
    page, watch = open_page()
    page.goto(site_server)
    visited = [page.url]
    walked = ["home"]
    for name, pattern in WALK:
        path = follow(page, pattern, rel_path)
        # Not linked from here: from a page seen before, else from a document linked
        # from one (documents are the hub: not every document has every kind of link).
        for earlier in reversed(visited[:-1]) if path is None else ():
            page.goto(earlier)
            path = follow(page, pattern, rel_path)
            if path is not None:
                break
        for document in document_links(page, visited, rel_path) if path is None else ():
            page.goto(document)
            path = follow(page, pattern, rel_path)
            if path is not None:
                break
        assert path is not None, f"no link to a {name} page on any page walked so far ({' -> '.join(walked)})"
        assert page.title().strip(), f"{page.url} has no title"
        assert page.locator("h1").count() == 1, f"{page.url} should have exactly one h1"
        visited.append(page.url)
        walked.append(name)
    page.wait_for_load_state("networkidle")
    watch.assert_clean()


def document_links(page, visited: list[str], rel_path) -> list[str]:
    """Every document page linked from the pages visited so far, in order, once each."""
    found: list[str] = []
    for url in visited:
        page.goto(url)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            path = rel_path(href)
            if path is not None and "#" not in href and WALK[0][1].match(path) and href not in found:
                found.append(href)
    return found


def test_every_page_type_loads_cleanly_and_only_from_the_site(open_page, url_of, page_types):
    page, watch = open_page()
    for kind in page_types:
        if kind == "404.html":
            continue
        response = page.goto(url_of(kind))
        assert response is not None and response.status == 200, f"{kind}: {response and response.status}"
        page.wait_for_load_state("networkidle")
    assert watch.requests, "no request was seen"
    watch.assert_clean()


def test_a_missing_page_gets_the_sites_404_page(open_page, site_server):
    page, watch = open_page()
    missing = f"{site_server}no/such/page/"   # deep, so relative links on the 404 page would break
    response = page.goto(missing)
    assert response is not None and response.status == 404
    assert page.locator("h1").count() == 1
    home_links = [h for h in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)") if h == site_server]
    assert home_links, "the 404 page should link home (under the base path)"
    page.wait_for_load_state("networkidle")
    assert watch.http_errors == [f"404 {missing}"], watch.http_errors   # its stylesheet and the rest load
    assert not watch.off_site and not watch.page_errors and not watch.failed_requests


PAGE_WEIGHT_LIMIT = 50_000   # bytes, uncompressed (GitHub Pages gzips text, so what travels is less)


def test_every_document_page_weighs_under_50_kb(open_page, document_url, seed_records):
    page, watch = open_page()
    responses = []
    page.on("response", lambda r: responses.append(r))
    for record in seed_records:
        responses.clear()
        page.goto(document_url(record["id"]))
        page.wait_for_load_state("networkidle")
        weight = sum(len(r.body()) for r in responses if r.status == 200)
        assert "/pagefind/" not in " ".join(r.url for r in responses), "a document page should not load the search bundle"
        assert 0 < weight < PAGE_WEIGHT_LIMIT, f"{page.url} weighs {weight} bytes"
    watch.assert_clean()
