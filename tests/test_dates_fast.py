"""The fast paths inside find_dates give exactly what the plain scans give.

`_alt` groups alternations by first letter and `_rule_matches` tries some
rules only where a number or a month name begins; both are checked here
against the straightforward versions on generated text."""

import re

from hypothesis import given, settings, strategies as st

from archive_builder import dates
from archive_builder.dates import _alt, _flat_alt, _rule_matches, _rules

_PIECES = ["20", "1990", "1980s", "3", "31", "19-20", "January", "JANUARY", "june", "Sept.", "May", "march",
           "Dec", "early", "late", "mid-", "the end of the", "Very start of the", "amid", "middle", "years", "ago", "passed", "since", "anniversary",
           "thirty-one", "thirty one", "thirtieth", "a", "year", "in", "from", "to", "and", "of", "the",
           "century", "XX", "spring", "(2001)", "1990-01-20", "20.01.1990", "1948–53", "people", "%",
           "января", "1990 г.", "février", "März", "20.", "S/2021/42", "26,000", "ſ", "K", "İ",
           " ", "  ", "\n", ",", ".", "-", "–", "/", "’s", "'s", "x1990", "A/75/710",
           # month names glued to words, part words inside words, a decade after them
           "xJanuary", "Januaryx", "SEPT", "sept", "friend", "closend", "ſtart", "ſ", "Late", "MID", "1990s",
           "1980’s", "the", "of the", "very", "beginning", "close", "end",
           # cue words before a year
           "c.", "ca.", "x.in", "As of", "as  of", "the year", "years", "winter", "fall of", "Summer", "İn",
           # punctuation between a month and its number
           "January,", "Sept.,", "février,", "мая,"]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=40).map(" ".join) | st.lists(
    st.sampled_from(_PIECES), max_size=40).map("".join)
_LANGS = st.sampled_from(["en", "ru", "fr", "de", "az"])


def _spans(matches):
    return [(m.span(), m.groupdict()) for m in matches]


@settings(max_examples=300, deadline=None)
@given(text=_TEXT, lang=_LANGS)
def test_rules_tried_at_their_starts_match_as_a_full_scan(text, lang):
    for rule in _rules(lang):
        assert _spans(_rule_matches(rule, text, {})) == _spans(rule.pattern.finditer(text)), rule.name


def test_some_rules_are_tried_only_at_their_starts():
    # otherwise the test above would compare a full scan with itself
    assert {r.name for r in _rules("ru") if r.starts is not None} >= {"dmy", "my", "dmy_ru", "my_ru", "decade", "decade_part",
                                                                      "cued_year", "season"}


_WORDS = st.lists(st.text(alphabet="abtTJjsSſkK İı-. ", min_size=1, max_size=5), min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(words=_WORDS, text=st.text(alphabet="abtTJjsSſkK İı-. x", max_size=30),
       flags=st.sampled_from([0, re.IGNORECASE]), tail=st.sampled_from(["", r"\b", r"\s+x", r"(?!\w)"]))
def test_grouped_alternation_matches_as_the_flat_one(words, text, flags, tail):
    grouped = re.compile(f"(?:{_alt(words)}){tail}", flags)
    flat = re.compile(f"(?:{_flat_alt(words)}){tail}", flags)
    assert [m.span() for m in grouped.finditer(text)] == [m.span() for m in flat.finditer(text)]
    for i in range(len(text) + 1):
        a, b = grouped.match(text, i), flat.match(text, i)
        assert (a and a.span()) == (b and b.span())


def test_number_words_are_grouped_by_first_letter():
    assert dates._CARD_RX != _flat_alt(dates._CARDINALS)
    assert dates._CARD_RX.startswith(("a(?:", "t(?:", "f(?:", "o(?:", "s(?:", "e(?:", "n(?:", "h(?:"))


_CUES_FLAT = (r"in|since|from|to|until|till|through|by|during|before|after|of|around|"
              r"circa|c\.|ca\.|about|early|late|year|as\s+of|end\s+of|beginning\s+of|"
              r"start\s+of|middle\s+of|between|summer\s+of|spring\s+of|autumn\s+of|"
              r"winter\s+of|fall\s+of")


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(_PIECES + ["c.", "ca.", "circa", "as of", "As  Of", "start of", "summer of",
                                                 "until", "till", "IN", "since"]), max_size=30).map(" ".join))
def test_grouped_year_cues_match_as_the_flat_list(text):
    grouped, flat = (re.compile(rf"(?<![\w])(?i:{cues})\s+\d") for cues in (dates._EN_CUES, _CUES_FLAT))
    assert [m.span() for m in grouped.finditer(text)] == [m.span() for m in flat.finditer(text)]
    assert dates._EN_CUES != _CUES_FLAT


def test_a_body_is_scanned_once_for_the_rules_that_need_no_anchor():
    body = "On 20 January 1990 troops entered Baku. Today marks the 31st anniversary of the late 1980s events."
    dates._find_dates_cached.cache_clear()
    dates._plain_candidates.cache_clear()
    plain = dates.find_dates(body)
    anchored = dates.find_dates(body, anchor="2021-01-20")
    assert dates._plain_candidates.cache_info().hits == 1
    assert [m.text for m in plain] == ["20 January 1990", "late 1980s"]
    assert [(m.text, m.edtf, m.kind) for m in anchored if m.kind == "relative"] == [
        ("31st anniversary", "1990", "relative")]


@settings(max_examples=200, deadline=None)
@given(text=_TEXT, lang=_LANGS, anchor=st.sampled_from([None, "2021-01-20", "2021/2022", "2021-01-13/.."]),
       default_year=st.sampled_from([None, 1990]))
def test_shared_candidates_give_what_a_fresh_scan_gives(text, lang, anchor, default_year):
    warm = dates._find_dates(text, language=lang, anchor=anchor, default_year=default_year)
    dates._plain_candidates.cache_clear()
    cold = dates._find_dates(text, language=lang, anchor=anchor, default_year=default_year)
    assert warm == cold


def test_words_before_a_number_are_tried_only_before_numbers():
    # "friend" holds "end" but is no start; "the end of the 1980s" is, and so is
    # "mid-"; cue words ("end of", "of", "in", "year") only where a number follows
    # within four words: not "in the spring of the year"
    text = "a friend at the end of the 1980s, mid-1990s, in the year 1993 and in the spring of the year"
    assert dates._positions(dates._BEFORE_NUMBER["part"], text, {}) == [16, 34]
    assert dates._positions(dates._BEFORE_NUMBER["cue"], text, {}) == [16, 20, 45, 52]
    assert [(m.text, m.edtf) for m in dates.find_dates(text)] == [
        ("end of the 1980s", "1985~/1989~"), ("mid-1990s", "1993~/1997~"), ("1993", "1993")]


def test_month_starts_include_every_month_a_rule_can_read():
    text = "On 5 January 1990, xJanuary, SEPT. 1991 and in june 1992 (not may 1993) and May 1994"
    # "xJanuary" (20) is tried and fails; lower-case "may" is no month
    assert [m.start() for m in dates._month_start("en").finditer(text)] == [5, 20, 29, 47, 76]
    assert [m.text for m in dates.find_dates(text)] == ["5 January 1990", "SEPT. 1991", "june 1992", "May 1994"]


_NEAR_NUMBER = ["January,", "January", "Sept.,", "Sept.", "of", "the", "year", "20th", "20", "1990", "1980s", " ", "  ",
                ",", "-", "mid-", "very", "end of the", "very end of the", "as of the year", "in", "c.", "spring", "x",
                "мая,", "мая", "février"]


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(_NEAR_NUMBER), max_size=10).map(" ".join)
       | st.lists(st.sampled_from(_NEAR_NUMBER), max_size=10).map("".join), lang=_LANGS)
def test_rules_tried_before_numbers_match_as_a_full_scan(text, lang):
    # few pieces, short texts: the words that may stand between a rule's first
    # word and its number come together often
    for rule in _rules(lang):
        assert _spans(_rule_matches(rule, text, {})) == _spans(rule.pattern.finditer(text)), rule.name


def test_punctuation_between_a_month_and_its_year():
    assert [(m.text, m.edtf) for m in dates.find_dates("in January, 1990 and Sept., 1991, on January the 20th, 1992")] == [
        ("January, 1990", "1990-01"), ("Sept., 1991", "1991-09"), ("January the 20th, 1992", "1992-01-20")]


def _dates_by_the_plain_scans(text, lang, anchor, default_year):
    """find_dates as a scan of every rule whose trigger regex matches, the
    candidates all chosen together (no word pre-check, no shared results)."""
    ctx = dates._Ctx(text, lang, anchor, dates._anchor_years(anchor), default_year)
    plain = dates._Ctx(text, lang, None, None, None)
    cands = []
    for order, rule in enumerate(_rules(lang)):
        if (rule.needs == "anchor" and ctx.anchor_years is None) or (rule.needs == "default_year"
                                                                     and default_year is None):
            continue
        if rule.trigger.search(text) is None:
            continue
        for m in rule.pattern.finditer(text):
            for c in rule.build(m, plain if rule.needs is None else ctx) or ():
                if c.end > c.start:
                    cands.append((order, c.start, c))
    return dates._chosen(text, lang, cands) if text else []


_RELATIVE_PIECES = ["31 years ago", "three decades ago", "30 years agone", "31 years passed since", "2 years have passed",
                    "a year has gone by", "thirty years elapsed", "it has been 31 years since",
                    "it's now been three decades since", "the 31st anniversary", "thirtieth anniversary",
                    "30-year anniversary", "31 anniversaries", "20th century", "XX century", "31 years paſſed",
                    "the 30th anniverſary", "ago", "been", "passed", "gone", "lasted", "1990 to 1995", "since 1991",
                    "thirty one years have now passed", "thirty-one decades had now elapsed", "twenty first anniversary",
                    "twenty-first anniversary", "thirty one year anniversary", "x-31 years ago", "(31st anniversary)",
                    "31,", "years", "now", "have", "a", "one", "—", "’s", "\n"]
_CASED = st.tuples(st.sampled_from(_PIECES + _RELATIVE_PIECES), st.sampled_from([str, str.upper, str.title])).map(
    lambda piece_and_case: piece_and_case[1](piece_and_case[0]))


@settings(max_examples=400, deadline=None)
@given(text=st.lists(_CASED, max_size=20).map(" ".join),
       lang=_LANGS, anchor=st.sampled_from([None, "", "2021-01-20", "2021/2022", "../2001", "1991-08-24/.."]),
       default_year=st.sampled_from([None, 1990]), asked_plainly_first=st.booleans())
def test_word_pre_checks_and_shared_plain_dates_give_what_the_plain_scans_give(
        text, lang, anchor, default_year, asked_plainly_first):
    # the trigger words looked up in the lower-cased ASCII text, and the dates
    # without anchor reused when the anchor's rules find nothing
    if asked_plainly_first:
        dates._find_dates(text, language=lang)
    else:
        dates._plain_dates.cache_clear()
        dates._plain_candidates.cache_clear()
    assert dates._find_dates(text, language=lang, anchor=anchor, default_year=default_year) == \
        _dates_by_the_plain_scans(text, lang, anchor, default_year)


def test_trigger_words_are_known_for_the_relative_rules():
    # otherwise the test above compares the regex pre-check with itself
    assert {r.name for r in _rules("en") if r.words} >= {"rel_ago", "rel_passed", "rel_been", "rel_anniversary"}
    assert all(word == word.lower() and word.isascii() for r in _rules("en") for word in r.words)


def test_only_the_four_letters_lower_case_or_match_under_ignorecase_as_ascii_letters():
    # what _lower_case_as_regex relies on, checked over every code point
    ascii_letter = re.compile(r"(?i)[a-z]")
    folding = [chr(cp) for cp in range(128, 0x110000)
               if ascii_letter.fullmatch(chr(cp)) or any("a" <= c <= "z" or "A" <= c <= "Z" for c in chr(cp).lower())]
    assert folding == list(dates._FOLDING_TO_ASCII)
    assert dates._lower_case_as_regex("it’s 31 years ago") and not dates._lower_case_as_regex("31 years paſſed")


@settings(max_examples=400, deadline=None)
@given(text=st.lists(_CASED, max_size=12).map(" ".join) | st.lists(_CASED, max_size=12).map("".join))
def test_relative_rules_tried_before_their_words_match_as_a_full_scan(text):
    rules = [rule for rule in _rules("en") if isinstance(rule.starts, dates._BeforeWord)]
    assert {rule.name for rule in rules} == {"rel_ago", "rel_passed", "rel_anniversary", "rel_year_anniversary"}
    for rule in rules:
        assert _spans(_rule_matches(rule, text, {})) == _spans(rule.pattern.finditer(text)), rule.name


def test_positions_before_a_word_cover_the_runs_before_it():
    text = "Now thirty one years have passed; x ago"
    assert dates._positions(dates._BEFORE_WORD["rel_passed"], text, {}) == list(range(0, 26))
    assert dates._positions(dates._BEFORE_WORD["rel_ago"], text, {}) == list(range(33, 36))
    assert dates._positions(dates._BEFORE_WORD["rel_ago"], "31 years paſſed, 2 years ago", {}) is None


def _anniversaries_by_the_plain_scans(text, lang):
    found, taken = [], []
    for rule in _rules(lang):
        if rule.build is not dates._b_relative or not rule.trigger.search(text):
            continue
        for m in rule.pattern.finditer(text):
            n = dates._rel_number(m)
            if not n:
                continue
            if (m.groupdict().get("unit") or "").lower().startswith("decade"):
                n *= 10
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append((n, m.start(), m.end(), m.group(0)))
    return sorted(found, key=lambda t: (t[1], t[2]))


@settings(max_examples=300, deadline=None)
@given(text=st.lists(_CASED, max_size=12).map(" ".join), lang=_LANGS)
def test_anniversaries_found_as_by_the_plain_scans(text, lang):
    assert dates.find_anniversaries(text, language=lang) == _anniversaries_by_the_plain_scans(text, lang)
