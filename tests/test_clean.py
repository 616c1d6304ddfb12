"""Cleaning rules: each on a small capture written for it, then on the seeds.

The captures here are invented to look like other pages from ministry sites,
news sites and UN documents (not copies of the seeds), so a rule that only
works on one seed fails here.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from archive_builder.capture import read_capture, split_lines
from archive_builder.clean import RULES, clean, ends_sentence, is_date_line, reconstruct, strip_markdown
from archive_builder.model import Capture, Cleaned

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))

P1 = ("The ministry said the delegation arrived in the capital on Monday for two days of talks "
      "with officials of the host government.")
P2 = ("Both sides agreed to continue the dialogue and to meet again in the spring, according "
      "to a joint communiqué released after the meeting.")


def capture_of(text: str, *, name: str = "sample.txt", fmt: str = "txt", front_matter_end: int = 0) -> Capture:
    lines, endings = split_lines(text)
    return Capture(source_file=name, sha256="0" * 64, size=len(text.encode("utf-8")), encoding="utf-8",
                   format=fmt, lines=lines, endings=endings, front_matter_end=front_matter_end)  # type: ignore[arg-type]


def cleaned(*lines: str) -> Cleaned:
    return clean(capture_of("\n".join(lines)))


def rules_of(result: Cleaned) -> dict[str, list[str]]:
    """rule -> the removed texts, in line order."""
    out: dict[str, list[str]] = {}
    for r in result.removed:
        out.setdefault(r.rule, []).append(r.text)
    return out


def header(result: Cleaned, key: str) -> list[str]:
    return [v for k, v in result.header if k == key]


def body_lines_text(result: Cleaned) -> list[str]:
    return result.body.split("\n")


def assert_lossless(capture: Capture, result: Cleaned) -> None:
    rebuilt = reconstruct(len(capture.lines), result.body_lines, result.body, result.removed, result.comments)
    assert rebuilt == list(capture.lines)


# --- the table ----------------------------------------------------------------


def test_rules_have_unique_names_and_readable_reasons():
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))
    for rule in RULES:
        assert rule.reason and rule.reason[0].isalpha() and len(rule.reason.split()) >= 2, rule


def test_every_removed_line_names_a_rule_in_the_table_and_its_reason():
    result = cleaned("Title of a statement", "", "+ ↺ − 16 px", "", P1, "", "", "", P2, "", "News.Az", "")
    by_name = {r.name: r.reason for r in RULES}
    assert result.removed
    for r in result.removed:
        assert by_name[r.rule] == r.reason


# --- page controls --------------------------------------------------------------


@pytest.mark.parametrize("line, rule", [
    ("+ ↺ − 16 px", "font-size-widget"),
    ("A+ A- A", "font-size-widget"),
    ("Font size: A- A A+", "font-size-widget"),
    ("Размер шрифта: A- A+", "font-size-widget"),
    ("Search in archive", "search-widget"),
    ("Search", "search-widget"),
    ("Поиск", "search-widget"),
    ("Axtar", "search-widget"),
    ("بحث", "search-widget"),
    ("Share | Print | Back", "share-links"),
    ("Share on Facebook · Twitter · Telegram", "share-links"),
    ("← Back to list", "share-links"),
    ("Поделиться", "share-links"),
    ("Paylaş   Çap et", "share-links"),
    ("Subscribe to our Telegram channel", "share-links"),
    ("Follow us on Twitter", "share-links"),
    ("About us | Contacts | Advertising | Privacy policy", "site-navigation"),
    ("О нас · Контакты · Реклама", "site-navigation"),
])
def test_page_controls_are_removed_as_page_controls(line, rule):
    result = cleaned(P1, "", line, "", P2)
    assert rules_of(result).get(rule) == [line]
    assert line not in body_lines_text(result)
    reason = next(r for r in result.removed if r.text == line).reason
    assert reason.startswith(("page control of the website", "the website's navigation")) and reason.endswith("not part of the text")


def test_search_and_font_size_widget_on_one_line_is_removed():
    result = cleaned(P1, "", "Search in archive+ ↺ − 16 px", "", P2)
    assert "Search in archive+ ↺ − 16 px" not in result.body
    assert result.body == f"{P1}\n\n{P2}"


@pytest.mark.parametrize("line", [
    "-", "---", "+", "Search results show a decline in tourism.", "Back in 1990 the city was different.",
    "A", "Print media were banned.", "Share of the vote: 41%", "About 150,000 Azerbaijanis were deported.",
    "Contacts between the two sides continued.",
])
def test_lines_that_merely_contain_control_words_stay(line):
    result = cleaned(P1, "", line, "", P2)
    assert line in body_lines_text(result)


def test_cookie_notice_and_its_button_are_removed():
    notice = "This website uses cookies to improve your experience. By continuing you agree to our use of cookies."
    result = cleaned(P1, "", notice, "Accept", "", P2)
    assert rules_of(result)["cookie-notice"] == [notice, "Accept"]
    assert result.body == f"{P1}\n\n{P2}"


@pytest.mark.parametrize("line, rule", [
    ("Read also: Talks to resume in Vienna next week", "related-links"),
    ("Читайте также: Переговоры возобновятся", "related-links"),
    ("Related articles", "related-links"),
    ("Home / Press service / Press releases", "breadcrumb"),
    ("Главная › Новости › Политика", "breadcrumb"),
    ("Tags: Baku, January 1990, statement", "tags"),
    ("Теги: Баку, заявление", "tags"),
    ("Views: 1 234", "view-counter"),
    ("Просмотров: 5120", "view-counter"),
    ("© 2023 News.Az. All rights reserved.", "copyright-notice"),
    ("Copyright 2021 Asbarez", "copyright-notice"),
    ("Все права защищены.", "copyright-notice"),
])
def test_website_furniture_lines_are_removed(line, rule):
    result = cleaned(P1, "", line, "", P2)
    assert rules_of(result).get(rule) == [line]
    assert result.body == f"{P1}\n\n{P2}"


@pytest.mark.parametrize("line", [
    "Copyright law was amended in 1990 to protect authors.", "The tags on the vehicles were removed.",
    "Related to this, the council adopted a resolution.", "The video had 2 million views in a day.",
])
def test_sentences_with_furniture_words_stay(line):
    result = cleaned(P1, "", line, "", P2)
    assert line in body_lines_text(result)


# --- outlet signature ---------------------------------------------------------------


@pytest.mark.parametrize("outlet", ["News.Az", "apa.az", "Trend News Agency", "AZERTAC", "www.example-news.com"])
def test_outlet_signature_at_the_end_is_removed_and_kept_as_header(outlet):
    result = cleaned(P1, "", P2, "", outlet, "")
    assert rules_of(result)["outlet-signature"] == [outlet]
    assert header(result, "outlet") == [outlet]
    assert result.body == f"{P1}\n\n{P2}"


@pytest.mark.parametrize("last", [
    "Yashar Aliyev", "(Signed) Yashar Aliyev Ambassador Permanent Representative", "Thank you.", "ENDS",
    "The statement was published on the ministry's website.",
])
def test_a_signature_or_a_sentence_at_the_end_stays(last):
    result = cleaned(P1, "", P2, "", last)
    assert "outlet-signature" not in rules_of(result)
    assert body_lines_text(result)[-1] == last


def test_outlet_name_in_the_middle_is_not_a_signature():
    result = cleaned(P1, "", "News.Az", "", P2)
    assert "News.Az" in body_lines_text(result)


# --- images ----------------------------------------------------------------------------


@pytest.mark.parametrize("file", ["IMG_1234.jpg", "Baku-1990-13 (1)a", "photo_2021-01-20_12-00-01", "DSC-0042"])
def test_image_file_name_above_a_caption_becomes_an_image(file):
    caption = "Soldiers on the main square of the city (Photo: Reuters)"
    result = cleaned("A headline without a full stop", "", file, caption, "", P1, "", P2)
    assert [(im.file, im.caption) for im in result.images] == [(file, caption)]
    assert result.images[0].line == 3
    assert rules_of(result)["image-file"] == [file]
    assert rules_of(result)["image-caption"] == [caption]
    assert file not in result.body and caption not in result.body


def test_repeated_caption_is_removed_as_duplicate():
    caption = "Residents leave the city by ferry"
    result = cleaned("Title line", "", "ferry_1990-01.png", caption, "", caption, "", P1)
    assert rules_of(result)["duplicate-caption"] == [caption]
    assert len(result.images) == 1
    assert result.body == P1


def test_photo_credit_line_is_an_image_without_file():
    result = cleaned(P1, "", "Photo: AFP", "", P2)
    assert [(im.file, im.caption) for im in result.images] == [(None, "Photo: AFP")]
    assert "Photo: AFP" not in result.body


def test_a_hyphenated_phrase_with_a_number_in_the_text_is_not_a_file_name():
    result = cleaned(P1, "", "COVID-19 measures were extended until March.", "", P2)
    assert not result.images


# --- comment policy and reader comments -------------------------------------------------


def test_comment_policy_block_is_removed_and_names_the_site():
    policy = ("Comments are moderated. Hromada Daily reserves the right to delete comments that "
              "contain insults or advertising.")
    result = cleaned(P1, "", "Comment Policy", "", policy, "", "  1. Levon said:", "", "    I agree with this.")
    assert rules_of(result)["comment-policy"] == ["Comment Policy", policy]
    assert header(result, "comment_policy_site") == ["Hromada Daily"]
    assert result.body == P1


def test_numbered_indented_comments_keep_all_their_lines():
    lines = (P1, "", P2, "", "", "  1. Ararat said:", "", "    First paragraph of the reader.", "",
             "    Second paragraph of the reader. ", "", "  2. Nune said:", "", "    A reply.")
    capture = capture_of("\n".join(lines))
    result = clean(capture)
    assert [c.author for c in result.comments] == ["Ararat", "Nune"]
    first, second = result.comments
    assert first.text == "First paragraph of the reader.\n\nSecond paragraph of the reader."
    assert first.first_line == 6 and first.lines == lines[5:10]
    assert second.text == "A reply." and second.lines == lines[11:]
    assert "Ararat" not in result.body and "reader" not in result.body and "reply" not in result.body
    assert_lossless(capture, result)


def test_wordpress_style_comments_with_date_and_reply():
    lines = (P1, "", "3 Comments", "", "John Smith says:", "January 21, 2021 at 3:15 pm",
             "I was there that night.", "It was terrible.", "Reply", "", "Maria says:", "January 22, 2021 at 9:02 am",
             "Thank you for writing this.", "Reply")
    result = cleaned(*lines)
    assert [(c.author, c.text) for c in result.comments] == [
        ("John Smith", "I was there that night.\nIt was terrible."),
        ("Maria", "Thank you for writing this."),
    ]
    assert rules_of(result)["comments-heading"] == ["3 Comments"]
    assert result.body == P1


def test_comment_system_bylines_inside_a_comment_section():
    lines = (P1, "", "Comments", "", "Armen_K • 2 years ago", "Good article.", "", "Leyla • 2 years ago",
             "I disagree with this.")
    result = cleaned(*lines)
    assert [(c.author, c.text) for c in result.comments] == [("Armen_K", "Good article."),
                                                             ("Leyla", "I disagree with this.")]
    assert result.body == P1


def test_a_news_byline_outside_comments_is_not_a_comment():
    result = cleaned("Politics • 2 hours ago", "", P1, "", P2)
    assert not result.comments
    assert P1 in result.body and P2 in result.body


def test_said_in_the_statement_is_not_a_comment():
    lines = ("The minister said:", "", "“We will continue the talks.”", "", P1)
    result = cleaned(*lines)
    assert not result.comments
    assert "The minister said:" in result.body


def test_numbered_paragraph_with_said_is_not_a_comment():
    lines = (P1, "", "3. The representative of Armenia said:", "", P2)
    result = cleaned(*lines)
    assert not result.comments
    assert "3. The representative of Armenia said:" in result.body


def test_cookie_button_that_names_cookies_is_claimed_once():
    result = cleaned(P1, "", "We use cookies on this site.", "Accept all cookies", "", P2)
    assert rules_of(result)["cookie-notice"] == ["We use cookies on this site.", "Accept all cookies"]


def test_text_after_indented_comments_returns_to_the_body():
    lines = (P1, "", "  1. Ani said:", "    Short comment.", "", P2)
    result = cleaned(*lines)
    assert [c.lines for c in result.comments] == [("  1. Ani said:", "    Short comment.")]
    assert result.body == f"{P1}\n\n{P2}"


# --- UN document header -----------------------------------------------------------------


UN_LETTER = (
    "United Nations", "", "A/76/600–S/2021/1050", "", "Distr.: General", "14 December 2021", "",
    "Original: Russian", "", "General Assembly", "Seventy-sixth session", "Agenda item 32",
    "Security Council", "Seventy-sixth year", "", "**Protracted conflicts in the GUAM area**", "",
    "Identical letters dated 10 December 2021 from the Permanent Representative addressed to the Secretary-General",
    "", P1, "", "21-18770 (E) 151221", "*2118770*", "", P2,
)


def test_un_header_lines_become_header_pairs():
    result = cleaned(*UN_LETTER)
    assert header(result, "un_organisation") == ["United Nations"]
    assert header(result, "un_symbol") == ["A/76/600–S/2021/1050"]
    assert header(result, "un_distribution") == ["General 14 December 2021"]
    assert header(result, "un_original_language") == ["Russian"]
    assert header(result, "un_bodies") == ["General Assembly Seventy-sixth session; Security Council Seventy-sixth year"]
    assert header(result, "un_agenda_items") == ["32"]
    assert header(result, "un_agenda_titles") == ["Protracted conflicts in the GUAM area"]
    assert header(result, "title")[0].startswith("Identical letters dated 10 December 2021")
    assert {r.reason for r in result.removed if r.rule == "un-header"} == {"UN document header: kept as metadata"}
    assert rules_of(result)["un-page-furniture"] == ["21-18770 (E) 151221", "*2118770*"]
    assert result.body == f"{P1}\n\n{P2}"


def test_un_header_on_one_line_splits_bodies_and_agenda_items():
    result = cleaned("United Nations", "Distr.: General 3 March 2020", "Original: French",
                     "**General Assembly Seventy-fourth session** Agenda items 12, 14 and 63 (b) "
                     "Security Council Seventy-fifth year",
                     "Agenda title one", "", "**Right of peoples to self-determination** ", "",
                     "## Note verbale dated 2 March 2020 from the Permanent Mission", "", P1)
    assert header(result, "un_agenda_items") == ["12, 14 and 63 (b)"]
    assert header(result, "un_bodies") == ["General Assembly Seventy-fourth session; Security Council Seventy-fifth year"]
    assert header(result, "un_agenda_titles") == ["Agenda title one", "Right of peoples to self-determination"]
    assert header(result, "title") == ["Note verbale dated 2 March 2020 from the Permanent Mission"]
    assert result.body == P1


def test_un_distribution_over_three_lines():
    result = cleaned("United Nations", "Distr.", "GENERAL", "", "12 March 2020", "", "Original: ENGLISH", "",
                     "Letter dated 10 March 2020 from the Permanent Representative", "", P1)
    assert header(result, "un_distribution") == ["GENERAL 12 March 2020"]
    assert header(result, "un_original_language") == ["ENGLISH"]
    assert result.body == P1


def test_un_organisation_and_symbol_on_one_line():
    result = cleaned("United Nations A/75/715–S/2021/134", "", "Distr.: General 9 February 2021", "",
                     "Letter dated 8 February 2021 from the Permanent Representative", "", P1)
    assert header(result, "un_organisation") == ["United Nations"]
    assert header(result, "un_symbol") == ["A/75/715–S/2021/134"]
    assert result.body == P1


def test_a_text_that_mentions_the_united_nations_is_not_a_un_header():
    result = cleaned(P1, "", "United Nations", "", P2)
    assert not header(result, "un_organisation")
    assert "United Nations" in result.body


# --- title and dateline ------------------------------------------------------------------


def test_title_and_dateline_are_removed_and_kept_as_header():
    result = cleaned("Statement of the Foreign Ministry on the anniversary", "", "20 January 2023", "", P1)
    assert header(result, "title") == ["Statement of the Foreign Ministry on the anniversary"]
    assert header(result, "dateline") == ["20 January 2023"]
    assert result.body == P1


@pytest.mark.parametrize("first", ["# A heading in Markdown", "## **Letter dated 8 February 2021** from the Mission"])
def test_markdown_heading_is_a_title_without_markup(first):
    result = cleaned(first, "", P1)
    assert header(result, "title") == [strip_markdown(first)]
    assert "*" not in header(result, "title")[0] and "#" not in header(result, "title")[0]


def test_a_first_sentence_is_not_a_title():
    lead = "The Foreign Ministry has issued a statement on the anniversary of the “events of January”."
    result = cleaned(lead, "", P1)
    assert not header(result, "title")
    assert result.body.startswith(lead)


def test_a_first_line_that_runs_on_in_lowercase_is_not_a_title():
    result = cleaned("Officials of both governments met in the capital", "on Monday for talks.", "", P1)
    assert not header(result, "title")


def test_dateline_above_the_title():
    result = cleaned("20.01.2021", "", "Statement of the Press Service", "", P1)
    assert header(result, "dateline") == ["20.01.2021"]
    assert header(result, "title") == ["Statement of the Press Service"]
    assert result.body == P1


@pytest.mark.parametrize("label", ["Politics", "Press release", "Политика"])
def test_section_label_above_dateline_and_title(label):
    result = cleaned(label, "10:30, 13 January 2020", "", "Talks on the border to resume in Vienna", "", P1, "", P2)
    assert header(result, "section") == [label]
    assert header(result, "dateline") == ["10:30, 13 January 2020"]
    assert header(result, "title") == ["Talks on the border to resume in Vienna"]
    assert result.body == f"{P1}\n\n{P2}"


@pytest.mark.parametrize("lines", [
    ("Breaking news", "", P1, "", P2),                       # a short title over the text
    ("Baku talks", "", "Talks", "", P1),                      # the next line is no longer than a label
])
def test_a_short_title_over_the_text_is_not_a_section_label(lines):
    result = cleaned(*lines)
    assert not header(result, "section")
    assert header(result, "title") == [lines[0]]


def test_a_title_with_a_date_in_it_is_a_title_not_a_dateline():
    result = cleaned("Statement on 20 January 2023", "", P1)
    assert header(result, "title") == ["Statement on 20 January 2023"]
    assert not header(result, "dateline")


@pytest.mark.parametrize("text, expected", [
    ("January 20, 2023", True), ("20 января 2023 г.", True), ("Friday, 20 January 2023", True),
    ("2023-01-20", True), ("20.01.2023, 14:35", True), ("20 يناير 2023", True),
    ("Published: 20 January 2023", True), ("12:45, 20 January 2023", True),
    ("Statement on 20 January 2023", False), ("We met on 20 January 2023.", False), ("2023 in review", False),
])
def test_is_date_line(text, expected):
    assert is_date_line(text) is expected


# --- footnotes -----------------------------------------------------------------------------


@pytest.mark.parametrize("line, label, text", [
    ("<sup>1</sup> See, for example, document A/74/450.", "1", "See, for example, document A/74/450."),
    ("<sup>&</sup>&lt;sup>2</sup> Ibid., para. 4.", "2", "Ibid., para. 4."),
    ("<sup>&</sup>lt;sup>3</sup> Ibid., para. 5.", "3", "Ibid., para. 5."),
    ("[^4]: A Markdown footnote.", "4", "A Markdown footnote."),
])
def test_footnote_definitions_become_footnotes_and_markers_stay(line, label, text):
    marked = f"The border is recognized.<sup>{label}</sup>"
    result = cleaned(P1, "", marked, "", line)
    assert [(f.label, f.text, f.line) for f in result.footnotes] == [(label, text, 5)]
    assert rules_of(result)["footnote-definition"] == [line]
    assert marked in result.body


# --- whitespace -----------------------------------------------------------------------------


def test_lines_with_only_invisible_marks_are_blank():
    result = cleaned("\u200f", P1, "\u200e\u200f", "", "\u200b", P2, "\ufeff")
    assert result.body == f"{P1}\n\u200e\u200f\n{P2}"
    assert [r.rule for r in result.removed] == ["layout-whitespace"] * 4


def test_whitespace_at_the_ends_and_extra_blank_lines_are_removed():
    capture = capture_of(" \n\n\t\n" + P1 + "\n\n\n\n" + P2 + "\n\n\n")
    result = clean(capture)
    assert result.body == f"{P1}\n\n{P2}"
    assert set(rules_of(result)) == {"layout-whitespace"}
    assert_lossless(capture, result)


def test_page_break_inside_a_paragraph_joins_the_halves():
    result = cleaned(P1, "", "Some residents were shot in their apartments,", "", "", "", "in the streets and on buses.")
    assert "Some residents were shot in their apartments,\nin the streets and on buses." in result.body
    assert len(rules_of(result)["page-break"]) == 3


def test_paragraphs_separated_normally_are_not_joined():
    result = cleaned(P1, "", "", "", P2)
    assert "page-break" not in rules_of(result)
    assert result.body == f"{P1}\n\n{P2}"


def test_front_matter_lines_are_removed():
    text = "---\ntitle: A note\n---\n" + P1
    result = clean(capture_of(text, fmt="md", front_matter_end=3))
    assert rules_of(result)["front-matter"] == ["---", "title: A note", "---"]
    assert result.body == P1


# --- other languages -------------------------------------------------------------------------


def test_russian_capture():
    p1 = "Министерство иностранных дел выступило с заявлением в связи с годовщиной январских событий."
    p2 = "В заявлении говорится, что стороны должны продолжить переговоры."
    lines = ("Заявление МИД в связи с годовщиной событий", "", "20 января 2021 г.", "", "Размер шрифта: A- A+",
             "", p1, "", p2, "", "Поделиться", "Печать", "", "Поиск по архиву", "", "Комментарии", "",
             "Иван пишет:", "21 января 2021, 10:15", "Спасибо за статью.", "Ответить")
    result = cleaned(*lines)
    assert header(result, "title") == ["Заявление МИД в связи с годовщиной событий"]
    assert header(result, "dateline") == ["20 января 2021 г."]
    assert result.body == f"{p1}\n\n{p2}"
    assert [(c.author, c.text) for c in result.comments] == [("Иван", "Спасибо за статью.")]


def test_arabic_capture():
    p1 = "أصدرت وزارة الخارجية بيانا بمناسبة الذكرى السنوية للأحداث."
    p2 = "ودعت الوزارة جميع الأطراف إلى احترام القانون الدولي."
    lines = ("بيان وزارة الخارجية بشأن الذكرى السنوية", "", "20 يناير 2021", "", "بحث", "", p1, "", p2, "",
             "مشاركة | طباعة", "", "التعليقات", "", "أحمد قال:", "", "  شكرا على المقال.")
    result = cleaned(*lines)
    assert header(result, "title") == ["بيان وزارة الخارجية بشأن الذكرى السنوية"]
    assert header(result, "dateline") == ["20 يناير 2021"]
    assert result.body == f"{p1}\n\n{p2}"
    assert [(c.author, c.text) for c in result.comments] == [("أحمد", "شكرا على المقال.")]


# --- the seeds ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds() -> dict[str, tuple[Capture, Cleaned]]:
    out = {}
    for path in SEED_FILES:
        capture = read_capture(path, SEEDS)
        out[path.name] = (capture, clean(capture))
    return out


def _seed_with(seeds, text: str) -> tuple[Capture, Cleaned]:
    """The seed whose capture contains `text` (found by content, not by file name)."""
    found = [v for v in seeds.values() if text in v[0].text]
    assert len(found) == 1, text
    return found[0]


CHROME_AND_COMMENT_TEXT = ("16 px", "Search in archive", "Discussion Policy", "Ararat said", "pipe dream",
                           "Distr.:", "Baku-1990-13", "Original: English", "reserves the right")


@pytest.mark.parametrize("text", CHROME_AND_COMMENT_TEXT)
def test_no_chrome_or_comment_text_in_any_seed_body(seeds, text):
    assert SEED_FILES
    for _, result in seeds.values():
        assert text not in result.body


def test_no_outlet_line_in_any_seed_body(seeds):
    for _, result in seeds.values():
        assert "News.Az" not in result.body.split("\n")
        assert "News.Az" not in [t.strip() for t in result.body.split("\n")]


def test_seed_bodies_are_lossless_and_keep_the_lead(seeds):
    for capture, result in seeds.values():
        assert_lossless(capture, result)
        assert result.body.strip()
        assert not result.body.startswith(("\n", " ")) and not result.body.endswith("\n")
        assert "\n\n\n" not in result.body
    _, result = _seed_with(seeds, "The statement reads:")
    assert "The statement reads:" in result.body.split("\n")
    assert result.body.startswith("Azerbaijan’s Foreign Ministry has issued a statement")
    assert not header(result, "title")
    assert header(result, "outlet") == ["News.Az"]


def test_seed_with_reader_comment(seeds):
    _, result = _seed_with(seeds, "Discussion Policy")
    assert [c.author for c in result.comments] == ["Ararat"]
    comment = result.comments[0]
    assert "pipe dream" in comment.text and "\n\n" in comment.text
    assert not comment.text.startswith(" ")
    assert header(result, "comment_policy_site") == ["Asbarez"]
    assert [im.file for im in result.images] == ["Baku-1990-13 (1)a"]
    assert result.images[0].caption and result.images[0].caption.startswith("Azeri troops")
    assert "duplicate-caption" in rules_of(result)
    assert "Azeri troops with tanks" not in result.body


def test_seed_un_letter(seeds):
    _, result = _seed_with(seeds, "Distr.:")
    assert header(result, "un_organisation") == ["United Nations"]
    assert header(result, "un_distribution") == ["General 9 February 2021"]
    assert header(result, "un_original_language") == ["English"]
    assert header(result, "un_bodies") == ["General Assembly Seventy-fifth session; Security Council Seventy-sixth year"]
    assert header(result, "un_agenda_items") == ["34, 35, 40, 71, 72, 86 and 135"]
    titles = header(result, "un_agenda_titles")
    assert "Right of peoples to self-determination" in titles and len(titles) == 7
    assert all("*" not in t for t in titles)
    assert header(result, "title")[0].startswith("Letter dated 8 February 2021")
    assert [(f.label, f.text[:8]) for f in result.footnotes] == [("1", "See, for")]
    assert "<sup>1</sup>" in result.body
    assert "shot in their apartments,\nbuilding entryways" in result.body
    assert result.body.startswith("At the end of the 1980s")
    assert result.body.rstrip().endswith("(Signed) Yashar Aliyev Ambassador Permanent Representative")


def test_seed_titles_and_dateline(seeds):
    _, result = _seed_with(seeds, "National Mourning Day\n")
    assert header(result, "title")[0].endswith("National Mourning Day")
    assert header(result, "dateline") == ["January 20, 2023"]
    assert result.body.startswith("On the night of January 19-20, 1990")


def test_clean_is_deterministic(seeds):
    for capture, result in seeds.values():
        assert clean(capture) == result


def test_ends_sentence():
    assert ends_sentence("A sentence.") and ends_sentence("“Quoted.”") and ends_sentence("سؤال؟")
    assert not ends_sentence("A title") and not ends_sentence("apartments,")


def test_a_custom_rule_table_still_partitions_every_line():
    only_whitespace = [r for r in RULES if r.name == "layout-whitespace"]
    capture = capture_of("+ ↺ − 16 px\n\n" + P1 + "\n\n\nNews.Az\n")
    result = clean(capture, only_whitespace)
    assert result.body == f"+ ↺ − 16 px\n\n{P1}\n\nNews.Az"
    assert_lossless(capture, result)


@pytest.mark.parametrize("text", [
    "word " * 400_000, "United Nations\n" + "a " * 400_000, "Distr.: " + "x" * 1_000_000,
    "# " + "x" * 1_000_000 + "\n\ny", "x\n" * 100_000, "  1. A said:\n    " + "b" * 1_000_000,
])
def test_huge_captures_clean_quickly(text):
    start = time.process_time()          # CPU time: other processes on the machine do not count
    result = clean(capture_of(text))
    assert time.process_time() - start < 3.0
    assert result.body_lines or result.comments


def test_candidate_lines_are_remembered_until_a_line_is_claimed():
    from archive_builder.clean import _State

    state = _State(capture_of("Home\n\nA short line\nA line that is a good deal longer than the others\nLast\n"))
    assert state.candidates() == [(0, "Home"), (2, "A short line"),
                                  (3, "A line that is a good deal longer than the others"), (4, "Last")]
    assert state.candidates(12) == [(0, "Home"), (2, "A short line"), (4, "Last")]
    state.remove(0, "breadcrumb", "a breadcrumb")
    assert state.candidates(12) == [(2, "A short line"), (4, "Last")]
    assert [i for i, _ in state.candidates()] == [2, 3, 4]
    state.add_comment(3, 4, None, "a comment")
    assert state.candidates() == [(2, "A short line")] and state.candidates(12) == [(2, "A short line")]
