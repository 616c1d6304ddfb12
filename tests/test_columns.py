"""Objects made column by column (analyse.columns) are the objects __init__ makes."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, strategies as st

from archive_builder.analyse.columns import from_columns
from archive_builder.model import Claim, Reason, Relation, SharedPassage

_ids = st.text(min_size=1, max_size=8)
_passage_rows = st.lists(st.tuples(_ids, _ids, st.integers(0, 10**9), st.integers(0, 10**9), _ids,
                                   st.integers(0, 10**9), st.integers(0, 10**9), st.floats(0, 1)), max_size=20)


@given(_passage_rows)
def test_passages_made_by_columns_are_the_passages_init_makes(rows):
    made = from_columns(SharedPassage, [list(column) for column in zip(*rows)] if rows else [[]] * 8)
    assert made == [SharedPassage(*row) for row in rows]
    assert pickle.loads(pickle.dumps(made)) == made


@given(st.lists(st.tuples(_ids, _ids, st.floats(0, 200), st.lists(st.sampled_from(
    [Reason("shared event", "both describe X", 10.0), Reason("shared passage", "p", 8.0)]), max_size=2).map(tuple)),
    max_size=20))
def test_relations_made_by_columns_are_the_relations_init_makes(rows):
    made = from_columns(Relation, [list(column) for column in zip(*rows)] if rows else [[]] * 4)
    assert made == [Relation(*row) for row in rows]
    assert [hash(r) for r in made] == [hash(Relation(*row)) for row in rows]


def test_only_classes_whose_init_sets_fields_only_and_whole_columns():
    with pytest.raises(TypeError):      # Claim's __post_init__ interns strings
        from_columns(Claim, [[]] * 11)
    with pytest.raises(ValueError):     # a column short: a field would be left unset
        from_columns(Relation, [["a", "b"], ["c", "d"], [1.0, 2.0], [()]])
    with pytest.raises(ValueError):
        from_columns(Relation, [["a"], ["b"], [1.0]])
