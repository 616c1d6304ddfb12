"""Browse lists: by date, type, language and place, with counts; every metadata value
on a document page links to the list of documents sharing it.

Hand-built records and claims (no seed knowledge); the seed build is crawled only
for the link from each document page to each of its lists."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, strategies as st

from archive_builder.model import Claim, Sourced
from archive_builder.render import (language_list, place_list, render_site,
                                    type_list, year_list)
from archive_builder.urls import Urls

from test_render import context, make_record, parse


def dated(id: str, edtf: str | None, basis: str = "stated", **fields):
    date = Sourced(edtf, basis, "x", 1) if edtf else Sourced.unknown()
    return make_record(id, date=date, **fields)


def claim(doc: str, n: int, *places: tuple[str, str]) -> Claim:
    return Claim(f"{doc}-c{n}", doc, "event", "First paragraph.", 0, 16, places=tuple(places))


def test_years_are_listed_in_order_with_undated_last_and_uncertain_dates_by_their_bounds():
    records = [dated("a", "2021-02-08"), dated("b", None), dated("c", "2021-01-13/..", "inferred"),
               dated("d", "2021-01", "inferred"), dated("e", "1990-01-19/1990-01-20"), dated("f", "../2020")]
    years = year_list(records)
    assert [(e.label, e.documents) for e in years.entries] == [
        ("1990", ("e",)), ("2020", ("f",)), ("2021", ("d", "c", "a")), ("Undated", ("b",))]
    assert years.entry_for("2021").slug == "2021" and years.entry_for(None) is None


@given(st.lists(st.sampled_from(["2021-01-20", "2021-01", "2021", "2021-01-13/..", "../2021-02", "2021-01-20?",
                                 "1990-01-19/1990-01-20", None]), min_size=1, max_size=8))
def test_date_order_is_a_total_order_independent_of_input_order(values):
    records = [dated(f"r{i}", v) for i, v in enumerate(values)]
    forward = [e.documents for e in year_list(records).entries]
    backward = [e.documents for e in year_list(records[::-1]).entries]
    assert forward == backward
    assert sum(len(d) for d in forward) == len(records)


def test_types_and_languages_count_their_documents():
    records = [make_record("a"), make_record("b", document_type=Sourced("letter", "stated", "x", 1)),
               make_record("c", language=Sourced("fr", "stated", "x", 1))]
    assert [(e.label, len(e.documents)) for e in type_list(records).entries] == [("Letter", 1), ("Statement", 2)]
    assert [(e.label, e.slug, len(e.documents)) for e in language_list(records).entries] == [
        ("English (en)", "english-en", 2), ("French (fr)", "french-fr", 1)]


def test_a_place_is_named_by_its_most_used_spelling_and_keeps_every_other():
    records = {r.id: r for r in (make_record("a"), make_record("b"), make_record("c"))}
    claims = [claim("a", 1, ("Sumgait", "sumgait")), claim("a", 2, ("Sumgait", "sumgait")),
              claim("b", 1, ("Sumgait", "sumgait"), ("Baku", "baku")), claim("c", 1, ("Sumgayit", "sumgait"))]
    places = place_list(records, claims)
    sumgait = places.entry_for("sumgait")
    assert sumgait.label == "Sumgait" and sumgait.slug == "sumgait"
    assert sumgait.documents == ("a", "b", "c")
    assert sumgait.names_used == (("Sumgait", ("a", "b")), ("Sumgayit", ("c",)))
    assert [e.label for e in places.entries] == ["Baku", "Sumgait"]


def test_place_slug_follows_the_key_not_the_most_used_name():
    records = {r.id: r for r in (make_record("a"), make_record("b"))}
    claims = [claim("a", 1, ("Tskhinvali", "place-7")), claim("b", 1, ("Tskhinval", "place-7"))]
    entry = place_list(records, claims).entries[0]
    assert entry.slug == "place-7" and {n for n, _ in entry.names_used} == {"Tskhinvali", "Tskhinval"}


def site_pages(ctx) -> dict[str, str]:
    return {rel: data.decode("utf-8") for rel, data in render_site(ctx) if rel.endswith(".html")}


def test_browse_pages_and_document_links():
    records = [dated("a", "2021-01", "inferred"), dated("b", "2021-01-13/..", "inferred")]
    claims = [claim("a", 1, ("Sumgait", "sumgait")), claim("b", 1, ("Sumgayit", "sumgait"))]
    ctx = context(records, claims)
    u = Urls("/archive/")
    pages = site_pages(ctx)
    rel = lambda url: url[len("/archive/"):] + "index.html"
    browse = pages[rel(u.browse())]
    for url in (u.years(), u.authors(), u.publishers(), u.events(), u.places(), u.doc_types(), u.languages()):
        assert f'href="{url}"' in browse
    assert f'href="{u.browse()}"' in pages["index.html"]           # the nav and the home page
    year_page = pages[rel(u.year("2021"))]
    assert "January 2021</time> (inferred)" in year_page
    assert "on or after 13 January 2021</span> (inferred)" in year_page
    assert year_page.index(u.document("a")) < year_page.index(u.document("b"))
    assert f'href="{u.doc_type("statement")}"' in year_page          # list entries link their type too
    place_page = pages[rel(u.place("sumgait"))]
    assert "also written: Sumgayit (1 document" in place_page
    assert "also written: Sumgayit (1 document)" in pages[rel(u.places())]
    doc = pages[rel(u.document("b"))]
    for url in (u.year("2021"), u.doc_type("statement"), u.language("english-en"), u.place("sumgait"),
                u.author("ministry-of-examples"), u.publisher("example-news")):
        assert f'href="{url}"' in doc, url
    assert "(written here: Sumgayit)" in doc


def test_seed_document_pages_link_every_list_they_belong_to(seed_site: Path, base_url: str):
    for page in sorted((seed_site / "documents").glob("*/index.html")):
        hrefs = {a.get("href", "") for tag, a in parse(page.read_text(encoding="utf-8")).tags if tag == "a"}
        for kind in ("browse/dates/", "browse/types/", "browse/languages/", "authors/"):
            assert any(h.startswith(base_url + kind) for h in hrefs), f"{page}: no link to {kind}"
