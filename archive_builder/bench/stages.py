"""CPU seconds per build stage at several sizes, to see which stage grows faster than the archive.

    python -m archive_builder.bench.stages --sizes 500,1000,2000,4000

Wall time on a shared machine says more about the neighbours than about the
code; CPU time of one process does not.  The build runs in this process,
serially (one job, no cache, no search index: Pagefind is another program),
and the build's own progress callback, called as each stage starts, marks
the stage boundaries on time.process_time().  Printed per size: CPU seconds
per stage and per 1,000 captures; a stage whose per-1,000 figure grows with
the size is super-linear.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Sequence

from .corpus import write_corpus


def stage_cpu(source: Path, out: Path) -> dict[str, float]:
    from archive_builder.build import build
    from archive_builder.config import load_config

    marks: list[tuple[str, float]] = []

    def progress(line: str) -> None:
        if line.endswith("…") and not line.startswith(" "):   # "read…", "analyse…": a stage starts
            marks.append((line[:-1], time.process_time()))

    config = load_config(None, source=str(source), out=str(out), search=False)
    build(config, progress=progress, jobs=1, use_cache=False)
    marks.append(("end", time.process_time()))
    return {stage: round(marks[k + 1][1] - t, 2) for k, (stage, t) in enumerate(marks[:-1])}


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m archive_builder.bench.stages", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="500,1000,2000")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        with tempfile.TemporaryDirectory(prefix="archive-stages-") as tmp:
            write_corpus(Path(tmp) / "captures", size, args.seed)
            cpu = stage_cpu(Path(tmp) / "captures", Path(tmp) / "site")
        rows.append((size, cpu))
        print(f"{size}: " + ", ".join(f"{k} {v:.1f} s ({1000 * v / size:.1f} per 1,000)" for k, v in cpu.items()),
              flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
