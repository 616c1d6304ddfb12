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
