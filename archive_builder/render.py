"""Stage 4: pages.  Records and analysis in, (site-relative path, HTML bytes) out.

Templates live in the top-level templates/ folder (an archive may put its
own in front with `templates:` in archive.yaml).  The Jinja environment
autoescapes everything and is strict about undefined names, so document
text can only ever appear as text, and a template typo fails the build
instead of printing nothing.  Every URL comes from `Urls`.

Other renderers (render_analysis.py) plug in through `render_site` and the
`partials/document_analysis.html` include; see templates/base.html for the
blocks and variables a page template can use.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import marshal
import operator
import os
import pickle
import re
import types
import typing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cached_property, lru_cache, partial
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from .cache import code_version as package_version
from .capture import CaptureError, decode, split_lines
from .config import Config
from .editorial import Editorial
from .markdown import ClaimSpan, render_body
from . import model
from .model import Agent, Analysis, Claim, Event, Record, Relation, SharedPassage, Sourced
from .data import records_json_fragments
from .output import (PageSpec, copy_file, link_file, note_generation, remove_stale, write_file,
                     write_pieces)
from .theme import theme_dir
from .urls import Urls, page_file, slugify

try:  # the analysis pages land separately; the site renders without them
    from . import render_analysis
except ImportError:  # pragma: no cover - depends on what has landed
    render_analysis = None  # type: ignore[assignment]
from . import dates
from . import reuse   # downloads, feed, sitemap, citations and JSON-LD (reuse.py)

DEFAULT_TEMPLATES = theme_dir("templates")
NEWEST_ON_HOME = 20
ROLES = ("author", "publisher")


@dataclass(frozen=True)
class SiteContext:
    records: Sequence[Record]
    analysis: Analysis
    config: Config
    urls: Urls
    editorial: Editorial
    # record id -> the key its capture is cached under (build.read_captures): a digest
    # of everything the record is made from, so it stands for the record in page
    # fingerprints instead of the record pickled again every build
    record_keys: Mapping[str, str] = dataclasses.field(default_factory=dict)

    @cached_property
    def records_by_id(self) -> dict[str, Record]:
        return {r.id: r for r in self.records}

    @cached_property
    def newest_first(self) -> tuple[Record, ...]:
        return tuple(sorted(self.records, key=newest_first_key))

    @cached_property
    def listed_by_id(self) -> dict[str, "ListedRecord"]:
        return {r.id: listed(r) for r in self.records}

    @cached_property
    def listed_newest_first(self) -> tuple["ListedRecord", ...]:
        by_id = self.listed_by_id
        return tuple(by_id[r.id] for r in self.newest_first)

    @cached_property
    def claims_by_document(self) -> dict[str, tuple[Claim, ...]]:
        grouped: dict[str, list[Claim]] = {}
        for c in self.analysis.claims:
            grouped.setdefault(c.document_id, []).append(c)
        return {k: tuple(v) for k, v in grouped.items()}

    @cached_property
    def agents(self) -> dict[str, "AgentIndex"]:
        return {role: agent_index(self.records, role) for role in ROLES}

    @cached_property
    def browse(self) -> dict[str, "BrowseList"]:
        """The browse lists by kind: year, type, language, place."""
        return {"year": year_list(self.records), "type": type_list(self.records),
                "language": language_list(self.records),
                "place": place_list(self.records_by_id, self.analysis.claims)}


@dataclass(frozen=True, slots=True)
class ListedRecord:
    """What a page listing documents shows of each one (document_list_html: title,
    who, when, type; a browse entry's spellings: the title).  Those pages are
    given these, not the records, so their fingerprints follow only what they
    show: a corrected paragraph does not render the documents page, the home
    page and every browse and author page naming the document again.  A
    template that reads anything else of a listed document fails the build
    (StrictUndefined), so nothing shown can be left out of a fingerprint."""
    id: str
    title: Sourced
    date: Sourced
    language: Sourced
    author: Sourced
    publisher: Sourced
    document_type: Sourced


def listed(record: Record) -> ListedRecord:
    return ListedRecord(record.id, record.title, record.date, record.language, record.author, record.publisher,
                        record.document_type)


# --- dates ---------------------------------------------------------------

_YEAR = re.compile(r"^(-?\d{4})")


def format_edtf(edtf: str | None) -> str:
    """A reader's date from EDTF (dates.format_edtf): '2021-01-20' -> '20 January 2021',
    '2021-01-13/..' -> 'on or after 13 January 2021'; unknown forms are shown as they are."""
    return dates.format_edtf(edtf) if edtf else "date unknown"


_HTML_DATE = re.compile(r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$")


def html_datetime(edtf: str | None) -> str | None:
    """The EDTF value as an HTML datetime attribute, when HTML can say it (a plain
    year, month or day); None for intervals, uncertain or unspecified dates."""
    return edtf if edtf and _HTML_DATE.match(edtf) else None


def edtf_year(edtf: str | None) -> str | None:
    m = _YEAR.match(edtf or "")
    return m.group(1) if m else None


def newest_first_key(record: Record) -> tuple:
    """Dated records newest first, then undated; ties by id (a total order)."""
    edtf = record.date.value or ""
    start = edtf.split("/")[0].strip(".").rstrip("?~%")
    # invert the characters so that an ascending sort is newest first
    inverted = tuple(-ord(ch) for ch in start)
    return (0 if start else 1, inverted, record.id)


# --- provenance ----------------------------------------------------------

_BASIS_WORDS = {"stated": "stated", "inferred": "inferred", "sidecar": "set by an archivist", "unknown": "not known"}


def basis_note(s: Sourced) -> str:
    """Why a value is what it is: '(inferred: 31st anniversary of …)'."""
    word = basis_word(s)
    if s.basis == "unknown":
        return word
    detail = s.evidence or ""
    if s.basis == "stated" and detail and not detail.startswith(("“", '"')):
        detail = f"“{detail}”"
    if s.line:
        detail = f"{detail}, capture line {s.line}" if detail else f"capture line {s.line}"
    return f"{word}: {detail}" if detail else word


def basis_word(s: Sourced) -> str:
    """How a value is known, in a word or two: 'stated', 'inferred', 'set by an archivist'."""
    return _BASIS_WORDS.get(s.basis, s.basis)


SHORT_BASIS = 90


def short_basis(s: Sourced, limit: int = SHORT_BASIS) -> str:
    """basis_note cut at a word near `limit` characters, for the line under the title."""
    note = basis_note(s)
    if len(note) <= limit:
        return note
    return note[:limit].rsplit(" ", 1)[0].rstrip(",;:(“\"") + " …"


LANGUAGE_NAMES = {
    "ar": "Arabic", "az": "Azerbaijani", "de": "German", "en": "English", "es": "Spanish", "fa": "Persian",
    "fr": "French", "hy": "Armenian", "it": "Italian", "ka": "Georgian", "ru": "Russian", "tr": "Turkish",
    "uk": "Ukrainian", "zh": "Chinese",
}


def language_name(code: str | None) -> str:
    if not code:
        return "unknown"
    return f"{LANGUAGE_NAMES[code]} ({code})" if code in LANGUAGE_NAMES else code


_BCP47 = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_BLANK_LINES = re.compile(r"\n\s*\n")


def bcp47(code: str | None) -> str | None:
    """The language as an HTML lang attribute, or None when it is not a language tag."""
    return code if code and _BCP47.match(code) else None


def paragraphs(text: str) -> list[str]:
    """Plain text split at blank lines (reader comments are shown as text, never markup)."""
    return [p.strip() for p in _BLANK_LINES.split(text or "") if p.strip()]


def header_fields(header: Sequence[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """The capture's header lines as (label, values), in order, a repeated key listed once:
    ("un_agenda_titles", …) -> ("UN agenda titles", [...]).  A two-letter first word is
    taken as the acronym of an issuing body (un_, eu_), as the cleaner names them."""
    grouped: dict[str, list[str]] = {}
    for key, value in header:
        grouped.setdefault(key, []).append(value)
    out = []
    for key, values in grouped.items():
        words = key.replace("-", "_").split("_")
        first = words[0].upper() if len(words) > 1 and len(words[0]) == 2 else words[0].capitalize()
        out.append((" ".join([first, *words[1:]]), values))
    return out


def agent_text(agent: Agent | None) -> str:
    """'Yashar Aliyev, Ambassador (Permanent Representative of Azerbaijan)'."""
    if agent is None:
        return "unknown"
    text = agent.display
    if agent.title:
        text += f", {agent.title}"
    if agent.affiliation:
        text += f" ({agent.affiliation})"
    return text


# --- authors and publishers ----------------------------------------------


@dataclass(frozen=True)
class AgentPage:
    role: str                       # "author" | "publisher"
    slug: str
    name: str                       # Agent.display
    names_used: tuple[str, ...]     # how the documents write it
    documents: tuple[str, ...]      # record ids, newest first


@dataclass(frozen=True)
class AgentIndex:
    role: str
    pages: tuple[AgentPage, ...]    # sorted by name
    by_name: Mapping[str, AgentPage]

    def page_for(self, agent: Agent | None) -> AgentPage | None:
        return self.by_name.get(agent.display) if agent is not None else None


def agent_index(records: Sequence[Record], role: str) -> AgentIndex:
    """One page per distinct author (or publisher) name; slugs made unique in name order."""
    documents: dict[str, list[Record]] = {}
    spellings: dict[str, set[str]] = {}
    for r in records:
        agent = getattr(r, role).value
        if isinstance(agent, Agent):
            documents.setdefault(agent.display, []).append(r)
            spellings.setdefault(agent.display, set()).add(agent.name)
    names = sorted(documents, key=lambda n: (n.casefold(), n))
    pages = [AgentPage(role, slug, name, tuple(sorted(spellings[name])),
                       tuple(r.id for r in sorted(documents[name], key=newest_first_key)))
             for name, slug in zip(names, unique_slugs(names))]
    return AgentIndex(role, tuple(pages), {p.name: p for p in pages})


def unique_slugs(names: Iterable[str]) -> list[str]:
    """A slug per name, in order; a slug already taken gets -2, -3, …"""
    used: set[str] = set()
    out = []
    for name in names:
        base = slug = slugify(name)
        n = 1
        while slug in used:
            n += 1
            slug = f"{base}-{n}"
        used.add(slug)
        out.append(slug)
    return out


# --- browse lists: date, document type, language, place ---------------------

UNDATED = "undated"
BROWSE_HEADINGS = {"year": "Documents by date", "type": "Documents by type",
                   "language": "Documents by language", "place": "Documents by place"}


@dataclass(frozen=True)
class BrowseEntry:
    """One value of a browse list (a year, a type, a language, a place) and its documents."""
    slug: str
    label: str
    documents: tuple[str, ...]                              # record ids, oldest first
    # places only: every name sources use for it, each with the documents using it,
    # most used first (the first is the label; the rest are shown as "also written")
    names_used: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class BrowseList:
    kind: str                                   # "year" | "type" | "language" | "place"
    entries: tuple[BrowseEntry, ...]            # in reading order
    by_value: Mapping[str, BrowseEntry]         # the record's value (or place key) -> its entry

    def entry_for(self, value: Any) -> BrowseEntry | None:
        return self.by_value.get(str(value)) if value is not None else None


def date_order_key(record: Record) -> tuple:
    """Oldest first by the date's earliest day (uncertain and open dates where their
    known bound puts them), undated last; ties by id."""
    return (dates.edtf_sort_key(record.date.value), record.id)


def record_year(record: Record) -> str:
    year = dates.edtf_year(record.date.value)
    return str(year) if year is not None else UNDATED


def _browse_list(kind: str, groups: Mapping[str, list[Record]], label_of, order_key,
                 names_used: Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]] | None = None,
                 slug_of=None) -> BrowseList:
    values = sorted(groups, key=order_key)
    labels = [label_of(v) for v in values]
    slugs = unique_slugs([slug_of(v) for v in values] if slug_of else labels)
    entries = [BrowseEntry(slug, label, tuple(r.id for r in sorted(groups[v], key=date_order_key)),
                           (names_used or {}).get(v, ()))
               for v, label, slug in zip(values, labels, slugs)]
    return BrowseList(kind, tuple(entries), {v: e for v, e in zip(values, entries)})


def _grouped(records: Iterable[Record], value_of) -> dict[str, list[Record]]:
    groups: dict[str, list[Record]] = {}
    for r in records:
        value = value_of(r)
        if value:
            groups.setdefault(str(value), []).append(r)
    return groups


def _year_order(year: str) -> tuple:
    return (1, 0) if year == UNDATED else (0, int(year))


def year_list(records: Sequence[Record]) -> BrowseList:
    return _browse_list("year", _grouped(records, record_year),
                        lambda y: "Undated" if y == UNDATED else y, _year_order)


def type_list(records: Sequence[Record]) -> BrowseList:
    return _browse_list("type", _grouped(records, lambda r: r.document_type.value),
                        lambda t: t[:1].upper() + t[1:], lambda t: (t.casefold(), t))


def language_list(records: Sequence[Record]) -> BrowseList:
    return _browse_list("language", _grouped(records, lambda r: r.language.value),
                        language_name, lambda code: (language_name(code).casefold(), code))


def place_list(records_by_id: Mapping[str, Record], claims: Iterable[Claim]) -> BrowseList:
    """One entry per place key of the analysis, named by the spelling most documents
    use; every other spelling is kept, with the documents that use it (a contested
    name is a name some sources use, never replaced by another)."""
    spellings: dict[str, dict[str, set[str]]] = {}
    for c in claims:
        if c.document_id not in records_by_id:
            continue
        for spelling, key in c.places:
            if key:
                spellings.setdefault(key, {}).setdefault(spelling or key, set()).add(c.document_id)
    ranked = {key: sorted(((name, tuple(sorted(docs))) for name, docs in by_name.items()),
                          key=lambda nd: (-len(nd[1]), nd[0].casefold(), nd[0]))
              for key, by_name in spellings.items()}
    groups = {key: [records_by_id[d] for d in sorted(set().union(*by_name.values()))]
              for key, by_name in spellings.items()}
    label = {key: names[0][0] for key, names in ranked.items()}
    return _browse_list("place", groups, label.__getitem__, lambda k: (label[k].casefold(), label[k], k),
                        {key: tuple(names) for key, names in ranked.items()},
                        slug_of=str)   # the key, so a place keeps its URL when its most used name changes


# --- the original capture ------------------------------------------------


@dataclass(frozen=True)
class CaptureLine:
    number: int
    text: str
    part: str          # "body" | "removed" | "comment" | "front matter" | "other"
    note: str          # rule name for removed lines


def capture_lines(record: Record, raw: bytes) -> tuple[CaptureLine, ...]:
    """The capture's lines as read, each marked with where the cleaner put it."""
    lines, parts = _capture_parts(record, raw)
    return tuple(CaptureLine(i, line, *parts.get(i, ("other", ""))) for i, line in enumerate(lines, start=1))


def _capture_text(record: Record, raw: bytes) -> str:
    try:
        text, _ = decode(raw, record.source_file)
    except CaptureError:
        text = raw.decode("utf-8", errors="replace")
    return text


def _capture_parts(record: Record, raw: bytes) -> tuple[Sequence[str], dict[int, tuple[str, str]]]:
    """The capture's lines, and (part, note) by line number where it is not "other"."""
    return split_lines(_capture_text(record, raw))[0], _line_parts(record)


def _line_parts(record: Record) -> dict[int, tuple[str, str]]:
    part: dict[int, tuple[str, str]] = {n: ("body", "") for n in record.body_lines}
    for x in record.removed:
        part[x.line] = ("removed", x.rule)
    for c in record.comments:
        for k in range(len(c.lines)):
            part[c.first_line + k] = ("comment", "")
    return part


_LINE_BREAK = re.compile(r"\r\n|\r|\n")      # capture.split_lines's line endings
_OTHER = ("other", "")


@lru_cache(maxsize=None)
def _line_opening(part: str) -> str:
    """What starts a capture line of `part`, up to its text."""
    tag = {"removed": '<span class="tag tag-removed">set aside</span> ',
           "comment": '<span class="tag tag-comment">comment</span> '}.get(part, "")
    return f'" class="part-{escape(part.replace(" ", "-"))}">{tag}<span class="verbatim">'


def capture_lines_html(record: Record, raw: bytes) -> Markup:
    """The Original capture page's numbered lines (an <li> each, joined by newlines),
    as the capture_lines: the text escaped in one pass, then cut at the line breaks
    (escaping never makes or takes one)."""
    parts = _line_parts(record)
    escaped = _LINE_BREAK.split(str(escape(_capture_text(record, raw))))
    return Markup("\n".join(f'    <li id="L{n}{_line_opening(parts.get(n, _OTHER)[0])}{line}</span></li>'
                            for n, line in enumerate(escaped, start=1)))


def removed_rows_html(record: Record) -> Markup:
    """The Original capture page's table of set-aside lines: a <tr> a line, joined by newlines."""
    return Markup("\n".join(
        f'      <tr><td data-label="Line"><a href="#L{escape(x.line)}">{escape(x.line)}</a></td>'
        '<td data-label="Text" class="verbatim">'
        + (str(escape(x.text)) if x.text.strip() else '<span class="unknown">(blank line)</span>')
        + f'</td><td data-label="Rule"><code>{escape(x.rule)}</code></td><td data-label="Reason">{escape(x.reason)}</td></tr>'
        for x in record.removed))


# --- environment and pages -------------------------------------------------


def template_folders(config: Config) -> list[Path]:
    """The archive's own templates first (they override), then the project's."""
    return ([config.path(config.templates)] if config.templates else []) + [DEFAULT_TEMPLATES]


def environment(config: Config, urls: Urls) -> Environment:
    """One environment per (config, urls, template bytes): templates compile once per
    process.  The key holds every template file's bytes because Jinja's auto_reload
    misses an override added beside a cached template (it checks only the file it
    loaded): the preview server would keep rendering the old one, and the page
    manifest, whose fingerprints do see the new file, would keep those pages."""
    return _environment(config, urls, templates_version(template_folders(config)))


@lru_cache(maxsize=4)
def _environment(config: Config, urls: Urls, templates_version: bytes) -> Environment:
    folders = [str(f) for f in template_folders(config)]
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(f) for f in folders]),
        autoescape=True,                # document text is never markup
        undefined=StrictUndefined,      # a template typo fails the build
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # the environment is keyed by every template file's bytes (above), so a changed
        # template gets a new environment; checking the file on disk at each
        # get_template (several times a document page) would only cost time
        auto_reload=False,
    )
    env.globals.update(urls=urls, site=config, nav=navigation(urls),
                       document_list_html=partial(document_list_html, urls, config.language))
    env.filters.update(edtf_date=format_edtf, basis=basis_note, short_basis=short_basis, language=language_name, agent=agent_text,
                       year=edtf_year, html_datetime=html_datetime, bcp47=bcp47, paragraphs=paragraphs,
                       header_fields=header_fields, basis_word=basis_word)
    return env


def navigation(urls: Urls) -> tuple[tuple[str, str, str], ...]:
    """(key, label, url) of the header's links, in order."""
    return (
        ("home", "Home", urls.home()),
        ("documents", "Documents", urls.documents()),
        ("browse", "Browse", urls.browse()),
        ("sources", "Sources", urls.authors()),
        ("events", "Events", urls.events()),
        ("timeline", "Timeline", urls.timeline()),
        ("claims", "Claims", urls.claims()),
        ("search", "Search", urls.search()),
    )


def _page(env: Environment, template: str, url: str, base: str, **values: Any) -> PageSpec:
    return PageSpec(page_file(url, base), template, values)


def read_raw(ctx: SiteContext, record: Record) -> bytes | None:
    """The capture's bytes, for its Original capture page (None if it has gone)."""
    try:
        return (ctx.config.path(ctx.config.source) / record.source_file).read_bytes()
    except OSError:
        return None


def document_inputs(ctx: SiteContext, record: Record) -> dict[str, Any]:
    """Everything of the archive a document page shows besides the record itself
    (its fingerprint is taken from these, before the costly values are made)."""
    claims = ctx.claims_by_document.get(record.id, ())
    browse = ctx.browse
    type_entry = browse["type"].entry_for(record.document_type.value)
    language_entry = browse["language"].entry_for(record.language.value)
    year_entry = browse["year"].entry_for(record_year(record)) if record.date.value else None
    return dict(
        record=record,
        claims=claims,
        # the page links an author's page by its slug; the list of their documents is not shown
        author_page=_without_documents(ctx.agents["author"].page_for(record.author.value)),
        publisher_page=_without_documents(ctx.agents["publisher"].page_for(record.publisher.value)),
        analysis_inputs=render_analysis.document_inputs(ctx, record) if render_analysis is not None else None,
        # the page shows a browse entry's slug and label, never its list of documents
        places=[(BrowseEntry(e.slug, e.label, ()), spellings) for e, spellings in document_places(ctx, claims)],
        year_entry=year_entry and BrowseEntry(year_entry.slug, year_entry.label, ()),
        type_slug=type_entry.slug if type_entry else None,
        language_slug=language_entry.slug if language_entry else None,
    )


def document_values(ctx: SiteContext, record: Record, inputs: Mapping[str, Any] | None = None) -> dict[str, Any]:
    values = dict(inputs if inputs is not None else document_inputs(ctx, record))
    claims = values.pop("claims")
    del values["analysis_inputs"]
    body_html = render_body(record.body, record.footnotes,
                            [ClaimSpan(c.id, c.quote, c.start) for c in claims])
    analysis_for_doc = render_analysis.document_context(ctx, record) if render_analysis is not None else None
    meta_tags = reuse.document_meta(ctx, record)
    values.update(
        body_html=Markup(body_html),      # markdown.render_body escapes the text itself
        analysis_for_doc=analysis_for_doc,
        cite=reuse.document_citations(ctx, record),
        jsonld=reuse.document_jsonld(ctx, record),
        meta_tags=meta_tags,
        meta_html=reuse.meta_tags_html(meta_tags),
        **document_parts(ctx.urls, ctx.config.language, record, values, analysis_for_doc),
    )
    return values


# --- the document page's record-made parts ---------------------------------------------
# Written here once per page, each value escaped as it goes in, instead of by the
# template: a document page is most of the render stage, and Jinja spends a
# microsecond on every attribute it looks up and every value it escapes.
# templates/document.html lays these parts out.


def document_parts(urls: Urls, site_language: str, record: Record, values: Mapping[str, Any],
                   analysis_for_doc: Any) -> dict[str, Any]:
    """The document page's parts made from the record (Markup, escaped here):
    `title`, `breadcrumbs`, `doc_lang`, `doc_header` (the header with the metadata
    list), `doc_images`, `doc_references`, `doc_set_aside` and `doc_comments` (each
    section, or "" when the record has nothing for it)."""
    title = record.title.value or record.id
    author, publisher = record.author.value, record.publisher.value
    source_name = publisher.display if publisher else (author.display if author else "its source")
    doc_lang = bcp47(record.language.value)
    original = escape(urls.original(record.id))
    return dict(
        title=title,
        breadcrumbs=breadcrumbs_html((("Home", urls.home()), ("Documents", urls.documents()), (title, None))),
        doc_lang=doc_lang,
        doc_header=_document_header(urls, site_language, record, values, analysis_for_doc, title, source_name,
                                    doc_lang, original),
        doc_images=_document_images(record, original),
        doc_references=_document_references(record),
        doc_set_aside=_document_set_aside(record, original),
        doc_comments=_document_comments(record, source_name),
    )


def breadcrumbs_html(items: Iterable[tuple[str, str | None]]) -> Markup:
    """The trail as partials/macros.html's `breadcrumbs` macro writes it."""
    return Markup("<ol>\n" + "".join(
        f'  <li><a href="{escape(url)}">{escape(label)}</a></li>\n' if url else
        f'  <li><span aria-current="page">{escape(label)}</span></li>\n' for label, url in items) + "</ol>")


def _date_html(edtf: str) -> str:
    """The `date` macro of partials/macros.html."""
    machine = html_datetime(edtf)
    if machine:
        return f'<time datetime="{escape(machine)}">{escape(format_edtf(edtf))}</time>'
    return f'<span class="date">{escape(format_edtf(edtf))}</span>'


def list_date_html(sourced: Sourced) -> str:
    """The `list_date` macro of partials/macros.html: "January 2021 (inferred)"."""
    if not sourced.value:
        return "date unknown"
    note = f" ({escape(basis_word(sourced))})" if sourced.basis != "stated" else ""
    return _date_html(sourced.value) + note


def document_list_html(urls: Urls, site_language: str, records: Iterable[Record | ListedRecord], authors: "AgentIndex",
                       publishers: "AgentIndex", browse: "Mapping[str, BrowseList] | None" = None) -> Markup:
    """The `document_list` macro of partials/macros.html: title, who, when, type.
    Written here, as the document page's parts are: the documents page and a
    browse list name thousands of documents, and Jinja spent 60 µs on each."""
    out = ['<ol class="doc-list">\n']
    types = browse["type"] if browse else None
    for r in records:
        doc_lang = bcp47(r.language.value)
        lang = f' lang="{escape(doc_lang)}"' if doc_lang and doc_lang != site_language else ""
        author_page = authors.page_for(r.author.value)
        publisher_page = publishers.page_for(r.publisher.value)
        who = (f'<a href="{escape(urls.author(author_page.slug))}">{escape(author_page.name)}</a>' if author_page
               else "Author unknown")
        if publisher_page:
            who += f' · published by <a href="{escape(urls.publisher(publisher_page.slug))}">{escape(publisher_page.name)}</a>'
        kind = ""
        if r.document_type.value:
            type_entry = types.entry_for(r.document_type.value) if types is not None else None
            kind = (f' · <a href="{escape(urls.doc_type(type_entry.slug))}">{escape(r.document_type.value)}</a>'
                    if type_entry else f" · {escape(r.document_type.value)}")
        out.append(f'  <li>\n    <a class="doc-title" href="{escape(urls.document(r.id))}"{lang}>'
                   f'{escape(r.title.value or r.id)}</a>\n    <span class="doc-meta">{who}      · '
                   f'{list_date_html(r.date)}{kind}    </span>\n  </li>\n')
    out.append("</ol>")
    return Markup("".join(out))


def _provenance(s: Sourced) -> str:
    """The `provenance` macro of partials/macros.html."""
    return f'<span class="basis" data-pagefind-ignore>({escape(basis_note(s))})</span>'


_UNKNOWN = '<span class="unknown" data-pagefind-ignore>unknown</span>'


def _agent_link(agent: Agent | None, page: AgentPage | None, url_for: Callable[[str], str]) -> str:
    """The `agent_link` macro of partials/macros.html."""
    if agent and page:
        return f'<a href="{escape(url_for(page.slug))}">{escape(agent.display)}</a>'
    return str(escape(agent.display)) if agent else '<span class="unknown">unknown</span>'


def _agent_value(agent: Agent | None, page: AgentPage | None, url_for: Callable[[str], str], role: str,
                 sourced: Sourced, with_title: bool = False) -> str:
    """The Author (or Publisher) row's value: the name, linked to its page, and its basis."""
    if not agent:
        return _UNKNOWN
    name = f'<span data-pagefind-filter="{role}">{escape(agent.display)}</span>'
    text = f'<a href="{escape(url_for(page.slug))}">{name}</a>' if page else name
    if with_title and agent.title:
        text += f", {escape(agent.title)}"
    if with_title and agent.affiliation:
        text += f" ({escape(agent.affiliation)})"
    return text + " " + _provenance(sourced)


def _browse_value(url: str, role: str, text: str, sourced: Sourced) -> str:
    """A Document type (or Language) row's value: linked to its browse page, with its basis."""
    return f'<a href="{escape(url)}"><span data-pagefind-filter="{role}">{escape(text)}</span></a> {_provenance(sourced)}'


def _document_header(urls: Urls, site_language: str, record: Record, values: Mapping[str, Any],
                     analysis_for_doc: Any, title: str, source_name: str, doc_lang: str | None,
                     original: str) -> Markup:
    author, publisher = record.author.value, record.publisher.value
    author_page, publisher_page = values["author_page"], values["publisher_page"]
    kind = record.document_type.value
    out = ['  <header class="doc-header">\n']
    if kind:
        out.append(f'<p class="doc-kind" data-pagefind-ignore>{escape(str(kind).capitalize())}</p>')
    lang = f' lang="{escape(doc_lang)}"' if doc_lang and doc_lang != site_language else ""
    date = record.date
    dated = (f'{_date_html(date.value)} <span class="basis">({escape(short_basis(date))})</span>' if date.value
             else '<span class="unknown">date unknown</span>')
    out.append(
        f'    <h1 data-pagefind-meta="title"{lang}>{escape(title)}</h1>\n'
        '    <p class="attribution" data-pagefind-ignore>\n'
        f'      Issued by <strong>{_agent_link(author, author_page, urls.author)}</strong>;\n'
        f'      published by <strong>{_agent_link(publisher, publisher_page, urls.publisher)}</strong>;\n'
        f'      {dated}.\n'
        '    </p>\n'
        f'    <p class="endorsement" data-pagefind-ignore>Text as published by {escape(source_name)}; '
        'the archive reproduces it without endorsement.</p>\n'
        '    <dl class="doc-meta">\n'
        '      <dt data-pagefind-ignore>Author</dt>\n      <dd>')
    out.append(_agent_value(author, author_page, urls.author, "author", record.author, with_title=True))
    out.append('</dd>\n      <dt data-pagefind-ignore>Publisher</dt>\n      <dd>')
    out.append(_agent_value(publisher, publisher_page, urls.publisher, "publisher", record.publisher))
    year = edtf_year(date.value)
    out.append('</dd>\n      <dt data-pagefind-ignore>Date</dt>\n      <dd'
               + (f' data-pagefind-filter="year:{escape(year)}"' if year else "") + ">")
    if date.value:
        out.append(f'<span data-pagefind-meta="date">{escape(format_edtf(date.value))}</span> {_provenance(date)}')
        year_entry = values["year_entry"]
        if year_entry:
            out.append(f' <span data-pagefind-ignore>· <a href="{escape(urls.year(year_entry.slug))}">'
                       f'documents from {escape(year_entry.label)}</a></span>')
    else:
        out.append(_UNKNOWN)
    language = record.language.value
    out.append('</dd>\n      <dt data-pagefind-ignore>Document type</dt>\n      <dd>'
               + (_browse_value(urls.doc_type(values["type_slug"]), "type", kind, record.document_type) if kind
                  else _UNKNOWN)
               + '</dd>\n      <dt data-pagefind-ignore>Language</dt>\n      <dd>'
               + (_browse_value(urls.language(values["language_slug"]), "language", language_name(language),
                                record.language) if language else _UNKNOWN)
               + "</dd>\n")
    places = values["places"]
    if places:
        out.append('      <dt data-pagefind-ignore>Places</dt>\n      <dd data-pagefind-ignore>')
        out.append("; ".join(
            f'<a href="{escape(urls.place(entry.slug))}">{escape(entry.label)}</a>'
            + (f' (written here: {escape(", ".join(spellings))})' if spellings != (entry.label,) else "")
            for entry, spellings in places))
        out.append(' <span class="basis">(named in this document\'s claims)</span></dd>\n')
    events = analysis_for_doc and _lookup(analysis_for_doc, "events")
    if events:
        out.append('      <dt data-pagefind-ignore>Events</dt>\n      <dd data-pagefind-ignore>')
        out.append("; ".join(
            f'<a href="{escape(_lookup(e, "url"))}">{escape(_lookup(e, "label"))}</a> <span class="basis">'
            f'({"described" if _lookup(e, "role") == "describes" else "referred to"})</span>' for e in events))
        out.append("</dd>\n")
    out.append(f'      <dt data-pagefind-ignore>Title</dt>\n      <dd data-pagefind-ignore>as above '
               f'{_provenance(record.title)}</dd>\n')
    for label, header_values in header_fields(record.header):
        if header_values != [record.title.value]:
            out.append(f'      <dt data-pagefind-ignore>{escape(label)}</dt>\n      <dd>'
                       + "; ".join(str(escape(v)) for v in header_values)
                       + ' <span class="basis" data-pagefind-ignore>(from the capture\'s header)</span></dd>\n')
    out.append(
        '      <dt data-pagefind-ignore>Capture</dt>\n'
        f'      <dd data-pagefind-ignore><a href="{original}">Original capture</a> ({escape(record.source_file)}, '
        f'SHA-256 <code class="hash">{escape(record.sha256[:12])}…</code>)</dd>\n'
        '    </dl>\n'
        '  </header>')
    return Markup("".join(out))


def _lookup(obj: Any, name: str) -> Any:
    """`obj.name` as a template reads it: the attribute, else the item (the
    analysis gives its parts as dicts)."""
    try:
        return getattr(obj, name)
    except AttributeError:
        return obj[name]


def _document_images(record: Record, original: str) -> Markup:
    if not record.images:
        return Markup("")
    return Markup(
        '<section class="doc-images" aria-labelledby="images-heading">\n'
        '  <h2 id="images-heading">Images in the capture</h2>\n'
        '  <p>The captured page showed these images; the archive keeps their captions, not the images.</p>\n'
        '  <ul>\n'
        + "".join(f'    <li>{escape(img.caption or "No caption")}'
                  + (f' <span class="basis">(file “{escape(img.file)}”)</span>' if img.file else "")
                  + f' – <a href="{original}#L{escape(img.line)}">capture line {escape(img.line)}</a></li>\n'
                  for img in record.images)
        + "  </ul>\n</section>\n")


def _document_references(record: Record) -> Markup:
    if not record.references:
        return Markup("")
    items = []
    for ref in record.references:
        item = f'    <li>{"Answers" if ref.relation == "answers" else "Cites"}: “{escape(ref.text)}”'
        if ref.symbol:
            item += f' <span class="symbol">{escape(ref.symbol)}</span>'
        if ref.issuer:
            item += f" · issued by {escape(ref.issuer)}"
        if ref.date:
            item += f" · {escape(format_edtf(ref.date))}"
        if ref.line:
            item += f' <span class="basis">(capture line {escape(ref.line)})</span>'
        items.append(item + "</li>\n")
    return Markup('<section class="doc-references" aria-labelledby="references-heading">\n'
                  '  <h2 id="references-heading">Documents it refers to</h2>\n'
                  '  <ul>\n' + "".join(items) + "  </ul>\n</section>\n")


def _document_set_aside(record: Record, original: str) -> Markup:
    n = len(record.removed)
    if n:
        said = (f"{n} {'line' if n == 1 else 'lines'} of the capture {'is' if n == 1 else 'are'} not part of the "
                f"text (page furniture, captions and the like) and {'was' if n == 1 else 'were'} set aside, "
                "each with the reason.")
    else:
        said = "No lines of the capture were set aside from the text."
    return Markup('<section class="doc-set-aside" aria-labelledby="set-aside-heading">\n'
                  '  <h2 id="set-aside-heading">What the archive set aside</h2>\n'
                  f'  <p>{said}  See the <a href="{original}">original capture</a>, verbatim, with everything '
                  'set aside and why.</p>\n'
                  '</section>\n')


def _document_comments(record: Record, source_name: str) -> Markup:
    comments = record.comments
    if not comments:
        return Markup("")
    n = len(comments)
    out = ['<section class="reader-comments" data-pagefind-ignore="all" aria-labelledby="comments-heading">\n'
           '  <h2 id="comments-heading">Reader comments (third-party, not part of the statement)</h2>\n'
           f'  <p class="comments-note">{n} {"comment" if n == 1 else "comments"} posted by readers under the '
           f'captured page. They are not the words of {escape(source_name)}, and the archive neither endorses '
           'nor answers them.</p>\n']
    for k, c in enumerate(comments, start=1):
        out.append(f'  <article class="comment" id="comment-{k}" aria-labelledby="comment-{k}-by">\n'
                   f'    <h3 id="comment-{k}-by">{escape(c.author or "Unnamed reader")} '
                   f'<span class="basis">(capture line {escape(c.first_line)})</span></h3>\n'
                   + "".join(f"<p>{escape(para)}</p>" for para in paragraphs(c.text))
                   + "  </article>\n")
    out.append("</section>\n")
    return Markup("".join(out))


def _without_documents(page: AgentPage | None) -> AgentPage | None:
    return page and AgentPage(page.role, page.slug, page.name, page.names_used, ())


def document_page(ctx: SiteContext, record: Record) -> PageSpec:
    inputs = document_inputs(ctx, record)
    return PageSpec(page_file(ctx.urls.document(record.id), ctx.urls.base), "document.html",
                    lambda: document_values(ctx, record, inputs), inputs)


def document_places(ctx: SiteContext, claims: Iterable[Claim]) -> list[tuple[BrowseEntry, tuple[str, ...]]]:
    """The places a document's claims name: (its browse entry, the spellings this document uses)."""
    used: dict[str, set[str]] = {}
    for c in claims:
        for spelling, key in c.places:
            if key:
                used.setdefault(key, set()).add(spelling or key)
    places = ctx.browse["place"]
    found = [(entry, tuple(sorted(used[key]))) for key in used if (entry := places.entry_for(key))]
    return sorted(found, key=lambda pair: (pair[0].label.casefold(), pair[0].slug))


def render_browse_pages(ctx: SiteContext, env: Environment, common: Mapping[str, Any]) -> Iterator[tuple[str, bytes]]:
    """The Browse page, and for each browse list its index page and a page per value."""
    u = ctx.urls
    lists = ctx.browse
    yield _page(env, "browse.html", u.browse(), u.base, **listing_common(common, ()))
    for kind, list_url, entry_url in (("year", u.years(), u.year), ("type", u.doc_types(), u.doc_type),
                                      ("language", u.languages(), u.language), ("place", u.places(), u.place)):
        listing = lists[kind]
        heading = BROWSE_HEADINGS[kind]
        yield _page(env, "browse_list.html", list_url, u.base, listing=listing, list_url=list_url,
                    entry_url=entry_url, heading=heading, **listing_common(common, ()))
        for entry in listing.entries:
            documents = [ctx.listed_by_id[d] for d in entry.documents]
            yield _page(env, "browse_entry.html", entry_url(entry.slug), u.base, listing=listing, entry=entry,
                        list_url=list_url, heading=heading, documents=documents, **listing_common(common, documents))


def render_site(ctx: SiteContext, env: Environment | None = None) -> Iterator[tuple[str, bytes]]:
    """Every page and file of the site, rendered: (site-relative path, bytes)."""
    env = env or environment(ctx.config, ctx.urls)
    for item in site_items(ctx, env):
        yield (item.rel, item.render(env)) if isinstance(item, PageSpec) else item


@dataclasses.dataclass(frozen=True)
class DocumentPages:
    """Where the document and original-capture pages go in the site's order, when
    another process settles them (`rels`: their files, in that order)."""
    rels: tuple[str, ...]


def site_items(ctx: SiteContext, env: Environment, previous: "Reuse | None" = None, documents: bool = True
               ) -> Iterator[PageSpec | tuple[str, bytes] | DocumentPages]:
    """Pages still to render, and files already made, in the order they are written.
    `previous`: the previous build's site and cache, whose data files may be reused in part.
    Without `documents`, the document and original pages are one DocumentPages."""
    yield from reuse.with_reuse_files(ctx, env, render_pages(ctx, env, documents), previous)


def listing_common(common: Mapping[str, Any], documents: Iterable[ListedRecord]) -> dict[str, Any]:
    """`common` with `by_id` cut to the records the page lists: all such a page looks up,
    so it does not change (nor render again) when another record changes."""
    return {**common, "by_id": {r.id: r for r in documents}}


def render_pages(ctx: SiteContext, env: Environment, documents: bool = True
                 ) -> Iterator[PageSpec | tuple[str, bytes] | DocumentPages]:
    u = ctx.urls
    # the pages that list documents get what they show of each (ListedRecord), not the records
    records = ctx.listed_newest_first
    by_id = ctx.listed_by_id
    authors, publishers = ctx.agents["author"], ctx.agents["publisher"]
    common = dict(by_id=by_id, authors=authors, publishers=publishers, browse=ctx.browse,
                  event_count=len(ctx.analysis.events))

    yield _page(env, "home.html", u.home(), u.base, records=records, newest=records[:NEWEST_ON_HOME],
                languages=sorted({r.language.value for r in records if r.language.value}),
                years=sorted({y for r in records if (y := edtf_year(r.date.value))}), **common)
    yield _page(env, "documents.html", u.documents(), u.base, records=records,
                groups=group_by_year(records), **common)
    if documents:
        yield from document_pages(ctx)
    else:
        yield DocumentPages(tuple(rel for r in ctx.newest_first for rel in (page_file(u.document(r.id), u.base),
                                                                             page_file(u.original(r.id), u.base))))
    for index, list_url, page_url in ((authors, u.authors(), u.author), (publishers, u.publishers(), u.publisher)):
        yield _page(env, "agents.html", list_url, u.base, index=index, **listing_common(common, ()))
        for p in index.pages:
            documents = [by_id[d] for d in p.documents]
            yield _page(env, "agent.html", page_url(p.slug), u.base, index=index, page=p,
                        documents=documents, **listing_common(common, documents))
    yield from render_browse_pages(ctx, env, common)
    yield _page(env, "search.html", u.search(), u.base)
    yield PageSpec("404.html", "404.html", {})
    if render_analysis is not None:
        yield from render_analysis.analysis_pages(ctx, env)
    else:
        for key, title, url in (("events", "Events", u.events()), ("timeline", "Timeline", u.timeline()),
                                ("claims", "Claims", u.claims())):
            yield _page(env, "analysis_pending.html", url, u.base, key=key, title=title)


def document_pages(ctx: SiteContext) -> Iterator[PageSpec]:
    """Each document's page and its original capture's page, newest document first."""
    for r in ctx.newest_first:
        yield document_page(ctx, r)
        yield original_page(ctx, r)


def original_page(ctx: SiteContext, record: Record) -> PageSpec:
    """The capture line by line; its bytes are pinned by the record's SHA-256."""
    def values() -> dict[str, Any]:
        raw = read_raw(ctx, record)
        u = ctx.urls
        title = record.title.value or record.id
        return dict(record=record, title=title, raw_suffix=Path(record.source_file).suffix,
                    breadcrumbs=breadcrumbs_html((("Home", u.home()), ("Documents", u.documents()),
                                                  (title, u.document(record.id)), ("Original capture", None))),
                    removed_rows=removed_rows_html(record),
                    capture_html=capture_lines_html(record, raw) if raw is not None else None)
    return PageSpec(page_file(ctx.urls.original(record.id), ctx.urls.base), "original.html", values,
                    dict(record=record, present=(ctx.config.path(ctx.config.source) / record.source_file).is_file()))


def group_by_year(records: Iterable[Any]) -> list[tuple[str, list[Any]]]:
    """Records (already newest first) grouped under their year; undated last."""
    groups: dict[str, list[Record]] = {}
    for r in records:
        groups.setdefault(edtf_year(r.date.value) or "Undated", []).append(r)
    return list(groups.items())


SCHEMA = Path(__file__).resolve().parent / "schema" / "records.schema.json"
_PROGRESS_EVERY = 1000   # at most one progress line per this many pages
# in the cache folder: {"salt": site_salt's hex, "files": {path: [fingerprint, inode, mtime_ns, size]}},
# marshalled (a JSON of 33,000 entries took 0.4 s to write and read back at 10,000 captures)
RENDER_MANIFEST = "render-manifest.marshal"
LEGACY_MANIFESTS = ("render-manifest.json",)    # its name before it was marshalled (4.5 MB at 10,000)


# --- incremental rendering ---------------------------------------------------------


def code_version(folders: Sequence[Path]) -> bytes:
    """A digest of the program and the theme: the package's version as the capture
    cache keys it (every source and data file) and every file of the template
    folders.  Any edit makes every page's fingerprint new."""
    return package_version().encode() + templates_version(folders)


def templates_version(folders: Sequence[Path]) -> bytes:
    """A digest of every file of the template folders (their names and bytes)."""
    h = hashlib.blake2b(digest_size=16)
    for folder in map(Path, folders):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            h.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.digest()


class Fingerprints:
    """What a page is made from, as a digest: its template and values pickled, each
    record and each whole-archive structure (the browse lists, the author index…)
    replaced by a digest of its own, computed once per build.

    Equal pickles mean equal values, so an equal fingerprint means the page would
    come out the same; the reverse need not hold (a set pickled in another order
    only costs a re-render)."""

    def __init__(self, salt: bytes, shared: Iterable[Any] = (),
                 known: Callable[[Any], bytes | None] | None = None):
        """`known`: the digest of a record, claim or event when it is known already
        (records by their capture's cache key, see known_digests), else None; a
        digest from `known` must never be equal to one this class makes of a
        different object, hence the tag."""
        self.salt = salt
        self._shared = {id(o): o for o in shared}       # kept alive by the SiteContext
        self._digests: dict[int, bytes] = {}
        self._outer: int | None = None                  # the object being digested on its own
        self._keep: list[Any] = []
        self._known = known

    def _persistent_id(self, obj: Any) -> Any:
        """What pickle writes in place of `obj` (None: `obj` as pickle would write it).

        Pickle asks this of every object, hundreds per page, so the common case
        returns at once.  A dataclass is written as its class's name and its field
        values, with no global reference (pickle imports a module to check each
        one, a microsecond apiece, most of the cost of a fingerprint when dataclasses
        were pickled the usual way); a record, claim or event, and each shared
        whole-archive structure, as a digest computed once per build."""
        kind = type(obj)
        if kind in _ATOMS:
            return None
        if kind in _CONTAINERS:
            key = id(obj)
            if key in self._shared and key != self._outer:
                return self._once(obj, key)
            if kind is not dict and obj:
                return self._rows(obj)
            return None
        described = _FIELD_VALUES.get(kind)
        if described is None:
            return None
        key = id(obj)
        if key != self._outer and (kind in _DIGEST_ONCE or key in self._shared):
            return self._once(obj, key)
        name, values = described
        return name, values(obj)

    def _rows(self, items: tuple | list) -> Any:
        """A tuple or list of one flat dataclass (the relations and shared passages
        of a page, dozens of them), written at once as its class's name and its rows
        of field values pickled by pickle alone (None: written item by item).  The
        hook is then asked once, not once for every value: a document page's
        fingerprint 107 -> 77 us at 2,000 captures."""
        cls = type(items[0])
        row = _ROWS.get(cls)
        if row is None:
            return None
        for item in items:
            if type(item) is not cls:
                return None
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, 5)
        pickler.fast = True     # no memo, as in _digest
        pickler.dump(tuple(map(row, items)))
        return "rows", _FIELD_VALUES[cls][0], type(items).__name__, buffer.getvalue()

    def _once(self, obj: Any, key: int) -> bytes:
        digest = self._digests.get(key)
        if digest is None:
            # records, claims, events and the shared structures come from the
            # SiteContext, which outlives the build, so their ids stay theirs
            known = self._known(obj) if self._known is not None else None
            digest = self._digests[key] = b"known:" + known if known is not None else self._digest(obj, outer=key)
            self._keep.append(obj)
        return digest

    def _digest(self, obj: Any, outer: int | None = None) -> bytes:
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, 5)
        # No memo: with one, a string met twice is written once if both places hold
        # the same object and twice if they hold equal copies, so records read
        # fresh and the same records loaded from the cache (which share strings
        # differently) fingerprinted apart: the first rebuild after a cold build
        # re-rendered every page.  Values are trees, so nothing recurses forever.
        pickler.fast = True
        pickler.persistent_id = self._persistent_id    # type: ignore[method-assign]
        saved, self._outer = self._outer, outer
        try:
            pickler.dump(obj)
        finally:
            self._outer = saved
        return hashlib.blake2b(buffer.getvalue(), digest_size=16, key=self.salt[:64]).digest()

    def digest_of(self, value: Any) -> bytes:
        return self._digest(value)

    def digest_of_each(self, objects: Iterable[Any]) -> bytes:
        """A digest of records, claims or events in order, from each one's own digest
        (made once per build, or known): no pickling of the sequence itself."""
        h = hashlib.blake2b(digest_size=16, key=self.salt[:64])
        for obj in objects:
            digest = self._once(obj, id(obj)) if type(obj) in _DIGEST_ONCE else self._digest(obj)
            h.update(len(digest).to_bytes(4, "big"))     # length-prefixed: digests differ in length
            h.update(digest)
        return h.digest()

    def of(self, page: PageSpec) -> str | None:
        """The page's fingerprint, or None when its values cannot be pickled (rendered every time)."""
        inputs = page.inputs if callable(page.values) else page.values
        try:
            return self._digest((page.rel, page.template, inputs)).hex()
        except (pickle.PicklingError, TypeError, AttributeError):
            return None


# Met on many pages (a record on its pages and in every list; a claim on its
# document's, event's and claims pages): digested once.  A relation or shared
# passage shows on the pages of its two documents only: written out each time.
_DIGEST_ONCE = frozenset({Record, Claim, Event, ListedRecord})
_ATOMS = frozenset({str, int, float, bool, type(None), bytes})
_CONTAINERS = frozenset({tuple, list, dict})    # may be shared: the records, the browse lists


def _field_values(cls: type) -> tuple[str, Callable[[Any], Any]]:
    """(the class's qualified name, a function giving an object's field values in order)."""
    names = tuple(f.name for f in dataclasses.fields(cls))
    values = operator.attrgetter(*names) if len(names) > 1 else (
        (lambda obj, name=names[0]: (getattr(obj, name),)) if names else (lambda obj: ()))
    return f"{cls.__module__}.{cls.__qualname__}", values


# How a fingerprint writes the model's records and the pages' listings: the class's
# name and its field values in order (all that makes two of them equal).
_FIELD_VALUES = {cls: _field_values(cls)
                 for cls in (*(c for c in vars(model).values() if isinstance(c, type) and dataclasses.is_dataclass(c)
                               and c.__module__ == model.__name__),
                             AgentPage, AgentIndex, BrowseEntry, BrowseList, ListedRecord)}


def _row_of(cls: type, seen: tuple[type, ...] = ()) -> Callable[[Any], tuple] | None:
    """For a flat dataclass, a function giving an object's field values in order,
    with each of its own flat dataclasses (in a field typed `tuple[Cls, ...]`)
    as such a row too; None when a field may hold anything else (then the object
    is written value by value, through the hook).  Flat: every field typed as an
    atom, a union of atoms, a tuple of atoms or a tuple of flat dataclasses.  The
    rows come from the class's own fields, so a field added later is in them."""
    if not dataclasses.is_dataclass(cls) or cls in seen or cls in _DIGEST_ONCE:
        return None
    try:
        hints = typing.get_type_hints(cls)
    except Exception:   # an annotation that does not resolve: not flat
        return None
    getters: list[Callable[[Any], Any]] = []
    nested = False
    for f in dataclasses.fields(cls):
        hint = hints.get(f.name)
        if _atomic(hint):
            getters.append(operator.attrgetter(f.name))
            continue
        args = typing.get_args(hint)
        if typing.get_origin(hint) is tuple and len(args) == 2 and args[1] is Ellipsis:
            if _atomic(args[0]):
                getters.append(operator.attrgetter(f.name))
                continue
            inner = _row_of(args[0], (*seen, cls))
            if inner is not None:
                getters.append(lambda obj, name=f.name, inner=inner: tuple(map(inner, getattr(obj, name))))
                nested = True
                continue
        return None
    names = [f.name for f in dataclasses.fields(cls)]
    if not nested and len(names) > 1:
        return operator.attrgetter(*names)     # a tuple of the values, made in C
    return lambda obj: tuple([get(obj) for get in getters])


def _atomic(hint: Any) -> bool:
    if hint in _ATOMS or hint is None:
        return True
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return all(_atomic(arg) for arg in typing.get_args(hint))
    return False


# The flat dataclasses among those, and how each is written as a row (Fingerprints._rows).
_ROWS = {cls: row for cls in _FIELD_VALUES if (row := _row_of(cls)) is not None}


# The fields of a claim the cross-record analysis sets (events.group_events): every
# other field is extract_claims' work on one record, cached with its capture.
CLAIM_FIELDS_FROM_ANALYSIS = ("event_id",)


def known_digests(ctx: SiteContext, claims: Mapping[str, Claim]) -> Callable[[Any], bytes | None] | None:
    """The digest of what a fingerprint need not pickle: a record of the archive by
    its capture's cache key (a digest of everything the record is made from), and
    each of its claims by that key, the claim's id and what the analysis set in
    it.  Only the archive's own objects (`claims`: the analysis's, by id): a
    copy made for a page is pickled as it is.  None without keys (no cache)."""
    keys = ctx.record_keys
    if not keys:
        return None
    records = ctx.records_by_id
    fields = operator.attrgetter("id", *CLAIM_FIELDS_FROM_ANALYSIS)

    def known(obj: Any) -> bytes | None:
        kind = type(obj)
        if kind is Record:
            key = keys.get(obj.id)
            return bytes.fromhex(key) if key and records.get(obj.id) is obj else None
        if kind is Claim:
            key = keys.get(obj.document_id)
            # repr: unambiguous for the strings and None the fields hold
            return (b"claim:" + bytes.fromhex(key) + repr(fields(obj)).encode()
                    if key and claims.get(obj.id) is obj else None)
        return None
    return known


def site_salt(ctx: SiteContext) -> bytes:
    h = hashlib.blake2b(code_version(tuple(template_folders(ctx.config))), digest_size=32)
    h.update(pickle.dumps((ctx.config, ctx.urls), 5))
    return h.digest()


def _file_id(path: Path) -> list[int]:
    st = os.stat(path)
    return [st.st_ino, st.st_mtime_ns, st.st_size]


class Reuse:
    """The previous build's pages, for an incremental build: a page whose fingerprint
    is unchanged is hard-linked from the live site instead of rendered.  The
    manifest notes each file's inode, mtime and size, so a site that was not
    swapped in (a failed build) or was edited by hand is never reused."""

    def __init__(self, staging: Path, previous: Path | None, cache: Path | None, recycled: bool = False,
                 salt: bytes = b""):
        """`recycled`: `staging` is a recycled generation (output.take_recycled),
        whose files may be the live site's very files already.  `salt`: this
        build's site_salt; `same_salt` tells whether the previous build's was the
        same (if not, no page fingerprint can match: the code, the theme or the
        settings changed)."""
        self.staging, self.previous, self.cache = staging, previous, cache
        self.recycled = recycled
        self.salt = salt.hex()
        self.old: dict[str, list] = {}
        self.same_salt = False
        self.new: dict[str, list] = {}
        self.reused = 0
        self._folders: set[str] = set()     # folders made in staging by take
        if previous is not None and cache is not None:
            try:
                manifest = marshal.loads((cache / RENDER_MANIFEST).read_bytes())
                if isinstance(manifest.get("files"), dict):
                    # a damaged file that still unmarshals keeps only well-formed entries
                    self.old = {rel: entry for rel, entry in manifest["files"].items()
                                if type(entry) is list and len(entry) == 4}
                    self.same_salt = manifest.get("salt") == self.salt
            except (OSError, ValueError, EOFError, TypeError, AttributeError):
                self.old = {}

    def reused_entry(self, rel: str, fingerprint: str | None) -> list | None:
        """Link the previous file into staging if it is still what `fingerprint`
        makes; then its manifest entry (None: not linked, to be rendered)."""
        entry = self.old.get(rel)
        if fingerprint is None or entry is None or entry[0] != fingerprint:
            return None
        if self.recycled:
            try:
                st = os.stat(os.path.join(self.staging, rel))
                if [st.st_ino, st.st_mtime_ns, st.st_size] == entry[1:]:
                    return entry    # the live site's file itself (a link of two builds ago): kept
            except OSError:
                pass
        source = os.path.join(self.previous, rel)     # strings: a Path per page costs more than the stat
        try:
            st = os.stat(source)
            if [st.st_ino, st.st_mtime_ns, st.st_size] != entry[1:]:
                return None
            linked = link_file(self.staging, rel, source, self._folders)
        except OSError:
            return None
        if linked:      # the same file: its inode, mtime and size are the ones just checked
            return entry
        # a copy (no hard links here): an entry of its own (there is a cache: the old
        # manifest came from it, so entry() gives one)
        return self.entry(rel, fingerprint)

    def entry(self, rel: str, fingerprint: str | None) -> list | None:
        """The manifest entry of a file just written to staging (None when nothing is kept)."""
        if fingerprint is None or self.cache is None:
            return None
        return [fingerprint, *_file_id(self.staging / rel)]

    def keep(self, rel: str, entry: list | None) -> None:
        if entry is not None and len(entry) == 4 and self.cache is not None:
            self.new[rel] = entry

    def save(self) -> None:
        if self.cache is not None:
            self.cache.mkdir(parents=True, exist_ok=True)
            write_atomically(self.cache / RENDER_MANIFEST,
                             marshal.dumps({"salt": self.salt, "files": dict(sorted(self.new.items()))}))
            for name in LEGACY_MANIFESTS:     # what builds before it left: read by nothing now
                (self.cache / name).unlink(missing_ok=True)


def write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


RECORDS_JSON = "data/records.json"
RECORDS_FRAGMENTS = "records-fragments.json"   # in the cache folder: where each record's JSON is in records.json
CLAIMS_CSV = "data/claims.csv"
CLAIMS_FRAGMENTS = "claims-fragments.json"     # in the cache folder: where each document's rows are in claims.csv


class PreviousFragments:
    """The pieces of a data file the previous build wrote (records.json, claims.csv),
    found by the byte offsets it noted under each piece's key, so that a rebuild
    copies what did not change instead of encoding it again.  The file is used
    only if it is still the very file noted (inode, mtime, size)."""

    def __init__(self, reuse_previous: Reuse, rel: str, notes: str):
        self.rel, self.cache = rel, reuse_previous.cache
        self.notes = notes
        self._old: dict[str, list[int]] = {}
        self._file = None
        self.at: dict[str, list[int]] = {}
        if self.cache is not None and reuse_previous.previous is not None:
            try:
                old = json.loads((self.cache / notes).read_text(encoding="utf-8"))
                path = reuse_previous.previous / rel
                if _file_id(path) == old["file"] and isinstance(old["at"], dict):
                    self._file = open(path, "rb")
                    self._old = old["at"]
            except (OSError, ValueError, KeyError, TypeError):
                self._old = {}

    def get(self, key: str) -> tuple[int, int] | None:
        """Where the piece under `key` is in the previous file (offset, length), if it is there."""
        where = self._old.get(key) if self._file is not None else None
        return None if where is None else (where[0], where[1])

    @property
    def file(self) -> Any:
        """The previous file, open (None when there is nothing to copy from)."""
        return self._file

    def note(self, key: str, offset: int, length: int) -> None:
        self.at[key] = [offset, length]

    def close(self, staging: Path, written: bool) -> None:
        if self._file is not None:
            self._file.close()
        if written and self.cache is not None:
            self.cache.mkdir(parents=True, exist_ok=True)
            write_atomically(self.cache / self.notes, json.dumps(
                {"file": _file_id(staging / self.rel), "at": self.at}, sort_keys=True,
                separators=(",", ":")).encode("utf-8"))


def _document_key(fingerprints: Fingerprints, record: Record, claims: Sequence[Claim]) -> str:
    """What a record's piece of records.json or claims.csv is made from, as a digest."""
    return fingerprints.digest_of_each((record, *claims)).hex()


def _write_with_fragments(staging: Path, previous: PreviousFragments, pieces: Iterable[Any],
                          keyed: Callable[[int], str | None]) -> None:
    """Write `previous.rel` from `pieces` (text, or a range of the previous file from
    previous.get), noting where each piece with a key (`keyed(n)` of the piece
    numbered n) now is."""
    def chunks() -> Iterator[bytes | tuple[int, int]]:
        offset = 0
        for n, piece in enumerate(pieces):
            data = piece if isinstance(piece, tuple) else piece.encode("utf-8")
            length = data[1] if isinstance(data, tuple) else len(data)
            key = keyed(n)
            if key:
                previous.note(key, offset, length)
            offset += length
            yield data

    written = False
    try:
        write_pieces(staging, previous.rel, chunks(), previous.file)
        written = True
    finally:
        previous.close(staging, written)


def write_records_json(staging: Path, ctx: SiteContext, fingerprints: Fingerprints, reuse_previous: Reuse) -> None:
    """Stream records.json to disk, copying each unchanged record's JSON from the
    previous site's records.json (located by the byte offsets noted last build)."""
    previous = PreviousFragments(reuse_previous, RECORDS_JSON, RECORDS_FRAGMENTS)
    keys: list[str] = []

    def reuse(record: Record, claims: Sequence[Claim]) -> tuple[int, int] | None:
        key = _document_key(fingerprints, record, claims)
        keys.append(key)
        return previous.get(key)

    # records_json_fragments: record n is piece 2n + 2
    _write_with_fragments(staging, previous, records_json_fragments(ctx.records, ctx.analysis, reuse),
                          lambda n: keys[n // 2 - 1] if n >= 2 and n % 2 == 0 and n // 2 <= len(keys) else None)


def write_claims_csv(staging: Path, ctx: SiteContext, fingerprints: Fingerprints, reuse_previous: Reuse) -> None:
    """Stream claims.csv to disk (render_analysis.claims_csv_fragments), copying each
    unchanged document's rows from the previous site's claims.csv."""
    previous = PreviousFragments(reuse_previous, CLAIMS_CSV, CLAIMS_FRAGMENTS)
    records = ctx.records_by_id
    keys: list[str] = []

    def reuse(document_id: str, claims: Sequence[Claim]) -> tuple[int, int] | None:
        record = records.get(document_id)
        key = _document_key(fingerprints, record, claims) if record is not None else ""
        keys.append(key)
        return previous.get(key) if key else None

    # claims_csv_fragments: the header, then a piece per document
    in_order = render_analysis.claims_in_csv_order(ctx.analysis.claims)
    _write_with_fragments(staging, previous, render_analysis.claims_csv_fragments(in_order, reuse),
                          lambda n: keys[n - 1] if n >= 1 else None)


# Pages are settled (fingerprinted, then linked from the previous site or
# rendered) in parallel in batches of this many: enough to keep the workers
# busy, few enough that the pages waiting stay small (a page waits as its
# inputs; its values are made when it is rendered).
PARALLEL_BATCH = 2000
# Fewer pages than this are settled here: starting the workers (a fork of this
# large process each) costs more than settling a few pages.
PARALLEL_MIN_PAGES = 64
NOT_YET = "not yet fingerprinted"
_batch: list[tuple[PageSpec, str | None]] = []   # what forked workers settle (inherited, not pickled)
_batch_tools: list[tuple[Environment, "Fingerprints", "Reuse"]] = []


def settle(page: PageSpec, env: Environment, fingerprints: "Fingerprints", reuse_previous: "Reuse",
           fingerprint: str | None = NOT_YET) -> tuple[list | None, bool]:
    """Fingerprint `page` (unless given), then link it from the previous site if it is
    unchanged, else render it into staging: (its manifest entry or None, whether it
    was linked)."""
    if fingerprint is NOT_YET:
        fingerprint = fingerprints.of(page)
        entry = reuse_previous.reused_entry(page.rel, fingerprint)
        if entry is not None:
            return entry, True
    write_file(reuse_previous.staging, page.rel, page.render(env))
    return reuse_previous.entry(page.rel, fingerprint), False


def _settle_slice(bounds: tuple[int, int]) -> list[tuple[list | None, bool]]:
    env, fingerprints, reuse_previous = _batch_tools[0]
    return [settle(page, env, fingerprints, reuse_previous, fingerprint)
            for page, fingerprint in _batch[bounds[0]:bounds[1]]]


def settle_in_parallel(batch: list[tuple[PageSpec, str | None]], env: Environment, fingerprints: "Fingerprints",
                       reuse_previous: "Reuse", jobs: int) -> None:
    """Settle `batch` across `jobs` forked workers.  The workers inherit the pages
    and everything they read (the SiteContext, the Jinja environment, the previous
    manifest); a fingerprint is a pure function of the page's inputs and each page
    a pure function of its values, so nothing depends on which worker settles
    which page.  Where fork is missing, or for a batch of fewer than
    PARALLEL_MIN_PAGES pages, the pages are settled here."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods() or len(batch) < max(jobs, PARALLEL_MIN_PAGES):
        settled = [settle(page, env, fingerprints, reuse_previous, fingerprint) for page, fingerprint in batch]
    else:
        _batch[:], _batch_tools[:] = batch, [(env, fingerprints, reuse_previous)]
        try:
            step = max(1, -(-len(batch) // (jobs * 4)))
            slices = [(i, min(i + step, len(batch))) for i in range(0, len(batch), step)]
            # concurrent.futures, not multiprocessing.Pool: a worker that dies (the OOM
            # killer) breaks the executor and fails the build, where Pool waits forever
            # for the lost slice
            with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
                settled = [one for part in pool.map(_settle_slice, slices) for one in part]
        finally:
            _batch.clear()
            _batch_tools.clear()
    for (page, _), (entry, linked) in zip(batch, settled):
        reuse_previous.keep(page.rel, entry)
        reuse_previous.reused += linked


def settle_raw_captures(ctx: SiteContext, source: Path, reuse_previous: "Reuse") -> list[tuple[str, list | None, bool]]:
    """Each capture, byte for byte, beside its SHA-256 in records.json, linked from
    the previous site when unchanged: (its file, manifest entry, linked)."""
    u = ctx.urls
    settled = []
    for r in ctx.records:
        rel = u.raw(r.id, Path(r.source_file).suffix.lower())[len(u.base):]
        fingerprint = f"{r.sha256}:{r.source_file}"
        entry = reuse_previous.reused_entry(rel, fingerprint)
        if entry is None:
            copy_file(reuse_previous.staging, rel, source / r.source_file)
            settled.append((rel, reuse_previous.entry(rel, fingerprint), False))
        else:
            settled.append((rel, entry, True))
    return settled


def _settle_documents(ctx: SiteContext, env: Environment, make_fingerprints: Callable[[], "Fingerprints"],
                      reuse_previous: "Reuse", send: Any) -> None:
    try:
        fingerprints = make_fingerprints()
        settled = [settle(page, env, fingerprints, reuse_previous) for page in document_pages(ctx)]
    except BaseException as exc:
        try:
            send.send(("error", exc))
        except Exception:   # an exception that cannot be pickled: its words
            send.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    else:
        send.send(("ok", settled))
    finally:
        send.close()


class DocumentSide:
    """A rebuild's document and original-capture pages (two thirds of its pages and
    most of its fingerprinting), settled by one forked process while this one
    settles the rest of the site (the raw captures and records.json too: with
    the lists no longer rendered for a corrected paragraph, this one waited
    half a second for the other at 10,000 captures).  Both only read
    what they inherited; they write different files of the staging folder.  It is
    forked before the analysis index is built, which both then build for themselves."""

    def __init__(self, ctx: SiteContext, env: Environment, make_fingerprints: Callable[[], "Fingerprints"],
                 reuse_previous: "Reuse"):
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_settle_documents,
                                        args=(ctx, env, make_fingerprints, reuse_previous, send), daemon=True)
        self._process.start()
        send.close()

    def settled(self) -> list[tuple[list | None, bool]]:
        """(manifest entry, linked) of each page, in DocumentPages order; the
        process's exception, raised here, if it failed."""
        try:
            status, value = self._receive.recv()
        except EOFError:    # killed (the OOM killer) before it could answer
            status, value = "error", RuntimeError("the process settling the document pages died")
        finally:
            self._receive.close()
            self._process.join()
        if status != "ok":
            raise value
        return value

    def stop(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()


# A rebuild of fewer documents than this settles them here: the fork costs more.
DOCUMENT_SIDE_MIN_RECORDS = 1000


def write_site(ctx: SiteContext, staging: Path, source: Path,
               progress: Callable[[str], None] = lambda s: None,
               previous: Path | None = None, cache: Path | None = None, jobs: int = 1,
               written: Callable[[str], None] | None = None,
               recycled: frozenset[str] | None = None, extra_files: Sequence[str] = ()) -> int:
    """Write every page, data file, original capture and static file into
    `staging`; returns the number of pages rendered or reused.

    With `previous` (the live site, untouched until the swap) and `cache` (where
    the manifest of fingerprints is kept), a page whose fingerprint matches the
    previous build is linked from `previous` instead of rendered.  With `jobs` > 1
    the pages to render are rendered (in a first build, fingerprinted too) by that
    many forked workers, and a rebuild of DOCUMENT_SIDE_MIN_RECORDS documents or
    more settles its document pages in one more process (DocumentSide).  `written`
    is told each page's path once the page is in `staging`, in the order of
    site_items whatever the jobs and the reuse (the search index starts early).

    `recycled`: the files `staging` holds already, a previous generation's
    (output.take_recycled); those this build does not write are removed at the
    end.  `extra_files`: files the caller writes into `staging` afterwards.  With
    `cache`, the files of this generation are noted there for the build that
    recycles it."""
    on_disk: list[str] = []     # pages in staging not yet told to `written`
    files: set[str] = set(extra_files)      # every file this build puts in staging

    def tell_written() -> None:
        if written is not None:
            for rel in on_disk:
                written(rel)
        on_disk.clear()

    env = environment(ctx.config, ctx.urls)
    salt = site_salt(ctx)
    reuse_previous = Reuse(staging, previous if previous is not None and previous.is_dir() else None, cache,
                           recycled=recycled is not None, salt=salt)

    def make_fingerprints() -> Fingerprints:
        ix = render_analysis.index_for(ctx) if render_analysis is not None else None
        shared = [ctx.records, ctx.records_by_id, ctx.newest_first, ctx.listed_by_id, ctx.listed_newest_first,
                  ctx.browse, *ctx.browse.values(), ctx.agents, *ctx.agents.values()] + (
                      [ix.records] if ix is not None else [])
        return Fingerprints(salt, shared,
                            known_digests(ctx, ix.claims if ix is not None else {c.id: c for c in ctx.analysis.claims}))

    pages = 0
    batch: list[tuple[PageSpec, str | None]] = []    # pages to settle in parallel, with their fingerprints
    # A rebuild (a manifest of the previous pages is there) links most pages: it
    # fingerprints and links them here, and only what changed goes to the workers.
    # Workers that fingerprinted too cost more than they saved (14.2 s against
    # 13.2 s for a 10,000-capture rebuild: each fork's copy of this process's
    # memory, the digests of the records made again in each).  A first build
    # renders every page, and its workers fingerprint them beside the rendering.
    # A large rebuild's document pages are settled by one more process meanwhile.
    # (a changed salt changes every fingerprint: nothing to link, every page to render,
    # as in a first build)
    rebuilding = bool(reuse_previous.old) and reuse_previous.same_salt
    import multiprocessing
    side = DocumentSide(ctx, env, make_fingerprints, reuse_previous) if (
        rebuilding and jobs > 1 and len(ctx.records) >= DOCUMENT_SIDE_MIN_RECORDS
        and "fork" in multiprocessing.get_all_start_methods()) else None
    fingerprints = make_fingerprints()
    # what the listing pages show of each document, digested here once: forked
    # workers inherit the digests instead of each making them again
    fingerprints.digest_of_each(ctx.listed_newest_first)
    try:
        waiting_for_side = False
        document_rels: tuple[str, ...] = ()
        for item in site_items(ctx, env, reuse_previous, documents=side is None):
            if isinstance(item, DocumentPages):
                # told to `written` only once the other process is done: the order stays the site's
                on_disk.extend(item.rels)
                files.update(item.rels)
                pages += len(item.rels)
                document_rels = item.rels
                waiting_for_side = True
                continue
            if isinstance(item, PageSpec):
                if jobs > 1 and not rebuilding:
                    batch.append((item, NOT_YET))      # the workers fingerprint it
                else:
                    fingerprint = fingerprints.of(item)
                    entry = reuse_previous.reused_entry(item.rel, fingerprint)
                    if entry is not None:
                        reuse_previous.keep(item.rel, entry)
                        reuse_previous.reused += 1
                    elif jobs > 1:
                        batch.append((item, fingerprint))
                    else:
                        reuse_previous.keep(item.rel, settle(item, env, fingerprints, reuse_previous, fingerprint)[0])
                if len(batch) >= PARALLEL_BATCH:
                    settle_in_parallel(batch, env, fingerprints, reuse_previous, jobs)
                    batch = []
                    if not waiting_for_side:
                        tell_written()
                on_disk.append(item.rel)
                files.add(item.rel)
            else:
                write_file(staging, *item)
                on_disk.append(item[0])
                files.add(item[0])
            if not batch and not waiting_for_side:
                tell_written()
            pages += 1
            if pages % _PROGRESS_EVERY == 0:
                progress(f"  rendered {pages} pages")
        if batch:
            settle_in_parallel(batch, env, fingerprints, reuse_previous, jobs)
        raw = settle_raw_captures(ctx, source, reuse_previous)
        write_records_json(staging, ctx, fingerprints, reuse_previous)
        if render_analysis is not None:
            write_claims_csv(staging, ctx, fingerprints, reuse_previous)
            files.add(CLAIMS_CSV)
            pages += 1      # counted with the files site_items yields, as it once was one
        write_file(staging, ".nojekyll", b"")
        write_file(staging, "data/records.schema.json", SCHEMA.read_bytes())
        files.update((RECORDS_JSON, ".nojekyll", "data/records.schema.json"))
        static = ctx.config.path(ctx.config.static) if ctx.config.static else theme_dir("static")
        if static.is_dir():
            for path in sorted(p for p in static.rglob("*") if p.is_file()):
                rel = "static/" + path.relative_to(static).as_posix()
                copy_file(staging, rel, path)
                files.add(rel)
        if side is not None:    # last: the files above are written meanwhile
            settled = side.settled()
            for rel, (entry, linked) in zip(document_rels, settled, strict=True):
                reuse_previous.keep(rel, entry)
                reuse_previous.reused += linked
        for rel, entry, linked in raw:
            reuse_previous.keep(rel, entry)
            reuse_previous.reused += linked
            files.add(rel)
    finally:
        if side is not None:
            side.stop()
    tell_written()
    if recycled is not None:
        remove_stale(staging, recycled, files)
    reuse_previous.save()
    if cache is not None:
        note_generation(cache, staging, files, salt.hex())
    return pages
