"""The build, top to bottom: read -> records -> analyse -> render -> write -> index -> swap.

Stages return values and Problems; nothing here prints (the CLI does).
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import __version__
from .analyse import analyse
from .capture import CaptureError, discover, read_capture
from .config import Config
from .data import dumps, records_json
from .editorial import EditorialError, load_editorial
from .model import Analysis, Problem, Record
from .output import clean_stale_staging, discard, staging_dir, swap_in, write_file
from .records import build_record
from .render import SiteContext, render_site
from .search import index_site
from .urls import Urls

PROJECT = Path(__file__).resolve().parent.parent
SCHEMA = Path(__file__).resolve().parent / "schema" / "records.schema.json"


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
    timings: dict[str, float] = field(default_factory=dict)
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


def read_records(source: Path, editorial_names: dict[str, str], report: BuildReport) -> list[Record]:
    """Read and clean every capture. A broken capture is skipped with an error;
    a broken sidecar stops the build (it is the archivist's correction)."""
    if not source.is_dir():
        raise BuildStopped([Problem(str(source), None, "source folder not found", "error")])
    fatal: list[Problem] = []
    records: list[Record] = []
    seen: dict[str, str] = {}
    for path in discover(source):
        report.documents_read += 1
        try:
            capture = read_capture(path, source)
            record = build_record(capture, editorial_names)
        except CaptureError as exc:
            p = exc.problem
            if p.file.endswith((".yaml", ".yml")) or "front matter" in p.message:
                fatal.append(p)
            else:
                report.problems.append(p)
            continue
        if record.id in seen:
            fatal.append(Problem(record.source_file, None,
                                 f"id '{record.id}' is already used by {seen[record.id]}; set a different 'id' in a sidecar", "error"))
            continue
        seen[record.id] = record.source_file
        report.problems.extend(record.warnings)
        records.append(record)
    if fatal:
        raise BuildStopped(fatal)
    return records


def build(config: Config, *, progress: Callable[[str], None] = lambda s: None) -> BuildReport:
    report = BuildReport()
    clock = _Clock(report, progress)
    out = config.path(config.out).resolve()
    try:
        editorial = load_editorial(config.path(config.editorial))
    except EditorialError as exc:
        raise BuildStopped([exc.problem]) from None

    with clock("read"):
        records = read_records(config.path(config.source), editorial.canonical_names, report)
    with clock("analyse"):
        analysis = analyse(records, editorial)
        report.problems.extend(analysis.problems)
    report.records, report.analysis = records, analysis

    urls = Urls(config.base_url)
    ctx = SiteContext(records=records, analysis=analysis, config=config, urls=urls, editorial=editorial)
    clean_stale_staging(out)
    staging = staging_dir(out)
    try:
        with clock("render"):
            for rel, data in render_site(ctx):
                write_file(staging, rel, data)
                report.pages += 1
            source = config.path(config.source)
            for r in records:   # the capture, byte for byte, beside its SHA-256 in records.json
                write_file(staging, urls.raw(r.id, Path(r.source_file).suffix)[len(urls.base):],
                           (source / r.source_file).read_bytes())
            write_file(staging, ".nojekyll", b"")
            write_file(staging, "data/records.json", records_json(records, analysis))
            write_file(staging, "data/records.schema.json", SCHEMA.read_bytes())
            static = config.path(config.static) if config.static else PROJECT / "static"
            if static.is_dir():
                shutil.copytree(static, staging / "static", dirs_exist_ok=True)
        if config.search:
            with clock("index"):
                report.indexed = index_site(staging, config)
        with clock("write"):
            swap_in(staging, out)
    except BaseException:
        discard(staging)
        raise
    report.out = out
    return report
