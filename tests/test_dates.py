"""Tests for archive_builder.dates: finding and normalising dates to EDTF."""

from __future__ import annotations

import datetime
from functools import lru_cache

import pytest
from edtf import parse_edtf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive_builder.dates import (
    DateMention,
    edtf_bounds,
    edtf_sort_key,
    edtf_year,
    find_anniversaries,
    find_dates,
    format_edtf,
    parse_stated_date,
)


@lru_cache(maxsize=None)
def _valid(edtf: str) -> bool:
    """Valid EDTF *and* a real calendar span (the edtf package accepts 1990-02-31).
    Cached: parse_edtf is slow (pyparsing) and the property tests repeat values."""
    parse_edtf(edtf)
    return edtf_bounds(edtf) is not None


def _edtfs(text: str, **kw) -> list[str]:
    return [m.edtf for m in find_dates(text, **kw)]


def _check_mentions(text: str, mentions: list[DateMention]) -> None:
    last_end = 0
    for m in mentions:
        assert text[m.start:m.end] == m.text
        assert m.start >= last_end, "sorted and non-overlapping"
        assert m.end > m.start
        assert m.kind in ("stated", "relative")
        assert _valid(m.edtf), m.edtf
        assert format_edtf(m.edtf)
        last_end = m.end


# --------------------------------------------------------------------------
# The phrase table
# --------------------------------------------------------------------------

STATED = [
    # phrase, expected EDTFs (in order), expected text of the first mention
    ("January 19-20, 1990", ["1990-01-19/1990-01-20"], "January 19-20, 1990"),
    ("January 19–20, 1990", ["1990-01-19/1990-01-20"], "January 19–20, 1990"),
    ("the night of January 19 to 20, 1990", ["1990-01-19/1990-01-20"], "January 19 to 20, 1990"),
    ("On the night of January 19 to 20, 1990", ["1990-01-19/1990-01-20"], "January 19 to 20, 1990"),
    ("over the night from 19 to 20 January 1990", ["1990-01-19/1990-01-20"], "19 to 20 January 1990"),
    ("the night of 19/20 January 1990", ["1990-01-19/1990-01-20"], "19/20 January 1990"),
    ("in the night of 20 January 1990", ["1990-01-20"], "20 January 1990"),
    ("20 January 1990", ["1990-01-20"], "20 January 1990"),
    ("January 20, 1990", ["1990-01-20"], "January 20, 1990"),
    ("January 13, 1990", ["1990-01-13"], "January 13, 1990"),
    ("JANUARY 20, 1990", ["1990-01-20"], "JANUARY 20, 1990"),
    ("Sept. 20, 1990", ["1990-09-20"], "Sept. 20, 1990"),
    ("the 20th of January, 1990", ["1990-01-20"], "20th of January, 1990"),
    ("in January 1990", ["1990-01"], "January 1990"),
    ("the events of January 1990", ["1990-01"], "January 1990"),
    ("in February 1994", ["1994-02"], "February 1994"),
    ("in 1948-1953", ["1948/1953"], "1948-1953"),
    ("in 1948–53", ["1948/1953"], "1948–53"),
    ("from 1948 to 1953", ["1948/1953"], "from 1948 to 1953"),
    ("between 1948 and 1953", ["1948/1953"], "between 1948 and 1953"),
    ("30 January – 2 February 1990", ["1990-01-30/1990-02-02"], "30 January – 2 February 1990"),
    ("from 20 January 1990 to 5 February 1991", ["1990-01-20/1991-02-05"],
     "from 20 January 1990 to 5 February 1991"),
    ("in the late 1980s", ["1985~/1989~"], "late 1980s"),
    ("At the end of the 1980s", ["1985~/1989~"], "end of the 1980s"),
    ("in the early 1990s", ["1990~/1994~"], "early 1990s"),
    ("in the mid-1980s", ["1983~/1987~"], "mid-1980s"),
    ("in the 1980s", ["198X"], "1980s"),
    ("November 10, 2020", ["2020-11-10"], "November 10, 2020"),
    ("starting in November 1987", ["1987-11/.."], "starting in November 1987"),
    ("since February 1988", ["1988-02/.."], "since February 1988"),
    ("from 1990 onwards", ["1990/.."], "from 1990 onwards"),
    ("until 1953", ["../1953"], "until 1953"),
    ("On 22 January 1990", ["1990-01-22"], "22 January 1990"),
    ("On 18 October 1991", ["1991-10-18"], "18 October 1991"),
    ("22 July 2020", ["2020-07-22"], "22 July 2020"),
    ("in 2005", ["2005"], "2005"),
    ("in 1990, 1991 and 1993", ["1990", "1991", "1993"], "1990"),
    ("the 20th century", ["19XX"], "20th century"),
    ("the twentieth century", ["19XX"], "twentieth century"),
    ("the XX century", ["19XX"], "XX century"),
    ("the early 20th century", ["1900~/1933~"], "early 20th century"),
    ("in the spring of 1990", ["1990-21"], "spring of 1990"),
    ("1990-01-20", ["1990-01-20"], "1990-01-20"),
    ("20.01.1990", ["1990-01-20"], "20.01.1990"),
    ("Distr.: General 9 February 2021", ["2021-02-09"], "9 February 2021"),
    ("20 January", [], None),          # no year, no default_year: skipped
    ("On January 18", [], None),
]


@pytest.mark.parametrize("phrase, expected, first_text", STATED, ids=[p for p, _, _ in STATED])
def test_stated_phrases(phrase, expected, first_text):
    mentions = find_dates(phrase)
    assert [m.edtf for m in mentions] == expected
    assert all(m.kind == "stated" for m in mentions)
    if first_text is not None:
        assert mentions[0].text == first_text
    _check_mentions(phrase, mentions)


NOT_DATES = [
    "24 regions", "613 civilians", "147 civilians", "26,000 Soviet troops",
    "Agenda items 34, 35, 40, 71, 72, 86 and 135", "A/75/710-S/2021/42",
    "paras. 154–178", "16 px", "1,300-year old", "2 million people",
    "pp. 1948-1953", "of 2000 civilians", "May 2000 people were displaced",
    "the 2020 elections",
]


@pytest.mark.parametrize("phrase", NOT_DATES)
def test_non_dates(phrase):
    assert find_dates(phrase) == []
    assert find_dates(phrase, anchor="2021-01-20", default_year=1990) == []


def test_un_symbol_year_is_not_a_date_but_a_cued_year_is():
    text = "document A/75/710-S/2021/42 was issued in 2021"
    mentions = find_dates(text)
    assert [(m.text, m.edtf) for m in mentions] == [("2021", "2021")]
    assert mentions[0].start == text.rindex("2021")


@pytest.mark.parametrize("phrase", [
    "February 31, 1990", "31 February 1990", "February 30 - 31, 1990", "April 31, 2001",
    "1990-02-31", "31.02.1990", "February 29, 1990",
])
def test_impossible_dates_give_no_day(phrase):
    # Nothing, or at most the month ("31 February 1990" still says February 1990).
    mentions = find_dates(phrase)
    assert [m.edtf for m in mentions] in ([], [phrase[-4:] + "-02"], ["1990-02"])
    _check_mentions(phrase, mentions)


def test_impossible_us_order_date_gives_nothing():
    assert find_dates("February 31, 1990") == []


def test_leap_day_is_fine():
    assert _edtfs("February 29, 2000") == ["2000-02-29"]


# --------------------------------------------------------------------------
# default_year
# --------------------------------------------------------------------------

@pytest.mark.parametrize("phrase, expected", [
    ("On January 18", ["1990-01-18"]),
    ("20 January", ["1990-01-20"]),
    ("on the night of 19 to 20 January", ["1990-01-19/1990-01-20"]),
])
def test_default_year_fills_yearless_dates(phrase, expected):
    mentions = find_dates(phrase, default_year=1990)
    assert [m.edtf for m in mentions] == expected
    assert mentions[0].kind == "stated"
    assert "default_year" in (mentions[0].reasoning or "")


def test_default_year_never_overrides_a_stated_year():
    assert _edtfs("January 18, 1991", default_year=1990) == ["1991-01-18"]
    # A year out of our range must not make "January 18" take the default.
    assert _edtfs("January 18, 2150", default_year=1990) == []


# --------------------------------------------------------------------------
# Relative expressions
# --------------------------------------------------------------------------

RELATIVE = [
    # phrase, anchor, expected (text, edtf) of the relative mention
    ("31 years passed since the January 20, 1990 events", "2021-01-20",
     ("31 years passed since", "1990")),
    ("33 years ago", "2023-01-20", ("33 years ago", "1990")),
    ("33 years have passed", "2023-01-20", ("33 years have passed", "1990")),
    ("Today marks the 30th anniversary of the tragedy", "2020-01-20", ("30th anniversary", "1990")),
    ("the thirtieth anniversary", "2020-01-20", ("thirtieth anniversary", "1990")),
    ("Thirty-three years ago", "2023", ("Thirty-three years ago", "1990")),
    ("It has been 31 years since", "2021-01-20", ("It has been 31 years since", "1990")),
    ("three decades ago", "2020", ("three decades ago", "1990~")),
    ("33 years ago", "2021-01-13/..", ("33 years ago", "1988")),
    ("33 years ago", "2023/2024", ("33 years ago", "1990/1991")),
]


@pytest.mark.parametrize("phrase, anchor, expected", RELATIVE, ids=[f"{p} @ {a}" for p, a, _ in RELATIVE])
def test_relative_phrases(phrase, anchor, expected):
    mentions = find_dates(phrase, anchor=anchor)
    rel = [m for m in mentions if m.kind == "relative"]
    assert [(m.text, m.edtf) for m in rel] == [expected]
    assert anchor in rel[0].reasoning and "document date" in rel[0].reasoning
    _check_mentions(phrase, mentions)


def test_relative_reasoning_text():
    [m] = [m for m in find_dates("31 years passed since then", anchor="2021-01-20")]
    assert m.reasoning == "31 years before 2021-01-20 (document date)"


def test_relative_with_stated_date_in_same_sentence():
    text = "31 years passed since the January 20, 1990 events"
    mentions = find_dates(text, anchor="2021-01-20")
    assert [(m.kind, m.edtf) for m in mentions] == [("relative", "1990"), ("stated", "1990-01-20")]


@pytest.mark.parametrize("anchor", [None, "", "not a date", "1990-02-31"])
def test_relative_skipped_without_usable_anchor(anchor):
    text = "33 years ago; the 30th anniversary; 31 years passed since January 20, 1990"
    mentions = find_dates(text, anchor=anchor)
    # Only the stated date, and "since" after "years passed" is no open interval.
    assert [(m.kind, m.edtf) for m in mentions] == [("stated", "1990-01-20")]


def test_find_anniversaries():
    text = ("the 31st anniversary; 31 years passed since X; 33 years ago; "
            "the thirtieth anniversary; 33 years have passed")
    found = find_anniversaries(text)
    assert [(n, t) for n, _, _, t in found] == [
        (31, "31st anniversary"), (31, "31 years passed since"), (33, "33 years ago"),
        (30, "thirtieth anniversary"), (33, "33 years have passed")]
    for n, start, end, t in found:
        assert text[start:end] == t
    assert find_anniversaries("613 civilians in 1990") == []


# --------------------------------------------------------------------------
# Other languages
# --------------------------------------------------------------------------

@pytest.mark.parametrize("text, language, expected", [
    ("January 20, 2023", "en", "2023-01-20"),
    ("8 February 2021", "en", "2021-02-08"),
    ("Distr.: General 9 February 2021", "en", "2021-02-09"),
    ("2021", "en", "2021"),
    ("20 января 2021 г.", "ru", "2021-01-20"),
    ("20-го января 1990 года", "ru", "1990-01-20"),
    ("январь 1990", "ru", "1990-01"),
    ("в 1990 году", "ru", "1990"),
    ("20 yanvar 2021", "az", "2021-01-20"),
    ("20 Yanvar 1990-cı il", "az", "1990-01-20"),
    ("8 février 2021", "fr", "2021-02-08"),
    ("le 1er mars 1990", "fr", "1990-03-01"),
    ("20. Januar 1990", "de", "1990-01-20"),
    ("20 de enero de 1990", "es", "1990-01-20"),     # dateparser fallback
    ("20 січня 2021", "uk", "2021-01-20"),            # dateparser fallback
])
def test_parse_stated_date(text, language, expected):
    assert parse_stated_date(text, language) == expected
    assert _valid(expected)


@pytest.mark.parametrize("text, language", [
    ("20 января", "ru"),          # no year: never take "this year"
    ("3 дня назад", "ru"),         # relative: not a stated date
    ("hier", "fr"),
    ("yesterday", "en"),
    ("20 January", "en"),
    ("", "en"),
    ("February 31, 1990", "en"),
    ("no date here", "xx-unknown"),
])
def test_parse_stated_date_never_invents(text, language):
    assert parse_stated_date(text, language) is None


def test_find_dates_in_russian_text():
    text = "События 20 января 1990 года в Баку; в 1980-х годах; 31 год назад"
    mentions = find_dates(text, language="ru", anchor="2021-01-20")
    assert [m.edtf for m in mentions] == ["1990-01-20", "198X", "1990"]
    _check_mentions(text, mentions)


# --------------------------------------------------------------------------
# EDTF helpers
# --------------------------------------------------------------------------

@pytest.mark.parametrize("edtf, label", [
    ("2021-01-20", "20 January 2021"),
    ("2021-01", "January 2021"),
    ("2021", "2021"),
    ("1990-01-19/1990-01-20", "19–20 January 1990"),
    ("1990-01-30/1990-02-02", "30 January – 2 February 1990"),
    ("1990-12-30/1991-01-02", "30 December 1990 – 2 January 1991"),
    ("1990-01/1990-03", "January–March 1990"),
    ("1948/1953", "1948–1953"),
    ("1985~/1989~", "the late 1980s"),
    ("1980~/1984~", "the early 1980s"),
    ("1900~/1933~", "the early 20th century"),
    ("198X", "the 1980s"),
    ("19XX", "the 20th century"),
    ("2021-01-13/..", "on or after 13 January 2021"),
    ("1987-11/..", "on or after November 1987"),
    ("../1953", "on or before 1953"),
    ("1990~", "about 1990"),
    ("1990?", "1990 (uncertain)"),
    ("1990%", "about 1990 (uncertain)"),
    ("1990-01-20~", "about 20 January 1990"),
    ("1990-21", "spring 1990"),
    (None, "unknown date"),
])
def test_format_edtf(edtf, label):
    assert format_edtf(edtf) == label


def test_format_edtf_never_raises_on_odd_input():
    for odd in ["", "garbage", "/", "../..", "1990/1980/1970", "[1990..1992]", "1990-13", "1990-02-31"]:
        assert isinstance(format_edtf(odd), str)


@pytest.mark.parametrize("edtf, bounds", [
    ("1990-01-20", (datetime.date(1990, 1, 20), datetime.date(1990, 1, 20))),
    ("1990-02", (datetime.date(1990, 2, 1), datetime.date(1990, 2, 28))),
    ("1948/1953", (datetime.date(1948, 1, 1), datetime.date(1953, 12, 31))),
    ("198X", (datetime.date(1980, 1, 1), datetime.date(1989, 12, 31))),
    ("1985~/1989~", (datetime.date(1985, 1, 1), datetime.date(1989, 12, 31))),
    ("2021-01-13/..", (datetime.date(2021, 1, 13), datetime.date.max)),
    ("../1953", (datetime.date.min, datetime.date(1953, 12, 31))),
    ("1990-21", (datetime.date(1990, 3, 1), datetime.date(1990, 5, 31))),
    (None, None),
    ("garbage", None),
    ("1990-02-31", None),
])
def test_edtf_bounds(edtf, bounds):
    assert edtf_bounds(edtf) == bounds


@pytest.mark.parametrize("edtf, year", [
    ("1990-01-20", 1990), ("1948/1953", 1948), ("198X", 1980), ("19XX", 1900),
    ("1987-11/..", 1987), ("../1953", 1953), ("1985~/1989~", 1985), (None, None), ("junk", None),
])
def test_edtf_year(edtf, year):
    assert edtf_year(edtf) == year


def test_edtf_sort_key_orders_by_earliest_day_unknown_last():
    values = [None, "1990", "1990-01-20", "1989-12-31", "198X", "1990-01-19/1990-01-20",
              "2021-01-13/..", "../1953", "junk", "1985~/1989~"]
    ordered = sorted(values, key=edtf_sort_key)
    assert ordered == ["../1953", "198X", "1985~/1989~", "1989-12-31", "1990",
                       "1990-01-19/1990-01-20", "1990-01-20", "2021-01-13/..", "junk", None]


# --------------------------------------------------------------------------
# Property tests
# --------------------------------------------------------------------------

_TOKENS = [
    "January", "February", "May", "Sept.", "20", "19", "31", "1990", "2021", "1948", "-", "–", "/",
    ",", ".", "to", "and", "in", "since", "from", "the", "late", "1980s", "20th", "century",
    "years", "ago", "passed", "anniversary", "30th", "33", "of", "night", "(", ")", "2020-21",
    "1990-01-20", "20.01.1990", "S/2021/42", "26,000", "people", "января", "yanvar", "г.",
]

_ANCHORS = st.sampled_from([None, "2021-01-20", "2023", "2021-01-13/..", "2021/2022", "junk"])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=200), anchor=_ANCHORS,
       default_year=st.one_of(st.none(), st.integers(1000, 2099)),
       language=st.sampled_from(["en", "ru", "az", "fr", "de"]))
def test_random_text_never_breaks(text, anchor, default_year, language):
    mentions = find_dates(text, language=language, anchor=anchor, default_year=default_year)
    _check_mentions(text, mentions)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(tokens=st.lists(st.sampled_from(_TOKENS), max_size=25),
       seps=st.lists(st.sampled_from([" ", "", "  ", "\n"]), min_size=25, max_size=25),
       anchor=_ANCHORS, default_year=st.one_of(st.none(), st.integers(1000, 2099)),
       language=st.sampled_from(["en", "ru", "az"]))
def test_date_like_text_never_breaks(tokens, seps, anchor, default_year, language):
    text = "".join(t + s for t, s in zip(tokens, seps))
    mentions = find_dates(text, language=language, anchor=anchor, default_year=default_year)
    _check_mentions(text, mentions)
    for m in mentions:
        edtf_sort_key(m.edtf)
        edtf_year(m.edtf)
    assert sorted(mentions, key=lambda m: m.start) == mentions


_MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"]
_FORMATS = [
    lambda d: f"{d.day} {_MONTH_NAMES[d.month - 1]} {d.year}",
    lambda d: f"{_MONTH_NAMES[d.month - 1]} {d.day}, {d.year}",
    lambda d: f"{_MONTH_NAMES[d.month - 1]} {d.day} {d.year}",
    lambda d: f"the {d.day}th of {_MONTH_NAMES[d.month - 1]} {d.year}",
    lambda d: d.isoformat(),
    lambda d: d.strftime("%d.%m.%Y"),
]


@given(day=st.dates(datetime.date(1000, 1, 1), datetime.date(2099, 12, 31)),
       fmt=st.sampled_from(range(len(_FORMATS))),
       before=st.sampled_from(["", "On ", "It happened on ", "(", "Distr.: General "]),
       after=st.sampled_from(["", ".", ", when", " in Baku", ")"]))
def test_generated_dates_round_trip(day, fmt, before, after):
    phrase = _FORMATS[fmt](day)
    text = before + phrase + after
    mentions = find_dates(text)
    assert [m.edtf for m in mentions] == [day.isoformat()]
    assert mentions[0].text == phrase.removeprefix("the ")
    assert edtf_bounds(mentions[0].edtf) == (day, day)
    assert format_edtf(mentions[0].edtf) == f"{day.day} {_MONTH_NAMES[day.month - 1]} {day.year}"


@given(a=st.dates(datetime.date(1000, 1, 1), datetime.date(2099, 12, 31)),
       span=st.integers(1, 40))
def test_generated_ranges_round_trip(a, span):
    b = a + datetime.timedelta(days=span)
    if b.year > 2099:
        return
    if a.year == b.year and a.month == b.month:
        text = f"{_MONTH_NAMES[a.month - 1]} {a.day}–{b.day}, {a.year}"
    elif a.year == b.year:
        text = f"{a.day} {_MONTH_NAMES[a.month - 1]} – {b.day} {_MONTH_NAMES[b.month - 1]} {a.year}"
    else:
        text = (f"from {a.day} {_MONTH_NAMES[a.month - 1]} {a.year} to "
                f"{b.day} {_MONTH_NAMES[b.month - 1]} {b.year}")
    assert _edtfs(text) == [f"{a.isoformat()}/{b.isoformat()}"]


@given(y=st.integers(1000, 2099), m=st.integers(1, 12), d=st.integers(29, 31))
def test_month_ends_valid_or_absent(y, m, d):
    mentions = find_dates(f"{_MONTH_NAMES[m - 1]} {d}, {y}")
    try:
        datetime.date(y, m, d)
    except ValueError:
        assert mentions == []
    else:
        assert [x.edtf for x in mentions] == [f"{y:04d}-{m:02d}-{d:02d}"]


@given(edtf=st.one_of(
    st.sampled_from([s for _, exp, _ in STATED for s in exp]),
    st.from_regex(r"\A[0-9X]{4}(-[0-9X]{2}(-[0-9X]{2})?)?[?~%]?(/(\.\.|[0-9]{4}(-[0-9]{2})?)?)?\Z"),
    st.text(max_size=30),
))
def test_helpers_never_raise(edtf):
    assert isinstance(format_edtf(edtf), str)
    key = edtf_sort_key(edtf)
    assert key < edtf_sort_key(None) or edtf is None
    edtf_year(edtf)
    edtf_bounds(edtf)


@given(a=st.sampled_from([s for _, exp, _ in STATED for s in exp] + [None, "junk"]),
       b=st.sampled_from([s for _, exp, _ in STATED for s in exp] + [None, "junk"]))
def test_sort_key_is_a_total_order(a, b):
    ka, kb = edtf_sort_key(a), edtf_sort_key(b)
    assert (ka < kb) or (ka > kb) or (ka == kb and a == b)


def test_the_very_end_of_a_decade_is_its_end():
    # "very" used to be looked up as the edge word itself, and find_dates raised KeyError
    assert [(m.text, m.edtf) for m in find_dates("at the very end of the 1980s and the very beginning of the 20th century")] == [
        ("very end of the 1980s", "1985~/1989~"), ("very beginning of the 20th century", "1900~/1933~")]
