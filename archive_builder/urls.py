"""Every URL of the site is made here, so the base path is never forgotten.

(The habit is Hugo's: templates never concatenate paths themselves.)
Pages are folders with an index.html, so URLs end in "/" and work on any
static host, GitHub Pages included; a document's original-capture page is the
one file beside its document's index.html (documents/<id>/original.html), not a
folder of its own: 10,000 folders fewer for 10,000 captures, each a mkdir that
every build into a new staging folder makes again.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urljoin


def slugify(text: str, max_length: int = 80) -> str:
    """A lowercase ASCII slug; non-Latin text keeps its letters (percent-safe in URLs)."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[^\w]+", "-", text, flags=re.UNICODE).strip("-_")
    text = re.sub(r"[-_]+", "-", text)
    return text[:max_length].strip("-") or "untitled"


def normalize_base(base: str) -> str:
    base = (base or "/").strip()
    if "://" in base:
        scheme, rest = base.split("://", 1)
        host, _, path = rest.partition("/")
        return f"{scheme}://{host}/" + (path.strip("/") + "/" if path.strip("/") else "")
    base = "/" + base.strip("/") + "/"
    return "/" if base == "//" else base


@dataclass(frozen=True)
class Urls:
    base: str = "/"

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", normalize_base(self.base))

    def path(self, rel: str = "") -> str:
        """The site-absolute URL of a path inside the site."""
        return self.base + rel.lstrip("/")

    # one method per kind of page; templates call these
    def home(self) -> str: return self.path("")
    def document(self, doc_id: str) -> str: return self.path(f"documents/{doc_id}/")
    def original(self, doc_id: str) -> str: return self.path(f"documents/{doc_id}/original.html")
    def raw(self, doc_id: str, suffix: str = ".txt") -> str: return self.path(f"originals/{doc_id}{suffix}")
    def documents(self) -> str: return self.path("documents/")
    def author(self, slug: str) -> str: return self.path(f"authors/{slug}/")
    def authors(self) -> str: return self.path("authors/")
    def publisher(self, slug: str) -> str: return self.path(f"publishers/{slug}/")
    def publishers(self) -> str: return self.path("publishers/")
    def event(self, event_id: str) -> str: return self.path(f"events/{event_id}/")
    def events(self) -> str: return self.path("events/")
    def timeline(self) -> str: return self.path("timeline/")
    def claims(self, page: int = 1) -> str: return self.path("claims/" + (f"page/{page}/" if page > 1 else ""))
    def claims_facet(self, facet: str, key: str, page: int = 1) -> str:
        return self.path(f"claims/{facet}/{key}/" + (f"page/{page}/" if page > 1 else ""))
    def browse(self) -> str: return self.path("browse/")
    def years(self) -> str: return self.path("browse/dates/")
    def year(self, key: str) -> str: return self.path(f"browse/dates/{key}/")
    def doc_types(self) -> str: return self.path("browse/types/")
    def doc_type(self, slug: str) -> str: return self.path(f"browse/types/{slug}/")
    def languages(self) -> str: return self.path("browse/languages/")
    def language(self, slug: str) -> str: return self.path(f"browse/languages/{slug}/")
    def places(self) -> str: return self.path("browse/places/")
    def place(self, slug: str) -> str: return self.path(f"browse/places/{slug}/")
    def search(self) -> str: return self.path("search/")
    def static(self, name: str) -> str: return self.path(f"static/{name}")
    def data(self, name: str) -> str: return self.path(f"data/{name}")
    def pagefind(self) -> str: return self.path("pagefind/")
    def pagefind_file(self, name: str) -> str: return self.path(f"pagefind/{name}")
    def not_found(self) -> str: return self.path("404.html")
    def downloads(self) -> str: return self.path("downloads/")
    def feed(self) -> str: return self.path("feed.xml")
    def sitemap(self) -> str: return self.path("sitemap.xml")
    def robots(self) -> str: return self.path("robots.txt")


def absolute_url(site_url: str, url: str) -> str:
    """A URL made by Urls, absolute on the deployed site when `site_url` is known
    (the path of `url` already holds the base path); else `url` unchanged."""
    return urljoin(site_url, url) if site_url else url


def page_file(url_path: str, base: str) -> str:
    """The output file (relative to the site folder) for a page URL made by Urls."""
    rel = url_path[len(normalize_base(base)):] if url_path.startswith(normalize_base(base)) else url_path.lstrip("/")
    return rel + "index.html" if (rel == "" or rel.endswith("/")) else rel
