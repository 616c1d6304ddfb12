"""`archive_builder check SITE`: validate a built site before it is published.

Three checks, each a function that returns Problems (nothing here prints
except `check_site`, the command itself):

- links:  every internal href/src/srcset (HTML) and url() (CSS) resolves to a
          file of the site under its base URL, every `#fragment` exists on the
          target page, and nothing is fetched from another host; the only
          outbound references allowed are plain `<a href>` links to http(s)
          URLs that the documents themselves cite (found in data/records.json).
- html:   the Nu Html Checker (npm package `vnu-jar`, needs Java).
- a11y:   axe-core in headless chromium, WCAG 2.2 AA rule tags, on one page
          of every page type.

Exit codes: 0 clean, 1 problems found, 2 usage (no site there).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import unquote, urljoin, urlsplit

from .model import Problem
from .urls import normalize_base

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

BASE_URL_META = "archive-builder:base-url"

# The rule tags axe runs with: WCAG 2.0, 2.1 and 2.2, levels A and AA.
AXE_WCAG_AA_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
# resultTypes: only violations are wanted, and axe is much faster without the rest.
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": list(AXE_WCAG_AA_TAGS)}, "resultTypes": ["violations"]}

# Debian's chromium: Playwright's own browser download is not used.
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync")

# Where `.ci/run` (npm install --prefix .cache/vnu vnu-jar) and a plain
# `npm install vnu-jar` put the Nu Html Checker.
VNU_JAR_IN_PACKAGE = Path("node_modules") / "vnu-jar" / "build" / "dist" / "vnu.jar"
VNU_PREFIXES = (Path(".cache") / "vnu", Path("."))
PROJECT = Path(__file__).resolve().parent.parent

# (tag, attribute) pairs whose value is one URL the browser may fetch or follow.
URL_ATTRIBUTES = frozenset({
    ("a", "href"), ("area", "href"), ("link", "href"), ("script", "src"), ("img", "src"),
    ("iframe", "src"), ("embed", "src"), ("source", "src"), ("track", "src"), ("audio", "src"),
    ("video", "src"), ("video", "poster"), ("input", "src"), ("object", "data"), ("form", "action"),
    ("use", "href"), ("image", "href"), ("blockquote", "cite"), ("q", "cite"),
})
SRCSET_ATTRIBUTES = frozenset({("img", "srcset"), ("source", "srcset"), ("link", "imagesrcset")})
# Links the reader follows (never fetched by the page itself): they may leave the site,
# an <a> only to a URL the documents cite, a <link> of these kinds anywhere.
FOLLOWED_LINKS = frozenset({("a", "href"), ("area", "href")})
NON_FETCHING_RELS = frozenset({"canonical", "alternate", "author", "license", "help", "search",
                               "next", "prev", "me", "bookmark", "external", "nofollow", "noopener", "noreferrer"})
# Where a quotation comes from: never fetched, so it may name any host.
CITATION_ATTRIBUTES = frozenset({("blockquote", "cite"), ("q", "cite")})
# Links that are not to a page (mailto:, tel:, data: images, javascript: is never expected).
NON_FETCHED_SCHEMES = frozenset({"mailto", "tel", "data", "blob", "about"})

CSS_URL = re.compile(r"""url\(\s*(?P<q>['"]?)(?P<url>[^'")]+)(?P=q)\s*\)|@import\s+(?P<q2>['"])(?P<url2>[^'"]+)(?P=q2)""")
# URLs as they appear in document text (records.json), to tell a cited outbound link.
TEXT_URL = re.compile(r"https?://[^\s\"'<>\\]+")


@dataclass(frozen=True)
class Reference:
    """One URL found on a page: where, in which tag and attribute."""

    page: str          # site-relative path of the file it is in
    line: int
    tag: str
    attribute: str
    url: str
    rel: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ParsedPage:
    rel: str
    ids: frozenset[str]
    references: tuple[Reference, ...]
    base_meta: str | None
    declared_url: str | None   # the page's own absolute URL: <link rel=canonical>, else og:url


class _PageParser(HTMLParser):
    def __init__(self, rel: str):
        super().__init__(convert_charrefs=True)
        self.rel = rel
        self.ids: set[str] = set()
        self.references: list[Reference] = []
        self.base_meta: str | None = None
        self.canonical: str | None = None
        self.og_url: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        values = {k: (v or "") for k, v in attrs}
        for key in ("id",) + (("name",) if tag == "a" else ()):
            if values.get(key):
                self.ids.add(values[key])
        if tag == "meta" and values.get("name") == BASE_URL_META:
            self.base_meta = values.get("content", "")
        rel = frozenset(values.get("rel", "").lower().split())
        if tag == "link" and "canonical" in rel:
            self.canonical = values.get("href", "").strip()
        if tag == "meta" and values.get("property") == "og:url":
            self.og_url = values.get("content", "").strip()
        for attribute, value in values.items():
            if (tag, attribute) in URL_ATTRIBUTES and value.strip():
                self.references.append(Reference(self.rel, line, tag, attribute, value.strip(), rel))
            elif (tag, attribute) in SRCSET_ATTRIBUTES:
                for candidate in srcset_urls(value):
                    self.references.append(Reference(self.rel, line, tag, attribute, candidate))
            elif attribute == "style" and "url(" in value:
                for url in css_urls(value):
                    self.references.append(Reference(self.rel, line, tag, attribute, url))

    handle_startendtag = handle_starttag


def srcset_urls(value: str) -> list[str]:
    """The URLs of a srcset ("a.png 1x, b.png 2x")."""
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


def css_urls(text: str) -> list[str]:
    return [(m.group("url") or m.group("url2")).strip() for m in CSS_URL.finditer(text)]


def parse_page(rel: str, text: str) -> ParsedPage:
    parser = _PageParser(rel)
    parser.feed(text)
    parser.close()
    return ParsedPage(rel, frozenset(parser.ids), tuple(parser.references), parser.base_meta,
                      parser.canonical or parser.og_url)


def css_references(rel: str, text: str) -> tuple[Reference, ...]:
    refs = []
    for lineno, line in enumerate(text.splitlines(), 1):
        refs.extend(Reference(rel, lineno, "css", "url", url) for url in css_urls(line))
    return tuple(refs)


def site_files(site: Path) -> list[str]:
    """Every file of the site, as sorted posix paths relative to it."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())


def page_url(rel: str, base: str) -> str:
    """The URL a file is served at: folders' index.html at the folder's URL."""
    if rel == "index.html":
        return base
    if rel.endswith("/index.html"):
        return base + rel[: -len("index.html")]
    return base + rel


def target_file(path: str, base: str, files: frozenset[str]) -> str | None:
    """The site file a site-absolute URL path is served from, or None."""
    if not path.startswith(base):
        return None
    rel = unquote(path[len(base):])
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    if rel in files:
        return rel
    if f"{rel}/index.html" in files:   # a folder URL without its slash: servers redirect
        return f"{rel}/index.html"
    return None


def cited_urls(site: Path) -> frozenset[str]:
    """Every http(s) URL that appears anywhere in the documents' data."""
    records = site / "data" / "records.json"
    if not records.is_file():
        return frozenset()
    text = records.read_text(encoding="utf-8", errors="replace")
    return frozenset(u.rstrip(".,;:)]") for u in TEXT_URL.findall(text))


def _home(site: Path) -> ParsedPage | None:
    home = site / "index.html"
    return parse_page("index.html", home.read_text(encoding="utf-8", errors="replace")) if home.is_file() else None


def read_base_url(site: Path) -> str | None:
    """The base URL the site says it was built with (a meta tag on its home page)."""
    home = _home(site)
    return normalize_base(home.base_meta) if home and home.base_meta else None


def _origin_base(base: str) -> tuple[str, str]:
    """('https://host', '/path/') for an absolute base URL, ('', base) for a path."""
    if "://" in base:
        parts = urlsplit(base)
        return f"{parts.scheme}://{parts.netloc}", parts.path or "/"
    return "", base


def link_problems(site: Path, base: str) -> list[Problem]:
    """Broken internal links, missing anchors and references to other hosts.

    One pass over the files keeps only each page's ids (not its references), so
    memory grows with the anchors of the site, not with its links.  Two things
    wait for the end of the pass: anchors (every page's ids are known then) and
    absolute <a> links, which are internal when they point to the origin the
    pages declare as their own (a permalink), outbound otherwise.
    """
    origin, base_path = _origin_base(normalize_base(base))
    files = site_files(site)
    file_set = frozenset(files)
    ids: dict[str, frozenset[str]] = {}
    own_origins = {origin} if origin else set()
    anchors: list[tuple[Reference, str, str]] = []      # (reference, target page, fragment)
    outbound: list[tuple[Reference, str]] = []          # (reference, absolute URL)
    problems: list[Problem] = []

    def resolve(ref: Reference, path: str, fragment: str) -> None:
        message, anchor = _internal_problem(ref, path, fragment, base_path, file_set)
        if message:
            problems.append(Problem(ref.page, ref.line, message, "error"))
        elif anchor:
            anchors.append((ref, *anchor))

    for rel in files:
        if rel.endswith(".html"):
            page = parse_page(rel, (site / rel).read_text(encoding="utf-8", errors="replace"))
            ids[rel] = page.ids
            references: Iterable[Reference] = page.references
            declared = _declared_origin(page, base_path)
            if declared:
                own_origins.add(declared)
        elif rel.endswith(".css"):
            references = css_references(rel, (site / rel).read_text(encoding="utf-8", errors="replace"))
        else:
            continue
        for ref in references:
            absolute = urljoin("http://site.invalid" + page_url(ref.page, base_path), ref.url)
            parts = urlsplit(absolute)
            if parts.scheme in NON_FETCHED_SCHEMES:
                continue
            if parts.netloc == "site.invalid" or (origin and f"{parts.scheme}://{parts.netloc}" == origin):
                resolve(ref, parts.path, parts.fragment)
            elif (ref.tag, ref.attribute) in FOLLOWED_LINKS and parts.scheme in ("http", "https"):
                outbound.append((ref, absolute))
            else:
                message = _elsewhere_problem(ref, parts.scheme)
                if message:
                    problems.append(Problem(ref.page, ref.line, message, "error"))

    cited = cited_urls(site)
    for ref, absolute in outbound:
        parts = urlsplit(absolute)
        if f"{parts.scheme}://{parts.netloc}" in own_origins:
            resolve(ref, parts.path, parts.fragment)
        elif absolute not in cited and absolute.rstrip("/") not in cited:
            problems.append(Problem(ref.page, ref.line, f"{_where(ref)}: outbound link that no document cites", "error"))
    for ref, target, fragment in anchors:
        if fragment not in ids[target]:
            problems.append(Problem(ref.page, ref.line, f"{_where(ref)}: no element with id \"{fragment}\" on {target}", "error"))
    return sorted(problems, key=lambda p: (p.file, p.line or 0, p.message))


def _declared_origin(page: ParsedPage, base_path: str) -> str | None:
    """'https://host' when the page declares an absolute URL of its own under the base path."""
    parts = urlsplit(page.declared_url or "")
    if parts.scheme in ("http", "https") and parts.netloc and parts.path == page_url(page.rel, base_path):
        return f"{parts.scheme}://{parts.netloc}"
    return None


def _where(ref: Reference) -> str:
    return f"<{ref.tag} {ref.attribute}=\"{ref.url}\">" if ref.tag != "css" else f"url({ref.url})"


def _internal_problem(ref: Reference, path: str, fragment: str, base_path: str,
                      files: frozenset[str]) -> tuple[str | None, tuple[str, str] | None]:
    """(what is wrong with a link into the site, or None; the (page, fragment) that must exist, or None)."""
    if not path.startswith(base_path):
        return f"{_where(ref)}: outside the base URL {base_path}", None
    target = target_file(path, base_path, files)
    if target is None:
        return f"{_where(ref)}: broken link (no such file in the site)", None
    fragment = unquote(fragment)
    if fragment and not fragment.startswith(":~:") and target.endswith(".html"):
        return None, (target, fragment)
    return None, None


def _elsewhere_problem(ref: Reference, scheme: str) -> str | None:
    """A reference to another host that is not a followed link: fine only if never fetched."""
    if scheme not in ("http", "https"):
        return f"{_where(ref)}: {scheme}: URL"
    if (ref.tag == "link" and ref.rel and ref.rel <= NON_FETCHING_RELS) or (ref.tag, ref.attribute) in CITATION_ATTRIBUTES:
        return None
    return f"{_where(ref)}: refers to another host (everything the page loads must come from the site)"


# ---------------------------------------------------------------- HTML validity

def find_vnu_jar() -> Path | None:
    """VNU_JAR, else the npm package in the project's .cache/vnu or node_modules."""
    env = os.environ.get("VNU_JAR")
    if env:
        return Path(env) if Path(env).is_file() else None
    for root in (Path.cwd(), PROJECT):
        for prefix in VNU_PREFIXES:
            jar = root / prefix / VNU_JAR_IN_PACKAGE
            if jar.is_file():
                return jar
    return None


VNU_INSTALL_HINT = ("install it with `npm install --prefix .cache/vnu vnu-jar` (and a Java runtime, "
                    "e.g. `apt-get install default-jre-headless`), set VNU_JAR to vnu.jar, or skip with --no-html")


def html_problems(site: Path) -> list[Problem]:
    """Errors the Nu Html Checker finds in the site's HTML files."""
    jar = find_vnu_jar()
    java = shutil.which("java")
    if jar is None or java is None:
        missing = " and ".join(n for n, ok in (("the Nu Html Checker (vnu.jar)", jar), ("java", java)) if not ok)
        return [Problem(str(site), None, f"cannot check HTML: {missing} not found; {VNU_INSTALL_HINT}", "error")]
    run = subprocess.run([java, "-jar", str(jar), "--errors-only", "--format", "json", "--skip-non-html", str(site)],
                         capture_output=True, text=True, check=False)
    try:
        messages = json.loads(run.stderr or run.stdout or "{}").get("messages", [])
    except json.JSONDecodeError:
        return [Problem(str(site), None, f"the Nu Html Checker failed (exit {run.returncode}): {run.stderr.strip()[:500]}", "error")]
    root = site.resolve()
    problems = []
    for m in messages:
        url = m.get("url", "")
        path = Path(unquote(urlsplit(url).path)) if url.startswith("file:") else None
        rel = path.relative_to(root).as_posix() if path and path.is_relative_to(root) else (url or str(site))
        problems.append(Problem(rel, m.get("lastLine") or m.get("firstLine"), f"HTML: {m.get('message', '').strip()}", "error"))
    if run.returncode != 0 and not messages:
        problems.append(Problem(str(site), None, f"the Nu Html Checker failed (exit {run.returncode}): {run.stderr.strip()[:500]}", "error"))
    return sorted(problems, key=lambda p: (p.file, p.line or 0, p.message))


# ---------------------------------------------------------------- accessibility

def _folder_segments(rel: str) -> tuple[list[str], bool]:
    """A page's URL path segments, and whether its URL is a folder (ends in /)."""
    folder = rel[: -len("index.html")] if rel.endswith("index.html") else rel
    return [s for s in folder.split("/") if s], folder.endswith("/") or folder == ""


def page_types(rels: Iterable[str]) -> dict[str, str]:
    """Each page's type: its path with the varying segments as wildcards.

    The segment after a collection is always an item (documents/abc/ ->
    documents/*/); a deeper segment is a wildcard when it takes several values
    under the same parent type (claims/source/x/, claims/event/y/ -> claims/*/*/),
    and stays literal when it does not (documents/*/original.html).  One pass per
    depth, so it is linear in the number of pages.
    """
    segments = {rel: _folder_segments(rel) for rel in rels}
    keys: dict[str, list[str]] = {rel: [] for rel in segments}
    depth = 0
    while True:
        at_depth = [rel for rel, (segs, _) in segments.items() if depth < len(segs)]
        if not at_depth:
            break
        values: dict[tuple[str, ...], set[str]] = {}
        for rel in at_depth:
            values.setdefault(tuple(keys[rel]), set()).add(segments[rel][0][depth])
        for rel in at_depth:
            varies = depth == 1 or (depth > 1 and len(values[tuple(keys[rel])]) > 1)
            keys[rel].append("*" if varies else segments[rel][0][depth])
        depth += 1
    return {rel: "/".join(keys[rel]) + ("/" if segments[rel][1] else "") for rel in segments}


def page_type(rel: str) -> str:
    """The type of one page on its own: documents/abc/index.html -> documents/*/."""
    return page_types([rel])[rel]


def pages_by_type(site: Path) -> dict[str, str]:
    """One HTML page (the first in sorted order) for every page type of the site."""
    chosen: dict[str, str] = {}
    for rel, kind in page_types(r for r in site_files(site) if r.endswith(".html")).items():
        chosen.setdefault(kind, rel)
    return dict(sorted(chosen.items()))


def chromium_path() -> str | None:
    """Debian's chromium (or CHROMIUM from the environment)."""
    env = os.environ.get("CHROMIUM")
    candidates = (env,) if env else CHROMIUM_CANDIDATES
    for c in candidates:
        found = c if os.path.isabs(c) and os.access(c, os.X_OK) else shutil.which(c)
        if found:
            return found
    return None


def launch_chromium(playwright, executable: str | None = None):
    """Headless Debian chromium through Playwright, with nothing phoning home."""
    return playwright.chromium.launch(executable_path=executable or chromium_path(), args=list(CHROMIUM_ARGS))


@contextmanager
def local_server(site: Path, base: str = "/", host: str = "127.0.0.1") -> Iterator[str]:
    """Serve `site` at http://host:<free port><base> in a thread; yields that root URL."""
    from .serve import SiteHandler, base_path as path_of   # the preview's handler: served as `serve` serves it

    base_path = path_of(base)
    handler = functools.partial(SiteHandler, directory=str(site), base=base_path)
    server = http.server.ThreadingHTTPServer((host, 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="archive-site-server", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}{base_path}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@functools.cache
def _axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()   # reads axe-core's script once


def axe_violations(page) -> list[dict]:
    """axe-core's violations (WCAG 2.2 AA rule tags) on the page loaded in a Playwright page."""
    return _axe().run(page, options=AXE_OPTIONS).response.get("violations", [])


def describe_violation(v: dict) -> str:
    targets = ", ".join(" ".join(map(str, n.get("target", []))) for n in v.get("nodes", [])[:5])
    return f"axe {v.get('id')} ({v.get('impact')}): {v.get('help')} [{targets}]"


COLOR_SCHEMES = ("light", "dark")
A11Y_INSTALL_HINT = ("install the test extras (`pip install -e \".[test]\"`) and Debian's chromium "
                     "(`apt-get install chromium`), or skip with --no-a11y")


def a11y_problems(site: Path, base: str) -> list[Problem]:
    """axe-core violations on one page of every page type."""
    try:
        from playwright.sync_api import sync_playwright
        import axe_playwright_python  # noqa: F401
    except ImportError as exc:
        return [Problem(str(site), None, f"cannot check accessibility: {exc.name} is not installed; {A11Y_INSTALL_HINT}", "error")]
    executable = chromium_path()
    if executable is None:
        return [Problem(str(site), None, f"cannot check accessibility: chromium not found; {A11Y_INSTALL_HINT}", "error")]
    problems: list[Problem] = []
    with local_server(site, base) as root, sync_playwright() as p:
        browser = launch_chromium(p, executable)
        try:
            page = browser.new_page()
            for scheme in COLOR_SCHEMES:   # dark mode has its own colours, so its own contrast
                page.emulate_media(color_scheme=scheme)
                for rel in pages_by_type(site).values():
                    page.goto(root + page_url(rel, "/")[1:])
                    if page.locator("script[src]").count():    # let scripts finish what they draw
                        page.wait_for_load_state("networkidle")
                    problems.extend(Problem(rel, None, f"{describe_violation(v)} ({scheme} colours)", "error")
                                    for v in axe_violations(page))
        finally:
            browser.close()
    return problems


# ---------------------------------------------------------------- the command

def check_site(site: Path, base_url: str | None = None, html: bool = True, a11y: bool = True) -> int:
    """Run the checks, print `file: problem` lines and a summary; 0 clean, 1 problems, 2 usage."""
    site = Path(site)
    if not (site / "index.html").is_file():
        print(f"{site}: not a built site (no index.html); build it first with `python -m archive_builder build`",
              file=sys.stderr)
        return EXIT_USAGE
    problems: list[Problem] = []
    declared = read_base_url(site)
    base = declared or normalize_base(base_url or "/")
    if declared and base_url and normalize_base(base_url) != declared:
        problems.append(Problem("index.html", None, f"built for base URL {declared}, not {normalize_base(base_url)}", "error"))
    checks: list[tuple[str, bool, object]] = [
        ("links", True, lambda: link_problems(site, base)),
        ("html", html, lambda: html_problems(site)),
        ("a11y", a11y, lambda: a11y_problems(site, base)),
    ]
    ran = []
    for name, enabled, run in checks:
        if enabled:
            problems.extend(run())
            ran.append(name)
    for p in problems:
        print(_line(p))
    pages = sum(1 for rel in site_files(site) if rel.endswith(".html"))
    verdict = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}" if problems else "no problems"
    print(f"checked {pages} pages ({', '.join(ran)}; base URL {base}): {verdict}", file=sys.stderr)
    return EXIT_PROBLEMS if problems else EXIT_OK


def _line(p: Problem) -> str:
    where = f"{p.file}:{p.line}" if p.line else p.file
    return f"{where}: {p.message}"
