"""Places and actors: one key per place across spellings, each source's spelling kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings, strategies as st

from archive_builder.analyse.places import (default_gazetteer, extract_actors, extract_places,
                                            load_gazetteer, make_gazetteer)
from archive_builder.editorial import EditorialError


def keys(text: str, **kw) -> list[tuple[str, str]]:
    return [(spelling, key) for spelling, key, _, _ in extract_places(text, **kw)]


@pytest.mark.parametrize("a, b", [("Sumgait", "Sumgayit"), ("Lankaran", "Lenkoran"), ("Khojaly", "Khojalu"),
                                  ("Julfa", "Jugha"), ("Krasnovodsk", "Turkmenbashi"), ("Baku", "Баку")])
def test_spellings_share_a_key_and_keep_their_spelling(a, b):
    (sa, ka), = keys(f"They came to {a}.")
    (sb, kb), = keys(f"They came to {b}.")
    assert ka == kb and (sa, sb) == (a, b)


def test_contested_names_share_a_key_but_stay_as_written():
    found = keys("Nagorno-Karabakh, also Daghlyq Qarabagh or Artsakh, and Karabakh")
    assert [s for s, _ in found] == ["Nagorno-Karabakh", "Daghlyq Qarabagh", "Artsakh", "Karabakh"]
    assert len({k for _, k in found}) == 1
    assert default_gazetteer().place(found[0][1]).contested


def test_longest_name_wins_and_words_are_whole():
    assert keys("the Azerbaijan SSR and the Armenian people of Armenia") == [("Azerbaijan SSR", "azerbaijan-ssr"),
                                                                            ("Armenia", "armenia")]
    assert keys("Bakunin wrote about Sumgaitian affairs") == []


def test_offsets_index_the_given_text():
    text = "in Baku’s streets and in Moscow"
    for spelling, _, start, end in extract_places(text, 10):
        assert text[start - 10:end - 10] == spelling


def test_a_place_word_introduces_an_unknown_place_only():
    found = keys("Floods hit the town of Vell and Nor Marash village; the Soviet town, the city of Armenians, "
                 "in Paris, and the city of Sumgayit.")
    assert found == [("Vell", "vell"), ("Nor Marash", "nor-marash"), ("Sumgayit", "sumgait")]
    assert keys("Floods hit the town of Vell.", guess=False) == []


def test_names_a_document_introduced_are_places_elsewhere_in_it():
    from archive_builder.analyse.places import guessed_names
    body = "Floods hit the town of Vell and Nor Marash village, and Baku. Later, in Vell and in Nor Marash, nothing."
    names = guessed_names(body)
    assert names == ("Vell", "Nor Marash")
    later = body.index("Later")
    assert keys(body[later:], known_names=names) == [("Vell", "vell"), ("Nor Marash", "nor-marash")]
    assert keys(body[later:]) == []


def test_actors_from_the_lexicon():
    text = "by order of the USSR leadership, units of the Soviet Army and activists of the Popular Front of Azerbaijan (PFA)"
    assert [a for a, _, _ in extract_actors(text)] == ["USSR leadership", "Soviet Army", "Popular Front of Azerbaijan",
                                                       "Popular Front of Azerbaijan"]


def test_editorial_places_extend_the_default(tmp_path: Path):
    (tmp_path / "places.yaml").write_text(
        "places:\n  vell:\n    kind: town\n    names: [Vell, Velle]\n  baku:\n    names: [Bakoo]\n"
        "actors:\n  River Authority: [river authority]\n", encoding="utf-8")
    g = load_gazetteer(tmp_path)
    assert keys("Velle and Bakoo and Baku", gazetteer=g, guess=False) == [("Velle", "vell"), ("Bakoo", "baku"), ("Baku", "baku")]
    assert [a for a, _, _ in extract_actors("the River Authority said", gazetteer=g)] == ["River Authority"]
    assert load_gazetteer(tmp_path / "missing") == default_gazetteer()


@pytest.mark.parametrize("content", ["- just a list\n", "places:\n  vell: [Vell]\n", "actors:\n  X: Y\n", "places: [\n"])
def test_a_broken_editorial_gazetteer_is_an_error_with_its_file(tmp_path: Path, content):
    (tmp_path / "places.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(EditorialError) as err:
        load_gazetteer(tmp_path)
    assert "places.yaml" in err.value.problem.file


def test_a_broken_entry_is_reported_at_its_line(tmp_path: Path):
    (tmp_path / "places.yaml").write_text("places:\n  vell:\n    names: [Vell]\n  dorn: [Dorn]\n", encoding="utf-8")
    with pytest.raises(EditorialError) as err:
        load_gazetteer(tmp_path)
    assert err.value.problem.line == 4 and "'dorn'" in err.value.problem.message


def test_gazetteer_is_deterministic_whatever_the_order():
    a = make_gazetteer({"places": {"x": {"names": ["Xa"]}, "y": {"names": ["Ya"]}}})
    b = make_gazetteer({"places": {"y": {"names": ["Ya"]}, "x": {"names": ["Xa"]}}})
    assert a == b and [p.key for p in a.places] == ["x", "y"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300) | st.lists(st.sampled_from(["Baku", "the town of", "Vell", " ", "Artsakh", ",", "city", "x"])).map("".join))
def test_never_raises_and_spans_are_exact(text):
    for spelling, key, start, end in extract_places(text, 3):
        assert text[start - 3:end - 3] == spelling and key
    for label, start, end in extract_actors(text):
        assert 0 <= start < end <= len(text) and label


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["the", "town", "city", "of", "Vell", "Nor Marash", "village", "report", "Baku",
                                 "Oakfield", "in", " ", ".", "\n"]), max_size=30).map(" ".join),
       st.integers(0, 200), st.integers(0, 200))
def test_a_body_without_a_place_word_lets_its_sentences_skip_the_guess(body, a, b):
    from archive_builder.analyse.places import may_guess

    part = body[min(a, b):max(a, b)]
    if not may_guess(body):
        assert extract_places(part) == extract_places(part, guess=False)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["the", "town", "city", "of", "Vell", "Nor Marash", "village", "settlement", "port",
                                 "the town of", "Oakfield", "Old Town", "The", "Armenians", "in", " ", ".", "\n",
                                 "-", "’"]), max_size=30).map(" ".join)
       | st.lists(st.sampled_from(["the town of ", "Vell", " village", "Nor", " ", "city", "Vell city of Oak"]),
                  max_size=12).map("".join))
@example("the town of Vell village and the city of Nor Marash town")
def test_the_two_guess_regexes_find_what_their_alternation_finds(text):
    """places._guess_matches merges two regexes, the second run only when one of its words occurs."""
    import re

    from archive_builder.analyse import places

    alternation = re.compile(f"{places._GUESS_OF.pattern}|{places._GUESS_BEFORE.pattern}")
    assert [(m.span(), m.group("a") or m.group("b")) for m in alternation.finditer(text)] == [
        (m.span(), m.group("a" if m.re is places._GUESS_OF else "b")) for m in places._guess_matches(text)]


_GUESS_PIECES = ["the", "The", "athe", "xthe", "xthe town of Vell", "the city of Oakfield", "Bathe city of Nor", "town", "city", "of", "Vell", "Nor Marash", "village", "settlement", "Old Town",
                 "-Vell", "’Vell", "'Vell", "xVell", "ÉVell", "Ünal", "the town of", "Oakfield", "in", " ", "  ", ".", "\n",
                 "-", "’", "_", "1", "Я"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_GUESS_PIECES), max_size=30).map(" ".join)
       | st.lists(st.sampled_from(_GUESS_PIECES), max_size=30).map("".join))
def test_guess_regexes_match_as_their_forms_that_look_behind_first(text):
    """_GUESS_OF and _GUESS_BEFORE check the character before their match after
    its first letters; the same matches as looking behind first."""
    import re

    from archive_builder.analyse import places

    plain_of = re.compile(rf"\bthe\s+(?:{places._PLACE_WORDS})\s+of\s+(?P<a>{places._NAME})(?![\w’'\-])")
    plain_before = re.compile(rf"(?<![\w’'\-])(?P<b>{places._NAME})\s+(?:{places._NAME_BEFORE})\b")
    for fast, plain in ((places._GUESS_OF, plain_of), (places._GUESS_BEFORE, plain_before)):
        assert [(m.span(), m.groupdict()) for m in fast.finditer(text)] == [
            (m.span(), m.groupdict()) for m in plain.finditer(text)]
        for position in range(len(text) + 1):
            a, b = fast.search(text, position), plain.search(text, position)
            assert (a and (a.span(), a.groupdict())) == (b and (b.span(), b.groupdict()))
