"""extract_metadata, field by field, on small captures written for the test.

The captures are built by hand (header lines the cleaner would set aside,
body lines, footnotes) so these tests do not depend on clean.py.  They are
about other events, other countries and other languages than the seeds, on
purpose: the rules must be generic.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive_builder.metadata import DOCUMENT_TYPES, Metadata, extract_metadata
from archive_builder.model import Agent, Capture, Cleaned, Footnote, RemovedLine


class Aside(str):
    """A capture line the cleaner set aside (removed), not body text."""


def build(*lines: str, header: tuple[tuple[str, str], ...] = (),
          footnotes: tuple[str, ...] = ()) -> tuple[Capture, Cleaned]:
    """A capture whose lines are `lines` then `footnotes`; Aside lines are removed,
    the others are the body, each footnote becomes a Footnote."""
    all_lines = tuple(lines) + tuple(footnotes)
    text = "\n".join(all_lines)
    capture = Capture(source_file="test.txt", sha256=hashlib.sha256(text.encode()).hexdigest(),
                      size=len(text.encode()), encoding="utf-8", format="txt", lines=all_lines,
                      endings=tuple(["\n"] * (len(all_lines) - 1) + [""]))
    body, body_lines, removed = [], [], []
    for number, line in enumerate(lines, start=1):
        if isinstance(line, Aside):
            removed.append(RemovedLine(number, str(line), "test", "set aside by the test"))
        else:
            body.append(line)
            body_lines.append(number)
    notes = tuple(Footnote(str(i + 1), t, len(lines) + i + 1) for i, t in enumerate(footnotes))
    cleaned = Cleaned("\n".join(body), tuple(body_lines), tuple(removed), (), footnotes=notes, header=header)
    return capture, cleaned


def meta(*lines: str, header=(), footnotes=()) -> Metadata:
    return extract_metadata(*build(*lines, header=header, footnotes=footnotes))


FILLER = ("The ministry recalls the obligations of all parties under international law and calls for "
          "restraint, dialogue and respect for the agreements reached by the sides.")


# --- title ------------------------------------------------------------------


def test_title_from_header_is_stated_with_its_line():
    m = meta(Aside("Statement by the Ministry of Defence of Ruritania on the border incident"), "",
             FILLER, header=(("title", "Statement by the Ministry of Defence of Ruritania on the border incident"),))
    assert m.title.value == "Statement by the Ministry of Defence of Ruritania on the border incident"
    assert (m.title.basis, m.title.line) == ("stated", 1)
    assert m.title.evidence == "Statement by the Ministry of Defence of Ruritania on the border incident"


def test_title_header_markup_is_dropped_from_the_value_but_kept_in_evidence():
    m = meta(Aside("## Note verbale dated 3 May 2019 from the Permanent Mission of Ruritania"), FILLER,
             header=(("title", "Note verbale dated 3 May 2019 from the Permanent Mission of Ruritania"),))
    assert m.title.value == "Note verbale dated 3 May 2019 from the Permanent Mission of Ruritania"
    assert m.title.evidence.startswith("## Note verbale")
    assert m.title.line == 1


def test_title_inferred_from_a_lead_naming_the_issuer():
    m = meta("Georgia’s Foreign Ministry has issued a statement on the 15th anniversary of the August war.",
             "", "The statement reads:", "", FILLER)
    assert m.title.value == "Statement by Georgia’s Foreign Ministry on the 15th anniversary of the August war"
    assert m.title.basis == "inferred"
    assert "Georgia’s Foreign Ministry has issued a statement" in m.title.evidence
    assert m.title.line == 1


def test_title_inferred_from_the_lead_sentence_when_nothing_else():
    m = meta("Floods hit the northern valleys for a third day. Roads are closed.", FILLER)
    assert m.title.value == "Floods hit the northern valleys for a third day"
    assert m.title.basis == "inferred"
    assert "lead sentence" in m.title.evidence


def test_long_lead_sentence_is_trimmed_at_a_word():
    sentence = " ".join(["word"] * 80) + "."
    m = meta(sentence)
    assert len(m.title.value) <= 162 and m.title.value.endswith("…")
    assert not m.title.value[:-2].endswith("wor")


def test_empty_capture_has_no_title():
    m = meta("", "   ")
    assert m.title.value is None and m.title.basis == "unknown"


# --- document_type ----------------------------------------------------------


@pytest.mark.parametrize("title, kind", [
    ("Comment of the Information Department of the Ministry of Foreign Affairs of Ruritania on the report", "comment"),
    ("Statement by the Government of Freedonia on the elections", "statement"),
    ("Joint statement of the foreign ministers", "statement"),
    ("Letter dated 2 March 2020 from the Permanent Representative of Freedonia to the United Nations", "letter"),
    ("Identical letters dated 5 April 2018 from the Chargé d’affaires", "letter"),
    ("Note verbale dated 1 June 2017 from the Permanent Mission of Ruritania", "note verbale"),
    ("Press release on the visit of the Secretary-General", "press release"),
    ("Interview of the Minister to the Daily Courier", "interview"),
    ("Resolution adopted by the General Assembly", "resolution"),
    ("Заявление МИД Руритании в связи с годовщиной", "statement"),
    ("Комментарий Департамента информации МИД", "comment"),
    ("بيان وزارة الخارجية بشأن الذكرى السنوية", "statement"),
    ("بيان صحفي بشأن الزيارة", "press release"),
])
def test_document_type_from_the_first_noun_of_the_title(title, kind):
    m = meta(Aside(title), FILLER, header=(("title", title),))
    assert m.document_type.value == kind
    assert m.document_type.basis == "stated"
    assert m.document_type.value in DOCUMENT_TYPES


def test_a_title_that_only_mentions_a_statement_is_not_a_type():
    title = "Statements galore: why nobody listens"
    m = meta(Aside(title), FILLER, header=(("title", title),))
    assert m.document_type.value is None
    m = meta(Aside("Statementless diplomacy"), FILLER, header=(("title", "Statementless diplomacy"),))
    assert m.document_type.value is None


def test_statement_carried_by_an_outlet():
    m = meta("On the 10th anniversary of the siege, the Freedonian foreign ministry issued a statement.",
             "", "Below is the statement.", "", FILLER)
    assert m.document_type.value == "statement"
    assert m.document_type.basis == "inferred"
    assert "Below is the statement" in m.document_type.evidence


def test_report_on_a_statement_without_its_text_is_a_news_report():
    m = meta("The Freedonian foreign ministry issued a statement criticising the decision.", "", FILLER)
    assert m.document_type.value == "news report"
    assert m.document_type.basis == "inferred"
    # the ministry wrote the statement, not the report about it
    assert m.author.value is None
    assert m.title.value == "The Freedonian foreign ministry issued a statement criticising the decision"


def test_no_type_cue_stays_unknown():
    assert meta(FILLER).document_type == meta(FILLER).document_type.unknown()


# --- author -----------------------------------------------------------------


def test_author_from_the_title_of_a_statement():
    title = "Statement by the Ministry of Defence of Ruritania on the border incident"
    m = meta(Aside(title), FILLER, header=(("title", title),))
    assert m.author.value == Agent(name="Ministry of Defence of Ruritania")
    assert m.author.basis == "stated" and m.author.line == 1


def test_author_from_the_title_of_a_comment():
    title = ("Comment of the Information Department of the Ministry of Foreign Affairs of Freedonia "
             "on the report of the Ruritanian ombudsman dated 4 May 2019")
    m = meta(Aside(title), FILLER, header=(("title", title),))
    assert m.author.value.name == "Information Department of the Ministry of Foreign Affairs of Freedonia"


def test_author_from_a_un_signature_with_the_role_from_the_title():
    title = ("Letter dated 2 March 2020 from the Permanent Representative of Freedonia to the United Nations "
             "addressed to the Secretary-General")
    m = meta(Aside(title), FILLER, "", "(Signed) Anna Berg-Larsen Ambassador Permanent Representative",
             header=(("title", title),))
    assert m.author.value == Agent(
        name="Anna Berg-Larsen",
        title="Ambassador, Permanent Representative of Freedonia to the United Nations",
        affiliation="Freedonia")
    assert m.author.basis == "stated"
    assert m.author.line == 4
    assert "(Signed) Anna Berg-Larsen" in m.author.evidence


def test_signature_of_a_charge_d_affaires():
    title = ("Letter dated 9 July 2015 from the Chargé d’affaires a.i. of the Permanent Mission of Ruritania "
             "to the United Nations addressed to the President of the Security Council")
    m = meta(Aside(title), FILLER, "(Signed) Jo Kemp Chargé d’affaires a.i.", header=(("title", title),))
    assert m.author.value == Agent(
        name="Jo Kemp",
        title="Chargé d’affaires a.i. of the Permanent Mission of Ruritania to the United Nations",
        affiliation="Permanent Mission of Ruritania")


def test_signature_without_a_title_keeps_the_signed_role():
    m = meta(FILLER, "(Signed) Ivo Tamm Minister for Foreign Affairs")
    assert m.author.value == Agent(name="Ivo Tamm", title="Minister for Foreign Affairs")


def test_author_named_by_the_lead_is_inferred():
    m = meta("On the 20th anniversary of the ceasefire, the Ruritanian foreign ministry issued a statement "
             "calling for talks.", "", "The statement reads:", "", FILLER)
    assert m.author.value == Agent(name="Ruritanian foreign ministry")
    assert m.author.basis == "inferred"
    assert "issued a statement" in m.author.evidence


def test_no_author_stays_unknown():
    m = meta("Floods hit the northern valleys for a third day.", FILLER)
    assert m.author.value is None and m.author.basis == "unknown"


# --- publisher --------------------------------------------------------------


def test_publisher_from_an_outlet_signature():
    m = meta(FILLER, Aside("Daily.Courier"), header=(("outlet", "Daily.Courier"),))
    assert m.publisher.value == Agent(name="Daily.Courier")
    assert (m.publisher.basis, m.publisher.line, m.publisher.evidence) == ("stated", 2, "Daily.Courier")


def test_publisher_inferred_from_a_comment_policy():
    policy = ("Comments are welcome. The Valley Herald reserves the right to remove comments "
              "that break our rules.")
    m = meta(FILLER, Aside("Comment Policy"), Aside(policy), header=(("comment_policy_site", "The Valley Herald"),))
    assert m.publisher.value == Agent(name="The Valley Herald")
    assert m.publisher.basis == "inferred"
    assert "“The Valley Herald reserves the right to remove comments that break our rules.”" in m.publisher.evidence
    assert m.publisher.line == 3


def test_publisher_from_a_un_header_with_its_organs():
    m = meta(Aside("United Nations"), Aside("Distr.: General 3 March 2020"), FILLER,
             header=(("un_organisation", "United Nations"), ("un_distribution", "General 3 March 2020"),
                     ("un_bodies", "General Assembly"), ("un_bodies", "Security Council")))
    assert m.publisher.value == Agent(name="United Nations", title="General Assembly; Security Council")
    assert (m.publisher.basis, m.publisher.line) == ("stated", 1)


def test_official_statement_without_an_outlet_is_published_by_its_issuer_inferred():
    title = "Statement by the Ministry of Defence of Ruritania"
    m = meta(Aside(title), FILLER, header=(("title", title),))
    assert m.publisher.value == Agent(name="Ministry of Defence of Ruritania")
    assert m.publisher.basis == "inferred" and "names no outlet" in m.publisher.evidence


def test_a_department_statement_is_published_by_its_parent_body():
    title = "Comment of the Information Office of the Ministry of Health of Ruritania on the flood"
    m = meta(Aside(title), FILLER, header=(("title", title),))
    assert m.author.value.name == "Information Office of the Ministry of Health of Ruritania"
    assert m.publisher.value == Agent(name="Ministry of Health of Ruritania")


def test_a_page_with_no_stated_issuer_keeps_its_publisher_unknown():
    m = meta(FILLER)
    assert m.publisher.value is None and m.publisher.basis == "unknown"


# --- date -------------------------------------------------------------------


def test_date_from_a_dateline():
    m = meta(Aside("Statement"), Aside("March 3, 2019"), FILLER,
             header=(("title", "Statement"), ("dateline", "March 3, 2019")))
    assert (m.date.value, m.date.basis, m.date.evidence, m.date.line) == ("2019-03-03", "stated", "March 3, 2019", 2)


def test_date_from_a_russian_dateline():
    body = ("Министерство иностранных дел выражает глубокую озабоченность в связи с событиями "
            "на границе и призывает стороны к сдержанности и диалогу.")
    m = meta(Aside("Заявление МИД"), Aside("20 января 2021 г."), body,
             header=(("title", "Заявление МИД"), ("dateline", "20 января 2021 г.")))
    assert m.date.value == "2021-01-20" and m.date.basis == "stated"
    assert m.language.value == "ru"
    assert m.title.value == "Заявление МИД" and m.title.basis == "stated"
    assert m.author.value is None          # the English patterns do not fire


def test_letter_date_wins_over_the_distribution_date():
    title = "Letter dated 2 March 2020 from the Permanent Representative of Freedonia to the United Nations"
    m = meta(Aside("Distr.: General 4 March 2020"), Aside("## " + title), FILLER,
             header=(("un_distribution", "General 4 March 2020"), ("title", title)))
    assert (m.date.value, m.date.basis, m.date.line) == ("2020-03-02", "stated", 2)
    assert "Letter dated 2 March 2020" in m.date.evidence and "distribution" in m.date.evidence


def test_distribution_date_when_the_document_has_none():
    m = meta(Aside("Distr.: General 4 March 2020"), FILLER, header=(("un_distribution", "General 4 March 2020"),))
    assert (m.date.value, m.date.basis, m.date.line) == ("2020-03-04", "stated", 1)
    assert "distribution date" in m.date.evidence


def test_date_from_an_anniversary_and_the_body_event_date():
    m = meta("Today marks the 25th anniversary of the Lisbon flood.",
             "On March 3, 1998, the river rose by four metres. By March 5, 1998, the water had gone. "
             "Since March 3, 1998 the city has built new dams.", FILLER)
    assert (m.date.value, m.date.basis, m.date.line) == ("2023-03-03", "inferred", 1)
    assert "25th anniversary of events dated 3 March 1998" in m.date.evidence


def test_anniversary_ties_go_to_the_first_date_after_the_phrase():
    m = meta("On 2 May 2001 the talks failed.", "Today marks the 20th anniversary of the landslide.",
             "On May 9, 2001, the hillside gave way.", FILLER)
    assert m.date.value == "2021-05-09"


def test_an_interval_counts_for_its_end_day():
    m = meta("The 40th anniversary of the storm is marked today.",
             "On the night of 14-15 October 1987 the storm hit. On 15 October 1987 the trains stopped. "
             "On 14 November 1987 the repairs began.", FILLER)
    assert m.date.value == "2027-10-15"


def test_years_passed_since_a_date_supports_the_anniversary():
    m = meta("Although 12 years passed since the June 4, 2010 blast, nobody was tried.", FILLER)
    assert (m.date.value, m.date.basis) == ("2022-06-04", "inferred")


def test_years_ago_with_a_month_only_event_gives_a_month():
    m = meta("The strike of August 1980 changed the country. That was 40 years ago.", FILLER)
    assert m.date.value == "2020-08"


def test_reply_is_dated_on_or_after_what_it_answers():
    title = "Comment of the Press Office of the Government of Freedonia on the statement of the Ruritanian Foreign Ministry dated May 4, 2019"
    m = meta(Aside(title), "The Ruritanian claims are groundless. The talks of April 2, 2019 were clear.",
             header=(("title", title),))
    assert (m.date.value, m.date.basis, m.date.line) == ("2019-05-04/..", "inferred", 1)
    assert "4 May 2019" in m.date.evidence


def test_reply_is_never_earlier_than_the_latest_date_it_mentions():
    title = "Comment of the Press Office of Freedonia on the statement of the Ruritanian Foreign Ministry dated May 4, 2019"
    m = meta(Aside(title), "Yet the border was closed again on May 6, 2019.", header=(("title", title),))
    assert m.date.value == "2019-05-06/.."
    assert "6 May 2019" in m.date.evidence


def test_a_past_anniversary_deep_in_the_body_does_not_date_the_document():
    m = meta(FILLER, FILLER, FILLER, FILLER,
             "In 2016, on the 25th anniversary of independence, the president opened a museum.",
             "Independence was declared on 8 September 1991.")
    assert m.date.value is None
    # the same phrase tied to the time of writing does
    m = meta(FILLER, FILLER, FILLER, FILLER,
             "Today marks the 25th anniversary of independence, declared on 8 September 1991.")
    assert m.date.value == "2016-09-08"


def test_no_date_stays_unknown():
    m = meta("Floods hit the northern valleys. In 1990 the same happened.", FILLER)
    assert m.date == m.date.unknown()


# --- language ---------------------------------------------------------------


def test_language_detected_from_the_body_not_the_un_original_language():
    body = ("Le ministère des affaires étrangères exprime sa profonde préoccupation et appelle "
            "toutes les parties à la retenue et au dialogue.")
    m = meta(Aside("Original: English"), body, header=(("un_original_language", "English"),))
    assert (m.language.value, m.language.basis, m.language.evidence) == ("fr", "inferred", "detected from the body text")


def test_language_of_a_tiny_body_is_unknown():
    assert meta("Ok.").language.value is None


# --- references -------------------------------------------------------------


def test_reference_answered_in_a_comment_title():
    title = ("Comment of the Press Office of Freedonia on the statement of the Ministry of Foreign Affairs "
             "of Ruritania dated May 4, 2019")
    m = meta(Aside(title), "The groundless statement of the Foreign Ministry of Ruritania is regrettable.",
             header=(("title", title),))
    first = m.references[0]
    assert first.text == "the statement of the Ministry of Foreign Affairs of Ruritania dated May 4, 2019"
    assert (first.kind, first.date, first.issuer, first.relation, first.line) == (
        "statement", "2019-05-04", "Ministry of Foreign Affairs of Ruritania", "answers", 1)
    # the undated body mention is the answered statement again, not a second reference
    assert len(m.references) == 1


def test_un_letter_answering_a_letter_with_a_symbol_and_a_footnote():
    m = meta("I refer to the events of May 2019.",
             "I write in connection with the letter from the Permanent Representative of Ruritania, "
             "which has as its annex a statement of the Ruritanian Government (A/73/880-S/2019/400).",
             "Our position is known (see E/CN.4/1998/53/Add.2).",
             footnotes=("See the identical letters dated 2 June 2018 from the Permanent Representative of Freedonia "
                        "to the United Nations addressed to the Secretary-General (A/72/900-S/2018/550).",))
    symbols = [(r.kind, r.symbol, r.relation) for r in m.references]
    assert symbols == [
        ("letter", "A/73/880-S/2019/400", "answers"),
        ("statement", None, "cites"),              # the annex, named by its issuer
        ("un-symbol", "E/CN.4/1998/53/Add.2", "cites"),
        ("letter", "A/72/900-S/2018/550", "cites"),
    ]
    assert m.references[0].issuer == "Permanent Representative of Ruritania"
    assert m.references[1].issuer == "Ruritanian Government"
    assert m.references[3].date == "2018-06-02"
    assert m.references[3].issuer == "Permanent Representative of Freedonia to the United Nations"
    assert [r.line for r in m.references] == [2, 2, 3, 4]


def test_the_documents_own_un_symbol_is_not_a_reference():
    m = meta(Aside("A/76/100-S/2021/500"), "As stated in A/76/100 and in A/70/5, the facts are known.",
             header=(("un_symbol", "A/76/100-S/2021/500"),))
    assert [r.symbol for r in m.references] == ["A/70/5"]


def test_decisions_and_resolutions_with_quoted_titles():
    m = meta("In 1995 the parliament adopted decision “On the flood of 3 March 1998 in Lisbon”.",
             "Later the Council of Europe adopted a resolution titled \"On Water Safety\".")
    kinds = [(r.kind, r.text, r.issuer) for r in m.references]
    assert kinds == [
        ("decision", "decision “On the flood of 3 March 1998 in Lisbon”", None),
        ("resolution", 'a resolution titled "On Water Safety"', "Council of Europe"),
    ]


def test_the_date_a_document_was_adopted_right_before_it():
    m = meta("After long talks, in June 2004, resolution “On Water Safety” was adopted by the assembly.",
             "In 2001 the council met; on 2 May 2003 a decision “On Dams” was discussed.")
    assert [(r.kind, r.date) for r in m.references] == [("resolution", "2004-06"), ("decision", None)]


def test_plural_dated_agreements_become_one_reference_per_date_deduplicated():
    m = meta("After the signing of the joint statement on the ceasefire on May 4, 2019, talks resumed.",
             "Both sides must honour the joint statements of May 4, 2019 and June 1, 2019.")
    assert [(r.date, r.line) for r in m.references] == [("2019-05-04", 1), ("2019-06-01", 2)]
    assert all(r.relation == "cites" for r in m.references)


def test_the_document_itself_is_not_a_reference():
    m = meta("The Freedonian foreign ministry issued a statement on the anniversary.",
             "The statement reads:", "The statement also omits the key facts.")
    assert m.references == ()


def test_capture_with_no_metadata_at_all():
    m = meta("wind and rain over the hills, nothing else to report from the valley today, only weather")
    assert m.title.basis == "inferred"            # honest: the lead sentence, said so
    for field in (m.document_type, m.author, m.publisher, m.date):
        assert field == field.unknown()
    assert m.references == ()


# --- properties -------------------------------------------------------------

_words = st.sampled_from(["the", "statement", "of", "Ministry", "Foreign", "Affairs", "dated", "January",
                          "13,", "2021", "anniversary", "30th", "years", "ago", "issued", "a", "letter",
                          "from", "A/75/710-S/2021/42", "(Signed)", "Ann", "“On", "Peace”", "decision",
                          ".", ",", "\n", "on", "Today", "marks", "1990", "March", "3,", "Заявление"])


@settings(max_examples=150, deadline=None)
@given(st.lists(_words, max_size=60), st.lists(_words, max_size=12))
def test_any_text_gives_well_formed_metadata(body_words, title_words):
    title = " ".join(title_words).replace("\n", " ").strip()
    header = (("title", title),) if title else ()
    lines = [Aside(title)] if title else []
    lines += " ".join(body_words).split("\n")
    capture, cleaned = build(*lines, header=header)
    m = extract_metadata(capture, cleaned)
    for field in (m.title, m.document_type, m.author, m.publisher, m.date, m.language):
        assert field.basis in ("stated", "inferred", "unknown")
        if field.basis == "unknown":
            assert field.value is None and field.evidence is None
        else:
            assert field.value is not None and field.evidence
    assert m.document_type.value in DOCUMENT_TYPES + (None,)
    # a reference found in the title quotes the title as shown (markup stripped,
    # runs of spaces folded); one found in the body quotes the body verbatim
    texts = [" ".join(title.split()), cleaned.body]
    for ref in m.references:
        assert any(ref.text in t for t in texts)
        assert ref.relation in ("cites", "answers")
    assert extract_metadata(capture, cleaned) == m      # deterministic


def test_a_title_over_two_lines_points_at_its_first_line():
    title = "Statement by the Ministry of Defence of Ruritania on the border incident of 4 May 2019"
    m = meta(Aside("Statement by the Ministry of Defence of Ruritania"), Aside("on the border incident of 4 May 2019"),
             FILLER, header=(("title", title),))
    assert (m.title.value, m.title.line, m.title.evidence) == (title, 1, title)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab A.!?؟ \n“"), max_size=80))
def test_sentences_split_without_losing_text(paragraph):
    from archive_builder.metadata import _sentences

    parts = _sentences(paragraph)
    assert all(part and part in paragraph for part in parts)
    assert "".join(parts).replace(" ", "").replace("\n", "") == paragraph.replace(" ", "").replace("\n", "")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="ab .", max_size=12), min_size=1, max_size=8), st.integers(1, 500))
def test_segment_maps_every_offset_to_its_capture_line(parts, first_line):
    from archive_builder.metadata import Segment

    numbers = [first_line + 2 * i for i in range(len(parts))]
    segment = Segment.of("\n".join(parts), numbers)
    offset = 0
    for part, number in zip(parts, numbers):
        for i in range(len(part) + 1):
            assert segment.line_at(offset + i) == number
        offset += len(part) + 1


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(max_size=60), max_size=8),
       st.lists(st.tuples(st.sampled_from(["title", "dateline", "outlet", "comment_policy_site", "un_organisation",
                                           "un_distribution", "un_bodies", "un_symbol", "byline"]),
                          st.text(max_size=40)), max_size=4))
def test_arbitrary_text_and_header_never_break_extraction(body_lines, header):
    m = meta(*body_lines, *[Aside(v) for _, v in header], header=tuple(header))
    assert isinstance(m, Metadata)
    for field in (m.title, m.document_type, m.author, m.publisher, m.date, m.language):
        assert (field.value is None) == (field.basis == "unknown")


# ---------------------------------------------------------------------------
# fast paths: the same matches as the plain scans
# ---------------------------------------------------------------------------

_DOC_PIECES = ["the", "The", "a", "an", "its", "their", "this", "that", "statement", "statements", "letter",
               "note verbale", "notes  verbales", "decision", "resolution", "declaration", "communiqué",
               "agreements", "decree", "appeal", "trilateral", "joint", "identical", "well-known", "of", "adopted",
               "issued", "x-the", "-", "re-", "un", "Statement", "(", ")", "“", "”", ",", ".", ";", " ", "  ", "\n",
               "\u00a0", "\u2003", "_", "9", "é", "statementx", "lettered", "A/75/710-S/2021/42", "S/2021/42"]
_DOC_TEXT = (st.lists(st.sampled_from(_DOC_PIECES), max_size=40).map(" ".join)
             | st.lists(st.sampled_from(_DOC_PIECES), max_size=40).map("".join))


@settings(max_examples=400, deadline=None)
@given(text=_DOC_TEXT)
def test_document_phrases_found_from_their_nouns_match_a_full_scan(text):
    from archive_builder.metadata import _DOC, _doc_matches

    assert [(m.span(), m.groupdict()) for m in _doc_matches(text)] == [
        (m.span(), m.groupdict()) for m in _DOC.finditer(text)]


def test_document_phrases_with_many_words_before_the_noun():
    from archive_builder.metadata import _DOC, _doc_matches

    text = "the very long winding joint statement of 1990 and the trilateral statement and statement letter"
    assert [m.span() for m in _doc_matches(text)] == [m.span() for m in _DOC.finditer(text)]
    assert len(list(_DOC.finditer(text))) >= 3


def test_a_signature_needs_its_parenthesis():
    # the signature rule skips lines without "(" before cleaning their markup
    capture, cleaned = build("Text of the letter.", "**(Signed)** Maria Lopez Ambassador")
    assert extract_metadata(capture, cleaned).author.value == Agent(name="Maria Lopez", title="Ambassador")


_NOW_FLAT = (r"(?i)\b(?:today|now|this\s+year|marks?|marking|marked|commemorat\w*|ago|passed|elapsed|"
             r"gone\s+by|сегодня|ныне|исполня\w*|прошл\w*|bu\s+gün|aujourd'hui|heute)\b")


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(["Today", "TODAY", "now", "nOw", "this", "year", "this  year", "mark", "marks",
                                      "marking", "marked", "Commemorated", "ago", "passed", "elapsed", "gone", "by",
                                      "Сегодня", "ныне", "исполнилось", "прошло", "bu", "gün", "aujourd'hui", "heute",
                                      "İ", "ſ", "K", "x", "_", "-", " ", "\n", "31"]), max_size=30).map(
    lambda words: "".join(words) if len(words) % 2 else " ".join(words)))
def test_time_of_writing_words_match_as_the_flat_list(text):
    import re

    from archive_builder.metadata import _NOW

    assert [m.span() for m in _NOW.finditer(text)] == [m.span() for m in re.finditer(_NOW_FLAT, text)]
    assert _NOW.pattern != _NOW_FLAT


_LANGUAGE_SAMPLES = ["The Ministry of Foreign Affairs issued a statement on the 30th anniversary.",
                     "Министерство иностранных дел выступило с заявлением.", "Xarici İşlər Nazirliyi bəyanat yayıb.",
                     "Le ministère des Affaires étrangères a publié une déclaration.", "Das Auswärtige Amt erklärte heute",
                     "وزارة الخارجية أصدرت بيانا", "ABC DEF", "   ", "", "1990 2021 — …", "the the the the"]


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(_LANGUAGE_SAMPLES + [" ", "\n", "ſ", "İ", "ß", "\u0301"]), max_size=12).map("".join)
       | st.text(max_size=200))
def test_language_identified_with_remembered_walks_is_py3langids(text):
    import py3langid

    from archive_builder.metadata import _identify_language

    assert _identify_language(text) == py3langid.classify(text)[0]
    assert _identify_language(text) == py3langid.classify(text)[0]      # the second time from remembered walks


def test_language_identification_remembers_walks():
    from archive_builder import metadata

    metadata._identify_language("A statement on the anniversary of the events.")
    assert metadata._IDENTIFIER[0] is not None      # the fast path is in use with this py3langid
