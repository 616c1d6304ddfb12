"""Event, timeline and claims pages, events.json and claims.csv, on invented documents."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings, strategies as st
from jinja2 import ChoiceLoader, FileSystemLoader
from markupsafe import Markup, escape
from test_related import make_record

from archive_builder.analyse import analyse_claims
from archive_builder.config import Config
from archive_builder.editorial import Editorial
from archive_builder.model import (Agent, Analysis, Claim, Event, EventFigure, Figure, Reason, Reference, Relation,
                                   SharedPassage, Sourced)
from archive_builder.render import SiteContext, environment
from archive_builder.render_analysis import claims_csv, document_context, html_text, render_analysis_pages
from archive_builder.urls import Urls

BODY_A = ("On 3 May 2001 the river flooded Riverton after days of rain. 12 people were killed in the flood. "
          "Residents call it the Great Flood.")
BODY_B = ("On the night of 3 to 4 May 2001 the dam failure flooded Riverton. 14 people were killed and 40 injured. "
          "In May 2001 the council of Riverton met.")
BODY_C = "On 4 May 2001 rescuers reached Riverton. 12 people were killed, the rescuers said."


def make_claim(doc: str, body: str, n: int, quote: str, *, edtf: str | None, figures=(), kind="event",
               how: str = "stated") -> Claim:
    start = body.index(quote)
    figs = []
    for measure, text, value in figures:
        at = body.index(text, start)
        figs.append(Figure(measure, value, None, None, "exact", "people", text, at, at + len(text)))
    dates = ((edtf, edtf, how),) if edtf else ()
    return Claim(f"{doc}-c{n}", doc, kind, quote, start, start + len(quote), tuple(figs), dates,
                 (("Riverton", "riverton"),) if "Riverton" in quote else ())


def site(tmp_path=None):
    records = [make_record("river-a", BODY_A, author="Riverton Council", date="2001-05-10"),
               make_record("river-b", BODY_B, author="Lakeside Committee", date="2001-06-01"),
               make_record("river-c", BODY_C, author="Rescue Service", date="2001-05-05")]
    claims = [
        make_claim("river-a", BODY_A, 1, "On 3 May 2001 the river flooded Riverton after days of rain.", edtf="2001-05-03"),
        make_claim("river-a", BODY_A, 2, "12 people were killed in the flood.", edtf="2001-05-03", how="context",
                   figures=[("killed", "12 people were killed", 12)], kind="casualties"),
        make_claim("river-b", BODY_B, 1, "On the night of 3 to 4 May 2001 the dam failure flooded Riverton.",
                   edtf="2001-05-03/2001-05-04"),
        make_claim("river-b", BODY_B, 2, "14 people were killed and 40 injured.", edtf="2001-05-03/2001-05-04", how="context",
                   figures=[("killed", "14 people were killed", 14), ("injured", "40 injured", 40)], kind="casualties"),
        make_claim("river-b", BODY_B, 3, "In May 2001 the council of Riverton met.", edtf="2001-05", kind="official act"),
        make_claim("river-c", BODY_C, 1, "On 4 May 2001 rescuers reached Riverton.", edtf="2001-05-04"),
        make_claim("river-c", BODY_C, 2, "12 people were killed, the rescuers said.", edtf="2001-05-04", how="context",
                   figures=[("killed", "12 people were killed", 12)], kind="casualties"),
    ]
    names = {"river-a": [("the Great Flood", BODY_A.index("the Great Flood"), BODY_A.index("the Great Flood") + 15)]}
    analysis = analyse_claims(records, claims, names, Editorial())
    urls = Urls("/archive/")
    ctx = SiteContext(records=records, analysis=analysis, config=Config(), urls=urls, editorial=Editorial())
    return ctx, environment(ctx.config, urls)


def pages():
    ctx, env = site()
    return ctx, dict(render_analysis_pages(ctx, env))


def test_event_page_shows_accounts_figures_and_disagreement():
    ctx, out = pages()
    [event] = ctx.analysis.events
    assert event.label == "Riverton, 3–4 May 2001"
    html = out[f"events/{event.id}/index.html"].decode()
    assert "Sources differ" in html
    assert "12 <span class=\"count\">(2 sources)</span>" in html and "14 <span class=\"count\">(1 source)</span>" in html
    for c in ctx.analysis.claims:
        if c.event_id == event.id:
            assert f'href="/archive/documents/{c.document_id}/#claim-{c.id}"' in html
    assert "Riverton Council states:" in html and "Lakeside Committee states:" in html
    assert "“the Great Flood”: used by" in html
    assert "Referred to by" not in html


def test_each_figure_value_links_to_a_quote_containing_it():
    ctx, _ = pages()
    claims = {c.id: c for c in ctx.analysis.claims}
    [event] = ctx.analysis.events
    for f in event.figures:
        for cid in f.claims:
            assert f"{int(f.value)}" in claims[cid].quote


def test_index_timeline_and_claims_pages_and_facets():
    ctx, out = pages()
    [event] = ctx.analysis.events
    assert event.label in out["events/index.html"].decode()
    timeline = out["timeline/index.html"].decode()
    assert timeline.index("Riverton Council") > timeline.index(event.label)
    claims = out["claims/index.html"].decode()
    assert claims.count("states:") == len(ctx.analysis.claims)
    for facet_page in ("claims/kind/casualties/index.html", f"claims/event/{event.id}/index.html",
                       "claims/source/lakeside-committee/index.html", "claims/event/none/index.html"):
        assert facet_page in out
    assert out["claims/kind/casualties/index.html"].decode().count("states:") == 3
    assert out["claims/source/lakeside-committee/index.html"].decode().count("Lakeside Committee (") == 3
    assert 'href="/archive/claims/source/rescue-service/">Rescue Service</a> <span class="count">(2)</span>' in claims


def test_no_page_per_document_the_claims_list_links_to_each_documents_claims_section():
    ctx, out = pages()
    claims = out["claims/index.html"].decode()
    assert not [p for p in out if p.startswith("claims/source/river-")]
    # each document with claims, with its count, linked to the claims section of its page
    assert ('<a href="/archive/documents/river-b/#claims-heading">Lakeside Committee (1 June 2001): Document river-b</a>'
            ' <span class="count">(3)</span>') in claims
    assert claims.count("#claims-heading") == len({c.document_id for c in ctx.analysis.claims})
    # the section they link to, on each document page, holding every claim of the document
    env = environment(ctx.config, ctx.urls)
    for record in ctx.records:
        section = env.get_template("partials/document_analysis.html").render(
            analysis_for_doc=document_context(ctx, record))
        assert '<h2 id="claims-heading">' in section
        assert section.count("#claim-") == sum(c.document_id == record.id for c in ctx.analysis.claims)


def test_documents_are_listed_on_the_page_of_their_claims_only(monkeypatch):
    from archive_builder import render_analysis

    monkeypatch.setattr(render_analysis, "CLAIMS_PER_PAGE", 1)
    _, out = pages()
    listed = [out[p].decode() for p in ("claims/index.html", "claims/page/2/index.html",
                                        "claims/page/3/index.html", "claims/page/4/index.html")]
    # river-b's three claims are cut over pages 2 and 3: both list it, with all its claims
    assert [[d for d in ("river-a", "river-b", "river-c") if f"/documents/{d}/#claims-heading" in page] for page in listed] \
        == [["river-a"], ["river-b"], ["river-b"], ["river-c"]]
    assert 'river-b/#claims-heading">Lakeside Committee (1 June 2001): Document river-b</a> <span class="count">(3)</span>' \
        in listed[2]
    # the filters by kind, event and source are on the first page only
    assert 'id="filter-source"' in listed[0] and not any('id="filter-source"' in page for page in listed[1:])


def test_claims_by_source_group_a_sources_documents_and_the_unknown_ones_together():
    from archive_builder.analyse import analyse_claims

    records = [make_record("a1", BODY_A, author="Riverton Council"), make_record("a2", BODY_C, author="Riverton Council"),
               make_record("b", BODY_B, author="riverton council"),  # one slug: one page, under both names
               make_record("x", BODY_A), make_record("y", BODY_C)]   # neither author nor publisher
    claims = [make_claim(r.id, r.body, 1, r.body.split(". ")[0] + ".", edtf=None) for r in records]
    ctx = SiteContext(records=records, analysis=analyse_claims(records, claims, {}, Editorial()), config=Config(),
                      urls=Urls("/"), editorial=Editorial())
    out = dict(render_analysis_pages(ctx, environment(ctx.config, ctx.urls)))
    assert sorted(p for p in out if p.startswith("claims/source/")) == [
        "claims/source/_unknown/index.html", "claims/source/riverton-council/index.html"]
    council = out["claims/source/riverton-council/index.html"].decode()
    assert "Claims by source: Riverton Council / riverton council</h1>" in council and council.count(" states: ") == 3
    unknown = out["claims/source/_unknown/index.html"].decode()
    assert "Author and publisher not known" in unknown and unknown.count(" states: ") == 2
    first = out["claims/index.html"].decode()
    assert first.index('href="/claims/source/riverton-council/"') < first.index('href="/claims/source/_unknown/"')


def test_every_link_to_a_claims_page_leads_to_a_rendered_page(monkeypatch):
    import re

    from archive_builder import render_analysis

    for per_page in (1, 200):
        monkeypatch.setattr(render_analysis, "CLAIMS_PER_PAGE", per_page)
        _, out = pages()
        for path, body in out.items():
            if path.endswith(".html"):
                for target in re.findall(r'href="/archive/(claims/[^"#]*)', body.decode()):
                    assert target + "index.html" in out, (path, target)


def test_events_json_and_claims_csv():
    ctx, out = pages()
    data = json.loads(out["data/events.json"])
    [e] = data["events"]
    assert set(e) >= {"id", "label", "edtf", "places", "names_used", "documents", "figures", "claims"}
    assert [(f["measure"], f["value"], f["documents"]) for f in e["figures"]] == [
        ("injured", 40, ["river-b"]), ("killed", 12, ["river-a", "river-c"]), ("killed", 14, ["river-b"])]
    rows = list(csv.DictReader(io.StringIO(out["data/claims.csv"].decode())))
    assert len(rows) == sum(max(1, len(c.figures)) for c in ctx.analysis.claims)
    killed = [r for r in rows if r["measure"] == "killed"]
    assert sorted(r["value"] for r in killed) == ["12", "12", "14"]
    assert all(r["value"] in r["quote"] for r in killed)


def test_csv_quotes_commas_and_newlines():
    claim = Claim("d-c1", "d", "event", 'He said, "yes"\nand left', 0, 10)
    rows = list(csv.reader(io.StringIO(claims_csv([claim]).decode())))
    assert rows[1][-1] == 'He said, "yes"\nand left'


def test_document_context_gives_the_partial_everything():
    ctx, env = site()
    by_id = {r.id: r for r in ctx.records}
    a = document_context(ctx, by_id["river-a"])
    assert [e["role"] for e in a["events"]] == ["describes"]
    assert {r["record"].id for r in a["related"]} == {"river-b", "river-c"}
    assert all(any(x.kind == "shared event" for x in r["reasons"]) for r in a["related"])
    assert [item["claim"].id for item in a["claims"]] == ["river-a-c1", "river-a-c2"]
    html = env.get_template("partials/document_analysis.html").render(analysis_for_doc=a)
    assert 'data-pagefind-filter="event"' in html and "Shared event: both describe" in html
    assert 'href="/archive/documents/river-a/#claim-river-a-c2"' in html


def test_rendering_is_deterministic():
    assert pages()[1] == pages()[1]


def test_long_claim_lists_are_split_into_pages_at_document_boundaries(monkeypatch):
    from archive_builder import render_analysis

    # one claim per page on average: every document starts a page, and river-b's
    # three claims are more than a page may hold (twice the average), so they are cut
    monkeypatch.setattr(render_analysis, "CLAIMS_PER_PAGE", 1)
    ctx, out = pages()
    n = len(ctx.analysis.claims)
    listed = [out[p].decode() for p in ("claims/index.html", "claims/page/2/index.html",
                                        "claims/page/3/index.html", "claims/page/4/index.html")]
    assert "claims/page/5/index.html" not in out
    assert [page.count(" states: ") for page in listed] == [2, 2, 1, 2]
    assert "river-a-c2" in listed[0] and "river-b-c1" in listed[1] and "river-b-c3" in listed[2]
    assert 'href="/archive/claims/page/2/"' in listed[0]
    # the total is on the first page; the others count their own claims
    assert f"{n} claims</h2>" in listed[0] and "2 claims on this page</h2>" in listed[1]
    assert "1 claim on this page</h2>" in listed[2] and f"{n} claims</h2>" not in listed[1]


def synthetic_claims(counts: dict[str, int]) -> list[Claim]:
    return [Claim(f"{doc}-c{k}", doc, "event", "q", k, k + 1, (), (), ())
            for doc, count in sorted(counts.items()) for k in range(count)]


def test_claim_pages_keep_a_documents_claims_together_and_average_claims_per_page():
    from archive_builder.render_analysis import CLAIMS_PER_PAGE, claim_pages

    counts = {f"doc-{i:05d}": 1 + (i * 7919) % 23 for i in range(3000)}
    claims = synthetic_claims(counts)
    cut = claim_pages(claims)
    assert [c for page in cut for c in page] == claims
    assert all(len(page) <= 2 * CLAIMS_PER_PAGE for page in cut)
    assert all(page[0].document_id != previous[-1].document_id for previous, page in zip(cut, cut[1:]))
    assert CLAIMS_PER_PAGE / 2 < len(claims) / len(cut) < CLAIMS_PER_PAGE * 2
    assert claim_pages([]) == [[]]


def test_a_change_to_one_document_leaves_the_other_claim_pages_as_they_were():
    from archive_builder.render_analysis import claim_pages

    counts = {f"doc-{i:05d}": 1 + (i * 7919) % 23 for i in range(3000)}
    before = claim_pages(synthetic_claims(counts))
    for changed, new_count in (("doc-01500", counts["doc-01500"] + 9), ("doc-00700", 0), ("doc-02222", 1)):
        after = claim_pages(synthetic_claims({**counts, changed: new_count}))
        pages_before = {tuple(c.id for c in page) for page in before}
        pages_after = {tuple(c.id for c in page) for page in after}
        # the page the document is on changes, and where a run of documents drew no cut
        # (pages cut at the most a page holds) the pages after it up to the next drawn cut;
        # a fixed number of claims a page would have changed every later page
        assert 1 <= len(pages_before - pages_after) <= 3 and len(pages_after - pages_before) <= 3
    assert len(before) > 50


def test_document_context_lists_documents_it_cites_and_passages_linked_both_ways():
    from archive_builder.model import Analysis, Reference, SharedPassage

    shared = "the council declared the flooding a disaster caused by negligence of the dam operators"
    letter = make_record("letter", "A letter. " + shared, header=(("symbol", "A/60/100"),))
    reply = make_record("reply", "We answer the letter A/60/100. " + shared,
                        references=(Reference("the letter A/60/100", "un-symbol", 1, symbol="A/60/100", relation="answers"),))
    passage = SharedPassage("p1", "letter", 10, 10 + len(shared), "reply", 31, 31 + len(shared), 1.0)
    ctx = SiteContext(records=[letter, reply], analysis=Analysis(passages=(passage,)), config=Config(),
                      urls=Urls("/"), editorial=Editorial())
    env = environment(ctx.config, ctx.urls)
    mine = document_context(ctx, reply)
    assert [(c["record"].id, c["reference"].relation) for c in mine["cites"]] == [("letter", "answers")]
    theirs = document_context(ctx, letter)
    assert [c["record"].id for c in theirs["cited_by"]] == ["reply"]
    assert mine["passages"][0]["text"] == shared and mine["passages"][0]["other_url"] == "/documents/letter/#passage-p1"
    html = env.get_template("partials/document_analysis.html").render(analysis_for_doc=mine)
    assert 'Answers <a href="/documents/letter/">' in html and 'id="passage-p1"' in html


# --- pages written in Python, against the templates they replace ------------------------------------
# tests/reference_templates/ holds the templates as they were when Jinja laid out every row
# (partials/document_analysis.html, ...); the pages must come out byte for byte the same.

REFERENCE_TEMPLATES = Path(__file__).resolve().parent / "reference_templates"
TEXTS = st.sampled_from(["", "Plain", "a <b> & \"c\" 'd'", "é “x”", "{{ x }}", "two\nlines", "Statement"])
NAMES = st.sampled_from(["Ministry <A>", "Council & co", "O'Brien", "Riverton Council", "é"])
IDS = ["d1", "d2", "d<3>", "d&4"]


def reference_environment(env):
    reference = env.overlay()
    reference.loader = ChoiceLoader([FileSystemLoader(str(REFERENCE_TEMPLATES)), env.loader])
    return reference


@st.composite
def analysed_sites(draw):
    """A few documents with hostile text and every part the analysis pages show: claims with
    figures and events (some missing), events naming documents (some not in the archive),
    relations with reasons, shared passages, references resolved by UN symbol."""
    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=4, unique=True))
    symbols = ["A/60/100", "A/60/200"]
    records = []
    for d in ids:
        body = draw(st.sampled_from(["First <line> & more. Second “line”.", "Plain body text here.", "x" * 40]))
        record = make_record(d, body, date=draw(st.sampled_from([None, "2001-05-03", "2001", "2001-05-03/.."])),
                             author=draw(st.one_of(st.none(), NAMES)),
                             header=(("symbol", draw(st.sampled_from(symbols))),) if draw(st.booleans()) else (),
                             references=tuple(Reference(draw(TEXTS), "un-symbol", 1, symbol=draw(st.sampled_from(symbols)),
                                                        relation=draw(st.sampled_from(["cites", "answers"])))
                                              for _ in range(draw(st.integers(0, 2)))))
        record = replace(record, title=Sourced(draw(st.one_of(st.none(), TEXTS)), "stated"),
                         publisher=Sourced(draw(st.one_of(st.none(), st.builds(Agent, NAMES))), "stated"))
        records.append(record)
    some_ids = st.sampled_from(ids + ["gone"])
    event_ids = [f"e{k}" for k in range(draw(st.integers(0, 3)))]
    claims = []
    for r in records:
        for n in range(draw(st.integers(0, 3))):
            start = draw(st.integers(0, len(r.body)))
            figures = tuple(Figure(draw(st.sampled_from(["killed", "a<b>"])), 12.0, None, None, "exact", None,
                                   draw(TEXTS), 0, 1) for _ in range(draw(st.integers(0, 2))))
            claims.append(Claim(f"{r.id}-c{n}", r.id, draw(st.sampled_from(["event", "casualties", "x & y"])),
                                draw(TEXTS.filter(bool)), start, start + 1, figures,
                                event_id=draw(st.sampled_from([None, "e-gone", *event_ids]))))
    claim_ids = [c.id for c in claims]
    events = []
    for e in event_ids:
        figures = tuple(EventFigure(draw(st.sampled_from(["killed", "a<b>"])), draw(st.sampled_from([None, 12.0, 1.5e6])),
                                    draw(st.sampled_from([None, 3.0])), draw(st.sampled_from([None, 40.0])),
                                    draw(st.sampled_from(["exact", "approximate", "range", "at least", "odd <q>"])),
                                    tuple(draw(st.lists(some_ids, max_size=3))),
                                    tuple(draw(st.lists(st.sampled_from(claim_ids + ["c-gone"]), max_size=3))))
                        for _ in range(draw(st.integers(0, 3))))
        events.append(Event(e, draw(TEXTS), draw(st.sampled_from(["generated", "curated"])),
                            draw(st.sampled_from(["2001-05-03", "2001-05-03/2001-05-04", "2001"])),
                            tuple(draw(st.lists(TEXTS, max_size=2))),
                            tuple((draw(TEXTS), tuple(draw(st.lists(some_ids, max_size=3))))
                                  for _ in range(draw(st.integers(0, 2)))),
                            tuple(draw(st.lists(some_ids, max_size=3, unique=True))),
                            tuple(draw(st.lists(some_ids, max_size=2, unique=True))),
                            tuple(draw(st.lists(st.sampled_from(claim_ids + ["c-gone"]), max_size=4))), figures))
    relations = tuple(Relation(draw(some_ids), draw(some_ids), 1.0,
                               tuple(Reason(draw(st.sampled_from(["shared event", "reply", "x<y>", "éa"])), draw(TEXTS), 1.0)
                                     for _ in range(draw(st.integers(0, 2)))))
                      for _ in range(draw(st.integers(0, 4))))
    passages = []
    for k in range(draw(st.integers(0, 3))):
        a, b = draw(some_ids), draw(some_ids)
        passages.append(SharedPassage(draw(st.sampled_from([f"p{k}", f"p<{k}>"])), a, draw(st.integers(0, 5)),
                                      draw(st.integers(5, 30)), b, draw(st.integers(0, 5)), draw(st.integers(5, 30)),
                                      draw(st.sampled_from([0.0, 0.005, 0.5, 0.995, 0.999, 1.0]))))
    analysis = Analysis(claims=tuple(claims), events=tuple(events), relations=relations, passages=tuple(passages))
    base = draw(st.sampled_from(["/", "/archive/"]))
    return SiteContext(records=records, analysis=analysis, config=Config(), urls=Urls(base), editorial=Editorial())


@settings(max_examples=200, deadline=None)
@given(analysed_sites())
def test_the_document_analysis_partial_is_what_the_reference_template_makes(ctx):
    env = environment(ctx.config, ctx.urls)
    partial = "partials/document_analysis.html"
    new, old = env.get_template(partial), reference_environment(env).get_template(partial)
    for record in ctx.records:
        analysis_for_doc = document_context(ctx, record)
        assert new.render(analysis_for_doc=analysis_for_doc) == old.render(analysis_for_doc=analysis_for_doc)
    assert new.render(analysis_for_doc=None) == old.render(analysis_for_doc=None) == ""


@given(st.one_of(st.text(), st.integers(), st.none(), st.floats(allow_nan=False), st.just(Markup("<b>&amp;</b>"))))
def test_html_text_is_what_autoescape_writes(value):
    assert html_text(value) == str(escape(value))
    assert type(html_text(value)) is str


@settings(max_examples=150, deadline=None)
@given(analysed_sites(), st.sampled_from([1, 2, 200]))
def test_event_and_claims_pages_are_what_the_reference_templates_make(ctx, per_page):
    from archive_builder import render_analysis
    from archive_builder.output import PageSpec

    env = environment(ctx.config, ctx.urls)
    reference = reference_environment(env)
    old_per_page, render_analysis.CLAIMS_PER_PAGE = render_analysis.CLAIMS_PER_PAGE, per_page
    try:
        pages = [item for item in render_analysis.analysis_pages(ctx, env) if isinstance(item, PageSpec)]
    finally:
        render_analysis.CLAIMS_PER_PAGE = old_per_page
    assert {"event.html", "claims.html"} & {page.template for page in pages}
    for page in pages:
        values = page.values() if callable(page.values) else page.values
        assert page.render(env).decode() == reference.get_template(page.template).render(**values), page.rel
