"""Browse in a real browser: from the header to each list, and from a document's details back to its lists."""

from __future__ import annotations

import re

LISTS = ("By date", "By author", "By publisher", "By event", "By place", "By document type", "By language")
LIST_PATHS = ("/archive/browse/", "/archive/authors/", "/archive/publishers/", "/archive/events/")
COUNT = re.compile(r"\((\d+) [a-z ]+\)")


def test_every_list_is_reached_from_the_header_with_counts(open_page, url_of):
    page, watch = open_page(js=False)
    page.goto(url_of("/"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Browse").click()
    assert page.locator("h1").inner_text() == "Browse"
    for name in LISTS:
        item = page.locator(".browse-links li", has=page.get_by_role("link", name=name, exact=True))
        assert COUNT.search(item.inner_text()), item.inner_text()
    page.get_by_role("link", name="By place", exact=True).click()
    entries = page.locator(".browse-list > li")
    assert entries.count() > 0
    total = 0
    for text in entries.all_inner_texts():
        total += int(COUNT.search(text).group(1))
    assert total >= entries.count()
    watch.assert_clean()


def test_a_document_links_to_the_lists_it_belongs_to(open_page, url_of):
    page, watch = open_page(js=False)
    page.goto(url_of("documents/*/"))
    doc_path = page.url.split("/archive", 1)[1]
    details = page.locator("dl.doc-meta")
    links = [(a.inner_text(), a.get_attribute("href")) for a in details.locator("a").all()]
    for kind in ("/archive/browse/dates/", "/archive/browse/types/", "/archive/browse/languages/", "/archive/authors/"):
        assert any(href.startswith(kind) for _, href in links), f"no link to {kind}: {links}"
    server = url_of("/").rstrip("/").rsplit("/archive", 1)[0]
    for text, href in links:
        if href.startswith(LIST_PATHS):
            page.goto(server + href)
            assert page.locator(f'main a[href="/archive{doc_path}"]').count() > 0, f"{href} does not list the document"
    watch.assert_clean()
