"""Sentence spans stay checkable quotes, even in captures with no punctuation."""

from hypothesis import example, given, settings, strategies as st

from archive_builder.analyse.sentences import MAX_SENTENCE, split_sentences


def check_spans(text: str) -> None:
    spans = split_sentences(text)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip()
        assert end - start <= MAX_SENTENCE
        previous_end = end


def test_a_run_on_paragraph_is_cut_into_bounded_pieces_at_clause_marks():
    text = "; ".join(f"item {i} of a list that never ends" for i in range(2000)) + "."
    spans = split_sentences(text)
    check_spans(text)
    assert len(spans) > 10
    assert all(text[s:e].endswith(";") or e == len(text) for s, e in spans)


def test_a_long_unbroken_string_is_still_cut():
    text = "x" * (3 * MAX_SENTENCE + 7)
    check_spans(text)
    assert "".join(text[s:e] for s, e in split_sentences(text)) == text


def test_ordinary_sentences_are_untouched():
    text = "On 20 January 1990 troops entered the city. At least 12 people died."
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "On 20 January 1990 troops entered the city.", "At least 12 people died."]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["word", "147", ",", ";", " ", "\n", "\n\n", ".", "Baku", "–", "مرحبا"]),
                max_size=4000))
def test_spans_are_bounded_ordered_and_trimmed(parts):
    check_spans("".join(parts) * 2)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["Distr", "U.S", "e.g", "N", "etc", "word", "x" * 45, "x.y" * 15, ".", ". ",
                                 " ", "\n", "Next", "next", "No", "1990"]), max_size=40).map("".join))
def test_looking_for_the_word_before_a_period_in_a_window_changes_nothing(text):
    """_is_abbreviation first searches a short window before the period."""
    from unittest import mock

    from archive_builder.analyse import sentences

    windowed = split_sentences(text)
    with mock.patch.object(sentences, "_WORD_WINDOW", 10**9):
        assert windowed == split_sentences(text)
    with mock.patch.object(sentences, "_WORD_WINDOW", 2):
        assert windowed == split_sentences(text)


_BODY_PIECES = ["Vell was shelled.", "12 people died", "Mr.", "U.S.", "No. 5", "etc.", "“Quoted.”", "(see above)",
                "1.", "2)", "- item", "• item", "# Heading", "and", "the", "x", ",", "?", "!", "…", " ", "\n", "\n\n",
                "\n \n", "\t", "A", "b", "Short line", "a long line of hard-wrapped prose that goes on and on and on"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_BODY_PIECES), max_size=30).map(" ".join)
       | st.lists(st.sampled_from(_BODY_PIECES), max_size=30).map("".join))
@example("Vell was shelled.\n1.\n\n2) item\n\nVell was shelled.\n1.\n\nNext one.")
@example("short line\n1.\n\nNext.")      # the paragraph's last line is a list item only with the break after it
def test_sentences_remembered_per_paragraph_are_those_of_the_whole_text(text):
    """split_sentences remembers each paragraph's sentences (with what follows it); _split_sentences reads it whole."""
    from archive_builder.analyse import sentences

    assert sentences.split_sentences(text) == sentences._split_sentences(text)
    assert sentences.split_sentences(text + "\n\n" + text) == sentences._split_sentences(text + "\n\n" + text)
