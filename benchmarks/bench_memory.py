"""Where the build's memory goes: RSS per stage and bytes per record.

    python benchmarks/bench_memory.py /tmp/you/c2000            # RSS per stage, deep sizes
    python benchmarks/bench_memory.py /tmp/you/c2000 --trace    # + tracemalloc top lines per stage

The build runs in this process, serially (one job, no cache, no search index),
as `archive_builder.bench.stages` runs it; the build's progress callback marks
each stage start ("read…", "analyse…", …).  At each mark it prints the RSS now
and the process's peak so far (ru_maxrss), so the peak of a stage is the peak
printed at the next mark.  After the build it walks the object graph the
build keeps (report.records, report.analysis) and prints deep sizes per
record: records (split into body, removed lines, comments, metadata),
then claims and the rest of the analysis (objects already counted under
records are not counted again).  With --trace, tracemalloc's top
allocation sites (file:line) at each stage start and at the end; that is
slow (several times the build), so use it on 1,000 to 2,000 captures.

    python benchmarks/bench_memory.py /tmp/you/c2000 --steps    # peak per analysis step

With --steps it reads the records, then runs the analysis steps one by one
(as analyse() does) under tracemalloc and prints, per step, the Python memory
it keeps and its transient peak above what was live when it started.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import tracemalloc
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, Iterable

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive_builder.build import build  # noqa: E402
from archive_builder.config import load_config  # noqa: E402

MB = 1024 * 1024


def deep_size(roots: Iterable[Any], seen: set[int]) -> int:
    """Bytes of every object reachable from `roots` (not yet in `seen`), each counted once."""
    total = 0
    stack = list(roots)
    while stack:
        obj = stack.pop()
        if obj is None or isinstance(obj, (bool, type)) or id(obj) in seen:
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        if isinstance(obj, (str, bytes, int, float)):
            continue
        if isinstance(obj, (tuple, list, set, frozenset)):
            stack.extend(obj)
        elif isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif is_dataclass(obj):
            if hasattr(obj, "__dict__"):   # a dataclass without slots: its per-object dict
                stack.append(obj.__dict__)
            else:
                stack.extend(getattr(obj, f.name) for f in fields(obj))
    return total


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # KiB on Linux


def print_top(label: str, limit: int = 12) -> None:
    snapshot = tracemalloc.take_snapshot().filter_traces(
        (tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "<frozen importlib._bootstrap>")))
    stats = snapshot.statistics("lineno")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.reset_peak()
    print(f"  tracemalloc at {label}: {sum(s.size for s in stats) / MB:.1f} MB traced now, "
          f"{peak / MB:.1f} MB traced peak since the previous mark; top lines:")
    for s in stats[:limit]:
        frame = s.traceback[0]
        print(f"    {s.size / MB:8.1f} MB {s.count:9d} blocks  {frame.filename.split('archive_builder/')[-1]}:{frame.lineno}")


def analysis_steps(source: Path) -> int:
    """Run analyse() step by step (the same calls, in the same order) and print each step's memory."""
    from archive_builder.analyse import BROAD_KINDS, _editorial_file, _editorial_folder, group_events, parse_event_rules
    from archive_builder.analyse import claims as claims_module
    from archive_builder.analyse import places, shared_passages
    from archive_builder.analyse.related import parse_related, relate
    from archive_builder.build import BuildReport, read_records
    from archive_builder.editorial import load_editorial

    config = load_config(None, source=str(source), out="/nonexistent", search=False)
    editorial = load_editorial(config.path(config.editorial))
    records = sorted(read_records(source, editorial.canonical_names, BuildReport(), jobs=1), key=lambda r: r.id)
    n = len(records)
    tracemalloc.start()
    steps: dict[str, Any] = {}

    def step(name: str, run: Any) -> Any:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        value = run()
        now, peak = tracemalloc.get_traced_memory()
        print(f"  {name:>16}: keeps {(now - before) / MB:7.1f} MB ({(now - before) / n:7.0f} B/record), "
              f"transient peak +{(peak - before) / MB:7.1f} MB", flush=True)
        steps[name] = value
        return value

    print(f"analysis steps on {n} records (tracemalloc):")
    gazetteer = places.load_gazetteer(_editorial_folder(editorial))

    def extract() -> tuple[list, dict]:
        claims, names = [], {}
        for r in records:
            claims.extend(claims_module.extract_claims(r, gazetteer=gazetteer, anchor_date=r.date.value))
            names[r.id] = claims_module.names_for_events(r.body)
        return claims, names

    claims, names = step("claims", extract)
    broad = sorted(p.key for p in gazetteer.places if p.kind in BROAD_KINDS)
    file, lines = _editorial_file(editorial, "events")
    rules, _ = parse_event_rules(editorial.events, file, lines)
    events, claims, _ = step("events", lambda: group_events(claims, names, rules, file, broad_places=broad,
                                                            bodies={r.id: r.body for r in records}))
    passages = step("shared passages", lambda: shared_passages({r.id: r.body for r in records}))
    file, lines = _editorial_file(editorial, "related")
    curation, _ = parse_related(editorial.related, file, lines, [r.id for r in records])
    step("relations", lambda: relate(records, claims, events, passages, curation))
    print(f"  tracemalloc total now {tracemalloc.get_traced_memory()[0] / MB:.1f} MB")
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("source", type=Path, help="folder of captures (archive_builder.bench.corpus.write_corpus)")
    p.add_argument("--trace", action="store_true", help="tracemalloc top lines at each stage start (slow)")
    p.add_argument("--steps", action="store_true", help="peak Python memory per analysis step (tracemalloc)")
    args = p.parse_args()
    if args.steps:
        return analysis_steps(args.source)
    process = psutil.Process()
    if args.trace:
        tracemalloc.start()

    def progress(line: str) -> None:
        if line.endswith("…") and not line.startswith(" "):
            print(f"{line[:-1]:>8} starts: RSS {process.memory_info().rss / MB:7.1f} MB, peak so far {peak_mb():7.1f} MB",
                  flush=True)
            if args.trace:
                print_top(line[:-1])

    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        config = load_config(None, source=str(args.source), out=str(Path(tmp) / "site"), search=False)
        report = build(config, progress=progress, jobs=1, use_cache=False)
    print(f"     end: RSS {process.memory_info().rss / MB:7.1f} MB, peak {peak_mb():7.1f} MB", flush=True)
    if args.trace:
        print_top("end")
        tracemalloc.stop()

    records, analysis = report.records, report.analysis
    n = len(records)
    seen: set[int] = set()
    parts = {
        "record bodies": deep_size((r.body for r in records), seen),
        "body_lines": deep_size((r.body_lines for r in records), seen),
        "removed lines": deep_size((r.removed for r in records), seen),
        "comments": deep_size((r.comments for r in records), seen),
        "rest of records": deep_size([records], seen),
        "claims": deep_size([analysis.claims], seen),
        "rest of analysis": deep_size([analysis], seen),
    }
    print(f"deep sizes for {n} records (bytes per record):")
    for name, size in parts.items():
        print(f"  {name:>18}: {size / MB:7.1f} MB  {size / n:9.0f} B/record")
    records_total = sum(v for k, v in parts.items() if k not in ("claims", "rest of analysis"))
    print(f"  {'records total':>18}: {records_total / MB:7.1f} MB  {records_total / n:9.0f} B/record")
    print(f"  {'claims':>18}: {len(analysis.claims)} ({len(analysis.claims) / n:.1f} per record)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
