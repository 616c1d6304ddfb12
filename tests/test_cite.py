"""Citations (archive_builder.cite): expected strings reasoned out by hand from the
style rules the module states, plus properties: BibTeX escaping, CSL-JSON shape,
and that no citation ever gains a day (or month) the date does not state."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, strategies as st

from archive_builder.cite import (apa, bibtex, bibtex_escape, bibtex_key, chicago, chicago_note, citations, csl,
                                  is_person)
from archive_builder.model import Agent, Record, Sourced

URL = "https://example.org/archive/documents/doc-1/"
SITE = "Test archive"
SHA = "ab" * 32
NOTE = f"Capture SHA-256: {SHA}."

CSL_TYPES = {"article", "article-journal", "article-magazine", "article-newspaper", "bill", "book", "broadcast",
             "chapter", "classic", "collection", "dataset", "document", "entry", "entry-dictionary",
             "entry-encyclopedia", "event", "figure", "graphic", "hearing", "interview", "legal_case",
             "legislation", "manuscript", "map", "motion_picture", "musical_score", "pamphlet",
             "paper-conference", "patent", "performance", "periodical", "personal_communication", "post",
             "post-weblog", "regulation", "report", "review", "review-book", "software", "song", "speech",
             "standard", "thesis", "treaty", "webpage"}

MINISTRY = Agent("Ministry of Examples")
NEWS = Agent("Example News")
DOE = Agent("Jane Q. Doe", title="Ambassador, Permanent Representative", affiliation="Examplestan")
UN = Agent("United Nations", title="General Assembly Seventy-fifth session")


def record(*, title="On the anniversary", kind="statement", author=MINISTRY, publisher=NEWS,
           date="2021-01-20", basis="stated", evidence="January 20, 2021", id="doc-1") -> Record:
    return Record(
        id=id, source_file=f"{id}.txt", sha256=SHA, format="txt",
        title=Sourced(title, "stated", title, 1),
        document_type=Sourced(kind, "stated", None, 1) if kind else Sourced.unknown(),
        author=Sourced(author, "stated", None, 2) if author else Sourced.unknown(),
        publisher=Sourced(publisher, "stated", None, 3) if publisher else Sourced.unknown(),
        date=Sourced(date, basis, evidence, 4) if date else Sourced.unknown(),
        language=Sourced("en", "inferred", None, None),
        body="Text.", body_lines=(5,), removed=(), comments=(), references=())


# --- whole citations ------------------------------------------------------------


def test_organisation_author_stated_day():
    r = record()
    assert chicago(r, URL, SITE) == (
        f"Ministry of Examples. “On the anniversary.” Example News, January 20, 2021. Test archive, {URL}. {NOTE}")
    assert chicago_note(r, URL, SITE) == (
        f"Ministry of Examples, “On the anniversary,” Example News, January 20, 2021, Test archive, {URL}. {NOTE}")
    assert apa(r, URL, SITE) == (
        f"Ministry of Examples. (2021, January 20). On the anniversary [Statement]. Example News. Test archive. {URL} {NOTE}")
    item = csl(r, URL, SITE)
    assert item["author"] == [{"literal": "Ministry of Examples"}]
    assert item["issued"] == {"date-parts": [[2021, 1, 20]]}
    assert item["publisher"] == "Example News" and item["URL"] == URL and SHA in item["note"]
    entry = bibtex(r, URL, SITE)
    assert entry.startswith("@misc{doc-1,\n")
    assert "  author = {{Ministry of Examples}},\n" in entry      # a body: never split into names
    assert "  howpublished = {Example News},\n  year = {2021},\n  month = jan,\n  date = {2021-01-20},\n" in entry
    assert f"  url = {{{URL}}},\n" in entry and SHA in entry


def test_person_author_with_title():
    r = record(title="Letter dated 8 February 2021", kind="letter", author=DOE, publisher=UN,
               date="2021-02-08")
    assert is_person(DOE) and not is_person(UN) and not is_person(MINISTRY)
    assert chicago(r, URL, SITE) == (
        f"Doe, Jane Q. “Letter dated 8 February 2021.” United Nations, February 8, 2021. Test archive, {URL}. {NOTE}")
    assert chicago_note(r, URL, SITE).startswith("Jane Q. Doe, “Letter dated 8 February 2021,” United Nations, ")
    assert apa(r, URL, SITE) == (
        f"Doe, J. Q. (2021, February 8). Letter dated 8 February 2021 [Letter]. United Nations. Test archive. {URL} {NOTE}")
    assert csl(r, URL, SITE)["author"] == [{"family": "Doe", "given": "Jane Q."}]
    assert "  author = {Doe, Jane Q.},\n" in bibtex(r, URL, SITE)


def test_unknown_date_is_nd():
    r = record(date=None)
    assert "Example News, n.d. Test archive" in chicago(r, URL, SITE)
    assert "Ministry of Examples. (n.d.). On the anniversary" in apa(r, URL, SITE)
    assert "issued" not in csl(r, URL, SITE)
    entry = bibtex(r, URL, SITE)
    assert "year =" not in entry and "date =" not in entry


def test_inferred_date_in_brackets_and_noted():
    r = record(basis="inferred", evidence="31st anniversary of 20 January 1990")
    assert "Example News, [January 20, 2021]. Test archive" in chicago(r, URL, SITE)
    assert "Ministry of Examples. ([2021, January 20]). " in apa(r, URL, SITE)
    item = csl(r, URL, SITE)
    assert item["issued"] == {"date-parts": [[2021, 1, 20]]}
    assert item["note"].startswith("Date inferred by the archive: 31st anniversary of 20 January 1990. Capture SHA-256")
    assert "note = {Date inferred by the archive: 31st anniversary" in bibtex(r, URL, SITE)
    assert "[2021]" in chicago(record(date="2021", basis="inferred"), URL, SITE)
    assert "Date inferred" not in csl(record(), URL, SITE)["note"]


@pytest.mark.parametrize("edtf, chicago_date, apa_date, issued", [
    ("1990-01-19/1990-01-20", "January 19–20, 1990", "1990, January 19–20",
     {"date-parts": [[1990, 1, 19], [1990, 1, 20]], "raw": "1990-01-19/1990-01-20"}),
    ("1948/1953", "1948–1953", "1948–1953", {"date-parts": [[1948], [1953]], "raw": "1948/1953"}),
    ("1990-01/1990-03-05", "January 1990–March 5, 1990", "1990, January–1990, March 5",
     {"date-parts": [[1990, 1], [1990, 3]], "raw": "1990-01/1990-03-05"}),
    ("2021-01-13/..", "on or after January 13, 2021", "on or after 2021, January 13",
     {"literal": "on or after January 13, 2021", "raw": "2021-01-13/.."}),
    ("../1953", "on or before 1953", "on or before 1953", {"literal": "on or before 1953", "raw": "../1953"}),
    ("1990~", "ca. 1990", "ca. 1990", {"date-parts": [[1990]], "circa": True, "raw": "1990~"}),
    ("1990-01?", "January 1990?", "1990, January?", {"date-parts": [[1990, 1]], "circa": True, "raw": "1990-01?"}),
    ("1990-01-XX", "January 1990", "1990, January", {"date-parts": [[1990, 1]]}),
    ("199X", "1990s", "1990s", {"literal": "1990s", "raw": "199X"}),
    ("1990-21", "Spring 1990", "1990, Spring", {"date-parts": [[1990]], "season": 1, "raw": "1990-21"}),
])
def test_interval_and_uncertain_dates(edtf, chicago_date, apa_date, issued):
    r = record(date=edtf)
    assert f"Example News, {chicago_date}. Test archive" in chicago(r, URL, SITE)
    assert f"({apa_date})." in apa(r, URL, SITE)
    assert csl(r, URL, SITE)["issued"] == issued


def test_interval_in_bibtex_keeps_only_what_both_ends_share():
    entry = bibtex(record(date="1990-01-19/1990-01-20"), URL, SITE)
    assert "year = {1990},\n  month = jan,\n  date = {1990-01-19/1990-01-20}," in entry
    entry = bibtex(record(date="1989-12-30/1990-01-02"), URL, SITE)
    assert "year =" not in entry and "date = {1989-12-30/1990-01-02}" in entry
    entry = bibtex(record(date="2021-01-13/.."), URL, SITE)
    assert "year =" not in entry and "date = {2021-01-13/..}" in entry


def test_no_author_and_publisher_that_is_the_author():
    r = record(author=None)
    assert chicago(r, URL, SITE).startswith("“On the anniversary.” Example News, January 20, 2021.")
    assert apa(r, URL, SITE).startswith("On the anniversary [Statement]. (2021, January 20). Example News.")
    assert "author" not in csl(r, URL, SITE)
    same = record(publisher=Agent("Ministry of Examples"))
    assert "Ministry of Examples. “On the anniversary.” January 20, 2021." in chicago(same, URL, SITE)
    assert "publisher" not in csl(same, URL, SITE)


def test_titles_with_quotes_and_own_punctuation():
    quoted = record(title="Statement on the “Black January tragedy”")
    assert "“Statement on the ‘Black January tragedy.’”" in chicago(quoted, URL, SITE)
    asked = record(title="Who remembers?")
    assert "“Who remembers?” Example News" in chicago(asked, URL, SITE)
    assert "Who remembers? [Statement]." in apa(asked, URL, SITE)


def test_permalink_without_site_url_is_the_site_path():
    c = citations(record(), "/archive/documents/doc-1/")
    assert c.chicago.endswith(f"January 20, 2021. /archive/documents/doc-1/. {NOTE}")
    assert c.csl["URL"] == "/archive/documents/doc-1/" and "archive" not in c.csl


# --- BibTeX --------------------------------------------------------------------


def test_bibtex_escapes_specials():
    title = r"50% of {braces} & under_score #1 $x ^ ~ \end"
    entry = bibtex(record(title=title), URL, SITE)
    assert (r"title = {{50\% of \{braces\} \& under\_score \#1 \$x \^{} \~{} \textbackslash{}end}}") in entry


def _unescaped_braces_balanced(text: str) -> bool:
    depth = 0
    for m in re.finditer(r"\\.|[{}]", text):
        if m.group(0) == "{":
            depth += 1
        elif m.group(0) == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


@given(st.text(max_size=60))
def test_bibtex_escape_leaves_no_bare_special(text):
    escaped = bibtex_escape(text)
    assert _unescaped_braces_balanced(escaped)
    bare = re.sub(r"\\(?:textbackslash\{\}|[{}%&$#_]|\^\{\}|~\{\})", "", escaped)
    assert not re.search(r"[{}%&$#_^~\\]", bare)
    entry = bibtex(record(title=text or "x", author=Agent(text or "x")), URL, SITE)
    assert _unescaped_braces_balanced(entry)


def test_bibtex_key_is_stable_safe_and_distinct():
    assert bibtex_key("doc-1") == "doc-1" == bibtex_key("doc-1")
    a, b = bibtex_key("заявление-1"), bibtex_key("заявление-2")
    assert a != b and re.fullmatch(r"[A-Za-z0-9_:.\-]+", a) and re.fullmatch(r"[A-Za-z0-9_:.\-]+", b)
    assert bibtex_key("a b,c") != bibtex_key("a-b-c")


# --- CSL-JSON -------------------------------------------------------------------


def assert_valid_csl(item: dict) -> None:
    assert {"id", "type", "title"} <= item.keys()
    assert item["type"] in CSL_TYPES
    for name in item.get("author", []):
        assert ("literal" in name) != ("family" in name), name
        assert all(isinstance(v, str) and v for v in name.values())
    issued = item.get("issued")
    if issued is not None:
        assert issued.keys() <= {"date-parts", "season", "circa", "literal", "raw"}
        assert "date-parts" in issued or "literal" in issued
        if "date-parts" in issued:
            parts = issued["date-parts"]
            assert 1 <= len(parts) <= 2
            for p in parts:
                assert 1 <= len(p) <= 3 and all(type(x) is int for x in p)
                if len(p) > 1:
                    assert 1 <= p[1] <= 12
                if len(p) > 2:
                    assert 1 <= p[2] <= 31
    json.loads(json.dumps([item]))


@pytest.mark.parametrize("kind", ["statement", "letter", "news report", "article", "interview", "other", None])
@pytest.mark.parametrize("edtf", [None, "2021", "2021-01", "2021-01-20", "1990-01-19/1990-01-20", "1990~",
                                  "2021-01-13/..", "199X", "1990-22", "not a date"])
def test_csl_items_are_valid(kind, edtf):
    r = record(kind=kind, date=edtf)
    item = csl(r, URL, SITE)
    assert_valid_csl(item)
    parsed = json.loads(citations(r, URL, SITE).csl_json)
    assert parsed == [item]
    # written without json's slow indenting encoder, to the same bytes
    assert citations(r, URL, SITE).csl_json == json.dumps([item], ensure_ascii=False, indent=2)


# --- no day (or month) is ever made up ------------------------------------------

years = st.integers(min_value=1000, max_value=2999)


@st.composite
def edtf_points(draw):
    year = draw(years)
    month = draw(st.none() | st.integers(1, 12))
    day = draw(st.none() | st.integers(1, 28)) if month else None
    text = f"{year:04d}" + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if day else "")
    return text + draw(st.sampled_from(["", "", "?", "~"])), month, day


@given(edtf_points(), st.sampled_from(["stated", "inferred", "sidecar"]))
def test_citations_state_no_more_than_the_date(point, basis):
    edtf, month, day = point
    r = record(date=edtf, basis=basis)
    parts = csl(r, URL, SITE)["issued"]["date-parts"][0]
    assert len(parts) == 1 + (month is not None) + (day is not None)
    text = chicago(r, URL, SITE)
    months = re.findall(r"January|February|March|April|May|June|July|August|September|October|November|December",
                        text.split("”", 1)[1])
    assert bool(months) == (month is not None)
    assert ("[" in text.split("”", 1)[1]) == (basis == "inferred")
    if day is None:   # Chicago writes a day as "January 20, 2021"
        assert not re.search(r"\b(January|February|March|April|May|June|July|August|September|October|November|December) \d{1,2},",
                             text.split("”", 1)[1])
