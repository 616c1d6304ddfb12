"""Editorial YAML is optional, found in its folder, and a broken file stops the build at file:line."""

import json
from pathlib import Path

from archive_builder.cli import main
from archive_builder.editorial import load_editorial

CAPTURE = """Statement on the flood in Zorvath

3 March 2024

On 2 March 2024, 41 people were killed in Zorvath-on-Tay when the river rose.
"""


def archive(tmp_path: Path, places: str | None) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "flood.txt").write_text(CAPTURE, encoding="utf-8")
    (tmp_path / "editorial").mkdir()
    if places is not None:
        (tmp_path / "editorial" / "places.yaml").write_text(places, encoding="utf-8")
    config = tmp_path / "archive.yaml"
    config.write_text("source: src\nout: site\neditorial: editorial\nsearch: false\n", encoding="utf-8")
    return config


def claim_places(site: Path) -> set[str]:
    records = json.loads((site / "data" / "records.json").read_text(encoding="utf-8"))["records"]
    return {p["place"] for r in records for c in r["claims"] for p in c["places"]}


def test_a_places_file_alone_extends_the_gazetteer(tmp_path):
    config = archive(tmp_path, "places:\n  zorvath:\n    kind: town\n    names: [Zorvath-on-Tay, Zorvath]\n")
    assert load_editorial(tmp_path / "editorial").folder == str(tmp_path / "editorial")
    assert main(["build", "--config", str(config), "--quiet"]) == 0
    assert "zorvath" in claim_places(tmp_path / "site")


def test_without_a_places_file_the_build_still_works(tmp_path):
    config = archive(tmp_path, None)
    assert main(["build", "--config", str(config), "--quiet"]) == 0
    assert "zorvath" not in claim_places(tmp_path / "site")


def test_a_broken_places_file_stops_the_build_at_its_line(tmp_path, capsys):
    config = archive(tmp_path, "places:\n  zorvath:\n    names: [unclosed\n")
    assert main(["build", "--config", str(config), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "places.yaml:" in err and "Traceback" not in err
    assert not (tmp_path / "site").exists()
