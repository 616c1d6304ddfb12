"""Pages and data of the analysis: events, timeline, claims, events.json, claims.csv.

Called by render.py: `analysis_pages(ctx, env)` yields the pages to render (`render_analysis_pages` renders them: site-relative
path, bytes); `document_context(ctx, record)` gives the document page's
partial (partials/document_analysis.html) what it shows about one document.

Wording is neutral and attributed: every claim is shown as what a named
source states, linked to its quote; where sources give different figures the
page says so and shows each with its sources, it never picks one.
"""

from __future__ import annotations

import csv
import hashlib
import io
import pickle
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from jinja2 import Environment
from markupsafe import Markup, escape

from .analyse.related import resolve_references
from .data import dumps
from .output import PageSpec
from .dates import edtf_sort_key, format_edtf
from .model import Analysis, Claim, Event, EventFigure, Record, Reference, Relation, SharedPassage
from .urls import page_file, slugify

try:    # markupsafe's escaping of a str, as the str it makes (escape() wraps that in Markup)
    from markupsafe._speedups import _escape_inner as _escape_str
except ImportError:     # pragma: no cover - markupsafe without its C speedups, or renamed
    def _escape_str(s: str) -> str:
        return str(escape(s))


def html_text(value: Any) -> str:
    """`value` as Jinja's autoescape writes it ({{ value }}): markupsafe.escape, as a
    str.  The pages below are written in Python, a few hundred values a page; a
    Markup built for each and then formatted into a str cost half their time."""
    return _escape_str(value) if type(value) is str else str(escape(value))


# --- wording -------------------------------------------------------------------


def speaker(record: Record | None) -> str | None:
    """The source a document speaks for: its author, else its publisher; None if neither is known."""
    if record is None:
        return None
    for s in (record.author, record.publisher):
        if s.value is not None and getattr(s.value, "display", None):
            return s.value.display
    return None


def source_name(record: Record | None) -> str:
    """Who speaks in a document: its author, else its publisher, else its title."""
    if record is None:
        return "an unknown source"
    return speaker(record) or record.title.value or record.id


def source_label(record: Record | None) -> str:
    """The source and the document's date, so two statements of one ministry are told apart."""
    name = source_name(record)
    if record is not None and record.date.value:
        return f"{name} ({format_edtf(record.date.value)})"
    return name


def number(x: float | None) -> str:
    if x is None:
        return "?"
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,}"


# qualifier -> how a value reads; ordered as a table so new qualifiers are one line
VALUE_WORDING: Mapping[str, str] = {
    "exact": "{value}",
    "approximate": "about {value}",
    "more than": "more than {low}",
    "at least": "at least {low}",
    "at most": "at most {high}",
    "less than": "less than {high}",
    "range": "{low} to {high}",
    "order of magnitude": "{low} to {high} (order of magnitude)",
}


def figure_text(f: EventFigure) -> str:
    pattern = VALUE_WORDING.get(f.qualifier)
    if pattern is None:
        parts = [number(f.value)] if f.value is not None else [number(f.low), number(f.high)]
        return " to ".join(parts) + f" ({f.qualifier})"
    value = f.value if f.value is not None else (f.low if f.low is not None else f.high)
    low = f.low if f.low is not None else f.value
    high = f.high if f.high is not None else f.value
    return pattern.format(value=number(value), low=number(low), high=number(high))


def sources_count(n: int) -> str:
    return f"{n} source" if n == 1 else f"{n} sources"


# --- one index over the analysis, built once per site ----------------------------


@dataclass(frozen=True)
class AnalysisIndex:
    records: Mapping[str, Record]
    claims: Mapping[str, Claim]
    claims_by_document: Mapping[str, tuple[Claim, ...]]
    events: Mapping[str, Event]
    events_in_order: tuple[Event, ...]
    described_by_document: Mapping[str, tuple[Event, ...]]
    mentioned_by_document: Mapping[str, tuple[Event, ...]]
    relations_by_source: Mapping[str, tuple[Relation, ...]]
    passages_by_document: Mapping[str, tuple[SharedPassage, ...]]
    cites: Mapping[str, tuple[tuple[str, Reference], ...]]
    cited_by: Mapping[str, tuple[tuple[str, Reference], ...]]
    # source_name of each record, by id: made once here, as a document page names
    # the sources of some forty other documents (related, passages) and every
    # analysis page names the source of each document it shows
    source_names: Mapping[str, str]
    # source_label of each record, by id, filled as pages ask: every claims list and
    # event page names a document's source with its date, a document four times over
    source_labels: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    # record_shown of each record, by id, filled as pages ask
    shown: dict[str, bytes | None] = field(default_factory=dict, compare=False, repr=False)

    def source(self, document_id: str) -> str:
        """source_name of the document with this id ("an unknown source" if it is not in the archive)."""
        name = self.source_names.get(document_id)
        return source_name(None) if name is None else name

    def label(self, document_id: str) -> str:
        """source_label of the document with this id."""
        label = self.source_labels.get(document_id)
        if label is None:
            label = self.source_labels[document_id] = source_label(self.records.get(document_id))
        return label


def build_index(records: Sequence[Record], analysis: Analysis) -> AnalysisIndex:
    by_doc: dict[str, list[Claim]] = defaultdict(list)
    for c in analysis.claims:
        by_doc[c.document_id].append(c)
    described: dict[str, list[Event]] = defaultdict(list)
    mentioned: dict[str, list[Event]] = defaultdict(list)
    in_order = tuple(sorted(analysis.events, key=lambda e: (edtf_sort_key(e.edtf), e.id)))
    for e in in_order:
        for d in e.documents:
            described[d].append(e)
        for d in e.mentioned_by:
            mentioned[d].append(e)
    relations: dict[str, list[Relation]] = defaultdict(list)
    for r in analysis.relations:
        relations[r.source].append(r)
    passages: dict[str, list[SharedPassage]] = defaultdict(list)
    for p in analysis.passages:
        passages[p.a].append(p)
        passages[p.b].append(p)
    cites: dict[str, list[tuple[str, Reference]]] = defaultdict(list)
    cited_by: dict[str, list[tuple[str, Reference]]] = defaultdict(list)
    for src, dst, ref in resolve_references(records):
        cites[src].append((dst, ref))
        cited_by[dst].append((src, ref))
    freeze = lambda d: {k: tuple(v) for k, v in d.items()}  # noqa: E731
    by_id = {r.id: r for r in records}
    return AnalysisIndex(
        records=by_id,
        claims={c.id: c for c in analysis.claims},
        claims_by_document={k: tuple(sorted(v, key=lambda c: (c.start, c.id))) for k, v in by_doc.items()},
        events={e.id: e for e in analysis.events},
        events_in_order=in_order,
        described_by_document=freeze(described),
        mentioned_by_document=freeze(mentioned),
        relations_by_source=freeze(relations),
        passages_by_document=freeze(passages),
        cites=freeze(cites),
        cited_by=freeze(cited_by),
        source_names={k: source_name(r) for k, r in by_id.items()},
    )


_last_index: list[tuple[Any, Any, AnalysisIndex]] = []


def index_for(ctx) -> AnalysisIndex:
    """The index of this site's analysis, built on first use (each document page asks)."""
    if _last_index and _last_index[0][0] is ctx.analysis and _last_index[0][1] is ctx.records:
        return _last_index[0][2]
    index = build_index(ctx.records, ctx.analysis)
    _last_index[:] = [(ctx.analysis, ctx.records, index)]
    return index


# --- the document page's part ----------------------------------------------------


def passage_anchor(p: SharedPassage) -> str:
    return f"passage-{p.id}"


def claim_url(urls, claim: Claim) -> str:
    return urls.document(claim.document_id) + f"#claim-{claim.id}"


def record_shown(ix: AnalysisIndex, document_id: str) -> bytes | None:
    """What an analysis page shows of a document it lists or quotes beside others, as
    a digest: its id, title, date and source (source_name, source_label).  A page's
    fingerprint takes this, not the whole record, so an edit to one document's text
    re-renders the pages that show that text (its claims, its passages), not every
    page that merely links to it.  A digest, made once per document: a document
    page names some seventy others, and four values each were half of what its
    fingerprint had to pickle."""
    try:
        return ix.shown[document_id]
    except KeyError:
        pass
    record = ix.records.get(document_id)
    shown = None if record is None else hashlib.blake2b(pickle.dumps(
        (record.id, record.title.value, record.date.value, ix.source_names[document_id]), 5), digest_size=16).digest()
    ix.shown[document_id] = shown
    return shown


def document_inputs(ctx, record: Record) -> tuple:
    """Everything of the analysis that document_context reads for one document (the
    document page's fingerprint is taken from these, before the context is made)."""
    ix = index_for(ctx)
    rid = record.id
    claims = ix.claims_by_document.get(rid, ())
    relations = ix.relations_by_source.get(rid, ())
    passages = ix.passages_by_document.get(rid, ())
    cites, cited_by = ix.cites.get(rid, ()), ix.cited_by.get(rid, ())
    others = {*(r.target for r in relations), *(p.a for p in passages), *(p.b for p in passages),
              *(d for d, _ in cites), *(d for d, _ in cited_by)}
    return (claims, tuple(ix.events.get(c.event_id) if c.event_id else None for c in claims),
            ix.described_by_document.get(rid, ()), ix.mentioned_by_document.get(rid, ()),
            # what the page shows of the other documents, in id order (record_shown):
            # the ids are in the relations, passages and references above
            relations, passages, cites, cited_by, tuple(record_shown(ix, d) for d in sorted(others)))


def document_context(ctx, record: Record) -> dict[str, Any]:
    """What partials/document_analysis.html shows for one document.

    keys: claims (in body order, each with its event), events (the events it
    describes or refers to: id, label, url, role; also for the Pagefind
    "event" filter), related (documents with score and reasons), cites and
    cited_by (resolved references), passages (shared with other documents),
    source (its own source_name); and html, all of them laid out
    (document_analysis_html), which is what the partial writes."""
    ix = index_for(ctx)
    u = ctx.urls
    rid = record.id
    records = ix.records
    claims = [dict(claim=c, url=claim_url(u, c), event=ix.events.get(c.event_id) if c.event_id else None)
              for c in ix.claims_by_document.get(rid, ())]
    events = ([dict(id=e.id, label=e.label, url=u.event(e.id), role="describes") for e in ix.described_by_document.get(rid, ())]
              + [dict(id=e.id, label=e.label, url=u.event(e.id), role="refers to") for e in ix.mentioned_by_document.get(rid, ())])
    related = [dict(record=records[r.target], url=u.document(r.target), source=ix.source(r.target),
                    score=r.score, reasons=r.reasons)
               for r in ix.relations_by_source.get(rid, ()) if r.target in records]
    cites = [dict(record=records[d], url=u.document(d), reference=ref) for d, ref in ix.cites.get(rid, ())]
    cited_by = [dict(record=records[d], url=u.document(d), reference=ref) for d, ref in ix.cited_by.get(rid, ())]
    passages = []
    for p in ix.passages_by_document.get(rid, ()):
        mine, other = ((p.a_start, p.a_end), p.b) if p.a == rid else ((p.b_start, p.b_end), p.a)
        if other not in records:
            continue
        passages.append(dict(id=p.id, anchor=passage_anchor(p), text=record.body[mine[0]:mine[1]],
                             other=records[other], other_source=ix.source(other),
                             other_url=u.document(other) + "#" + passage_anchor(p), similarity=p.similarity))
    context = dict(claims=claims, events=events, related=related, cites=cites, cited_by=cited_by, passages=passages,
                   source=ix.source(rid) if rid in records else source_name(record))
    context["html"] = document_analysis_html(context, u)
    return context


# The document page's analysis sections, written here once per page, each value
# escaped as it goes in: Jinja spent a microsecond on every attribute it looked up
# and every value it escaped, some 800 of each on a page with its related
# documents, shared passages and claims.  The bytes are those the template made
# (tests/reference_templates/partials/document_analysis.html; a tested property).


def document_analysis_html(a: Mapping[str, Any], urls) -> Markup:
    """The sections of a document_context, laid out: events, related documents with
    their reasons, documents it cites or answers and that cite or answer it, shared
    passages, and its claims, each "<source> states: …" linked to its quote."""
    out: list[str] = []
    events = a["events"]
    labels = [html_text(e["label"]) for e in events]
    out.extend(f'<span hidden data-pagefind-filter="event">{label}</span>' for label in labels)
    if events:
        out.append('<section class="doc-events" aria-labelledby="events-heading">\n'
                   '  <h2 id="events-heading">Events in this document</h2>\n  <ul>\n')
        out.extend(f'    <li>{"Describes" if e["role"] == "describes" else "Refers to"} '
                   f'<a href="{html_text(e["url"])}">{label}</a></li>\n' for e, label in zip(events, labels))
        out.append("  </ul>\n</section>\n")
    if a["related"]:
        out.append('<section class="doc-related" aria-labelledby="related-heading">\n'
                   '  <h2 id="related-heading">Related documents</h2>\n'
                   '  <p>Other documents about the same events, most related first, with the reasons.</p>\n  <ol>\n')
        for r in a["related"]:
            other = r["record"]
            out.append(f'    <li><a href="{html_text(r["url"])}">{html_text(r["source"])}: {html_text(other.title.value or other.id)}</a>\n'
                       '      <ul class="reasons">'
                       + "".join(f"<li>{html_text(str(reason.kind).capitalize())}: {html_text(reason.detail)}</li>"
                                 for reason in r["reasons"])
                       + "</ul>\n    </li>\n")
        out.append("  </ol>\n</section>\n")
    if a["cites"] or a["cited_by"]:
        out.append('<section class="doc-cites" aria-labelledby="cites-heading">\n'
                   '  <h2 id="cites-heading">Documents in the archive it cites or answers</h2>\n  <ul>\n')
        for c, (answers, cites) in [*((c, ("Answers", "Cites")) for c in a["cites"]),
                                    *((c, ("Answered by", "Cited by")) for c in a["cited_by"])]:
            other, reference = c["record"], c["reference"]
            out.append(f'    <li>{answers if reference.relation == "answers" else cites} <a href="{html_text(c["url"])}">'
                       f'{html_text(other.title.value or other.id)}</a>: “{html_text(reference.text)}”</li>\n')
        out.append("  </ul>\n</section>\n")
    if a["passages"]:
        out.append('<section class="doc-passages" aria-labelledby="passages-heading">\n'
                   '  <h2 id="passages-heading">Passages shared with other documents</h2>\n  <ul>\n')
        for p in a["passages"]:
            other = p["other"]
            # "%.0f" of a number writes only digits, a sign, "nan" or "inf": nothing to escape
            out.append(f'    <li id="{html_text(p["anchor"])}"><blockquote>{html_text(p["text"])}</blockquote>\n'
                       f'      <p>Nearly the same words ({"%.0f" % (p["similarity"] * 100)}% alike) appear in '
                       f'<a href="{html_text(p["other_url"])}">{html_text(p["other_source"])}: '
                       f'{html_text(other.title.value or other.id)}</a>.</p></li>\n')
        out.append("  </ul>\n</section>\n")
    if a["claims"]:
        out.append('<section class="doc-claims" aria-labelledby="claims-heading" data-pagefind-ignore>\n'
                   '  <h2 id="claims-heading">Claims in this document</h2>\n'
                   '  <p>Sentences of the text that state something checkable; each links to its place in the text '
                   'above.</p>\n  <ol>\n')
        source = html_text(a["source"])
        for item in a["claims"]:
            c, event = item["claim"], item["event"]
            out.append(f'    <li>{source} states: <a href="{html_text(item["url"])}">“{html_text(c.quote)}”</a>\n'
                       f'      <span class="doc-meta">· {html_text(c.kind)}'
                       + (f' · <a href="{html_text(urls.event(event.id))}">{html_text(event.label)}</a>' if event else "")
                       + "".join(f" · {html_text(f.measure)}: “{html_text(f.text)}”" for f in c.figures)
                       + "</span></li>\n")
        out.append("  </ol>\n</section>\n")
    return Markup("".join(out))


# --- pages -------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureRow:
    measure: str
    figures: tuple[tuple[EventFigure, str, tuple[tuple[Claim, Record | None], ...]], ...]  # figure, text, quotes

    @property
    def differ(self) -> bool:
        return len(self.figures) > 1


def measure_rows(ix: AnalysisIndex, event: Event) -> list[MeasureRow]:
    rows: dict[str, list] = defaultdict(list)
    for f in event.figures:
        quotes = tuple((ix.claims[c], ix.records.get(ix.claims[c].document_id)) for c in f.claims if c in ix.claims)
        rows[f.measure].append((f, figure_text(f), quotes))
    return [MeasureRow(m, tuple(v)) for m, v in sorted(rows.items())]


def accounts(ix: AnalysisIndex, event: Event) -> list[dict[str, Any]]:
    """Each describing document's claims about the event, one column per source."""
    by_doc: dict[str, list[Claim]] = defaultdict(list)
    for cid in event.claims:
        c = ix.claims.get(cid)
        if c is not None:
            by_doc[c.document_id].append(c)
    out = []
    for d in event.documents:
        r = ix.records.get(d)
        names = [n for n, docs in event.names_used if d in docs]
        out.append(dict(record=r, id=d, source=ix.source(d), names=names,
                        claims=sorted(by_doc.get(d, ()), key=lambda c: (c.start, c.id))))
    return out


def event_records(ix: AnalysisIndex, event: Event) -> dict[str, Record]:
    """The records an event page names, by id: all it looks up, so the page (and its
    fingerprint in an incremental build) does not depend on the rest of the archive."""
    ids = {*event.documents, *event.mentioned_by, *(d for _, docs in event.names_used for d in docs),
           *(d for f in event.figures for d in f.documents),
           *(ix.claims[c].document_id for c in event.claims if c in ix.claims)}
    return {d: ix.records[d] for d in sorted(ids) if d in ix.records}


def event_page(ix: AnalysisIndex, urls, event: Event, rel: str) -> PageSpec:
    """An event's page; its values (accounts, figures) are made only when it is rendered,
    from the event, the records it names and its claims (the page's fingerprint)."""
    records = event_records(ix, event)
    claim_ids = (*event.claims, *(c for f in event.figures for c in f.claims))
    inputs = dict(event=event, records=tuple(record_shown(ix, d) for d in records),
                  claims=tuple(ix.claims.get(c) for c in claim_ids))
    return PageSpec(rel, "event.html", lambda: event_values(ix, urls, event, records), inputs)


def event_values(ix: AnalysisIndex, urls, event: Event, records: Mapping[str, Record]) -> dict[str, Any]:
    """What event.html gets: the event, its accounts and figures (for a theme that lays
    them out itself), and its sections' rows laid out (event_*_html)."""
    event_accounts, measures = accounts(ix, event), measure_rows(ix, event)
    return dict(event=event, accounts=event_accounts, measures=measures, records=records,
                source_name=source_label, sources_count=sources_count,
                names_html=event_names_html(ix, urls, event), figures_html=event_figures_html(ix, urls, measures),
                accounts_html=event_accounts_html(urls, event_accounts),
                mentions_html=event_mentions_html(ix, urls, event))


# An event page's rows, written here once, each value escaped as it goes in (as the
# document page's analysis sections are): the bytes event.html made with a loop
# for each (tests/reference_templates/event.html; a tested property).  A source is
# named by its source_label (with the document's date), as that template's
# `source_name` did, except in the accounts, each headed by its source_name.


def _document_link(urls, document_id: str, text: str) -> str:
    return f'<a href="{html_text(urls.document(document_id))}">{html_text(text)}</a>'


def _quote_link(urls, claim: Claim) -> str:
    return (f'<a href="{html_text(urls.document(claim.document_id))}#claim-{html_text(claim.id)}">'
            f'“{html_text(claim.quote)}”</a>')


def event_names_html(ix: AnalysisIndex, urls, event: Event) -> Markup:
    """The names its sources use, each with the documents using it."""
    return Markup("".join(
        f"    <li>“{html_text(name)}”: used by "
        + ", ".join(_document_link(urls, d, ix.label(d)) for d in documents) + "</li>\n"
        for name, documents in event.names_used))


def event_figures_html(ix: AnalysisIndex, urls, measures: Sequence[MeasureRow]) -> Markup:
    """The figures table's rows: each value stated, with the sources stating it, linked to the quote."""
    out = []
    for row in measures:
        for k, (figure, text, quotes) in enumerate(row.figures):
            out.append("      <tr>\n")
            if k == 0:
                out.append(f'<th scope="row" rowspan="{len(row.figures)}">{html_text(row.measure)}'
                           + ('<br><span class="differ">Sources differ</span>' if row.differ else "") + "</th>")
            out.append(f'        <td>{html_text(text)} <span class="count">({html_text(sources_count(len(figure.documents)))})'
                       "</span></td>\n        <td><ul>"
                       + "".join(f"<li>{html_text(ix.label(claim.document_id))} states: {_quote_link(urls, claim)}</li>"
                                 for claim, _ in quotes)
                       + "</ul></td>\n      </tr>\n")
    return Markup("".join(out))


def event_accounts_html(urls, event_accounts: Sequence[Mapping[str, Any]]) -> Markup:
    """One section per describing document: its source, title and date, the names it
    uses for the event, and its claims about it."""
    out = []
    for n, a in enumerate(event_accounts, start=1):
        record, source = a["record"], html_text(a["source"])
        dated = f" · {html_text(format_edtf(record.date.value))}" if record and record.date.value else ""
        out.append(f'    <section class="account" aria-labelledby="account-{n}">\n'
                   f'      <h3 id="account-{n}">{_document_link(urls, a["id"], a["source"])}</h3>\n'
                   f'      <p class="doc-meta">{html_text(record.title.value if record else a["id"])}{dated}</p>\n')
        if a["names"]:
            out.append("<p>Calls it: " + ", ".join(f"“{html_text(name)}”" for name in a["names"]) + "</p>")
        out.append("      <ul>\n"
                   + "".join(f"        <li>{source} states: {_quote_link(urls, c)}</li>\n" for c in a["claims"])
                   + "      </ul>\n    </section>\n")
    return Markup("".join(out))


def event_mentions_html(ix: AnalysisIndex, urls, event: Event) -> Markup:
    """The documents that refer to the event without describing it."""
    out = []
    for d in event.mentioned_by:
        record = ix.records.get(d)
        out.append(f'    <li><a href="{html_text(urls.document(d))}">{html_text(ix.label(d))}: '
                   f'{html_text(record.title.value if record is not None else d)}</a></li>\n')
    return Markup("".join(out))


def timeline_documents_html(ix: AnalysisIndex, urls, event: Event) -> Markup:
    """The timeline's list of the documents that describe or refer to an event, laid out
    (tests/reference_templates/timeline.html made the same bytes with two loops)."""
    return Markup("".join(
        f'        <li>{role} <a href="{html_text(urls.document(d))}">{html_text(ix.label(d))}</a></li>\n'
        for role, documents in (("described by", event.documents), ("referred to by", event.mentioned_by))
        for d in documents))


def claims_page(ix: AnalysisIndex, urls, rel: str, claims: Sequence[Claim], **fixed: Any) -> PageSpec:
    """A page of claims; its rows are made only when it is rendered, from the claims,
    their documents and their events (the page's fingerprint)."""
    shown = tuple(claims)
    # each document and event once, in order of first use (a claim names its own by id)
    documents = dict.fromkeys(c.document_id for c in shown)
    event_ids = dict.fromkeys(c.event_id for c in shown if c.event_id)
    inputs = dict(claims=shown, records=tuple(record_shown(ix, d) for d in documents),
                  events=tuple(ix.events.get(e) for e in event_ids), **fixed)
    return PageSpec(rel, "claims.html", lambda: claims_values(ix, urls, shown, fixed), inputs)


def claims_values(ix: AnalysisIndex, urls, claims: Sequence[Claim], fixed: Mapping[str, Any]) -> dict[str, Any]:
    """What claims.html gets: its rows (for a theme that lays them out itself), the rows
    laid out, and the page's fixed values."""
    rows, rows_html = claim_rows(ix, claims, urls)
    return dict(rows=rows, rows_html=rows_html, **fixed)


def _render(env: Environment, template: str, url: str, base: str, **values: Any) -> PageSpec:
    return PageSpec(page_file(url, base), template, values)


@dataclass(frozen=True, slots=True)
class ClaimRow:
    """One claim in a list of claims (claims.html), its words and links made beforehand:
    a claim is listed four times (all claims, its kind, its event, its source), and
    a URL or source label made here, once per page for each document or kind, costs
    less than a call from the template for each row."""
    claim: Claim
    source: str         # source_label of its document
    url: str            # its quote in the document
    kind_url: str
    event: Event | None
    event_url: str | None


def claim_rows(ix: AnalysisIndex, claims: Sequence[Claim], urls) -> tuple[list[ClaimRow], Markup]:
    """The rows of a list of claims, and the list's items laid out: "<source> states:
    “quote”" linked to the quote, its kind, event and figures.  Written here once,
    each value escaped as it goes in: the bytes the template's loop made
    (tests/reference_templates/claims.html; a tested property), at a fraction of
    its cost (some 200 rows a page, each claim listed four times).  A page's rows
    share a few documents, kinds and events: each is looked up and escaped once."""
    sources: dict[str, tuple[str, str, str]] = {}   # document id -> (source label, document URL, its row's start)
    kinds: dict[str, tuple[str, str]] = {}          # kind -> (URL, link)
    events: dict[str, tuple[Event | None, str | None, str]] = {}    # event id -> (event, URL, link)
    rows = []
    out = []
    for c in claims:
        source = sources.get(c.document_id)
        if source is None:
            label, url = ix.label(c.document_id), urls.document(c.document_id)
            source = sources[c.document_id] = (label, url, f'      {html_text(label)} states: <a href="{html_text(url)}#claim-')
        kind = kinds.get(c.kind)
        if kind is None:
            url = urls.claims_facet("kind", slugify(c.kind))
            kind = kinds[c.kind] = (url, f'<a href="{html_text(url)}">{html_text(c.kind)}</a>')
        event = events.get(c.event_id or "")
        if event is None:
            e = ix.events.get(c.event_id) if c.event_id else None
            url = urls.event(e.id) if e is not None else None
            event = events[c.event_id or ""] = (
                e, url, f' · event: <a href="{html_text(url)}">{html_text(e.label)}</a>' if e is not None else "")
        rows.append(ClaimRow(c, source[0], f"{source[1]}#claim-{c.id}", kind[0], event[0], event[1]))
        cid = html_text(c.id)
        out.append(f'    <li id="{cid}">\n{source[2]}{cid}">“{html_text(c.quote)}”</a>\n'
                   f'      <span class="doc-meta">· kind: {kind[1]}{event[2]}'
                   + ("".join([f" · {html_text(f.measure)}: “{html_text(f.text)}”" for f in c.figures]) if c.figures else "")
                   + "</span>\n    </li>\n")
    return rows, Markup("".join(out))


# the claims of documents whose author and publisher are both unknown: one group, not
# one per document (slugify never makes a key starting with "_", so no source takes it)
UNKNOWN_SOURCE_KEY = "_unknown"
UNKNOWN_SOURCE_HEADING = "Author and publisher not known"


def claim_facets(ix: AnalysisIndex, claims: Sequence[Claim]) -> dict[str, list[tuple[str, str, list[Claim]]]]:
    """Claims grouped three ways, each group (key, heading, claims): by kind, by event,
    and by the source that states them (author, else publisher; keyed by its slug).
    Claims come grouped by document, so each group keeps them grouped by document."""
    kinds: dict[str, list[Claim]] = defaultdict(list)
    events: dict[str, list[Claim]] = defaultdict(list)
    sources: dict[str, list[Claim]] = defaultdict(list)
    source_names: dict[str, set[str]] = defaultdict(set)
    for document_id, group in groupby(claims, key=lambda c: c.document_id):
        name = speaker(ix.records.get(document_id))
        key = slugify(name) if name else UNKNOWN_SOURCE_KEY
        source_names[key].add(name or UNKNOWN_SOURCE_HEADING)
        for c in group:
            kinds[c.kind].append(c)
            events[c.event_id or ""].append(c)
            sources[key].append(c)
    order_events = {e.id: i for i, e in enumerate(ix.events_in_order)}
    return {
        "kind": [(slugify(k), k, v) for k, v in sorted(kinds.items())],
        "event": [(k or "none", ix.events[k].label if k in ix.events else "Not placed in an event", v)
                  for k, v in sorted(events.items(), key=lambda kv: (kv[0] not in order_events, order_events.get(kv[0], 0), kv[0]))],
        # names that make one slug ("Ministry X", "ministry x") share a page, under all their names
        "source": [(k, " / ".join(sorted(source_names[k])), v)
                   for k, v in sorted(sources.items(), key=lambda kv: (kv[0] == UNKNOWN_SOURCE_KEY, kv[0]))],
    }


def document_counts(ix: AnalysisIndex, claims: Sequence[Claim], urls) -> list[tuple[str, str, int]]:
    """(link to the document's claims section, label, its number of claims) for each
    document with claims in `claims`, in their order."""
    out = []
    for document_id in dict.fromkeys(c.document_id for c in claims):
        r = ix.records.get(document_id)
        out.append((urls.document(document_id) + "#claims-heading",
                    f"{ix.label(document_id)}: {r.title.value if r is not None else document_id}",
                    len(ix.claims_by_document.get(document_id, ()))))
    return out


FACET_TITLES = {"kind": "kind", "event": "event", "source": "source"}
CLAIMS_PER_PAGE = 200     # claims on a page on average: quick to open on a phone, and a change re-renders few


def starts_page(document_id: str, claims_count: int) -> bool:
    """Whether a page of claims starts at this document's claims.  Decided by the
    document alone (a draw from its id's hash, weighted by how many claims it
    adds), never by where the previous page began: a change to one document
    moves at most the cut before it, so the other pages stay as they were (and an
    incremental build renders only the page it is on)."""
    draw = int.from_bytes(hashlib.blake2b(document_id.encode("utf-8"), digest_size=8).digest(), "big") / 2.0 ** 64
    return draw * CLAIMS_PER_PAGE < claims_count


def claim_pages(claims: Sequence[Claim]) -> list[Sequence[Claim]]:
    """Claims (grouped by document, as sorted) cut into pages at document boundaries:
    one document's claims stay on one page, except a document with more than a
    page's worth.  Pages hold CLAIMS_PER_PAGE claims on average and at most twice that."""
    most = 2 * CLAIMS_PER_PAGE
    pages: list[Sequence[Claim]] = []
    current: list[Claim] = []
    for document_id, group in groupby(claims, key=lambda c: c.document_id):
        run = list(group)
        if current and (starts_page(document_id, len(run)) or len(current) + len(run) > most):
            pages.append(current)
            current = []
        while len(run) > most:
            pages.append(run[:most])
            run = run[most:]
        current.extend(run)
    if current or not pages:
        pages.append(current)
    return pages


def paged(claims: Sequence[Claim], url_for) -> Iterator[tuple[str, Sequence[Claim], list[tuple[int, str, bool]]]]:
    """(url, the claims on it, [(page number, url, is this page)]) for each page of a list."""
    pages = claim_pages(claims)
    n_pages = len(pages)
    urls = [url_for(n) for n in range(1, n_pages + 1)]
    for n in range(1, n_pages + 1):
        # a window of pages (first, last, and three either side), not every page:
        # listing every page on every page would grow with the square of the archive
        window = sorted({1, n_pages, *range(max(1, n - 3), min(n_pages, n + 3) + 1)})
        pager = [(k, urls[k - 1], k == n) for k in window] if n_pages > 1 else []
        yield urls[n - 1], pages[n - 1], pager


def render_analysis_pages(ctx, env: Environment) -> Iterator[tuple[str, bytes]]:
    """The analysis pages and data files, rendered: (site-relative path, bytes)."""
    for item in analysis_pages(ctx, env):
        yield (item.rel, item.render(env)) if isinstance(item, PageSpec) else item
    yield page_file(ctx.urls.data("claims.csv"), ctx.urls.base), claims_csv(claims_in_csv_order(ctx.analysis.claims))


def claims_in_csv_order(claims: Iterable[Claim]) -> list[Claim]:
    """By document, then where the claim starts in its text."""
    return sorted(claims, key=lambda c: (c.document_id, c.start, c.id))


def analysis_pages(ctx, env: Environment) -> Iterator[PageSpec | tuple[str, bytes]]:
    """The analysis pages still to render, and its data files already made."""
    ix = index_for(ctx)
    u = ctx.urls
    base = u.base
    events = ix.events_in_order
    claims = claims_in_csv_order(ctx.analysis.claims)
    yield _render(env, "events.html", u.events(), base, events=events, records=ix.records, source_name=source_label)
    for e in events:
        yield event_page(ix, u, e, page_file(u.event(e.id), base))
    years: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        years[e.edtf[:4]].append(e)
    timeline = dict(years=sorted(years.items()), records=ix.records, source_name=source_label)
    # its documents' lists are made only when the page is rendered (the fingerprint takes the events)
    yield PageSpec(page_file(u.timeline(), base), "timeline.html",
                   lambda: dict(timeline, documents_html={e.id: timeline_documents_html(ix, u, e) for e in events}),
                   timeline)
    facets = claim_facets(ix, claims)
    # The filters (one entry per kind, event and source, each with its size) are shown
    # on the first claims page only; every other page links back to it.  Each page of
    # the full list also lists the documents of its own claims, each linking to the
    # claims section of its document page: a list of every document on one page would
    # grow with the archive, and a page per document repeated its document page.
    filters = {name: [(u.claims_facet(name, key), heading, len(members)) for key, heading, members in groups]
               for name, groups in facets.items()}
    for url, rows, pager in paged(claims, u.claims):
        first = not pager or pager[0][2]
        yield claims_page(ix, u, page_file(url, base), rows, facet=None, group=None, pager=pager,
                          total=len(claims) if first else None, facets=filters if first else {},
                          documents=document_counts(ix, rows, u), facet_titles=FACET_TITLES)
    for facet, groups in facets.items():
        for key, heading, members in groups:
            for url, rows, pager in paged(members, lambda n: u.claims_facet(facet, key, n)):
                yield claims_page(ix, u, page_file(url, base), rows, facet=facet, group=heading, pager=pager,
                                  total=len(members) if not pager or pager[0][2] else None, facets={},
                                  documents=(), facet_titles=FACET_TITLES)
    yield page_file(u.data("events.json"), base), events_json(events)
    # data/claims.csv is written by render.write_claims_csv (from the previous
    # build's rows where a document's claims did not change)


# --- data ---------------------------------------------------------------------------


def events_json(events: Sequence[Event]) -> bytes:
    return dumps({"events": [
        {"id": e.id, "label": e.label, "label_basis": e.label_basis, "edtf": e.edtf, "places": list(e.places),
         "names_used": [{"name": n, "documents": list(d)} for n, d in e.names_used],
         "documents": list(e.documents), "mentioned_by": list(e.mentioned_by),
         "figures": [{"measure": f.measure, "value": _json_number(f.value), "low": _json_number(f.low),
                      "high": _json_number(f.high), "qualifier": f.qualifier,
                      "documents": list(f.documents), "claims": list(f.claims)} for f in e.figures],
         "claims": list(e.claims)}
        for e in events]})


def _json_number(x: float | None) -> int | float | None:
    """147.0 -> 147: counts of people read as whole numbers."""
    return int(x) if x is not None and float(x).is_integer() else x


CSV_COLUMNS = ("claim", "document", "event", "kind", "measure", "value", "low", "high", "qualifier", "quote")


def _csv_number(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def claims_csv(claims: Sequence[Claim]) -> bytes:
    """One row per figure of a claim (one row for a claim without figures), in the order given."""
    return "".join(claims_csv_fragments(claims)).encode("utf-8")


def claims_csv_fragments(claims: Iterable[Claim],
                         reuse: Callable[[str, Sequence[Claim]], Any] = lambda d, c: None) -> Iterator[Any]:
    """claims_csv as a stream of text: the header, then the rows of each run of
    claims of one document.  `reuse` may stand for a run's rows (e.g. where they
    are in the previous build's file): what it gives, unless None, is yielded in
    their place."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    yield out.getvalue()
    for document_id, run in groupby(claims, key=attrgetter("document_id")):
        run = tuple(run)
        rows = reuse(document_id, run)
        if rows is None:
            out.seek(0)
            out.truncate()
            for c in run:
                common = [c.id, c.document_id, c.event_id or "", c.kind]
                for f in c.figures or (None,):
                    if f is None:
                        w.writerow(common + ["", "", "", "", "", c.quote])
                    else:
                        w.writerow(common + [f.measure, _csv_number(f.value), _csv_number(f.low),
                                             _csv_number(f.high), f.qualifier, c.quote])
            rows = out.getvalue()
        yield rows
