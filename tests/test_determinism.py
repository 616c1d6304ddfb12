"""Same input, same bytes: whatever the file-system order, PYTHONHASHSEED,
time zone, locale, worker count or cache state."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from archive_builder.report import source_date

PROJECT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT / "seeds"


def copy_seeds(folder: Path, order: list[Path], extra: dict[str, str]) -> None:
    """The seeds plus a few generated captures, created in the given order (so
    directory listings come back in different orders on most file systems)."""
    folder.mkdir(parents=True)
    files = {p.name: p.read_bytes() for p in SEEDS.glob("*.txt")}
    files.update({name: text.encode() for name, text in extra.items()})
    for name in order:
        (folder / name).write_bytes(files[name])


EXTRA = {
    f"gen_{i:02d}.txt": (f"Statement of the Office number {i} on the events in Baku\n\n"
                         f"On {1 + i} January 1990, {100 + i} people were killed, the Office said.\n"
                         f"Another passage shared by all: the events of January 1990 must be remembered.\n")
    for i in range(12)
}


def _build(src: Path, out: Path, env_extra: dict[str, str], *extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "PYTHONHASHSEED", "TZ", "LC_ALL", "LANG")}
    env.update({"PYTHONPATH": str(PROJECT), **env_extra})
    # run from PROJECT so both builds use the project's editorial/ files the same way
    return subprocess.run([sys.executable, "-m", "archive_builder", "build", "--source", str(src), "--out", str(out),
                           "--quiet", *extra], cwd=PROJECT, env=env, capture_output=True, text=True)


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def assert_identical(a: Path, b: Path) -> None:
    ta, tb = tree(a), tree(b)
    assert sorted(ta) == sorted(tb), f"different files: {sorted(set(ta) ^ set(tb))[:10]}"
    differ = [name for name in ta if ta[name] != tb[name]]
    assert not differ, f"files that differ: {differ[:20]}"


def _locales() -> tuple[str, str]:
    run = subprocess.run(["locale", "-a"], capture_output=True, text=True)
    available = set(run.stdout.split()) if run.returncode == 0 else set()
    other = next((l for l in ("de_DE.utf8", "tr_TR.utf8", "fr_FR.utf8", "C.utf8", "C.UTF-8") if l in available), "C")
    return "POSIX", other


def test_two_builds_in_different_environments_are_byte_identical(tmp_path):
    names = sorted([p.name for p in SEEDS.glob("*.txt")] + list(EXTRA))
    shuffled = names[:]
    random.Random(7).shuffle(shuffled)
    copy_seeds(tmp_path / "a" / "src", names, EXTRA)
    copy_seeds(tmp_path / "b" / "src", list(reversed(shuffled)), EXTRA)
    loc_a, loc_b = _locales()
    one = _build(tmp_path / "a" / "src", tmp_path / "a" / "site",
                 {"PYTHONHASHSEED": "1", "TZ": "UTC", "LC_ALL": loc_a}, "--jobs", "1")
    two = _build(tmp_path / "b" / "src", tmp_path / "b" / "site",
                 {"PYTHONHASHSEED": "4242", "TZ": "Pacific/Kiritimati", "LC_ALL": loc_b}, "--jobs", "2")
    assert one.returncode in (0, 1), one.stderr
    assert two.returncode == one.returncode, two.stderr
    assert_identical(tmp_path / "a" / "site", tmp_path / "b" / "site")
    assert any(name.startswith("pagefind/") for name in tree(tmp_path / "a" / "site")), "the search index was compared too"


def test_cached_parallel_and_serial_builds_are_byte_identical(tmp_path):
    names = sorted([p.name for p in SEEDS.glob("*.txt")] + list(EXTRA))
    copy_seeds(tmp_path / "src", names, EXTRA)
    env = {"PYTHONHASHSEED": "0"}
    cold = _build(tmp_path / "src", tmp_path / "cold", env, "--no-search", "--no-cache", "--jobs", "1")
    warm1 = _build(tmp_path / "src", tmp_path / "warm", env, "--no-search", "--jobs", "2")
    assert (tmp_path / ".cache").is_dir()
    (tmp_path / "warm").rename(tmp_path / "first-warm")
    warm2 = _build(tmp_path / "src", tmp_path / "warm", env, "--no-search", "--jobs", "2")  # from the cache
    assert cold.returncode == warm1.returncode == warm2.returncode == 0, cold.stderr + warm2.stderr
    assert_identical(tmp_path / "cold", tmp_path / "first-warm")
    assert_identical(tmp_path / "cold", tmp_path / "warm")


def test_no_build_time_unless_source_date_epoch(tmp_path):
    names = sorted(p.name for p in SEEDS.glob("*.txt"))
    copy_seeds(tmp_path / "src", names, {})
    plain = _build(tmp_path / "src", tmp_path / "plain", {}, "--no-search")
    dated = _build(tmp_path / "src", tmp_path / "dated", {"SOURCE_DATE_EPOCH": "1611100800"}, "--no-search")
    assert plain.returncode == dated.returncode == 0
    assert json.loads((tmp_path / "plain" / "data" / "build-report.json").read_text())["built"] is None
    assert json.loads((tmp_path / "dated" / "data" / "build-report.json").read_text())["built"] == "2021-01-20T00:00:00Z"


@pytest.mark.parametrize("value, expected", [("0", "1970-01-01T00:00:00Z"), ("", None), ("soon", None), ("-5", None)])
def test_source_date(value, expected):
    assert source_date({"SOURCE_DATE_EPOCH": value}) == expected


def test_report_timings_only_on_request(tmp_path):
    names = sorted(p.name for p in SEEDS.glob("*.txt"))
    copy_seeds(tmp_path / "src", names, {})
    run = _build(tmp_path / "src", tmp_path / "site", {}, "--no-search", "--report-timings")
    assert run.returncode == 0
    report = json.loads((tmp_path / "site" / "data" / "build-report.json").read_text())
    assert set(report["seconds"]) >= {"read", "analyse", "render"}
    assert all(isinstance(v, float) for v in report["seconds"].values())
