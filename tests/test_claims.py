"""Claims: checkable sentences with their figures, dates, places and actors.

Seed expectations are computed by the extractor from the seed captures run
through the real reading stages; small documents written here cover other
events and languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from archive_builder.analyse.claims import extract_claims, names_for_events
from archive_builder.analyse.places import default_gazetteer
from archive_builder.capture import read_capture
from archive_builder.model import Record, Sourced
from archive_builder.records import build_record

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def seed(prefix: str) -> Record:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return build_record(read_capture(path, SEEDS), {})


def seed_claims(prefix: str):
    record = seed(prefix)
    return record, extract_claims(record, gazetteer=default_gazetteer(), anchor_date=record.date.value)


def record(body: str, *, id: str = "doc", language: str = "en") -> Record:
    unknown = Sourced.unknown()
    return Record(id=id, source_file=f"{id}.txt", sha256="0" * 64, format="txt", title=unknown,
                  document_type=unknown, author=unknown, publisher=unknown, date=unknown,
                  language=Sourced(language, "stated"), body=body, body_lines=(), removed=(),
                  comments=(), references=())


def claims_of(body: str, **kw):
    anchor = kw.pop("anchor_date", None)
    return extract_claims(record(body, **kw), gazetteer=default_gazetteer(), anchor_date=anchor)


def figure(claims, measure):
    found = [(c, f) for c in claims for f in c.figures if f.measure == measure]
    assert found, f"no {measure} figure in {[c.quote for c in claims]}"
    return found


# --- the seeds ---------------------------------------------------------------

@pytest.mark.parametrize("prefix", ["001", "004"])
def test_147_killed_on_the_night_of_19_to_20_january_from_the_sentence_before(prefix):
    r, claims = seed_claims(prefix)
    [(claim, killed)] = [(c, f) for c, f in figure(claims, "killed") if f.value == 147]
    assert killed.subject == "civilians" and killed.qualifier == "exact"
    assert claim.kind == "casualties"
    [(text, edtf, how)] = claim.dates
    assert (edtf, how) == ("1990-01-19/1990-01-20", "context")
    earlier = [c for c in claims if c.start < claim.start and text in c.quote]
    assert earlier and earlier[-1].dates[0][2] == "stated"
    if prefix == "004":
        assert earlier[-1].quote.startswith("Over the night from 19 to 20 January 1990")
    [(_, troops)] = figure(claims, "troops")
    assert troops.value == 26000 and troops.text in earlier[-1].quote


def test_002_states_149_killed_744_injured_4_missing_in_one_claim():
    _, claims = seed_claims("002")
    [claim] = [c for c in claims if {f.measure for f in c.figures} >= {"killed", "injured", "missing"}]
    assert [(f.measure, f.value) for f in claim.figures] == [("killed", 149), ("injured", 744), ("missing", 4)]
    assert [d[1:] for d in claim.dates] == [("1990-01-19/1990-01-20", "context")]


def test_003_range_150_300_takes_the_date_of_the_13_january_massacre():
    _, claims = seed_claims("003")
    [(claim, died)] = figure(claims, "killed")
    assert (died.low, died.high, died.qualifier, died.value) == (150, 300, "range", None)
    assert [edtf for _, edtf, _ in claim.dates] == ["1990-01-13"]
    assert claim.dates[0][2] == "context"


def test_000_deportations_orders_of_magnitude_and_khojaly():
    _, claims = seed_claims("000")
    [(c150, deported)] = [(c, f) for c, f in figure(claims, "deported") if f.value == 150000]
    assert deported.qualifier == "approximate" and deported.subject == "Azerbaijanis"
    assert ("1948-1953", "1948/1953", "stated") in c150.dates
    vague = [f for _, f in figure(claims, "deported") if f.qualifier == "order of magnitude"]
    assert [(f.low, f.high) for f in vague] == [(100000, 999999)]
    assert [(f.low, f.qualifier) for c in claims for f in c.figures if f.low == 1_000_000] == [(1_000_000, "more than")]
    [(c613, killed)] = figure(claims, "killed")
    assert killed.value == 613 and ("Khojaly", "khojaly") in c613.places


def test_seeds_keep_their_spellings_under_one_key():
    spellings = {}
    for prefix in ("001", "002"):
        _, claims = seed_claims(prefix)
        for c in claims:
            spellings.update({s: k for s, k in c.places if k == "sumgait"})
    assert spellings == {"Sumgait": "sumgait", "Sumgayit": "sumgait"}


def test_opinions_are_not_claims_on_the_seeds():
    quotes = [c.quote for p in ("000", "003") for c in seed_claims(p)[1]]
    assert not [q for q in quotes if q.startswith(("We condemn", "It is unfortunate"))]
    assert "We condemn" in seed("003").body          # the sentence is there, just not a claim


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_claims_quote_exactly_and_are_numbered_in_body_order(prefix):
    r, claims = seed_claims(prefix)
    assert claims
    assert [c.id for c in claims] == [f"{r.id}-c{n}" for n in range(1, len(claims) + 1)]
    assert [c.start for c in claims] == sorted(c.start for c in claims)
    for c in claims:
        assert r.body[c.start:c.end] == c.quote and c.document_id == r.id
        for f in c.figures:
            assert c.start <= f.start < f.end <= c.end and r.body[f.start:f.end] == f.text


def test_names_sources_use_for_the_event():
    assert "Black January" in [n for n, _, _ in names_for_events(seed("004").body)]
    assert {"Baku Pogroms", "Armenian pogroms in Baku"} <= {n for n, _, _ in names_for_events(seed("003").body)}
    assert {"20 January tragedy", "National Mourning Day"} <= {n for n, _, _ in names_for_events(seed("002").body)}


# --- other documents ---------------------------------------------------------

FLOOD = ("Floods hit the town of Vell on 3 May 2024.\n\n"
         "The river rose overnight. At least 12 people died and 40 were injured.\n\n"
         "On May 5 the army evacuated 200 residents from Vell.\n\n"
         "We condemn the slow response of the authorities.\n\n"
         "It is unfortunate that the dam failed on 3 May 2024.")


def test_a_flood_in_a_made_up_town():
    claims = claims_of(FLOOD)
    assert [c.kind for c in claims] == ["event", "casualties", "displacement"]
    first, casualties, evacuation = claims
    assert first.places == (("Vell", "vell"),) and first.dates == (("3 May 2024", "2024-05-03", "stated"),)
    assert [(f.measure, f.low, f.value) for f in casualties.figures] == [("killed", 12, None), ("injured", None, 40)]
    assert casualties.figures[0].qualifier == "at least"
    assert casualties.dates == ()           # the date is in another paragraph, and no event noun points back to it
    assert evacuation.dates == (("May 5", "2024-05-05", "context"),)
    assert [(f.measure, f.value) for f in evacuation.figures] == [("displaced", 200)]


def test_a_place_the_document_introduced_is_known_in_its_later_sentences():
    body = ("At least 35 people were killed when a landslide buried the village of Oakfield.\n\n"
            "In 2011, a similar landslide in Oakfield killed nine people. The Oakfield Disaster of 2011 is remembered.")
    claims = claims_of(body)
    assert [c.places for c in claims] == [(("Oakfield", "oakfield"),)] * 3
    assert [f.value for f in claims[1].figures] == [9]
    assert "Oakfield Disaster" in [n for n, _, _ in names_for_events(body)]
    assert claims_of(body.replace("the village of Oakfield", "Oakfield"))[0].places == ()


def test_a_sentence_without_a_date_takes_the_one_before_it_in_its_paragraph():
    [_, claim] = claims_of("On 3 May 2024 water flooded Vell. As a result, 12 people died.")
    assert claim.dates == (("3 May 2024", "2024-05-03", "context"),)


def test_an_event_noun_points_back_past_official_acts():
    body = ("On 3 May 2024 a flood hit Vell.\n\nOn 9 May 2024 the council adopted a resolution on the flood.\n\n"
            "According to the council, 12 people died in the flood.")
    claims = claims_of(body)
    assert [c.kind for c in claims] == ["event", "official act", "casualties"]
    assert claims[-1].dates == (("3 May 2024", "2024-05-03", "context"),)


def test_open_intervals_and_decades_are_not_context():
    [_, claim] = claims_of("Unrest in Vell went on since February 1988 and through the 1980s. Then 12 people died in Vell.")
    assert claim.dates == ()


def test_relative_dates_resolve_against_the_anchor_only():
    [claim] = claims_of("10 years ago, 30 people were killed in Vell.", anchor_date="2024-05-03")
    assert claim.dates == (("10 years ago", "2014", "relative"),)
    [claim] = claims_of("10 years ago, 30 people were killed in Vell.")
    assert claim.dates == ()


def test_a_russian_document():
    claims = claims_of("В ночь на 20 января 1990 года в Баку вошли войска. Погибли 147 человек.", language="ru")
    assert claims[0].places == (("Баку", "baku"),)
    killed = [f for c in claims for f in c.figures if f.measure == "killed"]
    assert [(f.value, f.subject) for f in killed] == [(147, "человек")]
    assert claims[-1].dates == (("20 января 1990 года", "1990-01-20", "context"),)


def test_official_acts_and_actors():
    [claim] = claims_of("The European Parliament adopted a resolution on the situation.")
    assert claim.kind == "official act" and claim.actors == ("European Parliament",)


@pytest.mark.parametrize("body", [
    "We condemn the attack on Vell.",
    "It is unfortunate that the dam failed on 3 May 2024.",
    "The perpetrators must be punished for the massacre in Vell on 3 May 2024.",
    "Distr.: General 9 February 2021",
    "The weather was pleasant and everyone was happy.",
])
def test_not_claims(body):
    assert claims_of(body) == []


def test_names_in_other_languages_are_quoted_names_with_an_event_word():
    body = "Эти события вошли в историю как «Черный январь». Bu gün «20 Yanvar faciəsi» anılır. «Привет» сказал он."
    assert [n for n, _, _ in names_for_events(body)] == ["Черный январь", "20 Yanvar faciəsi"]


def test_names_for_events_on_a_made_up_event():
    body = ('The “Great Flood” of Vell, called the Vell Massacre by some and the 3 May tragedy by others; '
            'the Dorn pogroms in Vell. National Remembrance Day. The massacres went on. "On the situation in Vell"')
    names = [n for n, _, _ in names_for_events(body)]
    assert names == ["Great Flood", "Vell Massacre", "3 May tragedy", "Dorn pogroms in Vell", "National Remembrance Day"]
    for name, start, end in names_for_events(body):
        assert body[start:end] == name


# --- properties --------------------------------------------------------------

FRAGMENTS = ["On 3 May 2024", " 147 civilians were killed", " in Baku", ".", " ", "\n\n", "\n", "We condemn it",
             " the council adopted a resolution", " about 2,000 people fled", ", ", "Thousands of", " “Black Day”",
             " the flood", "U.S.", " N. Shaw", " paras. 154–178", " 1990", "As a result", "Sumgayit", "Погибли 12 человек"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join) | st.text(max_size=400))
def test_claims_quote_exactly_and_never_raise(body):
    claims = claims_of(body, anchor_date="2021-01-20")
    assert len({c.id for c in claims}) == len(claims)
    for c in claims:
        assert 0 <= c.start < c.end <= len(body) and body[c.start:c.end] == c.quote
        for f in c.figures:
            assert c.start <= f.start < f.end <= c.end and body[f.start:f.end] == f.text
        assert all(how in ("stated", "relative", "context") for _, _, how in c.dates)
    for name, start, end in names_for_events(body):
        assert body[start:end] == name


def test_deterministic():
    assert claims_of(FLOOD) == claims_of(FLOOD)


# --- sentences (the units claims are made of) --------------------------------

from archive_builder.analyse.sentences import split_paragraphs, split_sentences  # noqa: E402


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


@pytest.mark.parametrize("text, expected", [
    ("The U.S. government said so. Then it left.", ["The U.S. government said so.", "Then it left."]),
    ("See Malcolm N. Shaw, report, paras. 154–178. Next one.", ["See Malcolm N. Shaw, report, paras. 154–178.", "Next one."]),
    ("Distr.: General 9 February 2021", ["Distr.: General 9 February 2021"]),
    ("Resolution No. 5 was adopted. It passed.", ["Resolution No. 5 was adopted.", "It passed."]),
    ('He said "Go!" She went.', ['He said "Go!"', "She went."]),
    ("Chanting “Glory to Vell!”, “Long live Dorn!”, a crowd gathered.", ["Chanting “Glory to Vell!”, “Long live Dorn!”, a crowd gathered."]),
    ("Он сказал: «Нет». Потом ушёл.", ["Он сказал: «Нет».", "Потом ушёл."]),
    ("東京は大きい。大阪も大きい。", ["東京は大きい。", "大阪も大きい。"]),
    ("Երևանը մեծ է։ Գյումրին փոքր է։", ["Երևանը մեծ է։", "Գյումրին փոքր է։"]),
    ("It rose by 2.5 metres. Then it fell.", ["It rose by 2.5 metres.", "Then it fell."]),
])
def test_sentence_boundaries(text, expected):
    assert sentences(text) == expected


def test_paragraphs_headings_and_hard_wrapped_lines():
    text = ("Floods in Vell\n\nThe river rose in the night and the water reached\nthe houses of the lower town before\n"
            "anyone woke. Nobody expected it.\n\nPhoto: the flooded square\nResidents on a roof (Source: Radio Vell)")
    assert sentences(text) == [
        "Floods in Vell",
        "The river rose in the night and the water reached\nthe houses of the lower town before\nanyone woke.",
        "Nobody expected it.",
        "Photo: the flooded square",
        "Residents on a roof (Source: Radio Vell)",
    ]
    assert len(split_paragraphs(text)) == 3


def test_a_page_break_inside_a_sentence_does_not_cut_it():
    text = "Some residents were shot in their apartments,\n\n\n\n\nbuilding entryways and on buses. Then it ended."
    assert sentences(text) == ["Some residents were shot in their apartments,\n\n\n\n\nbuilding entryways and on buses.",
                               "Then it ended."]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300) | st.lists(st.sampled_from(["Mr.", " ", "\n", "\n\n", "A.", "b", "“x.”", "1.5", "。", "Then", ".", "?"]),
                                        max_size=60).map("".join))
def test_sentences_cover_every_non_space_character_in_order(text):
    spans = split_sentences(text)
    previous = 0
    for start, end in spans:
        assert previous <= start < end <= len(text)
        assert not text[start].isspace() and not text[end - 1].isspace()
        assert not text[previous:start].strip()      # only whitespace between sentences
        previous = end
    assert not text[previous:].strip()
