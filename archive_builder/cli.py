"""Command line: the only place that prints problems.

Exit codes: 0 fine (warnings only); 1 some documents had errors and were
skipped (the site was still built from the others); 2 usage, config,
sidecar or editorial error, or an output folder that cannot be written
(nothing was written, the previous site is unchanged); 70 a bug in
archive_builder (the message says so; --debug shows the traceback).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import __version__

EXIT_OK, EXIT_DOCUMENTS, EXIT_USAGE = 0, 1, 2


def _err(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _config(args: argparse.Namespace):
    from .config import load_config

    config_path = Path(args.config) if args.config else (Path("archive.yaml") if Path("archive.yaml").is_file() else None)
    overrides = {
        "source": str(Path(args.source).resolve()) if getattr(args, "source", None) else None,
        "out": str(Path(args.out).resolve()) if getattr(args, "out", None) else None,
        "base_url": getattr(args, "base_url", None),
        "site_url": getattr(args, "site_url", None),
    }
    if getattr(args, "no_search", False):
        overrides["search"] = False
    return load_config(config_path, **overrides)


def cmd_build(args: argparse.Namespace) -> int:
    from .build import BuildStopped, build
    from .config import ConfigError
    from .report import printable_problems, summary_line, timings_line

    started = time.perf_counter()
    progress = (lambda s: None) if args.quiet else (lambda s: _err(f"  {s}"))
    try:
        config = _config(args)
        report = build(config, progress=progress, jobs=args.jobs, use_cache=not args.no_cache,
                       report_timings=args.report_timings)
    except ConfigError as exc:
        _err(str(exc.problem))
        return EXIT_USAGE
    except BuildStopped as exc:
        for line in printable_problems(exc.problems):
            _err(line)
        _err("build stopped: nothing was written; the previous site is unchanged")
        return EXIT_USAGE
    for line in printable_problems(report.problems):
        _err(line)
    if not args.quiet:
        _err(timings_line(report.timings) + f" ({report.from_cache} of {report.documents_read} captures unchanged, from the cache)")
    _err(summary_line(documents_read=report.documents_read, records_built=len(report.records),
                      warnings=len(report.warnings), errors=len(report.errors), pages=report.pages,
                      seconds=time.perf_counter() - started, out=report.out))
    return EXIT_DOCUMENTS if report.errors else EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import serve

    try:
        config = _config(args)
    except Exception as exc:  # ConfigError
        _err(str(getattr(exc, "problem", exc)))
        return EXIT_USAGE
    return serve(config, host=args.host, port=args.port, build_first=not args.no_build, watch=not args.no_watch)


def cmd_check(args: argparse.Namespace) -> int:
    from .check import check_site

    return check_site(Path(args.site), base_url=args.base_url, html=not args.no_html, a11y=not args.no_a11y)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors exit 2, as argparse does, with our wording
        self.print_usage(sys.stderr)
        _err(f"{self.prog}: error: {message}")
        sys.exit(EXIT_USAGE)


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="archive_builder", description="Build a browsable, searchable archive site from captured documents.")
    p.add_argument("--version", action="version", version=f"archive_builder {__version__}")
    p.add_argument("--debug", action="store_true", help="show Python tracebacks for unexpected errors")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--source", help="folder of captures (default: seeds/, or 'source' in archive.yaml)")
        sp.add_argument("--out", help="output folder (default: site/)")
        sp.add_argument("--base-url", dest="base_url", help="URL path the site is served under, e.g. /repo-name/ for a GitHub Pages project site (default: /)")
        sp.add_argument("--site-url", dest="site_url", help="absolute address of the deployed site, e.g. https://user.github.io; gives absolute permalinks, citations, the feed and a sitemap (default: 'site_url' in archive.yaml)")
        sp.add_argument("--config", help="archive.yaml (default: ./archive.yaml if present)")
        sp.add_argument("--no-search", action="store_true", help="skip the Pagefind index")
        # SUPPRESS: a subcommand's default must not undo `archive_builder --debug build`
        sp.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show Python tracebacks for unexpected errors")

    b = sub.add_parser("build", help="build the site", description="Read every capture, build records, analyse them and write the site.")
    common(b)
    b.add_argument("-q", "--quiet", action="store_true", help="no progress lines, only problems and the summary")
    b.add_argument("-j", "--jobs", type=_positive_int, default=None,
                   help="worker processes for reading and cleaning (default: one per core; small archives are read serially)")
    b.add_argument("--no-cache", action="store_true",
                   help="re-read every capture instead of reusing unchanged ones from .cache/ beside the output")
    b.add_argument("--report-timings", action="store_true",
                   help="also write each stage's seconds into data/build-report.json (the site then differs from run to run)")
    b.set_defaults(func=cmd_build)

    s = sub.add_parser("serve", help="preview the site locally", description="Build, then serve the site under its base URL; rebuild when a capture changes.")
    common(s)
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    s.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    s.add_argument("--no-build", action="store_true", help="serve the existing site without building")
    s.add_argument("--no-watch", action="store_true", help="do not rebuild on change")
    s.set_defaults(func=cmd_serve)

    c = sub.add_parser("check", help="validate a built site", description="Check a built site: internal links, HTML validity (Nu Html Checker), accessibility (axe-core). Exits non-zero on any problem.")
    c.add_argument("site", nargs="?", default="site", help="the built site folder (default: site/)")
    c.add_argument("--base-url", dest="base_url", default=None, help="base URL the site was built with (default: read from the site)")
    c.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show Python tracebacks for unexpected errors")
    c.add_argument("--no-html", action="store_true", help="skip the Nu Html Checker")
    c.add_argument("--no-a11y", action="store_true", help="skip the axe-core accessibility check")
    c.set_defaults(func=cmd_check)
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:   # --help, --version (0) and usage errors (2) return like any command
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return args.func(args)
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except OSError as exc:      # a folder that cannot be written, a disk that is full
        if args.debug:
            raise
        where = f"{exc.filename}: " if exc.filename else ""   # a full disk names no file
        _err(f"archive_builder: {where}{exc.strerror or exc} (nothing was changed in the output folder)")
        return EXIT_USAGE
    except Exception as exc:  # never a traceback for the user, unless asked
        if args.debug:
            raise
        _err(f"archive_builder: internal error: {type(exc).__name__}: {exc} (run again with --debug for the traceback)")
        return 70
