"""Nothing is lost: every capture line is in exactly one of body / removed /
comments, and the capture's bytes can be rebuilt from them.

Checked on every seed (through the whole record stage and back to bytes) and
on generated captures that mix real-looking paragraphs with page chrome,
widgets, reader comments, UN headers, blank runs, all three line endings, a
BOM or none, a final newline or none, and text in several scripts.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive_builder.capture import read_capture, split_lines
from archive_builder.clean import clean, reconstruct
from archive_builder.model import Capture, Cleaned, RemovedLine
from archive_builder.records import build_record, rebuild_text

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))


def capture_of(text: str) -> Capture:
    lines, endings = split_lines(text)
    return Capture(source_file="generated.txt", sha256="0" * 64, size=len(text.encode("utf-8")),
                   encoding="utf-8", format="txt", lines=lines, endings=endings)


def assert_partition(capture: Capture, result: Cleaned) -> None:
    """Each line in exactly one place; the body is its lines, verbatim."""
    owners: dict[int, str] = {}
    for n in result.body_lines:
        assert n not in owners
        owners[n] = "body"
    for r in result.removed:
        assert r.line not in owners and r.text == capture.lines[r.line - 1] and r.rule and r.reason
        owners[r.line] = r.rule
    for c in result.comments:
        for k, text in enumerate(c.lines):
            n = c.first_line + k
            assert n not in owners and text == capture.lines[n - 1]
            owners[n] = "comment"
    assert sorted(owners) == list(range(1, len(capture.lines) + 1))
    assert result.body == "\n".join(capture.lines[n - 1] for n in result.body_lines)
    removed_lines = {r.line for r in result.removed}
    assert all(im.line in removed_lines for im in result.images)
    assert all(f.line in removed_lines for f in result.footnotes)
    rebuilt = reconstruct(len(capture.lines), result.body_lines, result.body, result.removed, result.comments)
    assert "".join(l + e for l, e in zip(rebuilt, capture.endings)) == capture.text


# --- the seeds, through the record stage and back to bytes -------------------------------


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_seed_rebuilds_byte_exactly(path):
    raw = path.read_bytes()
    capture = read_capture(path, SEEDS)
    assert_partition(capture, clean(capture))
    record = build_record(capture)
    text = rebuild_text(record)
    assert text == raw.decode(capture.encoding)
    assert text.encode(dict(record.layout)["encoding"]) == raw


@pytest.mark.parametrize("text", ["", "\n", "\r\n\r\n", "Search", " \t "])
def test_captures_without_text_have_an_empty_body(text):
    capture = capture_of(text)
    result = clean(capture)
    assert (result.body, result.body_lines) == ("", ())
    assert_partition(capture, result)


def test_there_are_seeds():
    assert len(SEED_FILES) >= 5


# --- reconstruct refuses incomplete or overlapping parts ---------------------------------------


def test_reconstruct_refuses_a_missing_line():
    with pytest.raises(ValueError, match="not accounted for"):
        reconstruct(3, (1, 3), "a\nc", (), ())


def test_reconstruct_refuses_a_line_given_twice():
    with pytest.raises(ValueError, match="twice"):
        reconstruct(2, (1, 2), "a\nb", (RemovedLine(2, "b", "title", "why"),), ())


def test_reconstruct_refuses_a_body_that_does_not_match_its_line_numbers():
    with pytest.raises(ValueError, match="line numbers"):
        reconstruct(2, (1, 2), "a", (), ())


# --- generated captures ----------------------------------------------------------------------

WORDS = ("the ministry statement January troops city residents talks government council Baku Yerevan "
         "independence peace report 1990 147 149 civilians Министерство заявление января "
         "وزارة الخارجية بيان يناير שלום עולם 🙂 🕊️ Ülkə müstəqillik çərşənbə").split()

sentence = st.lists(st.sampled_from(WORDS), min_size=3, max_size=25).map(
    lambda ws: ws[0][:1].upper() + " ".join(ws)[1:] + ".")
paragraph = st.lists(sentence, min_size=1, max_size=4).map(lambda ss: [" ".join(ss)])
title = st.lists(st.sampled_from(WORDS), min_size=2, max_size=10).map(lambda ws: [" ".join(ws).title()])
heading = title.map(lambda t: ["## " + t[0]])
# page controls: removed wherever they stand
CHROME = ("+ ↺ − 16 px", "A+ A- A", "Search in archive", "Search in archive+ ↺ − 16 px", "Поиск", "Axtar",
          "Share | Print | Back", "← Back", "Поделиться", "بحث",
          "This site uses cookies. By continuing you agree to our use of cookies.")
chrome = st.one_of(st.sampled_from(CHROME).map(lambda c: [c]), st.just([CHROME[-1], "Accept"]))
# an outlet's name: removed only as the last line (elsewhere it is text that names it)
outlet = st.sampled_from(["News.Az", "APA.az", "Trend News Agency"]).map(lambda o: [o])
blank_run = st.lists(st.sampled_from(["", " ", "\t", "  "]), min_size=1, max_size=5)
date_line = st.sampled_from(["January 20, 2023", "20 января 2021 г.", "2021-01-20", "20 يناير 2021"]).map(lambda d: [d])
image = st.tuples(st.sampled_from(["IMG_1234.jpg", "Baku-1990-13 (1)a", "photo_2020-01-13"]), sentence).map(
    lambda t: [t[0], t[1], "", t[1]])
footnote = st.sampled_from(["<sup>1</sup> See, for example, A/74/450.", "<sup>&</sup>lt;sup>2</sup> Ibid.",
                            "[^3]: A note."]).map(lambda f: [f])
policy = st.just(["Discussion Policy", "", "Comments are welcome. Asbarez reserves the right to block users."])
UN_HEADER = ["United Nations", "", "A/75/715–S/2021/134", "Distr.: General 9 February 2021", "",
             "Original: English", "", "**General Assembly Seventy-fifth session** Agenda items 34, 35 and 135 "
             "Security Council Seventy-sixth year", "", "Prevention of armed conflict", "",
             "## Letter dated 8 February 2021 from the Permanent Representative"]
un_header = st.just(UN_HEADER)
# an arbitrary line: any characters but the three line breaks
noise = st.text(st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=80).map(
    lambda t: [t])


@st.composite
def reader_comment(draw) -> list[str]:
    number = draw(st.integers(1, 99))
    name = draw(st.sampled_from(["Ararat", "John Smith", "Иван", "أحمد", "Leyla_87"]))
    marker = f"comment-marker-{draw(st.integers(0, 10**6))}"
    paragraphs = draw(st.lists(sentence, min_size=1, max_size=3))
    lines = [f"  {number}. {name} said:", ""]
    for k, p in enumerate(paragraphs):
        if k:
            lines.append("")
        lines.append(f"    {marker} {p}")
    return lines


@st.composite
def comment_thread(draw) -> list[str]:
    """WordPress-style: a comments heading, then 'Name says:', a date, the text, 'Reply'."""
    lines = [draw(st.sampled_from(["3 Comments", "Leave a Reply", "Комментарии", "التعليقات"])), ""]
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(["John Smith", "Maria", "Гость", "Leyla_87"]))
        lines += [f"{name} says:", draw(st.sampled_from(["January 21, 2021 at 3:15 pm", "2021-01-21 09:02"])),
                  f"comment-marker-{draw(st.integers(0, 10**6))} {draw(sentence)}", "Reply", ""]
    return lines


block = st.one_of(paragraph, paragraph, paragraph, title, heading, chrome, blank_run, date_line, image,
                  footnote, policy, reader_comment(), comment_thread(), outlet, noise)
# printable text only: the capture stage (not cleaning) rejects files full of control characters
printable_noise = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=80).map(lambda t: [t])
printable_block = st.one_of(paragraph, paragraph, title, chrome, blank_run, date_line, image, footnote, policy,
                            reader_comment(), outlet, printable_noise)


@st.composite
def capture_text(draw, blocks_from=block) -> str:
    blocks = draw(st.lists(blocks_from, max_size=14))
    if draw(st.booleans()):
        blocks.insert(0, UN_HEADER)
    if blocks_from is printable_block:
        blocks.insert(draw(st.integers(0, len(blocks))), draw(paragraph))   # an empty capture is skipped upstream
    lines = [line for b in blocks for line in b]
    if not lines:
        lines = [""]
    ending = st.sampled_from(["\n", "\r\n", "\r"])
    mixed = draw(st.booleans())
    first = draw(ending)
    endings = [draw(ending) if mixed else first for _ in lines]
    if not draw(st.booleans()):
        endings[-1] = ""                      # no newline at the end of the file
    return "".join(l + e for l, e in zip(lines, endings))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(capture_text())
def test_generated_captures_are_partitioned_exactly(text):
    capture = capture_of(text)
    result = clean(capture)
    assert_partition(capture, result)
    assert clean(capture) == result                 # deterministic


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(capture_text())
def test_generated_comments_and_chrome_never_stay_in_the_body(text):
    capture = capture_of(text)
    result = clean(capture)
    assert "comment-marker-" not in result.body
    assert " said:" not in result.body and " says:" not in result.body
    body = {line.strip() for line in result.body.split("\n")}
    for line in CHROME:
        assert line not in body
    for line in UN_HEADER[:-1]:
        if line.strip():
            assert line not in body


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(capture_text(printable_block), st.booleans())
def test_generated_files_rebuild_byte_exactly_through_the_record(text, bom):
    raw = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = root / "capture.txt"
        path.write_bytes(raw)
        capture = read_capture(path, root)
    record = build_record(capture)
    rebuilt = rebuild_text(record)
    assert rebuilt == text
    assert rebuilt.encode(dict(record.layout)["encoding"]) == raw
