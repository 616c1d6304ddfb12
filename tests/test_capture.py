"""Reading captures: exact lines and endings, decoding that never alters the
bytes, and discovery in a fixed order."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive_builder.capture import (
    CaptureError, CorrectionError, decode, decode_checked, discover, load_capture, read_capture, split_lines, survey,
)
from archive_builder.config import YamlProblem, parse_yaml

line_text = st.text(alphabet=st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=30)


@given(st.lists(st.tuples(line_text, st.sampled_from(["\n", "\r\n", "\r"])), max_size=12), line_text)
def test_split_lines_gives_back_the_text_exactly(pairs, last):
    text = "".join(l + e for l, e in pairs) + last
    lines, endings = split_lines(text)
    assert "".join(l + e for l, e in zip(lines, endings)) == text
    assert len(lines) == len(endings) and endings[-1] == ""
    assert all("\n" not in l and "\r" not in l for l in lines)


@settings(max_examples=300)
@given(st.binary(max_size=200).filter(lambda b: not b.startswith((b"\xff\xfe", b"\xfe\xff"))))
def test_decoding_never_alters_the_bytes(raw):
    """Whatever encoding is chosen, the text encodes back to the very bytes read
    (the site publishes those bytes beside the record)."""
    try:
        text, encoding, warnings = decode_checked(raw, "x.txt")
    except CaptureError as exc:
        assert exc.problem.file == "x.txt" and exc.problem.message.endswith("skipped")
        return
    assert text.encode(encoding) == raw
    if encoding not in ("utf-8", "utf-8-sig"):
        assert warnings and "not valid UTF-8" in warnings[0].message


@given(st.text(min_size=1).filter(lambda t: t.strip() and "\x00" not in t))
def test_utf8_text_is_read_as_written(text):
    try:
        decoded, encoding = decode(text.encode("utf-8"), "x.txt")
    except CaptureError as exc:   # control characters in bulk: not text
        assert "binary" in exc.problem.message
        return
    assert decoded == text and encoding == "utf-8"


def test_utf16_with_bom_is_read_with_a_warning():
    raw = "Statement\r\nText\r\n".encode("utf-16")
    text, encoding, warnings = decode_checked(raw, "u.txt")
    assert text == "Statement\r\nText\r\n" and encoding == "utf-16" and "UTF-16" in warnings[0].message


def test_cp1252_punctuation_is_read_as_windows_1252():
    text, encoding, warnings = decode_checked("“Quoted” – dash…".encode("cp1252"), "w.txt")
    assert text == "“Quoted” – dash…" and encoding == "cp1252"
    assert warnings[0].line == 1 and "Windows-1252" in warnings[0].message


def test_bytes_undefined_in_windows_1252_fall_back_to_latin1():
    raw = b"caf\xe9 \x81 text"
    text, encoding, _ = decode_checked(raw, "l.txt")
    assert encoding == "latin-1" and text.encode("latin-1") == raw


def test_load_capture_returns_warnings_and_read_capture_the_capture(tmp_path):
    (tmp_path / "a.txt").write_bytes("Titre\n\ncafé\n".encode("cp1252"))
    capture, warnings = load_capture(tmp_path / "a.txt", tmp_path)
    assert capture.encoding == "cp1252" and capture.lines[2] == "café" and warnings
    assert read_capture(tmp_path / "a.txt", tmp_path) == capture


def test_oversized_capture_is_skipped_without_reading_it(tmp_path, monkeypatch):
    import archive_builder.capture as capture_module

    monkeypatch.setattr(capture_module, "MAX_BYTES", 10)
    (tmp_path / "big.txt").write_text("x" * 11)
    with pytest.raises(CaptureError) as exc:
        load_capture(tmp_path / "big.txt", tmp_path)
    assert "over the 10-byte limit" in exc.value.problem.message


def test_unreadable_capture_is_a_located_error(tmp_path):
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    with pytest.raises(CaptureError) as exc:
        load_capture(tmp_path / "gone.txt", tmp_path)
    assert exc.value.problem.file == "gone.txt" and "cannot read" in exc.value.problem.message


def test_front_matter_error_is_a_correction_error_with_its_line(tmp_path):
    (tmp_path / "a.md").write_text("---\ntitle: ok\nauthor: [x\n---\nbody\n")
    with pytest.raises(CorrectionError) as exc:
        load_capture(tmp_path / "a.md", tmp_path)
    assert exc.value.problem.file == "a.md" and exc.value.problem.line == 3


def test_survey_order_hidden_files_and_orphans(tmp_path):
    for name in ("b.txt", "a.md", "sub/c.txt", ".git/x.txt", ".hidden.txt", "notes.pdf", "orphan.yaml", "a.yaml"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("Text\n")
    paths, problems = survey(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in paths] == ["a.md", "b.txt", "sub/c.txt"]
    assert [(p.file, p.severity) for p in problems] == [("orphan.yaml", "warning")]
    assert discover(tmp_path) == paths


@pytest.mark.parametrize("text, line", [("a: 1\nb: [\n", 2), ("title: A\nauthor: B\ntitle: C\n", 3), ("a: 1\nb: 1990-02-31\n", 2),
                                        ("a: 1\n\tb: 2\n", 2), ("{{ template }}: x\n", 1)])
def test_parse_yaml_locates_every_error(text, line):
    with pytest.raises(YamlProblem) as exc:
        parse_yaml(text, "f.yaml")
    assert exc.value.problem.line == line and exc.value.problem.file == "f.yaml"


def test_parse_yaml_key_lines_with_an_offset():
    data, lines = parse_yaml("a: 1\n\nb: two\n", "f", first_line=2)
    assert data == {"a": 1, "b": "two"} and lines == {"a": 2, "b": 4}


@pytest.mark.parametrize("text", ["[" * 50000, "a: !!python/object/apply:os.system [echo]\n", "a: !!binary xyz\n",
                                  "? [a]\n: b\n", "a: &x [*x]\nb: [\n"])
def test_parse_yaml_hostile_documents_are_located_problems(text):
    with pytest.raises(YamlProblem) as exc:
        parse_yaml(text, "f.yaml")
    assert 1 <= exc.value.problem.line <= max(1, len(text.splitlines()))
    assert "\n" not in exc.value.problem.message


@settings(max_examples=300)
@given(st.text(max_size=120))
def test_parse_yaml_never_raises_anything_else(text):
    try:
        parse_yaml(text, "f.yaml")
    except YamlProblem as exc:
        assert 1 <= exc.problem.line <= max(1, len(text.splitlines()))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", " ", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "é"])).map("".join))
def test_lines_split_with_str_split_are_the_lines_read_one_by_one(text):
    """split_lines splits a text without "\\r" with str.split; _split_lines reads any text line by line."""
    from archive_builder import capture

    assert capture.split_lines(text) == capture._split_lines(text)
    for t in ("", "\n", "a\n", "a\nb", "a\n\n"):
        assert capture.split_lines(t) == capture._split_lines(t)
