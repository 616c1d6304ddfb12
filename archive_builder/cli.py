"""Command line: the only place that prints problems.

Exit codes: 0 fine; 1 some documents had problems (the site was still built
from the others); 2 usage, config or editorial error (nothing was written).
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
    }
    if getattr(args, "no_search", False):
        overrides["search"] = False
    return load_config(config_path, **overrides)


def cmd_build(args: argparse.Namespace) -> int:
    from .build import BuildStopped, build
    from .config import ConfigError

    started = time.perf_counter()
    try:
        config = _config(args)
        report = build(config, progress=(lambda s: None) if args.quiet else (lambda s: _err(f"  {s}")))
    except ConfigError as exc:
        _err(str(exc.problem))
        return EXIT_USAGE
    except BuildStopped as exc:
        for p in exc.problems:
            _err(str(p))
        _err("build stopped: nothing was written; the previous site is unchanged")
        return EXIT_USAGE
    for p in report.problems:
        _err(str(p))
    seconds = time.perf_counter() - started
    _err(f"{report.documents_read} documents read, {len(report.records)} records, "
         f"{len(report.warnings)} warnings, {len(report.errors)} errors, "
         f"{report.pages} pages, {seconds:.1f} s -> {report.out}")
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
        sp.add_argument("--config", help="archive.yaml (default: ./archive.yaml if present)")
        sp.add_argument("--no-search", action="store_true", help="skip the Pagefind index")
        sp.add_argument("--debug", action="store_true", help="show Python tracebacks for unexpected errors")

    b = sub.add_parser("build", help="build the site", description="Read every capture, build records, analyse them and write the site.")
    common(b)
    b.add_argument("-q", "--quiet", action="store_true", help="no progress lines, only problems and the summary")
    b.set_defaults(func=cmd_build)

    s = sub.add_parser("serve", help="preview the site locally", description="Build, then serve the site under its base URL; rebuild when a capture changes.")
    common(s)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--no-build", action="store_true", help="serve the existing site without building")
    s.add_argument("--no-watch", action="store_true", help="do not rebuild on change")
    s.set_defaults(func=cmd_serve)

    c = sub.add_parser("check", help="validate a built site", description="Check a built site: internal links, HTML validity (Nu Html Checker), accessibility (axe-core). Exits non-zero on any problem.")
    c.add_argument("site", nargs="?", default="site", help="the built site folder (default: site/)")
    c.add_argument("--base-url", dest="base_url", default=None, help="base URL the site was built with (default: read from the site)")
    c.add_argument("--no-html", action="store_true", help="skip the Nu Html Checker")
    c.add_argument("--no-a11y", action="store_true", help="skip the axe-core accessibility check")
    c.set_defaults(func=cmd_check)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except Exception as exc:  # never a traceback for the user, unless asked
        if args.debug:
            raise
        _err(f"archive_builder: internal error: {type(exc).__name__}: {exc} (run again with --debug for the traceback)")
        return 70
