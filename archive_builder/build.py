"""The build, top to bottom: read -> records -> analyse -> render -> write -> index -> swap.

Stages return values and Problems; nothing here prints (the CLI does).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import itertools
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Sequence

from .analyse import EventNames, analyse, analyse_record, editorial_gazetteer
from .analyse.places import Gazetteer, default_gazetteer
from .cache import CaptureCache, capture_key, settings_version
from .capture import CaptureError, CorrectionError, load_capture, sidecar_of, survey
from .config import Config
from .editorial import EditorialError, load_editorial
from .model import Analysis, Claim, Problem, Record
from .output import (BACKGROUND_REMOVAL_PAGES, build_lock, clean_stale_staging, discard, swap_in, take_recycled,
                     write_file)
from .records import build_record
from .render import SiteContext, site_salt, write_site
from .report import report_json
from .search import LiveIndex, PagefindError
from .urls import Urls

REPORT_FILE = "data/build-report.json"
# An archive of this many records or more keeps the site a build replaces as the next
# build's staging folder (output.take_recycled): its folders are made already, and
# most of its files are already the live site's.  Smaller sites are made afresh,
# leaving nothing beside the output folder.
RECYCLE_MIN_RECORDS = 1000


class BuildStopped(Exception):
    """Input the archivist must fix before anything is written (exit 2)."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class BuildReport:
    documents_read: int = 0
    records: list[Record] = field(default_factory=list)
    analysis: Analysis = field(default_factory=Analysis)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    cache_keys: list[str] = field(default_factory=list)
    record_keys: dict[str, str] = field(default_factory=dict)   # record id -> its capture's cache key
    from_cache: int = 0             # captures whose outcome came from .cache/ unchanged
    pages: int = 0
    indexed: int = 0
    out: Path | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


class _Clock:
    def __init__(self, report: BuildReport, progress: Callable[[str], None]):
        self.report, self.progress = report, progress

    def __call__(self, stage: str):
        clock = self

        class _Stage:
            def __enter__(self):
                clock.progress(f"{stage}…")
                self.t = time.perf_counter()

            def __exit__(self, *exc):
                clock.report.timings[stage] = round(time.perf_counter() - self.t, 3)

        return _Stage()


def release_free_memory() -> None:
    """Give the C allocator's free pages back to the system (glibc's
    malloc_trim); Python's own arenas are returned as they empty.  Nothing
    where the C library has no malloc_trim."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    trim(0)


def cache_folder(out: Path) -> Path:
    """`.cache/` beside the output folder, one sub-folder per output."""
    return out.parent / ".cache" / "archive_builder" / out.name


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Outcome:
    """What reading one capture gave: a Record with its per-record analysis
    (claims, names for events), or why it was skipped."""

    source_file: str
    record: Record | None
    problems: tuple[Problem, ...] = ()
    stops_build: bool = False       # a sidecar or front matter that cannot be applied
    key: str | None = None          # cache key, when cached
    from_cache: bool = False
    claims: tuple[Claim, ...] = ()
    event_names: EventNames = ()


# Below this many captures to read the pool's start-up costs more than it saves.
PARALLEL_MIN_CAPTURES = 64
_PROGRESS_EVERY = 1000   # at most one progress line per this many captures

_worker: dict = {}


def _init_worker(source: Path, canonical_names: dict[str, str], cache_folder: Path | None,
                 gazetteer: Gazetteer) -> None:
    # The gazetteer comes once per worker (inherited when the pool forks), never per capture.
    gc.enable()     # a forked worker inherits the main process's paused collector
    _worker.update(source=source, names=canonical_names,
                   cache=CaptureCache(cache_folder) if cache_folder else None, gazetteer=gazetteer)


def _read_in_worker(job: tuple[Path, str | None]) -> Outcome:
    path, key = job
    return read_fresh(path, _worker["source"], _worker["names"], _worker["gazetteer"], key, _worker["cache"])


def key_of(path: Path, name: str, source: Path, salt: str, sidecar: Path | None | bool = True) -> str | None:
    """The cache key of one capture: its name and bytes, its sidecar's, and `salt`.
    `sidecar`: the capture's sidecar when the caller has looked for it already
    (None: it has none), else True (looked for here)."""
    if sidecar is True:
        sidecar = sidecar_of(path)
    try:
        return capture_key(salt, name, path.read_bytes(),
                           sidecar.relative_to(source).as_posix() if sidecar else None,
                           sidecar.read_bytes() if sidecar else None)
    except OSError:
        return None


# --- the keys of unchanged captures, from their file status ------------------------
#
# Hashing every capture to find its key (reading 40 MB at 10,000 captures) was a
# third of a one-change rebuild's read stage.  As git does with its index, the
# key a build computed is noted with the file's status (inode, size, mtime,
# ctime) and reused while that status is unchanged.  ctime cannot be set by any
# tool (copying with preserved times, restoring a backup and editing in place
# all set it), and a status is trusted only if the file had not changed for
# RACY_NS before it was taken: a change within the same clock tick as the
# last one would otherwise leave ctime and mtime as they were.  A sidecar's
# status is noted too; its appearance beside a capture changes the folder's.

STAT_NOTES = "capture-status.json"     # in the cache folder
RACY_NS = 2_000_000_000


def _status(st: os.stat_result) -> list[int]:
    return [st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def keys_from_status(paths: Sequence[Path], names: Sequence[str], source: Path, salt: str,
                     folder: Path) -> list[str | None]:
    """The cache key of each capture (key_of), reused from the notes of the last
    build for a capture whose status and whose sidecar's and folder's statuses are
    those noted; then the notes of this build."""
    try:
        notes = json.loads((folder / STAT_NOTES).read_text(encoding="utf-8"))
        if notes.get("salt") != salt:
            notes = {}
    except (OSError, ValueError, AttributeError):
        notes = {}
    old_files, old_folders = notes.get("files", {}), notes.get("folders", {})
    taken = time.time_ns()
    folders: dict[str, list[int] | None] = {}
    files: dict[str, list] = {}
    keys: list[str | None] = []
    for path, name in zip(paths, names):
        parent = os.path.dirname(name)
        if parent not in folders:
            try:
                folders[parent] = _status(os.stat(source / parent))
            except OSError:
                folders[parent] = None
        try:
            status = _status(os.stat(path))
        except OSError:
            keys.append(key_of(path, name, source, salt))
            continue
        note = old_files.get(name)
        key = None
        if (isinstance(note, list) and len(note) == 7 and note[:4] == status and folders[parent] is not None
                and old_folders.get(parent) == folders[parent] and status[3] < notes.get("taken", 0) - RACY_NS):
            sidecar_name, sidecar_status = note[4], note[5]
            if not sidecar_name:
                key = note[6]
            else:
                try:
                    current = _status(os.stat(source / sidecar_name))
                except OSError:
                    current = None
                if current == sidecar_status and current[3] < notes["taken"] - RACY_NS:
                    key = note[6]
        if key is None:
            sidecar = sidecar_of(path)
            sidecar_name = sidecar.relative_to(source).as_posix() if sidecar else ""
            try:
                sidecar_status = _status(os.stat(sidecar)) if sidecar else None
            except OSError:
                sidecar_status = None
            key = key_of(path, name, source, salt, sidecar)
            try:
                after = _status(os.stat(path))
            except OSError:
                after = None
            if key is not None and after == status:     # not changed while it was read
                files[name] = [*status, sidecar_name, sidecar_status, key]
        else:
            files[name] = [*status, note[4], note[5], key]
        keys.append(key)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / (STAT_NOTES + ".tmp")
        temporary.write_text(json.dumps({"salt": salt, "taken": taken, "files": files,
                                         "folders": {k: v for k, v in folders.items() if v is not None}},
                                        separators=(",", ":")), encoding="utf-8")
        os.replace(temporary, folder / STAT_NOTES)
    except OSError:
        pass        # the notes only save time
    return keys


def cached_outcome(name: str, entry: object) -> Outcome | None:
    """The outcome a cache entry holds for the capture `name`; None for a
    missing, foreign or misplaced entry (a miss)."""
    if isinstance(entry, Outcome) and entry.source_file == name and entry.from_cache:
        return entry
    return None


def read_fresh(path: Path, source: Path, canonical_names: Mapping[str, str], gazetteer: Gazetteer | None,
               key: str | None = None, cache: CaptureCache | None = None) -> Outcome:
    """Read, clean, describe and analyse one capture; stored under `key` when given."""
    name = path.relative_to(source).as_posix()
    try:
        capture, warnings = load_capture(path, source)
        record = build_record(capture, canonical_names)
    except CorrectionError as exc:
        return Outcome(name, None, (exc.problem,), stops_build=True)
    except CaptureError as exc:
        outcome = Outcome(name, None, (exc.problem,), key=key)
    else:
        if warnings:
            record = replace(record, warnings=tuple(warnings) + tuple(record.warnings))
        claims, event_names = analyse_record(record, gazetteer or default_gazetteer())
        outcome = Outcome(name, record, tuple(record.warnings), key=key, claims=claims, event_names=event_names)
    if cache is not None and key is not None:
        # stored as the later builds that load it see it: already marked as from the cache
        cache.put(key, replace(outcome, from_cache=True))
    return outcome


def read_one(path: Path, source: Path, canonical_names: Mapping[str, str],
             cache: CaptureCache | None = None, salt: str = "", gazetteer: Gazetteer | None = None) -> Outcome:
    """Read one capture; from the cache when nothing changed."""
    name = path.relative_to(source).as_posix()
    key = key_of(path, name, source, salt) if cache is not None else None
    if cache is not None and key is not None:
        hit = cached_outcome(name, cache.get(key))
        if hit is not None:
            return hit
    return read_fresh(path, source, canonical_names, gazetteer, key, cache)


def read_outcomes(paths: Sequence[Path], source: Path, canonical_names: Mapping[str, str],
                  cache: CaptureCache | None, jobs: int,
                  progress: Callable[[str], None] = lambda s: None,
                  gazetteer: Gazetteer | None = None) -> Iterator[Outcome]:
    """Outcomes in the order of `paths`, whatever order the workers finish in.

    Keys are checked and cache hits loaded here, in the main process: hashing
    a capture and unpickling its entry is cheaper than shipping the outcome
    back from a worker, so the pool only reads what changed."""
    gazetteer = gazetteer or default_gazetteer()
    salt = settings_version(canonical_names, gazetteer) if cache is not None else ""
    step = max(_PROGRESS_EVERY, len(paths) // 10)
    names = [p.relative_to(source).as_posix() for p in paths]
    keys: list[str | None] = [None] * len(paths)
    stored: set[str] = set()
    if cache is not None:
        keys = keys_from_status(paths, names, source, salt, cache.folder)
        stored = cache.stored_keys()
    misses = [(p, k) for p, k in zip(paths, keys) if k not in stored]

    def fresh(job: tuple[Path, str | None]) -> Outcome:
        return read_fresh(job[0], source, canonical_names, gazetteer, job[1], cache)

    def load_hits() -> dict[str, object]:
        """Every stored entry this build uses, in one pass over the cache."""
        return cache.get_many(k for k in keys if k is not None and k in stored) if cache else {}

    def in_order(fresh_outcomes: Iterator[Outcome], loaded: Mapping[str, object]) -> Iterator[Outcome]:
        for path, name, key in zip(paths, names, keys):
            if key is not None and key in stored:
                # a damaged or foreign entry is a miss, read here (rare)
                yield cached_outcome(name, loaded.get(key)) or fresh((path, key))
            else:
                yield next(fresh_outcomes)

    hits = len(paths) - len(misses)
    if jobs <= 1 or not misses or max(len(misses), hits) < PARALLEL_MIN_CAPTURES:
        yield from _counted(in_order(map(fresh, misses), load_hits()), len(paths), step, progress)
        return
    started: list[Outcome] = []
    if len(misses) >= PARALLEL_MIN_CAPTURES:
        # The first capture to read is read here, before the pool forks: the
        # language and date models load lazily, and loaded once here they are
        # shared with every worker instead of being loaded again in each.
        started.append(fresh(misses[0]))
    # no more workers than captures to read: a rebuild's one changed capture forks one
    with ProcessPoolExecutor(max_workers=min(jobs, len(misses)), initializer=_init_worker,
                             initargs=(source, dict(canonical_names), cache.folder if cache else None,
                                       gazetteer)) as pool:
        chunk = max(1, min(256, len(misses) // (jobs * 8)))
        rest = pool.map(_read_in_worker, misses[len(started):], chunksize=chunk)
        # The workers read what changed while this process loads every cached entry.
        loaded = load_hits()
        yield from _counted(in_order(itertools.chain(started, rest), loaded), len(paths), step, progress)


def _counted(outcomes: Iterable[Outcome], total: int, step: int, progress: Callable[[str], None]) -> Iterator[Outcome]:
    for n, outcome in enumerate(outcomes, start=1):
        if n % step == 0 and n < total:
            progress(f"  read {n}/{total}")
        yield outcome


PerRecord = dict[str, tuple[tuple[Claim, ...], EventNames]]   # record id -> its claims, names for events


@contextmanager
def _collector(enabled: bool) -> Iterator[None]:
    """The cyclic garbage collector on or off for a while, then as it was."""
    was_enabled = gc.isenabled()
    gc.enable() if enabled else gc.disable()
    try:
        yield
    finally:
        gc.enable() if was_enabled else gc.disable()


def read_captures(source: Path, editorial_names: Mapping[str, str], report: BuildReport, *,
                  cache: CaptureCache | None = None, jobs: int = 1,
                  progress: Callable[[str], None] = lambda s: None,
                  gazetteer: Gazetteer | None = None) -> tuple[list[Record], PerRecord]:
    """Read, clean and analyse every capture on its own. A broken capture is
    skipped with a located problem; a broken sidecar or two documents with one
    id stop the build."""
    if not source.is_dir():
        raise BuildStopped([Problem(str(source), None, "source folder not found", "error")])
    paths, survey_problems = survey(source)
    report.problems.extend(survey_problems)
    fatal: list[Problem] = []
    records: list[Record] = []
    per_record: PerRecord = {}
    seen: dict[str, str] = {}
    for outcome in read_outcomes(paths, source, editorial_names, cache, jobs, progress, gazetteer):
        report.documents_read += 1
        if outcome.key:
            report.cache_keys.append(outcome.key)
        report.from_cache += outcome.from_cache
        if outcome.stops_build:
            fatal.extend(outcome.problems)
            continue
        report.problems.extend(outcome.problems)
        record = outcome.record
        if record is None:
            report.skipped.append(outcome.source_file)
            continue
        if record.id in seen:
            fatal.append(Problem(record.source_file, None,
                                 f"id '{record.id}' is already used by {seen[record.id]}; "
                                 "give one of them a different 'id' in a sidecar", "error"))
            continue
        seen[record.id] = record.source_file
        records.append(record)
        per_record[record.id] = (outcome.claims, outcome.event_names)
        if outcome.key:
            report.record_keys[record.id] = outcome.key
    if fatal:
        raise BuildStopped(fatal)
    return records, per_record


def read_records(source: Path, editorial_names: Mapping[str, str], report: BuildReport, *,
                 cache: CaptureCache | None = None, jobs: int = 1,
                 progress: Callable[[str], None] = lambda s: None) -> list[Record]:
    """The records of `read_captures`, without their analysis."""
    return read_captures(source, editorial_names, report, cache=cache, jobs=jobs, progress=progress)[0]


def build(config: Config, *, progress: Callable[[str], None] = lambda s: None,
          jobs: int | None = None, use_cache: bool = True, report_timings: bool = False) -> BuildReport:
    """The whole build. Raises BuildStopped (nothing written) for input the
    archivist must fix; otherwise the new site replaces the old one at once."""
    try:
        return _build(config, progress=progress, jobs=jobs, use_cache=use_cache, report_timings=report_timings)
    finally:
        gc.unfreeze()   # what the read stage froze, so a long-running `serve` frees it as usual


def _build(config: Config, *, progress: Callable[[str], None], jobs: int | None, use_cache: bool,
           report_timings: bool) -> BuildReport:
    report = BuildReport()
    clock = _Clock(report, progress)
    out = config.path(config.out).resolve()
    source = config.path(config.source)
    if out == source.resolve() or out in source.resolve().parents:
        raise BuildStopped([Problem(str(out), None, "the output folder would replace the source folder; choose another --out", "error")])
    try:
        editorial = load_editorial(config.path(config.editorial))
    except EditorialError as exc:
        raise BuildStopped([exc.problem]) from None
    try:
        gazetteer = editorial_gazetteer(editorial)
    except EditorialError as exc:   # e.g. a malformed editorial/places.yaml: the archivist's input
        raise BuildStopped([exc.problem]) from None
    cache = CaptureCache(cache_folder(out)) if use_cache else None

    with clock("read"):
        # Reading makes millions of objects that live until the build ends and
        # hold no reference cycles: the collector's passes over them find
        # nothing (reading 300 captures left no cyclic garbage) and cost as much
        # as unpickling a warm cache.  So it is paused while reading, and what
        # was read goes to the permanent generation, where no later pass walks it.
        with _collector(enabled=False):
            records, per_record = read_captures(source, editorial.canonical_names, report, cache=cache,
                                                jobs=default_jobs() if jobs is None else jobs, progress=progress,
                                                gazetteer=gazetteer)
            gc.freeze()
    with clock("analyse"):
        analysis = analyse(records, editorial, gazetteer=gazetteer, per_record=per_record,
                           cache=cache_folder(out) if use_cache else None,
                           jobs=default_jobs() if jobs is None else jobs, record_keys=report.record_keys)
        report.problems.extend(analysis.problems)
    # the claims as read: the analysis holds them now, those in an event as copies with its id
    del per_record
    report.records, report.analysis = records, analysis
    # What the analysis freed (the shared passages' and the relations' working
    # sets) goes back to the system before the render processes fork from this
    # one, instead of staying resident: 100 MB of the main process while it
    # renders at 10,000 captures.
    release_free_memory()

    urls = Urls(config.base_url)
    ctx = SiteContext(records=records, analysis=analysis, config=config, urls=urls, editorial=editorial,
                      record_keys=report.record_keys)
    with build_lock(out, progress):
        clean_stale_staging(out)
        # a large site's previous generation is recycled as the staging folder (output.py)
        recycling = use_cache and len(records) >= RECYCLE_MIN_RECORDS
        taken = take_recycled(out, cache_folder(out) if recycling else None, site_salt(ctx).hex() if recycling else "")
        staging = taken.path
        live_index = None
        try:
            # Pagefind indexes each document page as it is written, beside the rendering
            live_index = LiveIndex(staging, config, (r.id for r in records)) if config.search else None
            with clock("render"):
                report.pages = write_site(ctx, staging, source, progress=progress, previous=out,
                                          cache=cache_folder(out) if use_cache else None,
                                          jobs=default_jobs() if jobs is None else jobs,
                                          written=live_index.page_written if live_index else None,
                                          recycled=taken.recycled, extra_files=(REPORT_FILE,))
            if live_index is not None:
                with clock("index"):
                    report.indexed = live_index.finish()
            write_file(staging, REPORT_FILE, report_json(
                documents_read=report.documents_read, records_built=len(records), skipped=report.skipped,
                problems=report.problems, stages=list(report.timings), pages=report.pages, indexed=report.indexed,
                timings=report.timings if report_timings else None))
            with clock("write"):
                swap_in(staging, out, background_removal=report.pages >= BACKGROUND_REMOVAL_PAGES,
                        keep_previous=recycling)
        except PagefindError as exc:
            discard(staging)
            raise BuildStopped([Problem(str(out), None, f"the search index failed: {exc}", "error")]) from None
        except BaseException:
            discard(staging)
            raise
        finally:
            if live_index is not None:
                live_index.close()
            taken.remove_trash()
    if cache is not None:
        cache.prune(report.cache_keys)
    report.out = out
    return report
