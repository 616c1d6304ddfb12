"""The per-capture cache and the parallel read: a rebuild after one change
re-reads only that capture, a stale entry is never used, and the pool gives
the same records in the same order as a serial read."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import archive_builder.build as build_module
from archive_builder.build import BuildReport, read_one, read_outcomes, read_records
from archive_builder.cache import CaptureCache, capture_key, code_version, settings_version
from archive_builder.config import load_config

DOC = "Statement number {n} of the Office\n\nOn {n} January 1990, {k} people were killed, the Office said.\n"


def corpus(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"doc{n:03d}.txt").write_text(DOC.format(n=n + 1, k=100 + n), encoding="utf-8")
    return folder


def build(tmp_path: Path, **kwargs) -> BuildReport:
    config = load_config(None, source=str(tmp_path / "src"), out=str(tmp_path / "site"), search=False,
                         editorial=str(tmp_path / "no-editorial"))
    return build_module.build(config, **kwargs)


def test_rebuild_after_one_change_rereads_only_that_capture(tmp_path):
    corpus(tmp_path / "src", 8)
    first = build(tmp_path, jobs=1)
    assert first.from_cache == 0 and first.documents_read == 8
    second = build(tmp_path, jobs=1)
    assert second.from_cache == 8
    (tmp_path / "src" / "doc003.txt").write_text("A corrected statement\n\nNew text.\n", encoding="utf-8")
    third = build(tmp_path, jobs=1)
    assert third.from_cache == 7
    assert next(r for r in third.records if r.source_file == "doc003.txt").body.endswith("New text.")


def test_a_sidecar_change_invalidates_its_capture(tmp_path):
    corpus(tmp_path / "src", 3)
    build(tmp_path, jobs=1)
    (tmp_path / "src" / "doc001.yaml").write_text("title: Corrected title\n", encoding="utf-8")
    report = build(tmp_path, jobs=1)
    assert report.from_cache == 2
    rec = next(r for r in report.records if r.source_file == "doc001.txt")
    assert rec.title.value == "Corrected title" and rec.title.basis == "sidecar"
    (tmp_path / "src" / "doc001.yaml").unlink()
    report = build(tmp_path, jobs=1)
    rec = next(r for r in report.records if r.source_file == "doc001.txt")
    assert rec.title.basis != "sidecar"


def test_a_renamed_capture_is_not_served_from_its_old_entry(tmp_path):
    corpus(tmp_path / "src", 2)
    build(tmp_path, jobs=1)
    (tmp_path / "src" / "doc000.txt").rename(tmp_path / "src" / "renamed.txt")
    report = build(tmp_path, jobs=1)
    assert sorted(r.id for r in report.records) == ["doc001", "renamed"]
    assert report.from_cache == 1


def test_skipped_captures_are_cached_with_their_problems(tmp_path):
    corpus(tmp_path / "src", 2)
    (tmp_path / "src" / "bin.txt").write_bytes(b"\x00\x01binary")
    build(tmp_path, jobs=1)
    again = build(tmp_path, jobs=1)
    assert again.from_cache == 3 and again.skipped == ["bin.txt"]
    assert [p.message for p in again.errors] and "binary" in again.errors[0].message


def test_key_changes_with_every_input():
    base = capture_key("salt", "a.txt", b"text", None, None)
    assert len({base,
                capture_key("salt2", "a.txt", b"text", None, None),
                capture_key("salt", "b.txt", b"text", None, None),
                capture_key("salt", "a.txt", b"text!", None, None),
                capture_key("salt", "a.txt", b"text", "a.yaml", b""),
                capture_key("salt", "a.txt", b"text", "a.yaml", b"title: x"),
                capture_key("salt", "a.tx", b"ttext", None, None)}) == 7


def test_settings_version_depends_on_code_and_editorial_names():
    assert settings_version({}) == settings_version({})
    assert settings_version({"A": "B"}) != settings_version({})
    assert len(code_version()) == 64


def test_damaged_entry_is_a_miss(tmp_path):
    cache = CaptureCache(tmp_path / "c")
    cache.put("ab" + "0" * 62, {"x": 1})
    assert cache.get("ab" + "0" * 62) == {"x": 1}
    (tmp_path / "c" / "ab" / ("ab" + "0" * 62 + ".pickle")).write_bytes(b"not a pickle")
    assert cache.get("ab" + "0" * 62) is None
    assert cache.get("cd" + "0" * 62) is None


def test_prune_keeps_only_what_the_build_used(tmp_path):
    cache = CaptureCache(tmp_path / "c")
    keys = [f"{i:02d}" + "f" * 62 for i in range(5)]
    for k in keys:
        cache.put(k, k)
    assert cache.prune(keys[:2]) == 3
    assert [cache.get(k) for k in keys] == keys[:2] + [None] * 3


def test_outcomes_are_picklable_and_carry_no_cache_flag(tmp_path):
    src = corpus(tmp_path / "src", 1)
    cache = CaptureCache(tmp_path / "c")
    fresh = read_one(src / "doc000.txt", src, {}, cache, "s")
    again = read_one(src / "doc000.txt", src, {}, cache, "s")
    assert not fresh.from_cache and again.from_cache
    assert pickle.loads(pickle.dumps(fresh)) == fresh
    assert again.record == fresh.record


@pytest.mark.parametrize("use_cache", [False, True])
def test_pool_gives_the_serial_order_and_records(tmp_path, monkeypatch, use_cache):
    src = corpus(tmp_path / "src", 40)
    (src / "bin.txt").write_bytes(b"\x00")
    monkeypatch.setattr(build_module, "PARALLEL_MIN_CAPTURES", 2)
    cache = CaptureCache(tmp_path / "c") if use_cache else None
    paths = sorted(src.glob("*.txt"))
    serial = list(read_outcomes(paths, src, {}, None, jobs=1))
    parallel = list(read_outcomes(paths, src, {}, cache, jobs=2))
    assert [o.source_file for o in parallel] == [p.name for p in paths]
    assert [o.record for o in parallel] == [o.record for o in serial]
    assert [o.problems for o in parallel] == [o.problems for o in serial]


def test_read_records_reports_progress_on_large_inputs(tmp_path, monkeypatch):
    src = corpus(tmp_path / "src", 30)
    monkeypatch.setattr(build_module, "_PROGRESS_EVERY", 10)
    lines: list[str] = []
    read_records(src, {}, BuildReport(), jobs=1, progress=lines.append)
    assert lines == ["  read 10/30", "  read 20/30"]


FLOOD = "Statement on the flood\n\n3 March 2024\n\nOn 2 March 2024, 41 people were killed in Zorvath when the river rose.\n"


def test_editing_the_editorial_gazetteer_re_extracts_the_claims(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "flood.txt").write_text(FLOOD, encoding="utf-8")
    (tmp_path / "src" / "other.txt").write_text(DOC.format(n=1, k=100), encoding="utf-8")
    editorial = tmp_path / "editorial"
    editorial.mkdir()

    def places_of_claims(**kwargs) -> tuple[BuildReport, set[str]]:
        config = load_config(None, source=str(tmp_path / "src"), out=str(tmp_path / "site"), search=False,
                             editorial=str(editorial))
        report = build_module.build(config, jobs=1, **kwargs)
        return report, {key for c in report.analysis.claims for _, key in c.places}

    first, places = places_of_claims()
    assert first.from_cache == 0 and "zorvath" not in places
    (editorial / "places.yaml").write_text("places:\n  zorvath:\n    kind: town\n    names: [Zorvath]\n",
                                           encoding="utf-8")
    second, places = places_of_claims()
    assert second.from_cache == 0, "a new gazetteer gives every capture a new key"
    assert "zorvath" in places
    third, cached_places = places_of_claims()
    assert third.from_cache == 2 and cached_places == places
    assert [c.id for c in third.analysis.claims] == [c.id for c in second.analysis.claims]


def test_settings_version_depends_on_the_gazetteer(tmp_path):
    from archive_builder.analyse.places import default_gazetteer, load_gazetteer

    (tmp_path / "places.yaml").write_text("places:\n  vell:\n    names: [Vell]\n", encoding="utf-8")
    assert settings_version({}, default_gazetteer()) == settings_version({}, load_gazetteer(tmp_path / "none"))
    assert settings_version({}, default_gazetteer()) != settings_version({}, load_gazetteer(tmp_path))


def test_analysis_from_cached_per_record_results_equals_a_fresh_one(tmp_path):
    from archive_builder.analyse import analyse
    from archive_builder.editorial import Editorial

    src = corpus(tmp_path / "src", 6)
    cache = CaptureCache(tmp_path / "c")
    report = BuildReport()
    build_module.read_captures(src, {}, report, cache=cache)
    records, per_record = build_module.read_captures(src, {}, report, cache=cache)
    assert report.from_cache == 6 and all(claims for claims, _ in per_record.values())
    assert analyse(records, Editorial(), per_record=per_record) == analyse(records, Editorial())


def test_a_warm_rebuild_sends_only_changed_captures_to_the_pool(tmp_path, monkeypatch):
    src = corpus(tmp_path / "src", 12)
    monkeypatch.setattr(build_module, "PARALLEL_MIN_CAPTURES", 2)
    cache = CaptureCache(tmp_path / "c")
    paths = sorted(src.glob("*.txt"))
    cold = list(read_outcomes(paths, src, {}, cache, jobs=2))
    sent: list[str] = []
    workers: list[int] = []

    class InProcessPool:    # records what the pool is given, runs it here
        def __init__(self, max_workers, initializer, initargs):
            workers.append(max_workers)
            initializer(*initargs)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def map(self, fn, jobs, chunksize=1):
            jobs = list(jobs)
            sent.extend(path.name for path, _ in jobs)
            return map(fn, jobs)

    monkeypatch.setattr(build_module, "ProcessPoolExecutor", InProcessPool)
    warm = list(read_outcomes(paths, src, {}, cache, jobs=2))
    assert sent == [] and all(o.from_cache for o in warm), "no pool for cache hits"
    (src / "doc005.txt").write_text("A corrected statement\n\nOn 4 May 1990, 3 people were killed.\n", encoding="utf-8")
    warm = list(read_outcomes(paths, src, {}, cache, jobs=2))
    assert sent == ["doc005.txt"]
    assert workers == [1], "one changed capture: one worker forked, not one per job"
    assert [o.from_cache for o in warm] == [p.name != "doc005.txt" for p in paths]
    assert [o.source_file for o in warm] == [o.source_file for o in cold]
    assert [o.claims for o in warm if o.source_file != "doc005.txt"] == \
        [o.claims for o in cold if o.source_file != "doc005.txt"]
    assert next(o for o in warm if o.source_file == "doc005.txt").record.body.startswith("On 4 May 1990")


def test_a_damaged_entry_is_read_again(tmp_path):
    src = corpus(tmp_path / "src", 3)
    cache = CaptureCache(tmp_path / "c")
    paths = sorted(src.glob("*.txt"))
    cold = list(read_outcomes(paths, src, {}, cache, jobs=1))
    cache._path(cold[1].key).write_bytes(b"damaged")
    again = list(read_outcomes(paths, src, {}, cache, jobs=1))
    assert [o.from_cache for o in again] == [True, False, True]
    assert [o.record for o in again] == [o.record for o in cold]


def test_entries_keep_every_field_of_frozen_slotted_records(tmp_path):
    from archive_builder.model import Claim, Figure

    claim = Claim(id="d-c1", document_id="d", kind="casualties", quote="41 people were killed", start=3, end=24,
                  figures=(Figure(measure="killed", value=41, low=None, high=None, qualifier="exact", subject="people",
                                   text="41 people", start=3, end=12),),
                  dates=(("2 March 2024", "2024-03-02", "stated"),), places=(("Zorvath", "zorvath"),))
    cache = CaptureCache(tmp_path / "c")
    key = "ef" + "1" * 62
    cache.put(key, (claim, claim))
    back = cache.get(key)
    assert back == (claim, claim) and back[0] is back[1], "shared objects stay shared"
    assert type(back[0].figures[0]) is Figure
    with pytest.raises(AttributeError):
        back[0].kind = "other"     # still frozen


def test_the_build_leaves_the_garbage_collector_as_it_found_it(tmp_path):
    import gc

    corpus(tmp_path / "src", 3)
    assert gc.isenabled()
    build(tmp_path, jobs=1)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    (tmp_path / "src" / "doc001.yaml").write_text("date: [not, edtf\n", encoding="utf-8")
    with pytest.raises(build_module.BuildStopped):
        build(tmp_path, jobs=1)
    assert gc.isenabled() and gc.get_freeze_count() == 0
