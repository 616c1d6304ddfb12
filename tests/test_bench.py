"""The benchmark's generator and a smoke run of the benchmark command."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings, strategies as st

from archive_builder.bench.corpus import edit_capture, events_for, generate, generate_capture, write_corpus
from archive_builder.bench.measure import parse_stages
from archive_builder.bench.run import RECYCLING_NO_SEARCH, SAME_SETTINGS_NO_SEARCH, SMOKE_SIZE, table, targets
from archive_builder.bench.measure import Measurement

PROJECT = Path(__file__).resolve().parent.parent


def test_generator_is_deterministic_and_independent_of_hash_seed():
    script = ("import hashlib; from archive_builder.bench.corpus import generate; "
              "print(hashlib.sha256(''.join(c.name + c.text for c in generate(40, 7)).encode()).hexdigest())")
    digests = {subprocess.run([sys.executable, "-c", script], cwd=PROJECT, capture_output=True, text=True, check=True,
                              env={"PYTHONHASHSEED": hash_seed, "PATH": "/usr/bin:/bin"}).stdout
               for hash_seed in ("0", "1", "12345")}
    assert len(digests) == 1
    assert list(generate(40, 7)) == list(generate(40, 7))
    assert list(generate(40, 7)) != list(generate(40, 8))


@settings(max_examples=15, deadline=None)
@given(size=st.integers(min_value=1, max_value=120), seed=st.integers(min_value=0, max_value=10**6))
def test_generator_gives_the_requested_count_of_distinct_captures(size, seed):
    captures = list(generate(size, seed))
    assert len(captures) == size
    assert len({c.name for c in captures}) == size
    assert len({c.text for c in captures}) == size


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10**6), index=st.integers(min_value=0, max_value=199))
def test_a_capture_is_statement_sized_and_describes_its_events(seed, index):
    capture = generate_capture(seed, index, 200)
    words = len(capture.text.split())
    assert 300 <= words <= 1000
    for place in capture.places:
        assert place in capture.text
    labels = {e.label for e in events_for(seed, 200)}
    assert set(capture.events) <= labels


def test_corpus_has_shared_events_differing_figures_chrome_and_reused_passages():
    captures = list(generate(400, 3))
    by_event: dict[str, int] = {}
    for c in captures:
        for e in c.events:
            by_event[e] = by_event.get(e, 0) + 1
    assert max(by_event.values()) >= 10          # some events are written about again and again
    assert {c.kind for c in captures} == {"statement", "comment", "un_letter", "news"}
    texts = [c.text for c in captures]
    assert 0.1 < sum("+ ↺ − 16 px" in t for t in texts) / len(texts) < 0.5
    assert any("Discussion Policy" in t for t in texts)
    assert any(t.startswith("United Nations") for t in texts)
    # the same event, different killed figures from different sources
    top = max(by_event, key=by_event.get)
    place = top.split(",")[0]
    killed = {m.group(1) for t in texts if place in t
              for m in re.finditer(rf"attacked the residents of {re.escape(place)}\. As a result, (\d+) civilians", t)}
    assert len(killed) >= 2
    # paragraphs reused across captures
    paragraphs: dict[str, int] = {}
    for t in texts:
        for p in set(t.split("\n\n")):
            if len(p.split()) > 30:
                paragraphs[p] = paragraphs.get(p, 0) + 1
    assert max(paragraphs.values()) >= 3


def test_write_and_edit_change_exactly_one_file(tmp_path):
    written = write_corpus(tmp_path, 25, 2)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(c.name for c in written)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    path = edit_capture(tmp_path, 25, 2, 12, revision=1)
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert [n for n in before if before[n] != after[n]] == [path.name]


def test_stage_line_is_parsed():
    stderr = "  read…\nsomething\nstages: read 1.20 s, analyse 13.05 s, render 2.00 s, index 4.5 s, write 0.01 s\n3 documents"
    assert parse_stages(stderr) == {"read": 1.2, "analyse": 13.05, "render": 2.0, "index": 4.5, "write": 0.01}
    assert parse_stages("no stages here") == {}


def _m(label: str, wall: float, returncode: int | None = 0, main: float = 100.0) -> Measurement:
    return Measurement(label, ("x",), returncode, wall, wall, main, 0.0, 0.0, main, {"index": 2.0})


def test_targets_judge_the_figures_not_a_fixed_answer():
    fast = [_m("ours: full build", 20.0), _m("ours: 1 changed, rebuild --no-search", 1.0),
            _m("hugo --minify (related content)", 30.0), _m("pagefind over hugo public/", 15.0)]
    slow = [_m("ours: full build", 60.0, main=2000.0), _m("ours: 1 changed, rebuild --no-search", 30.0),
            _m("hugo --minify (related content)", 30.0), _m("pagefind over hugo public/", 15.0)]
    assert not any("NOT met" in line for line in targets(10, fast))
    assert sum("NOT met" in line for line in targets(10, slow)) == 4
    unfinished_hugo = [_m("ours: full build", 100.0), _m("hugo --minify (related content)", 600.0, returncode=None)]
    assert any("under half" in line and ": met" in line for line in targets(10, unfinished_hugo))
    assert "not finished" in table([(10, _m("hugo --minify (related content)", 600.0, returncode=None))])


def test_same_settings_rebuild_is_judged_less_its_index_stage():
    # rebuild 5.0 s wall of which index 2.0 (see _m): 3.0 s against a 20 s full build is 15 %
    lines = targets(10, [_m("ours: full build", 20.0), _m("ours: 1 changed, rebuild", 5.0)])
    assert any("less its index stage 3.0 s = 15.0%" in line and "NOT met" in line for line in lines)
    lines = targets(10, [_m("ours: full build", 40.0), _m("ours: 1 changed, rebuild", 5.0)])
    assert any("less its index stage 3.0 s = 7.5%" in line and "(met" in line for line in lines)


def test_the_1_gb_target_is_judged_up_to_10000_captures_only():
    big = [_m("ours: full build", 1000.0, main=7000.0)]
    assert not any("< 1 GB" in line for line in targets(100_000, big))
    assert any("< 1 GB: NOT met" in line for line in targets(10_000, big))
    assert any("under 8 GB" in line and ": met" in line for line in targets(100_000, big))


def test_the_no_search_rebuild_after_a_no_search_build_is_judged_whole():
    lines = targets(10, [_m("ours: full build", 20.0), _m(SAME_SETTINGS_NO_SEARCH, 3.0)])
    assert any("after a --no-search build 3.0 s = 15.0%" in line and "NOT met" in line for line in lines)
    lines = targets(10, [_m("ours: full build", 40.0), _m(SAME_SETTINGS_NO_SEARCH, 3.0)])
    assert any("after a --no-search build 3.0 s = 7.5%" in line and "(met" in line for line in lines)
    # it is not taken for the rebuild that follows a build with search
    assert not any("rebuild without search" in line for line in lines)


def test_the_recycling_rebuild_is_reported_but_decides_no_target():
    lines = targets(10_000, [_m("ours: full build", 40.0), _m(SAME_SETTINGS_NO_SEARCH, 6.0), _m(RECYCLING_NO_SEARCH, 3.0)])
    assert any("once more (recycling" in line and "3.0 s = 7.5%" in line for line in lines)
    # the first rebuild's 15 % decides the target; the recycling one's 7.5 % does not make it "met"
    assert [line for line in lines if "< 10%" in line and "(met" in line] == []
    assert not any("once more" in line and "met" in line for line in lines)


def test_smoke_run_completes_and_prints_its_table(tmp_path):
    out = tmp_path / "bench.json"
    run = subprocess.run([sys.executable, "-m", "archive_builder.bench", "--smoke", "--json", str(out)],
                         cwd=PROJECT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "| ours: full build" in run.stdout
    assert "| ours: 1 changed, rebuild --no-search" in run.stdout
    assert f"| {SAME_SETTINGS_NO_SEARCH}" in run.stdout
    assert f"| {RECYCLING_NO_SEARCH}" in run.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    full = data["results"][0]
    assert full["size"] == SMOKE_SIZE and full["returncode"] == 0
    assert {"read", "analyse", "render"} <= set(full["stages"])
    assert full["peak_main_mb"] > 0 and full["cpu_s"] > 0


def test_saved_figures_read_back_as_they_were_written(tmp_path):
    from dataclasses import asdict

    from archive_builder.bench.run import load_results

    measured = [_m("ours: full build", 12.5), _m("hugo --minify (related content)", 600.0, returncode=None)]
    path = tmp_path / "bench.json"
    path.write_text(json.dumps({"command": "x", "machine": {}, "results": [{"size": 7, **asdict(m)} for m in measured]}))
    _, rows = load_results(path)
    assert rows == [(7, m) for m in measured]


def test_memory_of_an_unfinished_build_is_only_a_lower_bound():
    stopped_low = [_m("ours: full build", 600.0, returncode=None, main=500.0)]
    stopped_high = [_m("ours: full build", 600.0, returncode=None, main=2000.0)]
    assert any("1 GB: undecided" in line for line in targets(10, stopped_low))
    assert any("1 GB: NOT met" in line for line in targets(10, stopped_high))


def test_a_stopped_command_counts_its_killed_child():
    from archive_builder.bench.measure import run_measured

    busy_child = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'while True: pass'])"
    m = run_measured("busy", [sys.executable, "-c", busy_child], timeout=3)
    assert m.returncode is None and not m.finished
    assert m.cpu_s > 0.5              # the child's spinning, though nobody reaped it
    assert m.peak_other_mb > 0        # the child was seen apart from the command's own process


def test_a_stopped_build_decides_only_what_its_lower_bound_decides():
    hugo_done = [_m("hugo --minify (related content)", 560.0), _m("pagefind over hugo public/", 170.0)]
    ours_stopped = [_m("ours: full build", 600.0, returncode=None), *hugo_done]
    lines = targets(10, ours_stopped)
    assert any("no more wall time" in line and line.endswith("undecided") for line in lines)   # 600 < 730
    assert any("under half" in line and line.endswith("NOT met") for line in lines)             # 600 > 365
    both_stopped = [_m("ours: full build", 600.0, returncode=None),
                    _m("hugo --minify (related content)", 600.0, returncode=None)]
    assert all(line.endswith("undecided") for line in targets(10, both_stopped) if "full build incl." in line)


def test_the_benchmark_waits_for_the_previous_sites_background_removal(tmp_path):
    import threading

    from archive_builder.bench.run import wait_for_background_removal

    site = tmp_path / "site"
    assert wait_for_background_removal(site) == 0.0
    trash = tmp_path / ".site-trash-x"
    trash.mkdir()
    threading.Timer(0.5, trash.rmdir).start()
    assert wait_for_background_removal(site, poll=0.05) >= 0.4 and not trash.exists()
