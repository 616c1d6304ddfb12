"""Browser-suite fixtures: pages that watch everything the browser does.

Every test in tests/browser is marked `browser`.  Every page opened through
`open_page` records console errors, uncaught exceptions, failed requests,
HTTP errors and any request that would leave 127.0.0.1 (those are blocked,
so the suite never touches the network) or the site's base path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from archive_builder.check import pages_by_type, page_url

# Every kind of page the site must have, as check.page_type names them.
PAGE_TYPES = (
    "/",                      # home
    "documents/",             # browse lists
    "authors/",
    "publishers/",
    "documents/*/",           # one document
    "documents/*/original.html",  # its original capture
    "authors/*/",
    "publishers/*/",
    "events/",
    "events/*/",
    "timeline/",
    "claims/",
    "claims/*/*/",            # claims by source, event or kind
    "search/",
    "404.html",
)

DOCUMENT_PATH = re.compile(r"^documents/[^/]+/$")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test that takes `every_page_type` runs once per page type."""
    if "every_page_type" in metafunc.fixturenames:
        metafunc.parametrize("every_page_type", PAGE_TYPES)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@dataclass
class Watch:
    """What went wrong while a page was open."""

    base_path: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)
    off_site: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return ([f"console error: {m}" for m in self.console_errors]
                + [f"uncaught exception: {m}" for m in self.page_errors]
                + [f"failed request: {m}" for m in self.failed_requests]
                + [f"HTTP error: {m}" for m in self.http_errors]
                + [f"request leaving the site: {m}" for m in self.off_site])

    def assert_clean(self) -> None:
        problems = self.problems()
        assert not problems, "\n".join(problems)


def _is_local(url: str, base_path: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.hostname == "127.0.0.1" and parts.path.startswith(base_path)


@pytest.fixture
def open_page(browser, site_server):
    """open_page(js=True, **context_options) -> (page, watch); closed after the test."""
    contexts = []
    base_path = urlsplit(site_server).path

    def _open(js: bool = True, **options):
        context = browser.new_context(java_script_enabled=js, **options)
        contexts.append(context)
        watch = Watch(base_path)

        def route(r):
            url = r.request.url
            watch.requests.append(url)
            if _is_local(url, base_path):
                r.continue_()
            else:
                watch.off_site.append(url)
                r.abort()

        context.route("**/*", route)
        context.on("console", lambda m: m.type == "error" and watch.console_errors.append(f"{m.text} ({m.location.get('url', '')})"))
        context.on("weberror", lambda e: watch.page_errors.append(str(e.error)))
        context.on("requestfailed", lambda r: _is_local(r.url, base_path)
                   and watch.failed_requests.append(f"{r.url}: {r.failure}"))
        context.on("response", lambda r: r.status >= 400 and watch.http_errors.append(f"{r.status} {r.url}"))
        return context.new_page(), watch

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def page_types() -> tuple[str, ...]:
    return PAGE_TYPES


@pytest.fixture(scope="session")
def page_urls(seed_site, site_server) -> dict[str, str]:
    """One URL of the served seed site for every page type it has."""
    return {kind: site_server + page_url(rel, "/")[1:] for kind, rel in pages_by_type(seed_site).items()}


@pytest.fixture(scope="session")
def url_of(page_urls):
    """url_of(page_type) -> the URL of one page of that type; fails if the site has none."""
    def _url(kind: str) -> str:
        if kind not in page_urls:
            pytest.fail(f"the site has no page of type {kind!r}; it has {sorted(page_urls)}", pytrace=False)
        return page_urls[kind]
    return _url


@pytest.fixture(scope="session")
def document_url(site_server):
    """document_url(record_id) -> the served URL of that document's page."""
    return lambda record_id: f"{site_server}documents/{record_id}/"


@pytest.fixture(scope="session")
def rel_path(site_server):
    """rel_path(url) -> its path inside the served site ('' for home), or None if elsewhere."""
    def _rel(url: str) -> str | None:
        return urlsplit(url[len(site_server):]).path if url.startswith(site_server) else None
    return _rel


@pytest.fixture(scope="session")
def links_on():
    """links_on(page) -> every link's resolved href (el.href), in document order, visible or not."""
    return lambda page: page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
