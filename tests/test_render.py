"""The site stage: safe bodies, dates with their basis, every page and link.

Unit tests use hand-built Records (hostile text, a non-English record); the
seed build (conftest.seed_site, built with --base-url /archive/) is crawled
for broken links and for anything that would reach another host.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import given, settings, strategies as st

from archive_builder.config import Config
from archive_builder.editorial import Editorial
from archive_builder.markdown import ClaimSpan, render_body
from archive_builder.model import (Agent, Analysis, Comment, Footnote, Image, Record, Reference,
                                   RemovedLine, Sourced)
from archive_builder.render import (SiteContext, agent_index, basis_note, capture_lines, edtf_year, short_basis,
                                    format_edtf, header_fields, html_datetime, newest_first_key,
                                    render_site)
from archive_builder.urls import Urls

HOSTILE = (
    "A statement with <script>alert('body')</script> in it.\n\n"
    "An image <img src=x onerror=alert(1)> and [a link](javascript:alert(2)) and "
    "![remote](http://tracker.example/p.png).\n\n"
    "Template syntax {{ config.items() }} and {% for x in y %}{% endfor %} stays text."
)
HOSTILE_COMMENT = "Reader says <script>alert('comment')</script> {{ 7*7 }}"


def make_record(id: str = "doc-1", body: str = "First paragraph.\n\nSecond paragraph.", **fields) -> Record:
    lines = body.split("\n")
    values = dict(
        id=id, source_file=f"{id}.txt", sha256="ab" * 32, format="txt",
        title=Sourced(f"Title of {id}", "inferred", "first line", 1),
        document_type=Sourced("statement", "inferred", "the word 'statement' in the title", 1),
        author=Sourced(Agent("Ministry of Examples"), "stated", "Ministry of Examples", 2),
        publisher=Sourced(Agent("Example News"), "inferred", "site name in the page chrome", 1),
        date=Sourced("2021-01-20", "inferred", "31st anniversary of 20 January 1990", 3),
        language=Sourced("en", "inferred", "language identifier", None),
        body=body, body_lines=tuple(range(2, 2 + len(lines))), removed=(), comments=(), references=(),
    )
    values.update(fields)
    return Record(**values)


def context(records, claims=(), base="/archive/", source="seeds") -> SiteContext:
    return SiteContext(records=records, analysis=Analysis(claims=tuple(claims)),
                       config=Config(source=source, base_url=base), urls=Urls(base), editorial=Editorial())


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text inside data-pagefind-body."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.stack: list[tuple[str, bool, bool]] = []    # (tag, in search body, ignored)
        self.indexed: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag in self.VOID:
            return
        inside = bool(self.stack and self.stack[-1][1]) or "data-pagefind-body" in a
        ignored = bool(self.stack and self.stack[-1][2]) or a.get("data-pagefind-ignore") == "all"
        self.stack.append((tag, inside, ignored))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        self.text.append(data)
        if self.stack and self.stack[-1][1] and not self.stack[-1][2]:
            self.indexed.append(data)


def parse(html: str) -> Tags:
    t = Tags()
    t.feed(html)
    return t


def pages(ctx) -> dict[str, str]:
    return {rel: data.decode("utf-8") for rel, data in render_site(ctx) if rel.endswith(".html")}


# --- dates and provenance ------------------------------------------------------


@pytest.mark.parametrize("edtf, shown", [
    ("2021-01-20", "20 January 2021"),
    ("2021-01", "January 2021"),
    ("2021", "2021"),
    ("1990-01-19/1990-01-20", "19–20 January 1990"),
    ("1990-01-13/1990-01-20", "13–20 January 1990"),
    ("1948/1953", "1948–1953"),
    ("2021-01-13/..", "on or after 13 January 2021"),
    ("../1990", "on or before 1990"),
    ("2021-01-20?", "20 January 2021 (uncertain)"),
    ("1990~", "about 1990"),
    ("198X", "the 1980s"),
    ("2021-01-XX", "January 2021"),
    (None, "date unknown"),
    ("not a date", "not a date"),
])
def test_format_edtf(edtf, shown):
    assert format_edtf(edtf) == shown


@given(st.integers(1, 9999), st.integers(1, 12), st.integers(1, 28))
def test_format_edtf_day_dates(year, month, day):
    shown = format_edtf(f"{year:04d}-{month:02d}-{day:02d}")
    assert shown.startswith(f"{day} ") and shown.endswith(f" {year}")
    assert edtf_year(f"{year:04d}-{month:02d}-{day:02d}") == f"{year:04d}"


@given(st.text(max_size=40))
def test_format_edtf_never_fails(text):
    assert isinstance(format_edtf(text), str)


def test_basis_note_says_how_the_value_is_known():
    assert basis_note(Sourced("2021-01-20", "inferred", "31st anniversary of 20 January 1990", 3)) == \
        "inferred: 31st anniversary of 20 January 1990, capture line 3"
    assert basis_note(Sourced("2023-01-20", "stated", "January 20, 2023", 3)).startswith("stated: “January 20, 2023”")
    assert basis_note(Sourced("x", "sidecar")) == "set by an archivist"
    assert basis_note(Sourced.unknown()) == "not known"


def test_newest_first_puts_undated_last():
    recs = [make_record("a", date=Sourced("2020-01-01", "stated")), make_record("b", date=Sourced.unknown()),
            make_record("c", date=Sourced("2023-01-20", "stated")), make_record("d", date=Sourced("2021", "stated"))]
    assert [r.id for r in sorted(recs, key=newest_first_key)] == ["c", "d", "a", "b"]


def test_header_fields_group_repeated_keys_in_order():
    assert header_fields([("un_agenda_titles", "A"), ("outlet", "X"), ("un_agenda_titles", "B")]) == \
        [("UN agenda titles", ["A", "B"]), ("Outlet", ["X"])]


# --- bodies ----------------------------------------------------------------------


def test_hostile_body_is_text_never_markup():
    html = render_body(HOSTILE)
    tags = parse(html).tags
    assert {t for t, _ in tags} <= {"p", "a", "em", "strong", "h3", "code"}
    assert all(not k.startswith("on") for _, a in tags for k in a)
    assert all(not a.get("href", "").lower().startswith(("javascript:", "data:")) for _, a in tags)
    assert "<img" not in html and "<script" not in html
    assert "&lt;script&gt;" in html and "{{ config.items() }}" in html and "{% for x in y %}" in html


def test_paragraphs_get_anchors_by_position():
    html = render_body("# Heading\n\nOne.\n\nTwo\ncontinued.\n\n- a list item")
    ids = re.findall(r'\bid="(p-\d+)"', html)
    assert ids == [f"p-{n}" for n in range(1, len(ids) + 1)] and len(ids) == 4
    assert "<h1" not in html and "<h3" in html      # the page's own h1 stays the only one


def test_footnote_markers_become_references_to_the_records_footnotes():
    body = "The facts are clear.<sup>1</sup> Unknown marker<sup>9</sup>."
    html = render_body(body, [Footnote("1", "See document <b>A/74/450</b>.", 40)])
    assert re.search(r'<sup class="footnote-ref"><a href="#fn1" id="fnref1">', html)
    assert 'id="fn1"' in html and "See document &lt;b&gt;A/74/450&lt;/b&gt;." in html
    assert '<a href="#fnref1" class="footnote-backref" aria-label="Back to the text">' in html
    assert "&lt;sup&gt;9&lt;/sup&gt;" in html      # no footnote 9: the marker stays visible text
    assert html.count('id="p-') == 1                # footnote paragraphs are not body paragraphs


def test_claim_quotes_get_anchors():
    body = "Intro.\n\nAs a result, 147 civilians were killed and 744 injured.\n\nMore *147 civilians* here."
    quote = "147 civilians were killed"
    spans = [ClaimSpan("doc-c1", quote, body.index(quote)),
             ClaimSpan("doc-c2", "More 147", body.index("More"))]     # spans formatting: anchor on the paragraph
    html = render_body(body, claims=spans)
    assert f'<mark class="claim" id="claim-doc-c1">{quote}</mark>' in html
    assert '<span class="claim-anchor" id="claim-doc-c2"></span>More' in html


# The plain-body fast path (markdown.render_plain_body) against markdown-it itself:
# prose-like text, with the characters and line starts that decide plainness
PROSE_PIECES = st.sampled_from([
    "word", "Words and more", ".", ",", "\n", "\n", "\n\n", "\n\n\n", "a b", "é", "“quoted”", '"', "'", "!", "(", ")",
    ":", "%", "$", "@", "{", "}", "1", "12", "x=1", "a-b", "#3", "a+b",
])
SYNTAX_PIECES = st.sampled_from([
    "  ", "\u00a0", "\u3000", "\u2028", "\x0c", "\t", "\r", "\0", "=", "+", "-", "#", "1.", "2)", "*", "_", "~", "`",
    "[", "]", "^", "<", ">", "&", "|", "\\", "---", "===", "\n ", "\n    ",
])


@st.composite
def bodies_with_claims(draw):
    pieces = draw(st.lists(PROSE_PIECES, max_size=40))
    for _ in range(draw(st.integers(0, 2))):   # now and then, something markdown reads
        pieces.insert(draw(st.integers(0, len(pieces))), draw(SYNTAX_PIECES))
    body = "".join(pieces)
    claims = []
    for n in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(body)))
        end = draw(st.integers(start, min(len(body), start + 30)))
        # a claim's quote is never empty (markdown._wrap_quote could not split at it)
        quote = body[start:end] if end > start and draw(st.booleans()) else draw(st.sampled_from(["word", "Words", "and more", "x"]))
        at = start if draw(st.booleans()) else draw(st.integers(0, len(body)))
        claims.append(ClaimSpan(draw(st.sampled_from(["d-c1", "d-c2", "d c<3>", "d-c1"])), quote, at))
    return body, claims


@settings(max_examples=500, deadline=None)
@given(bodies_with_claims())
def test_a_plain_body_renders_as_markdown_it_renders_it(body_and_claims):
    from archive_builder.markdown import plain_body, render_markdown_body, render_plain_body
    body, claims = body_and_claims
    if plain_body(body):
        assert render_plain_body(body, claims) == render_markdown_body(body, (), claims)
    assert render_body(body, (), claims) == render_markdown_body(body, (), claims)


@pytest.mark.parametrize("body", [
    "A *word*.", "Line one  \nline two", " Indented", "Trailing ", "# Heading", "Text\n===", "- item", "+ item",
    "1. item", "12) item", "a | b", "A&amp;B", "<b>", "[x](y)", "x\\\ny", "a\r\nb", "a\tb", "\u00a0x", "x\u3000",
    "Tail\n   \nNext",
])
def test_markdown_syntax_is_never_taken_as_plain(body):
    from archive_builder.markdown import plain_body
    assert not plain_body(body)
    assert plain_body("Plain prose, “quoted”, 12 figures (and more).\nA second line!\n\nNext paragraph: 3.5%.")


# --- pages from hand-built records ------------------------------------------------


def hostile_records() -> list[Record]:
    hostile = make_record(
        "hostile", body=HOSTILE,
        title=Sourced("<script>alert('title')</script> {{ title }}", "stated", "<b>evidence</b>", 1),
        author=Sourced(Agent("<img src=x onerror=alert(3)>"), "stated", None, 1),
        removed=(RemovedLine(9, "<script>alert('chrome')</script>", "font-size-widget", "page furniture"),),
        comments=(Comment("<b>troll</b>", HOSTILE_COMMENT, 12, (HOSTILE_COMMENT,)),),
        references=(Reference("the letter <i>A/75/710</i>", "un-symbol", 5, symbol="A/75/710"),),
    )
    russian = make_record(
        "ru-1", body="Заявление Министерства иностранных дел.\n\nВторой абзац текста.",
        title=Sourced("Заявление МИД", "inferred", "первая строка", 1),
        author=Sourced(Agent("Министерство иностранных дел"), "stated", None, 2),
        publisher=Sourced.unknown(),
        date=Sourced("1990-01-19/1990-01-20", "stated", "19–20 января 1990", 4),
        language=Sourced("ru", "inferred", "language identifier", None),
    )
    return [hostile, russian, make_record("plain")]


def test_every_page_keeps_hostile_text_inert():
    site = pages(context(hostile_records()))
    assert len(site) > 10
    for rel, html in site.items():
        if not rel.endswith(".html"):
            continue
        tags = parse(html).tags
        assert all(not k.startswith("on") for _, a in tags for k in a), rel
        executable = [a for t, a in tags if t == "script" and a.get("type") != "application/ld+json"]
        assert all(a.get("src") for a in executable), f"{rel}: inline script (JSON-LD data blocks are not scripts)"
        # a data block (JSON-LD) must not let document text close the element
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S):
            assert "<" not in block, f"{rel}: markup inside JSON-LD"
        assert "alert(" not in "".join(a.get("src", "") + a.get("href", "") for _, a in tags), rel
        assert not re.search(r"<(script|img)[^>]*>\s*alert", html), rel
        assert len([t for t, _ in tags if t == "h1"]) == 1, f"{rel}: one h1 per page"


def test_document_page_attributes_and_separates_comments():
    site = pages(context(hostile_records()))
    html = site["documents/hostile/index.html"]
    assert "Text as published by Example News; the archive reproduces it without endorsement." in html
    assert "Reader comments (third-party, not part of the statement)" in html
    tree = parse(html)
    indexed = " ".join(tree.indexed)
    assert "Reader says" not in indexed and "alert('chrome')" not in indexed
    assert "Template syntax" in indexed and "Example News" in indexed
    comment_sections = [a for t, a in tree.tags if a.get("class") == "reader-comments"]
    assert comment_sections and comment_sections[0].get("data-pagefind-ignore") == "all"
    filters = {a["data-pagefind-filter"] for _, a in tree.tags if "data-pagefind-filter" in a}
    assert {"author", "publisher", "year:2021", "type", "language"} <= filters


def test_document_page_shows_date_with_its_basis():
    site = pages(context(hostile_records()))
    text = " ".join("".join(parse(site["documents/plain/index.html"]).text).split())
    assert "20 January 2021 (inferred: 31st anniversary of 20 January 1990, capture line 3)" in text
    assert "Issued by Ministry of Examples; published by Example News;" in text


def test_non_english_record_keeps_its_language_and_script():
    site = pages(context(hostile_records()))
    html = site["documents/ru-1/index.html"]
    assert re.search(r'<section class="doc-text"[^>]*\blang="ru"', html)
    assert re.search(r'<h1[^>]*\blang="ru"[^>]*>Заявление МИД</h1>', html)
    assert re.search(r'<a class="doc-title" href="/archive/documents/ru-1/" lang="ru">', site["documents/index.html"])
    assert "Второй абзац текста." in html and "19–20 January 1990" in html
    assert "Text as published by Министерство иностранных дел" in html


def test_author_and_publisher_pages_list_their_documents():
    recs = hostile_records()
    site = pages(context(recs))
    authors = agent_index(recs, "author")
    assert len(authors.pages) == 3 and len({p.slug for p in authors.pages}) == 3
    for p in authors.pages:
        html = site[f"authors/{p.slug}/index.html"]
        for doc in p.documents:
            assert f'href="/archive/documents/{doc}/"' in html
    assert "publishers/index.html" in site and "authors/index.html" in site


def test_agent_slugs_stay_unique_when_names_slug_alike():
    recs = [make_record("a", author=Sourced(Agent("Ministry: A"), "stated")),
            make_record("b", author=Sourced(Agent("Ministry A"), "stated"))]
    slugs = [p.slug for p in agent_index(recs, "author").pages]
    assert len(set(slugs)) == 2


def test_original_page_shows_capture_and_removed_lines(tmp_path):
    text = "Title line\nSearch in archive+ ↺ − 16 px\nThe body.\n\nA reader comment\n"
    (tmp_path / "cap.txt").write_text(text, encoding="utf-8")
    rec = make_record("cap", body="The body.", source_file="cap.txt", body_lines=(3,),
                      removed=(RemovedLine(2, "Search in archive+ ↺ − 16 px", "font-size-widget",
                                           "a font-size control of the web page, not the statement's text"),),
                      comments=(Comment(None, "A reader comment", 5, ("A reader comment",)),))
    site = pages(context([rec], source=str(tmp_path)))
    html = site["documents/cap/original.html"]
    assert rec.sha256 in html and 'href="/archive/originals/cap.txt"' in html
    assert "font-size-widget" in html and "not the statement&#39;s text" in html
    assert '<li id="L2" class="part-removed">' in html and '<li id="L5" class="part-comment">' in html
    assert [l.part for l in capture_lines(rec, text.encode())][:5] == ["other", "removed", "body", "other", "comment"]
    assert "data-pagefind-body" not in html


def test_rendering_is_deterministic():
    recs = hostile_records()
    assert list(render_site(context(recs))) == list(render_site(context(list(reversed(recs)))))


def test_search_page_follows_the_base_url():
    html = pages(context([make_record()]))["search/index.html"]
    tags = parse(html).tags
    ui = next(a for t, a in tags if a.get("id") == "search")
    assert ui["data-bundle-path"] == "/archive/pagefind/" and ui["data-base-url"] == "/archive/"
    assert [a["src"] for t, a in tags if t == "script"] == ["/archive/pagefind/pagefind-ui.js", "/archive/static/search.js"]
    assert "<noscript>" in html


# --- the seed site -------------------------------------------------------------------


def site_targets(site: Path, base: str):
    """(page, attribute, target file or None) for every internal href/src of every page."""
    for page in sorted(site.rglob("*.html")):
        if "pagefind" in page.relative_to(site).parts:
            continue
        for tag, attrs in parse(page.read_text(encoding="utf-8")).tags:
            for name in ("href", "src", "action"):
                value = attrs.get(name)
                if not value or value.startswith(("#", "mailto:")):
                    continue
                yield page, tag, name, value


def test_seed_site_has_no_broken_internal_links(seed_site: Path, base_url: str):
    checked, broken = 0, []
    for page, tag, name, value in site_targets(seed_site, base_url):
        parts = urlsplit(value)
        if parts.scheme or parts.netloc:
            continue                        # external links are checked below
        path = unquote(parts.path)
        assert path.startswith(base_url), f"{page}: {value} is not under the base URL"
        target = seed_site / path[len(base_url):]
        if path.endswith("/"):
            target = target / "index.html"
        checked += 1
        if not target.is_file():
            broken.append(f"{page.relative_to(seed_site)}: {tag} {name}={value}")
        if parts.fragment and target.is_file() and target.suffix == ".html":
            assert f'id="{parts.fragment}"' in target.read_text(encoding="utf-8"), f"{page}: missing anchor {value}"
    assert checked > 50 and broken == []


def test_seed_site_requests_nothing_from_other_hosts(seed_site: Path, base_url: str):
    for page, tag, name, value in site_targets(seed_site, base_url):
        if tag in ("a",) and name == "href":
            continue            # a link the reader may follow is not a request
        parts = urlsplit(value)
        if parts.scheme == "data":
            continue            # inline data (the empty favicon) is not a request
        assert not parts.scheme and not parts.netloc, f"{page}: {tag} {name}={value}"
    for css in (seed_site / "static").rglob("*.css"):
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", css.read_text(encoding="utf-8")), css
        assert "@import" not in css.read_text(encoding="utf-8")


def test_seed_site_has_every_page_kind(seed_site: Path, seed_records: list[dict]):
    assert (seed_site / "404.html").is_file() and (seed_site / ".nojekyll").is_file()
    for kind in ("documents", "authors", "publishers", "search", "events", "timeline", "claims"):
        assert (seed_site / kind / "index.html").is_file(), kind
    for r in seed_records:
        assert (seed_site / "documents" / r["id"] / "index.html").is_file()
        assert (seed_site / "documents" / r["id"] / "original.html").is_file()
        html = (seed_site / "documents" / r["id"] / "index.html").read_text(encoding="utf-8")
        for c in r["comments"]:
            first_words = c["text"].split("\n")[0][:60]
            assert first_words not in " ".join(parse(html).indexed), "a reader comment reached the search body"


@pytest.mark.parametrize("edtf, machine", [("2021-01-20", "2021-01-20"), ("2021-01", "2021-01"), ("2021", "2021"),
                                           ("2021-01-13/..", None), ("1990-01-19/1990-01-20", None),
                                           ("2021-01-20?", None), ("2021-13", None), (None, None)])
def test_only_html_dates_become_datetime_attributes(edtf, machine):
    assert html_datetime(edtf) == machine


SAFE_TAGS = {"p", "h3", "h4", "h5", "h6", "a", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote",
             "hr", "br", "s", "table", "thead", "tbody", "tr", "th", "td", "sup", "section", "h2", "mark", "span"}
HOSTILE_PIECES = st.sampled_from([
    "<script>", "</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)", "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))", "[x](data:text/html;base64,PHNjcmlwdD4=)", "![i](http://evil.example/i.png)",
    "<a href='javascript:x'>", "{{ x }}", "{% raw %}", "<sup>1</sup>", "[^1]", "# ", "\n\n", "\n", "*", "_", "`",
    "> ", "- ", "1. ", "|a|b|\n|-|-|\n", "&lt;", "&", '"', "'", "<!-- -->", "<svg onload=alert(1)>", "text",
])


@given(st.lists(st.one_of(HOSTILE_PIECES, st.text(max_size=12)), max_size=30),
       st.lists(st.text(alphabet="0123456789ab", min_size=1, max_size=3), max_size=3))
def test_any_body_renders_to_safe_markup(pieces, labels):
    body = "".join(pieces)
    notes = [Footnote(label, f"note <b>{label}</b>", 1) for label in dict.fromkeys(labels)]
    quote = body[len(body) // 3: len(body) // 2]
    claims = [ClaimSpan("d-c1", quote, len(body) // 3)] if quote.strip() else []
    tags = parse(render_body(body, notes, claims)).tags
    assert {t for t, _ in tags} <= SAFE_TAGS
    for _, attrs in tags:
        assert not any(k.startswith("on") for k in attrs)
        assert not (attrs.get("href") or "").strip().lower().startswith(("javascript:", "data:", "vbscript:"))
        assert "src" not in attrs


def test_short_basis_cuts_long_reasoning_at_a_word():
    long = Sourced("2020-01-13", "inferred", "30th anniversary of events dated 13 January 1990: " + "word " * 40, 8)
    short = short_basis(long)
    assert short.endswith(" …") and len(short) <= 92 and basis_note(long).startswith(short[:-2])
    brief = Sourced("2021", "stated", "2021", 3)
    assert short_basis(brief) == basis_note(brief)


def test_capture_lines_keep_every_line_whatever_the_endings():
    raw = "One\r\nTwo\rThree\n\nFour".encode("utf-8")
    rec = make_record("crlf", body="Two", body_lines=(2,),
                      removed=(RemovedLine(1, "One", "title", "the title"),))
    lines = capture_lines(rec, raw)
    assert [(l.number, l.text, l.part) for l in lines] == [
        (1, "One", "removed"), (2, "Two", "body"), (3, "Three", "other"), (4, "", "other"), (5, "Four", "other")]


def test_a_fingerprint_follows_every_field_value_nested_in_a_record_not_its_identity():
    from dataclasses import replace

    from archive_builder.output import PageSpec
    from archive_builder.render import Fingerprints

    def fingerprint(record: Record) -> str:
        return Fingerprints(b"salt").of(PageSpec("documents/a/index.html", "document.html", dict(record=record)))

    record = make_record("a", author=Sourced(Agent("Ministry A", title="Minister"), "stated"))
    same = make_record("a", author=Sourced(Agent("Ministry A", title="Minister"), "stated"))
    assert same is not record and fingerprint(same) == fingerprint(record)
    # one value deep in the record (the author's title, its basis) is a new fingerprint
    assert fingerprint(replace(record, author=Sourced(Agent("Ministry A", title="Ministre"), "stated"))) != fingerprint(record)
    assert fingerprint(replace(record, author=Sourced(Agent("Ministry A", title="Minister"), "inferred"))) != fingerprint(record)
    assert fingerprint(replace(record, body="Other text.")) != fingerprint(record)


# --- the document and original pages, written in Python, against the templates they replace --------
# tests/reference_templates/ holds document.html, original.html and partials/jsonld.html as they
# were when Jinja laid out every row; the pages must come out byte for byte the same.

REFERENCE_TEMPLATES = Path(__file__).resolve().parent / "reference_templates"
TEXTS = st.sampled_from(["", "Plain", "a <b> & \"c\" 'd'", "é “x”", "{{ x }}", "two\nlines", "Statement"])
AGENTS = st.one_of(st.none(), st.builds(Agent, TEXTS.filter(bool), st.sampled_from([None, "Minister", "<b>"]),
                                        st.sampled_from([None, "Mission & co"])))


def reference_environment(ctx):
    from jinja2 import ChoiceLoader, FileSystemLoader

    from archive_builder.render import environment
    env = environment(ctx.config, ctx.urls).overlay()
    env.loader = ChoiceLoader([FileSystemLoader(str(REFERENCE_TEMPLATES)), env.loader])
    return env


@st.composite
def varied_records(draw):
    body = "First line.\n\nSecond <line> & more."
    return make_record(
        "doc-v", body=body,
        title=Sourced(draw(st.sampled_from([None, "Title <x>", "T & “q”"])), draw(st.sampled_from(["stated", "inferred", "unknown"])),
                      draw(st.sampled_from([None, "evidence <e>", "“quoted”"])), draw(st.sampled_from([None, 1]))),
        document_type=Sourced(draw(st.sampled_from([None, "statement", "news report", "UN letter"])), "inferred", "x", 1),
        author=Sourced(draw(AGENTS), "stated", "a", 2),
        publisher=Sourced(draw(AGENTS), "sidecar", None, None),
        date=Sourced(draw(st.sampled_from([None, "2021-01-20", "2021-01", "1990-01-19/1990-01-20", "2021-01-13/..",
                                           "199X", "odd"])), draw(st.sampled_from(["stated", "inferred"])),
                     "a " * draw(st.integers(0, 60)), 3),
        language=Sourced(draw(st.sampled_from([None, "en", "fr", "x_bad"])), "inferred", None, None),
        header=tuple(draw(st.lists(st.tuples(st.sampled_from(["un_symbol", "outlet", "title"]), TEXTS), max_size=3))),
        images=tuple(draw(st.lists(st.builds(Image, st.sampled_from([None, "a<b>.jpg"]),
                                             st.sampled_from([None, "", "Caption & more"]), st.integers(1, 9)), max_size=2))),
        references=tuple(draw(st.lists(st.builds(
            Reference, TEXTS, st.just("statement"), st.sampled_from([None, 0, 4]), st.sampled_from([None, "A/75/710"]),
            st.sampled_from([None, "2021-01-13", "2021"]), st.sampled_from([None, "Ministry <M>"]),
            st.sampled_from(["cites", "answers"])), max_size=2))),
        removed=tuple(draw(st.lists(st.builds(RemovedLine, st.integers(1, 6), st.sampled_from(["", "  ", "x <y>"]),
                                              st.just("rule-a"), TEXTS), max_size=3))),
        comments=tuple(draw(st.lists(st.builds(Comment, st.sampled_from([None, "", "Reader <r>"]),
                                               st.sampled_from(["One.\n\nTwo & three.", "", "x"]), st.integers(4, 6),
                                               st.just(("c1", "c2"))), max_size=2))),
    )


@settings(max_examples=150, deadline=None)
@given(varied_records(), st.sampled_from(["/", "/archive/"]))
def test_document_and_original_pages_are_what_the_reference_templates_make(record, base):
    from archive_builder.render import document_page, original_page
    from archive_builder.render import environment
    ctx = context([record], base=base, source=str(REFERENCE_TEMPLATES))   # no capture file: "could not be read"
    env, reference = environment(ctx.config, ctx.urls), reference_environment(ctx)
    page = document_page(ctx, record)
    values = page.values()
    assert page.render(env).decode() == reference.get_template("document.html").render(**values)
    page = original_page(ctx, record)
    values = page.values()
    assert page.render(env).decode() == reference.get_template("original.html").render(lines=None, **values)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["text", "a <b>", "&", "\"'", "é", "\r\n", "\n", "\r", " ", "\u2028", "\x0c"]), max_size=30),
       st.sets(st.integers(1, 12)), st.sets(st.integers(1, 12)))
def test_capture_lines_html_is_the_capture_lines_laid_out(pieces, body_lines, removed):
    from archive_builder.render import capture_lines_html, environment
    text = "".join(pieces) or "x"
    record = make_record("doc-l", body_lines=tuple(sorted(body_lines)),
                         removed=tuple(RemovedLine(n, "", "rule", "r") for n in sorted(removed)),
                         comments=(Comment(None, "c", 3, ("a", "b")),))
    ctx = context([record])
    loop = environment(ctx.config, ctx.urls).from_string(
        '{% for l in lines %}\n'
        '    <li id="L{{ l.number }}" class="part-{{ l.part | replace(" ", "-") }}">{% if l.part == "removed" %}'
        '<span class="tag tag-removed">set aside</span> {% elif l.part == "comment" %}<span class="tag tag-comment">'
        'comment</span> {% endif %}<span class="verbatim">{{ l.text }}</span></li>\n{% endfor %}')
    raw = text.encode("utf-8")
    assert capture_lines_html(record, raw) + "\n" == loop.render(lines=capture_lines(record, raw))


def test_a_record_whose_digest_is_known_is_fingerprinted_by_it():
    """A capture's cache key stands for its record in page fingerprints (the record is
    a function of it): the key, not the record pickled again, makes the fingerprint."""
    from archive_builder.output import PageSpec
    from archive_builder.render import Fingerprints

    record = make_record("a", body="One text.")

    def fingerprint(known) -> str:
        return Fingerprints(b"salt", known=known).of(PageSpec("documents/a/index.html", "document.html",
                                                               dict(record=record)))

    def known(key: bytes):
        return lambda obj: key if obj is record else None

    plain = fingerprint(None)
    assert plain is not None
    assert fingerprint(known(b"k1")) == fingerprint(known(b"k1")) != plain
    assert fingerprint(known(b"k1")) != fingerprint(known(b"k2"))
    assert fingerprint(lambda obj: None) == plain          # an object whose digest is not known: pickled


@settings(max_examples=100, deadline=None)
@given(st.lists(varied_records(), min_size=1, max_size=4), st.sampled_from(["/", "/archive/"]), st.booleans())
def test_document_lists_are_what_the_reference_macro_makes(drawn, base, with_browse):
    """render.document_list_html against partials/macros.html's document_list as Jinja
    laid it out (tests/reference_templates/partials/macros.html)."""
    from dataclasses import replace

    from archive_builder.render import environment
    records = [replace(r, id=f"doc-{n}") for n, r in enumerate(drawn)]
    ctx = context(records, base=base)
    page = '{% import "partials/macros.html" as m %}[{{ m.document_list(records, authors, publishers, browse) }}]'
    values = dict(records=records, authors=ctx.agents["author"], publishers=ctx.agents["publisher"],
                  browse=ctx.browse if with_browse else None)
    expected = reference_environment(ctx).from_string(page).render(**values)
    assert environment(ctx.config, ctx.urls).from_string(page).render(**values) == expected
    assert "doc-list" in expected
