"""The build report: `data/build-report.json` in the site, and the summary on stderr.

The site's report says what was read, what was built, and every warning and
error per file with its line.  It holds no times and no dates, so the same
input gives the same bytes (timings differ on every run: they are printed on
stderr, and go into the JSON only when asked for with --report-timings).  A
build date appears only when the user gives one with SOURCE_DATE_EPOCH.
"""

from __future__ import annotations

import datetime as _dt
import os
from typing import Iterable, Mapping, Sequence

from . import __version__
from .data import dumps
from .model import Problem

MAX_PRINTED_PROBLEMS = 200


def problem_sort_key(p: Problem) -> tuple:
    return (p.file, p.line or 0, p.severity, p.message)


def source_date(environ: Mapping[str, str] = os.environ) -> str | None:
    """SOURCE_DATE_EPOCH as an ISO 8601 UTC time, or None (reproducible-builds.org)."""
    value = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value.isdigit():
        return None
    return _dt.datetime.fromtimestamp(int(value), _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def report_json(*, documents_read: int, records_built: int, skipped: Sequence[str],
                problems: Iterable[Problem], stages: Sequence[str],
                timings: Mapping[str, float] | None = None, pages: int = 0, indexed: int = 0) -> bytes:
    problems = sorted(problems, key=problem_sort_key)
    files: dict[str, list[dict]] = {}
    for p in problems:
        files.setdefault(p.file, []).append({"line": p.line, "severity": p.severity, "message": p.message})
    data: dict = {
        "generator": f"archive_builder {__version__}",
        "built": source_date(),
        "documents_read": documents_read,
        "records_built": records_built,
        "documents_skipped": len(skipped),
        "pages": pages,
        "pages_indexed": indexed,
        "warnings": sum(p.severity == "warning" for p in problems),
        "errors": sum(p.severity == "error" for p in problems),
        "skipped": sorted(skipped),
        "files": [{"file": f, "problems": ps} for f, ps in sorted(files.items())],
        "stages": list(stages),
    }
    if timings is not None:
        data["seconds"] = dict(timings)
    return dumps(data)


def summary_line(*, documents_read: int, records_built: int, warnings: int, errors: int,
                 pages: int, seconds: float, out: object) -> str:
    return (f"{documents_read} documents read, {records_built} records built, "
            f"{warnings} warnings, {errors} errors, {pages} pages, {seconds:.1f} s -> {out}")


def timings_line(timings: Mapping[str, float]) -> str:
    return "stages: " + ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in timings.items())


def printable_problems(problems: Sequence[Problem], limit: int = MAX_PRINTED_PROBLEMS) -> list[str]:
    """Problems in file:line order, capped so 100,000 warnings never flood a terminal."""
    ordered = sorted(problems, key=problem_sort_key)
    lines = [str(p) for p in ordered[:limit]]
    if len(ordered) > limit:
        lines.append(f"... and {len(ordered) - limit} more: see data/build-report.json in the site")
    return lines
