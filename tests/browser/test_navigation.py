"""Walking the site by its links, as a reader does: every page type, no errors."""

from __future__ import annotations

import re

# The reader's walk: each step follows a link to the next page type.
WALK = (
    ("document", re.compile(r"^documents/[^/]+/$")),
    ("author", re.compile(r"^authors/[^/]+/$")),
    ("publisher", re.compile(r"^publishers/[^/]+/$")),
    ("original capture", re.compile(r"^documents/[^/]+/original/$")),
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
        for earlier in reversed(visited[:-1]):      # not linked from here: from a page seen before
            if path is not None:
                break
            page.goto(earlier)
            path = follow(page, pattern, rel_path)
        assert path is not None, f"no link to a {name} page on any page walked so far ({' -> '.join(walked)})"
        assert page.title().strip(), f"{page.url} has no title"
        assert page.locator("h1").count() == 1, f"{page.url} should have exactly one h1"
        visited.append(page.url)
        walked.append(name)
    page.wait_for_load_state("networkidle")
    watch.assert_clean()


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
    response = page.goto(f"{site_server}no-such-page/")
    assert response is not None and response.status == 404
    assert page.locator("h1").count() == 1
    home_links = [h for h in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)") if h == site_server]
    assert home_links, "the 404 page should link home (under the base path)"
    assert not watch.off_site and not watch.page_errors
