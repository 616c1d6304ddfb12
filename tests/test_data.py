"""records.json: every record validates against the schema that ships with the package."""

import json
from pathlib import Path

import jsonschema
import pytest

from archive_builder.capture import discover, read_capture
from archive_builder.data import line_ranges, records_json
from archive_builder.model import Analysis
from archive_builder.records import build_record

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "archive_builder" / "schema" / "records.schema.json").read_text())


def seed_records():
    return [build_record(read_capture(p, ROOT / "seeds")) for p in discover(ROOT / "seeds")]


def test_seed_records_validate_against_schema():
    data = json.loads(records_json(seed_records(), Analysis()))
    jsonschema.validate(data, SCHEMA)
    assert len(data["records"]) == 5


def test_schema_rejects_a_record_without_provenance():
    data = json.loads(records_json(seed_records()[:1], Analysis()))
    data["records"][0]["title"] = "just a string"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)


def test_records_json_is_deterministic():
    assert records_json(seed_records(), Analysis()) == records_json(seed_records(), Analysis())


@pytest.mark.parametrize("numbers,ranges", [
    ([], []), ([1], [[1, 1]]), ([3, 4, 5, 9], [[3, 5], [9, 9]]), ([1, 3, 5], [[1, 1], [3, 3], [5, 5]]),
])
def test_line_ranges(numbers, ranges):
    assert line_ranges(numbers) == ranges


def test_streamed_records_json_is_the_same_bytes_and_takes_reused_fragments():
    from archive_builder.data import record_fragment, records_json_fragments
    records = seed_records()
    assert "".join(records_json_fragments(records, Analysis())).encode() == records_json(records, Analysis())
    assert "".join(records_json_fragments([], Analysis())).encode() == records_json([], Analysis())
    # a fragment given by `reuse` is used as it is (the previous build's bytes)
    given = {records[1].id: record_fragment(records[1], ())}
    streamed = "".join(records_json_fragments(records, Analysis(), lambda r, c: given.get(r.id)))
    assert streamed.encode() == records_json(records, Analysis())
    marked = "".join(records_json_fragments(records, Analysis(), lambda r, c: '"reused"' if r is records[1] else None))
    assert json.loads(marked)["records"][1] == "reused"


def test_indented_json_matches_the_standard_library():
    from archive_builder.data import indented_json
    value = {"a": [], "b": {}, "c": [1, 2.5, -0.0, 1e300, True, False, None, "é\u2028\n\t\"\\<>"],
             "d": {"e": [{"f": ()}]}, 1: "int key", None: "none key"}
    assert indented_json(value) == json.dumps(value, ensure_ascii=False, indent=1)
    assert indented_json(value, 3) == json.dumps(value, ensure_ascii=False, indent=3)


# --- the fast writers against the plain ones ------------------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(alphabet=st.characters(codec="utf-8"), max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=4) | st.integers() | st.booleans() | st.none(), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES, st.integers(1, 3))
def test_indented_json_matches_the_standard_library_on_any_value(value, indent):
    from archive_builder.data import indented_json
    assert indented_json(value, indent) == json.dumps(value, ensure_ascii=False, indent=indent)


def test_a_record_fragment_is_its_record_json_indented_in_place():
    from dataclasses import replace

    from archive_builder.data import RECORD_NEWLINE, _encoded, record_fragment, record_json
    from archive_builder.model import Claim, Figure, RemovedLine
    records = seed_records()
    odd = replace(records[0], removed=(RemovedLine(3, "", "blank", "layout \"whitespace\" <x>"),
                                      RemovedLine(4, "é\u2028\t\\", "rule", "")))
    claims = (Claim("c1", odd.id, "casualties", "quote “x”", 0, 9,
                    (Figure("killed", 147, None, None, "at least", "civilians", "147 civilians", 3, 16),
                     Figure("injured", 2.5, 1, 4.0, "range", None, "", 0, 0)),
                    (("8 May", "2021-05-08", "stated"),), (("Shusha", "shusha"), ("", None)), ("a", "b")),
              Claim("c2", odd.id, "other", "q", 1, 2, event_id="e1"))
    for record, its_claims in [*((r, ()) for r in records), (odd, claims), (odd, claims[1:])]:
        assert record_fragment(record, its_claims) == _encoded(record_json(record, its_claims), RECORD_NEWLINE, " ")
        assert json.loads(record_fragment(record, its_claims)) == json.loads(json.dumps(record_json(record, its_claims)))
