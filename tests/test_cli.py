"""The command line: --help everywhere, progress and a one-line summary on
stderr, and the exit codes 0 (fine) / 1 (document problems) / 2 (usage or
config error)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from archive_builder import cli
from archive_builder.cli import EXIT_DOCUMENTS, EXIT_OK, EXIT_USAGE, main

PROJECT = Path(__file__).resolve().parent.parent
STATEMENT = "Statement of the Office\n\nThe Office recalls the events of 20 January 1990.\n"
SUMMARY = re.compile(r"^(\d+) documents read, (\d+) records built, (\d+) warnings, (\d+) errors, (\d+) pages, "
                     r"\d+\.\d s -> .+$", re.M)


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """Run in an empty folder: no ./archive.yaml, no project editorial/ files."""
    monkeypatch.chdir(tmp_path)


def _source(tmp_path: Path, files: dict[str, bytes]) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    for name, data in files.items():
        (src / name).write_bytes(data)
    return src


def _build(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["build", "--no-search", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("command", [[], ["build"], ["serve"], ["check"]])
def test_help_on_every_command(capsys, command):
    assert main([*command, "--help"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("usage: archive_builder")
    assert "--help" in out


def test_every_option_has_help_text():
    def walk(p):
        yield p
        for action in p._actions:
            for sub in getattr(action, "choices", None) and isinstance(action.choices, dict) and action.choices.values() or ():
                yield from walk(sub)

    for p in walk(cli.parser()):
        for action in p._actions:
            if action.option_strings and action.dest not in ("help", "version"):
                assert action.help, f"{p.prog} {action.option_strings} has no help"


def test_version(capsys):
    assert main(["--version"]) == EXIT_OK
    assert "archive_builder" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [[], ["frobnicate"], ["build", "--no-such-flag"], ["build", "--jobs", "0"],
                                  ["build", "--jobs", "many"]])
def test_usage_errors_exit_2(capsys, argv):
    assert main(argv) == EXIT_USAGE
    assert "usage:" in capsys.readouterr().err


def test_clean_build_exits_0_with_progress_and_summary(tmp_path, capsys):
    src = _source(tmp_path, {"a.txt": STATEMENT.encode(), "b.txt": STATEMENT.replace("Office", "Bureau").encode()})
    code, out, err = _build(capsys, "--source", str(src), "--out", str(tmp_path / "site"))
    assert code == EXIT_OK
    assert out == ""                                   # stdout stays free for pipes
    assert "read…" in err and "render…" in err         # progress
    assert re.search(r"^stages: read \d+\.\d\d s", err, re.M)
    m = SUMMARY.search(err)
    assert m and m.group(1, 2, 3, 4) == ("2", "2", "0", "0"), err


def test_quiet_keeps_only_problems_and_the_summary(tmp_path, capsys):
    src = _source(tmp_path, {"a.txt": STATEMENT.encode(), "empty.txt": b""})
    code, _, err = _build(capsys, "--quiet", "--source", str(src), "--out", str(tmp_path / "site"))
    assert code == EXIT_OK                              # a warning is not a failure
    lines = err.strip().splitlines()
    assert lines[0].startswith("empty.txt: warning:")
    assert SUMMARY.match(lines[-1]) and len(lines) == 2
    assert SUMMARY.match(lines[-1]).group(1, 2, 3) == ("2", "1", "1")


def test_document_errors_exit_1_and_the_site_is_still_built(tmp_path, capsys):
    src = _source(tmp_path, {"a.txt": STATEMENT.encode(), "bin.txt": b"\x00\x01\x02binary"})
    code, _, err = _build(capsys, "-q", "--source", str(src), "--out", str(tmp_path / "site"))
    assert code == EXIT_DOCUMENTS
    assert "bin.txt:1: error: binary file" in err
    report = json.loads((tmp_path / "site" / "data" / "build-report.json").read_text())
    assert report["documents_read"] == 2 and report["records_built"] == 1 and report["errors"] == 1
    assert report["files"] == [{"file": "bin.txt", "problems": [
        {"line": 1, "severity": "error", "message": report["files"][0]["problems"][0]["message"]}]}]


def test_missing_source_exits_2(tmp_path, capsys):
    code, _, err = _build(capsys, "--source", str(tmp_path / "nowhere"), "--out", str(tmp_path / "site"))
    assert code == EXIT_USAGE
    assert "source folder not found" in err and not (tmp_path / "site").exists()


def test_missing_config_file_exits_2(tmp_path, capsys):
    code, _, err = _build(capsys, "--config", str(tmp_path / "archive.yaml"))
    assert code == EXIT_USAGE and "config file not found" in err


def test_output_over_the_source_is_refused(tmp_path, capsys):
    src = _source(tmp_path, {"a.txt": STATEMENT.encode()})
    code, _, err = _build(capsys, "--source", str(src), "--out", str(src))
    assert code == EXIT_USAGE and "would replace the source" in err
    assert (src / "a.txt").read_bytes() == STATEMENT.encode()


def test_unwritable_output_exits_2_without_traceback(tmp_path, capsys):
    src = _source(tmp_path, {"a.txt": STATEMENT.encode()})
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, _, err = _build(capsys, "--source", str(src), "--out", str(blocker / "site"))
    assert code == EXIT_USAGE and "Traceback" not in err


def test_internal_errors_hide_the_traceback_unless_debug(tmp_path, capsys, monkeypatch):
    import archive_builder.build as build_module

    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(build_module, "analyse", broken)
    src = _source(tmp_path, {"a.txt": STATEMENT.encode()})
    code, _, err = _build(capsys, "--source", str(src), "--out", str(tmp_path / "site"))
    assert code == 70 and "internal error: RuntimeError: simulated bug" in err and "--debug" in err
    for argv in (["--debug", "build"], ["build", "--debug"]):
        with pytest.raises(RuntimeError):
            main([*argv, "--no-search", "--source", str(src), "--out", str(tmp_path / "site")])


def test_python_dash_m_entry_point(tmp_path):
    src = _source(tmp_path, {"a.txt": STATEMENT.encode()})
    run = subprocess.run([sys.executable, "-m", "archive_builder", "build", "--no-search", "--source", str(src),
                          "--out", str(tmp_path / "site")], cwd=PROJECT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert SUMMARY.search(run.stderr)
    assert (tmp_path / "site" / "data" / "records.json").is_file()


def test_site_url_flag_gives_absolute_permalinks_and_a_sitemap(tmp_path):
    from pathlib import Path

    from archive_builder.cli import main as cli_main

    seeds = Path(__file__).resolve().parent.parent / "seeds"
    out = tmp_path / "site"
    assert cli_main(["build", "--source", str(seeds), "--out", str(out), "--base-url", "/repo/",
                     "--site-url", "https://example.github.io", "--no-search", "--quiet"]) == 0
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://example.github.io/repo/documents/" in sitemap
    without = tmp_path / "plain"
    assert cli_main(["build", "--source", str(seeds), "--out", str(without), "--no-search", "--quiet"]) == 0
    assert not (without / "sitemap.xml").exists()


def test_a_full_disk_is_a_clear_error_not_a_traceback(tmp_path, monkeypatch, capsys):
    """An OSError with no file name (a full disk) is said plainly, with no empty name."""
    import archive_builder.build as build_module

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(build_module, "write_site", full)
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("A statement.\n\nIt says one thing.\n", encoding="utf-8")
    assert main(["build", "-q", "--no-search", "--source", str(src), "--out", str(tmp_path / "site")]) == 2
    err = capsys.readouterr().err
    assert "archive_builder: No space left on device (nothing was changed in the output folder)" in err
    assert "Traceback" not in err and not (tmp_path / "site").exists()
