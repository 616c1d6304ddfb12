"""Shared passages: invented statements, then the seeds' Milli Majlis passage."""

from __future__ import annotations

from pathlib import Path

from hypothesis import example, given, settings, strategies as st

from archive_builder.analyse.passages import shared_passages, words

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

REUSED_2001 = ("On its extraordinary sitting in March 2002 the Regional Council of Riverton declared the "
               "flooding of 3 May 2001 a man-made disaster caused by negligence, and in June 2002 a law "
               "\u201cOn the victims of the Riverton flood of 3 May 2001\u201d was passed by a large majority.")
REUSED_2005 = ("At the extraordinary sitting held in March 2002 the Regional Council of Riverton qualified the "
               "flooding of May 3, 2001 as a man-made disaster caused by negligence, and in June 2002 the law "
               "\"On the victims of the Riverton flood of May 3, 2001\" was passed by a large majority.")


def test_reworded_passage_is_found_with_offsets_in_both_bodies():
    a = "The ministry issues this statement today.\n\n" + REUSED_2001 + "\n\nWe remember the victims."
    b = "Statement of the council.\n\n" + REUSED_2005 + "\n\nNothing else is shared here at all."
    c = "A report about the harvest of 2004 in the northern valleys, written by the farmers' union."
    [p] = shared_passages({"b": b, "a": a, "c": c})
    assert (p.a, p.b) == ("a", "b")
    assert a[p.a_start:p.a_end].startswith("extraordinary sitting")
    assert a[p.a_start:p.a_end].endswith("passed by a large majority")
    assert b[p.b_start:p.b_end].endswith("passed by a large majority")
    assert 0.6 <= p.similarity <= 1


def test_short_common_phrases_are_not_passages():
    a = "The Ministry of Foreign Affairs of the Republic states that the meeting took place."
    b = "The Ministry of Foreign Affairs of the Republic denies that any meeting took place."
    assert shared_passages({"a": a, "b": b}) == ()


def test_boilerplate_in_many_documents_is_ignored_but_real_reuse_is_not(monkeypatch):
    from archive_builder.analyse import passages
    monkeypatch.setattr(passages, "MAX_DF", 3)
    boiler = ("This press release is distributed by the information office and may be freely reproduced "
              "by any media outlet provided that the source is clearly cited in full in every copy.")
    bodies = {f"d{i}": f"Item number {i} reports on local affairs of week {i}. " + boiler for i in range(6)}
    bodies["d0"] += " " + REUSED_2001
    bodies["d1"] += " " + REUSED_2005
    found = shared_passages(bodies)
    assert [(p.a, p.b) for p in found] == [("d0", "d1")]


def test_passages_are_deterministic_and_ids_stable():
    bodies = {"x": REUSED_2001, "y": REUSED_2005}
    assert shared_passages(bodies) == shared_passages(dict(reversed(list(bodies.items()))))


def test_milli_majlis_passage_between_the_2021_and_2023_statements():
    bodies = {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
    hits = [p for p in shared_passages(bodies) if (p.a, p.b) == ("001", "002")]
    texts = [(bodies["001"][p.a_start:p.a_end], bodies["002"][p.b_start:p.b_end]) for p in hits]
    assert any("Milli Majlis" in a and "Milli Majlis" in b and "was adopted" in a and "was adopted" in b
               for a, b in texts)


_shared_words = st.lists(st.text(alphabet="abcdefgh", min_size=4, max_size=7), min_size=25, max_size=60, unique=True)
_other_words = st.lists(st.text(alphabet="klmnopqr", min_size=1, max_size=7), max_size=30)


@settings(max_examples=30, deadline=None)
@given(_shared_words, _other_words, _other_words)
# a run repeated on both sides must not pull the copy onto a wrong diagonal
@example([a + b + c + d for a in "ab" for b in "abcd" for c in "abcd" for d in "a"][:25], ["k"] * 5, ["k"] * 5)
def test_a_copied_passage_is_always_found_within_its_copy(shared, before, after):
    a = " ".join(before + shared)
    b = " ".join(shared + after)
    found = shared_passages({"a": a, "b": b})
    for p in found:       # offsets are word boundaries inside each body
        assert a[p.a_start:p.a_end].strip() == a[p.a_start:p.a_end]
        assert len(words(a[p.a_start:p.a_end]).norm) >= 3
    n = len(" ".join(shared))
    assert [(p.b_start, p.b_end) for p in found] == [(0, n)]
    assert a[found[0].a_start:found[0].a_end] == " ".join(shared)


def test_seeds_milli_majlis_passage_found_in_the_records_bodies():
    from test_events import seed_analysis

    records, analysis, ids = seed_analysis()
    bodies = {r.id: r.body for r in records}
    found = [p for p in analysis.passages if {p.a, p.b} == {ids["001"], ids["002"]}
             and "Milli Majlis" in bodies[p.a][p.a_start:p.a_end] and "Milli Majlis" in bodies[p.b][p.b_start:p.b_end]]
    assert len(found) == 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 5), max_size=25), st.lists(st.integers(0, 5), max_size=25))
def test_matching_blocks_are_difflibs(a, b):
    import difflib

    from archive_builder.analyse.passages import matching_blocks

    expected = difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()[:-1]
    assert matching_blocks(a, b) == [tuple(m) for m in expected]


def test_same_words_in_different_shingles_are_not_confused():
    from archive_builder.analyse.passages import shingles

    # digits of one integer: (1, 2) and (0, 1 * base + 2) must not meet
    assert len(set(shingles([1, 2, 3, 4, 5, 6], base=7, size=2))) == 5
    assert shingles([1, 2, 3], base=10, size=2) == [12, 23]
    assert shingles([1, 2], base=10, size=5) == []


SHARED_25 = " ".join(f"w{k}x" for k in range(25))


def test_two_words_in_a_row_before_a_passage_extend_it_but_one_word_does_not():
    a, b = "kk ll aa bb mm nn " + SHARED_25, "pp aa bb qq " + SHARED_25
    two = shared_passages({"a": a, "b": b})
    assert [(a[p.a_start:p.a_end], b[p.b_start:p.b_end]) for p in two] == [
        ("aa bb mm nn " + SHARED_25, "aa bb qq " + SHARED_25)]
    one = shared_passages({"a": "kk ll aa mm nn " + SHARED_25, "b": "pp aa qq " + SHARED_25})
    assert [(p.a_start, p.b_start) for p in one] == [(len("kk ll aa mm nn "), len("pp aa qq "))]


def test_two_words_in_a_row_after_a_passage_extend_it():
    a, b = SHARED_25 + " mm aa bb kk", SHARED_25 + " qq rr aa bb"
    [p] = shared_passages({"a": a, "b": b})
    assert a[p.a_start:p.a_end] == SHARED_25 + " mm aa bb" and b[p.b_start:p.b_end] == b
