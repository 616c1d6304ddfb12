"""The packed shingles of a full comparison of passages (memory) against the plain dicts they replace."""

from __future__ import annotations

from collections import Counter
from itertools import chain, count

from hypothesis import given, settings, strategies as st

from archive_builder.analyse import passages
from archive_builder.analyse.passages import _first_occurrences, _full, _postings, first_positions

_numbers = st.lists(st.integers(0, 6), max_size=40)


@given(st.lists(_numbers, max_size=6), st.sampled_from([7, 8, 64]))
def test_first_occurrences_are_first_positions_packed_in_order(documents, base):
    shingle_numbers: dict[int, int] = {}
    numbering = count()
    key_of: dict[int, int] = {}
    for numbers in documents:
        found, positions = _first_occurrences(numbers, base, shingle_numbers, numbering)
        key_of.update((n, key) for key, n in shingle_numbers.items())
        plain = first_positions(numbers, base)
        assert list(positions) == sorted(plain.values())
        assert {key_of[n]: i for n, i in zip(found, positions)} == plain
    # one number per distinct shingle, whichever document it came from
    assert len(set(shingle_numbers.values())) == len(shingle_numbers)


_WORDS = ["flood", "council", "river", "law", "victims", "march", "sitting", "the", "a", "disaster"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_WORDS), min_size=0, max_size=60), min_size=0, max_size=8),
       st.integers(2, 4))
def test_full_state_matches_the_plain_postings(texts, max_df):
    bodies = {f"d{k}": " ".join(words) for k, words in enumerate(texts)}
    saved = passages.MAX_DF
    passages.MAX_DF = max_df
    try:
        found, state = _full(bodies)
    finally:
        passages.MAX_DF = saved
    ids = sorted(bodies)
    firsts = [first_positions(state.documents[d][1], state.base) for d in ids]
    df = Counter(chain.from_iterable(firsts))
    plain = _postings(firsts, df, max_df, least=1)
    assert state.postings == {key: [(ids[d], i) for d, i in entries] for key, entries in plain.items()}
    # in the order shingles first occur (documents in order, then positions)
    assert list(state.postings) == list(plain)
    assert state.boilerplate == {key: n for key, n in df.items() if n > max_df}


def test_offsets_are_packed_four_bytes_each():
    numbers, starts, ends = passages._numbered_words("The flood of the river Kura", {})
    assert (starts.itemsize, ends.itemsize) == (4, 4)
    assert list(starts) == [4, 10, 17, 23] and list(ends) == [9, 12, 22, 27]


def test_the_passages_state_is_handed_over_and_not_kept():
    from archive_builder.analyse import analyse_claims_since
    from archive_builder.analyse.passages import PassageState
    from archive_builder.editorial import Editorial
    from test_related import make_record

    shared = " ".join(_WORDS * 4)
    records = [make_record("a", "Before. " + shared), make_record("b", shared + " After."), make_record("c", "Other.")]
    kept = analyse_claims_since(records, [], {}, Editorial())
    made: list = []
    handed = analyse_claims_since(records, [], {}, Editorial(), passages_made=made.append)
    assert handed[1] is None and [type(s) for s in made] == [PassageState]
    assert made[0] == kept[1] and handed[0] == kept[0] and handed[0].passages
