"""Sidecars: an archivist's NAME.yaml overrides extracted fields, and the
record says which fields came from it and from which line."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive_builder.capture import CorrectionError, load_capture
from archive_builder.records import SIDECAR_FIELDS, build_record, record_id

TEXT = "Statement of the Office\n\nOn 20 January 1990 the Office issued this statement.\n"


def record_for(tmp_path: Path, sidecar: str | None, *, name: str = "doc.txt", text: str = TEXT, suffix: str = ".yaml"):
    (tmp_path / name).write_text(text, encoding="utf-8")
    if sidecar is not None:
        (tmp_path / name).with_suffix(suffix).write_text(sidecar, encoding="utf-8")
    capture, _ = load_capture(tmp_path / name, tmp_path)
    return build_record(capture)


def test_sidecar_fields_override_with_basis_and_line(tmp_path):
    rec = record_for(tmp_path, "# corrected by the archivist\ntitle: The corrected title\n"
                               "date: 2021-01-20\nauthor:\n  name: Jane Doe\n  title: Ambassador\n"
                               "document_type: letter\n")
    assert rec.title.value == "The corrected title" and rec.title.basis == "sidecar"
    assert rec.title.evidence == "sidecar doc.yaml:2" and rec.title.line == 2
    assert rec.date.value == "2021-01-20" and rec.date.basis == "sidecar" and rec.date.line == 3
    assert rec.author.value.name == "Jane Doe" and rec.author.value.title == "Ambassador"
    assert rec.document_type.value == "letter"
    assert rec.sidecar_fields == ("author", "date", "document_type", "title")


def test_yml_suffix_works_too(tmp_path):
    rec = record_for(tmp_path, "title: From yml\n", suffix=".yml")
    assert rec.title.value == "From yml" and rec.sidecar_fields == ("title",)


def test_without_sidecar_nothing_is_marked(tmp_path):
    rec = record_for(tmp_path, None)
    assert rec.sidecar_fields == () and rec.title.basis != "sidecar"


def test_empty_sidecar_changes_nothing(tmp_path):
    (tmp_path / "with").mkdir()
    (tmp_path / "without").mkdir()
    with_empty = record_for(tmp_path / "with", "# nothing yet\n")
    assert with_empty.sidecar_fields == ()
    assert with_empty == record_for(tmp_path / "without", None)


def test_sidecar_references_are_added_to_the_extracted_ones(tmp_path):
    rec = record_for(tmp_path, "references:\n  - A/75/710-S/2021/42\n")
    assert rec.references[-1].text == "A/75/710-S/2021/42" and rec.references[-1].kind == "curated"


def test_sidecar_id_replaces_the_path_id(tmp_path):
    assert record_for(tmp_path, None).id == record_id("doc.txt") == "doc"
    assert record_for(tmp_path, "id: a-stable-id\n").id == "a-stable-id"


def test_front_matter_is_stated_and_sidecar_wins(tmp_path):
    md = "---\ntitle: Front matter title\nweight: 3\n---\n\nBody text.\n"
    rec = record_for(tmp_path, None, name="doc.md", text=md)
    assert rec.title.value == "Front matter title" and rec.title.basis == "stated"
    rec = record_for(tmp_path, "title: Sidecar title\n", name="doc.md", text=md)
    assert rec.title.value == "Sidecar title" and rec.title.basis == "sidecar"


@pytest.mark.parametrize("sidecar, line, message", [
    ("title: ok\nauthr: X\n", 2, "unknown field 'authr' (did you mean 'author'?)"),
    ("publisher: {nme: X}\n", 1, "must be a name or a mapping with 'name'"),
    ("date: 20/01/2021\n", 1, "is not EDTF"),
    ("references: A/75/710\n", 1, "must be a list of strings"),
    ("id: ../../etc/passwd\n", 1, "'id' must be lowercase"),
    ("id: 42\n", 1, "'id' must be lowercase"),
    ("language: [en]\n", 1, "must be a non-empty string"),
])
def test_bad_sidecar_values_are_correction_errors_at_their_line(tmp_path, sidecar, line, message):
    with pytest.raises(CorrectionError) as exc:
        record_for(tmp_path, sidecar)
    assert exc.value.problem.file == "doc.yaml" and exc.value.problem.line == line
    assert message in exc.value.problem.message


def test_every_sidecar_field_can_be_set(tmp_path):
    values = {"id": "x-1", "title": "T", "document_type": "letter", "author": "A", "publisher": "P",
              "date": "2021-01", "language": "ru", "references": ["S/2021/42"]}
    assert set(values) == set(SIDECAR_FIELDS)
    import yaml

    rec = record_for(tmp_path, yaml.safe_dump(values))
    assert rec.id == "x-1" and rec.language.value == "ru" and rec.date.value == "2021-01"
    assert set(rec.sidecar_fields) == set(SIDECAR_FIELDS)


def test_front_matter_errors_point_at_the_exact_line(tmp_path):
    # unknown front-matter fields are the capture's own and ignored; a bad value is located exactly
    md = "---\n# a comment line\ntitle: Fine\n\nauthr: X\n---\n\nBody.\n"
    assert record_for(tmp_path, None, name="doc.md", text=md).title.value == "Fine"
    md = "---\n# a comment line\ntitle: Fine\n\ndate: not a date\n---\n\nBody.\n"
    with pytest.raises(CorrectionError) as exc:
        record_for(tmp_path, None, name="doc.md", text=md)
    assert exc.value.problem.file == "doc.md" and exc.value.problem.line == 5
