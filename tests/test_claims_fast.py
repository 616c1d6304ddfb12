"""The per-sentence word regexes of claims.py group their alternatives by
first letter (for speed); they must find exactly what the plain alternations
find, on generated text."""

import re

from hypothesis import example, given, settings, strategies as st

from archive_builder.analyse import claims
from archive_builder.analyse.claims import (
    _EVENT_NOUN, _EVENT_NOUN_WORDS, _EVENT_VERB, _EVENT_VERB_WORDS, _NORMATIVE, _NORMATIVE_WORDS, _OFFICIAL_ACT,
    _OFFICIAL_ACT_WORDS, _by_first_letter)

_I = re.IGNORECASE
_PLAIN = {
    "official act": (_OFFICIAL_ACT, re.compile(rf"\b(?:{'|'.join(_OFFICIAL_ACT_WORDS)})\b", _I)),
    "event verb": (_EVENT_VERB, re.compile(rf"\b(?:{'|'.join(_EVENT_VERB_WORDS)})\b", _I)),
    "normative": (_NORMATIVE, re.compile(rf"\b(?:{'|'.join(_NORMATIVE_WORDS)})\s+(?:\w+\s+)?(?:be|not)\b", _I)),
    "event noun": (_EVENT_NOUN, re.compile(rf"\b({'|'.join(_EVENT_NOUN_WORDS)})(?:e?s)?\b", _I)),
}
_PIECES = ["adopted", "adopt", "Adopts", "signed the", "signed", "issued a decree", "massacres", "massacred",
           "Massacre", "floods", "flood", "fires", "storm", "stormed", "took place", "qəbul edilib", "указом",
           "KILLED", "ſhelled", "must be", "might not", "needs to", "ought to", "has to be", "Could", "be", "not", "Killing", "attacks", "attackes", "re", "un", "x", "the", "a", " ", "  ", "\n",
           ",", "-", "’"]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=25).map(" ".join) | st.lists(
    st.sampled_from(_PIECES), max_size=25).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
@example("The massacres, a flood and fires; they adopted and signed the decree; stormed")
def test_grouped_word_regexes_find_what_the_plain_ones_find(text):
    for name, (grouped, plain) in _PLAIN.items():
        assert [(m.span(), m.groups()) for m in grouped.finditer(text)] == [
            (m.span(), m.groups()) for m in plain.finditer(text)], name


def test_grouping_refuses_letters_that_match_each_other():
    assert _by_first_letter("ab", "ac", "b") == "a(?:b|c)|b(?:)"
    try:
        _by_first_letter("ka", "Kb")
    except AssertionError:
        pass
    else:
        raise AssertionError("k and K are the same letter under IGNORECASE")
    assert claims._EVENT_VERB.pattern.startswith(r"\b(?:k(?:illed)|m(?:urdered|assacred|assacres?)")


_ASCII_PIECES = [p for p in _PIECES if p.isascii()] + ["MASSACRES", "ShElLeD", "qirgin", "QIRGIN", "Qirğin",
                                                       "Signed A", "MIGHT be", "Fires", "ATTACKES", "killings"]
_ASCII_TEXT = st.lists(st.sampled_from(_ASCII_PIECES), max_size=25).map(" ".join) | st.lists(
    st.sampled_from(_ASCII_PIECES), max_size=25).map("".join)
_FOR_ASCII = {
    "official act": (_OFFICIAL_ACT, claims._OFFICIAL_ACT_ASCII), "event verb": (_EVENT_VERB, claims._EVENT_VERB_ASCII),
    "normative": (_NORMATIVE, claims._NORMATIVE_ASCII), "event noun": (_EVENT_NOUN, claims._EVENT_NOUN_ASCII),
}


@settings(max_examples=300, deadline=None)
@given(_ASCII_TEXT)
@example("QIRGIN qirgin Qırğın SIGNED THE decree; MASSACRES")
def test_the_case_sensitive_regexes_on_lower_cased_ascii_find_what_the_others_find(text):
    """_Sentence runs the _..._ASCII patterns on the lower-cased text when it is ASCII."""
    for name, (pattern, for_ascii) in _FOR_ASCII.items():
        if text.isascii():
            assert [(m.span(), tuple(g.lower() for g in m.groups())) for m in pattern.finditer(text)] == [
                (m.span(), m.groups()) for m in for_ascii.finditer(text.lower())], name


def test_a_letter_that_ignorecase_folds_to_ascii_keeps_its_ascii_twins():
    fast = claims._for_lower_ascii(re.compile(r"\b(?:qırğın|sſ)\b", re.IGNORECASE))
    assert fast.pattern == r"\b(?:q(?:ı|i)rğ(?:ı|i)n|s(?:ſ|s))\b"
    assert not fast.flags & re.IGNORECASE


_DATED_PIECES = ["20", "1", "January", "Jan", "Sept", "May", "June", "Dec.", "января", "мая", "март", "1990", ",",
                 " ", "tragedy", "events", "massacre", "pogroms", "трагедии", "the", "x", "5th", "of", "\n"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_DATED_PIECES), max_size=12).map(" ".join))
@example("the 20 January tragedy and the January 20, 1990 events; 13 января трагедии")
def test_the_date_tragedy_rule_finds_what_it_finds_without_its_first_letter_test(text):
    fast = dict(claims._NAME_RULES)["date tragedy"]
    assert fast.pattern.startswith("(?=[")
    plain = re.compile(fast.pattern[fast.pattern.index("]") + 2:])
    assert [m.span("name") for m in fast.finditer(text)] == [m.span("name") for m in plain.finditer(text)]


def test_month_first_letters_come_from_every_month_name():
    assert claims._top_level_alternatives("(?:a|b(?:c|d)|e)") == ["a", "b(?:c|d)", "e"]
    assert set("JFMASONDяфмаиосдн") <= set(claims._MONTH_FIRST_LETTERS)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["Baku", "Pogroms", "pogroms", "Black", "January", "Tragedy", "The", "the", "in",
                                 "Armenian", "Khojaly", "genocide", "Ё", "Бакинские", "x", "-", "’", " ", "\n"]),
                max_size=12).map(" ".join))
@example("the Armenian pogroms in Baku and National Mourning Day")
def test_the_named_rule_finds_what_it_finds_without_its_capital_letter_test(text):
    fast = dict(claims._NAME_RULES)["named"]
    assert fast.pattern.startswith("(?=[A-ZА-ЯЁ])")
    plain = re.compile(fast.pattern[len("(?=[A-ZА-ЯЁ])"):])
    assert [m.span("name") for m in fast.finditer(text)] == [m.span("name") for m in plain.finditer(text)]


_NAME_PIECES = sorted(set(_DATED_PIECES) | {
    "Baku", "Pogroms", "Pogrom", "Black", "Tragedy", "The", "in", "Armenian", "Khojaly", "genocide", "Бакинские",
    "National", "Mourning", "Day", "Days", "St.Petersburg", "Fire", "Wildfire", "riots", "Riots", "War", "Warsaw",
    "U.S.", "Baku’s", "x.Baku", "-", "’", "“", "”", "(", "\t", "  "})


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_NAME_PIECES), max_size=16).map(" ".join)
       | st.lists(st.sampled_from(_NAME_PIECES), max_size=16).map("".join))
@example("the Armenian pogroms in Baku, National Mourning Day and x.Baku Black January Tragedy")
@example("on 20 January, 1990 events and the January 20 tragedy; 13 января трагедии")
@example("St.Petersburg Day")
def test_name_rules_tried_only_before_their_words_find_what_finditer_finds(text):
    """names_for_events tries "date tragedy" and "named" only in the words before their last word."""
    for rule, pattern in claims._NAME_RULES:
        assert [(m.span(), m.group()) for m in claims._name_matches(rule, pattern, text, text[::-1])] == [
            (m.span(), m.group()) for m in pattern.finditer(text)], rule


_RULE_PIECES = _PIECES + ["resolution", "Resolutions", "decisions", "needs", "need", "to", "daxil olub", "daxil",
                          "elan edilib", "deportasiyalar", "deportasiya", "Deportasiyası", "x2", "2", "_", "signed_",
                          "_adopted", "adopted2", "qualified as", "went into the streets", "pogrom", "hit", "sent to"]
_SEARCHED = {
    "official act": (_OFFICIAL_ACT, claims._OFFICIAL_ACT_ASCII, claims._OFFICIAL_ACT_FIRST),
    "event verb": (_EVENT_VERB, claims._EVENT_VERB_ASCII, claims._EVENT_VERB_FIRST),
    "normative": (_NORMATIVE, claims._NORMATIVE_ASCII, claims._NORMATIVE_FIRST),
}


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_RULE_PIECES), max_size=25).map(" ".join)
       | st.lists(st.sampled_from(_RULE_PIECES), max_size=25).map("".join))
@example("The Deportasiyası began; it was DAXIL OLUB, 2adopted x_signed the needs TO be")
def test_sentences_without_a_rules_first_word_are_not_searched_and_answer_the_same(text):
    """A sentence's _Text looks a rule's first words up among the runs of letters before it searches."""
    sentence = claims._Text(text)
    for name, (pattern, for_ascii, first) in _SEARCHED.items():
        assert sentence._search(pattern, for_ascii, first) == (pattern.search(text) is not None), name


def test_first_words_are_read_from_the_alternatives():
    words, stems = claims._first_words(("resolutions?", "signed (?:a|the)", r"qəbul edil\w*", r"daxil ol\w*",
                                        r"deportasiya\w*", "needs? to", "took place", r"указ\w*"))
    assert words == {"resolution", "resolutions", "signed", "daxil", "need", "needs", "took"}
    assert stems == ("deportasiya",)


_PLACE_PIECES = ["Vell", "Oakfield", "the village of", "in", "USSR", "leadership", "Soviet", "troops", "entered",
                 "Popular Front of", "Azerbaijan", "Baku", "Moscow", "city", "town", "x", ",", ".", " ", "\n", "Ёлки"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PLACE_PIECES), max_size=14).map(" ".join), st.integers(0, 4000), st.booleans(),
       st.sampled_from([(), ("Oakfield",), ("Oakfield", "Vell")]))
@example("Soviet troops entered Baku and the village of Oakfield; the USSR leadership", 17, True, ("Oakfield",))
def test_places_and_actors_remembered_per_text_are_those_worked_out_where_the_sentence_stands(
        text, start, guess, introduced):
    """A sentence's places and actors come from its _Text, per gazetteer: the same as worked out in place."""
    from archive_builder.analyse.places import Spans, default_gazetteer, extract_actors, extract_places, make_gazetteer

    other = make_gazetteer({"places": {"oakfield": {"names": ["Oakfield"], "kind": "village"}},
                            "actors": {"Oak council": ["Oakfield"]}})
    for gazetteer in (default_gazetteer(), other, default_gazetteer()):
        spans = extract_actors(text, start, gazetteer)
        in_actors = Spans((a, b) for _, a, b in spans)
        places = claims._unique((spelling, key) for spelling, key, a, b in extract_places(
            text, start, gazetteer, guess=guess, known_names=introduced) if not in_actors.overlaps(a, b))
        marks = claims._text(text)
        assert marks.places(gazetteer, guess, introduced) == places
        assert marks.actors(gazetteer) == claims._unique(label for label, _, _ in spans)
