"""Local preview: build, then serve the site under its base path on loopback.

`/archive/documents/x/` is served from `site/documents/x/index.html` when the
base URL is /archive/, exactly as GitHub Pages would; anything missing gets
404.html with status 404.  With watching on, the inputs (captures, templates,
static files, editorial YAML) are polled once a second and the site is rebuilt
in-process; the swap into the site folder is atomic, so a request never sees
half a site.  The open page then reloads itself: in serve mode only, every HTML
response gets a small script (never written to the built files) that polls
/__archive_builder/version and reloads when the build counter changes.
"""

from __future__ import annotations

import functools
import http.server
import io
import sys
import threading
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from .config import Config
from .urls import normalize_base

POLL_SECONDS = 1.0
VERSION_PATH = "/__archive_builder/version"
# Injected before </body> of served HTML; polls the build counter, reloads when it moves.
RELOAD_SCRIPT = (
    '<script data-archive-builder-reload>(function () {"use strict"; var seen = null;'
    ' function poll() { fetch("' + VERSION_PATH + '", {cache: "no-store"})'
    '.then(function (r) { return r.ok ? r.text() : seen; })'
    '.then(function (v) { if (seen !== null && v !== seen) { location.reload(); } else { seen = v; } })'
    '.catch(function () {}).then(function () { setTimeout(poll, 1000); }); }'
    ' poll(); })();</script>\n'
).encode("utf-8")


class BuildCounter:
    """How many builds the preview has finished; the page reloads when it changes."""

    def __init__(self) -> None:
        self._value = 0
        self._lock = threading.Lock()

    @property
    def value(self) -> int:
        with self._lock:
            return self._value

    def bump(self) -> None:
        with self._lock:
            self._value += 1


def with_reload_script(html: bytes) -> bytes:
    """The page with RELOAD_SCRIPT before its last </body> (appended when it has none)."""
    at = html.lower().rfind(b"</body>")
    return html + RELOAD_SCRIPT if at < 0 else html[:at] + RELOAD_SCRIPT + html[at:]


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def base_path(base_url: str) -> str:
    """The path part of the base URL: 'https://x.github.io/repo/' -> '/repo/'."""
    base = normalize_base(base_url)
    return "/" + urlsplit(base).path.lstrip("/") if "://" in base else base


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves `directory` under `base`; 404.html for anything not found."""

    base = "/"
    builds: BuildCounter | None = None      # set in serve mode: live reload on

    def __init__(self, *args, base: str = "/", builds: BuildCounter | None = None, **kwargs):
        self.base = base
        self.builds = builds
        super().__init__(*args, **kwargs)

    def _inside_base(self) -> bool:
        url_path = unquote(urlsplit(self.path).path)
        return url_path.startswith(self.base) or url_path + "/" == self.base

    def send_head(self):
        if self.builds is not None and urlsplit(self.path).path == VERSION_PATH:
            return self._send_bytes(200, str(self.builds.value).encode("ascii"), "text/plain; charset=utf-8")
        if not self._inside_base():      # GitHub Pages has nothing outside the base path either
            self.send_error(404)
            return None
        page = self._html_file() if self.builds is not None else None
        if page is not None:
            return self._send_bytes(200, with_reload_script(page.read_bytes()), "text/html; charset=utf-8")
        return super().send_head()

    def _html_file(self) -> Path | None:
        """The HTML file a request is answered with, if it is one (folders ending in / give index.html)."""
        url_path = urlsplit(self.path).path
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html" if url_path.endswith("/") else None   # no slash: the parent redirects
        return path if path is not None and path.suffix == ".html" and path.is_file() else None

    def _send_headers(self, code: int, length: int, content_type: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def _send_bytes(self, code: int, body: bytes, content_type: str) -> io.BytesIO:
        """Headers now; the body as the file send_head's caller copies out."""
        self._send_headers(code, len(body), content_type)
        return io.BytesIO(body)

    def list_directory(self, path):
        # GitHub Pages never lists a folder; neither does the preview
        self.send_error(404)
        return None

    def translate_path(self, path: str) -> str:
        url_path = unquote(urlsplit(path).path)
        return super().translate_path("/" + url_path[len(self.base):])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        if self.builds is not None:
            body = with_reload_script(body)
        self._send_headers(404, len(body), "text/html; charset=utf-8")
        if self.command != "HEAD":
            self.wfile.write(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")   # a preview must show the latest build
        super().end_headers()

    def log_request(self, code="-", size="-") -> None:  # only failures are worth a line
        if isinstance(code, int) and code >= 400:
            super().log_request(code, size)


def watched_files(config: Config) -> list[Path]:
    from .render import DEFAULT_TEMPLATES

    project = DEFAULT_TEMPLATES.parent
    roots = [config.path(config.source), config.path(config.editorial),
             config.path(config.templates) if config.templates else DEFAULT_TEMPLATES,
             config.path(config.static) if config.static else project / "static"]
    files: list[Path] = []
    for root in roots:
        if root.is_dir():
            files.extend(p for p in root.rglob("*") if p.is_file())
    return sorted(files)


def snapshot(config: Config) -> tuple[tuple[str, int, int], ...]:
    """What the inputs look like now: a change, addition or removal changes the value."""
    out = []
    for p in watched_files(config):
        try:
            st = p.stat()
        except OSError:
            continue
        out.append((str(p), st.st_mtime_ns, st.st_size))
    return tuple(out)


def _build(config: Config) -> bool:
    from .build import BuildStopped, build

    try:
        report = build(config)
    except BuildStopped as exc:
        for p in exc.problems:
            _say(str(p))
        _say("build stopped: still serving the previous site")
        return False
    for p in report.problems:
        _say(str(p))
    _say(f"built {len(report.records)} records, {report.pages} pages")
    return True


def watch_loop(config: Config, stop: threading.Event, rebuild: Callable[[Config], bool] = _build,
               interval: float = POLL_SECONDS, builds: BuildCounter | None = None) -> None:
    """Rebuild when the inputs change; each successful rebuild bumps `builds`."""
    seen = snapshot(config)
    while not stop.wait(interval):
        now = snapshot(config)
        if now != seen:
            seen = now
            _say("change seen: rebuilding…")
            try:
                built = rebuild(config)
            except Exception as exc:   # a broken edit must not stop the preview
                _say(f"rebuild failed: {type(exc).__name__}: {exc}")
                continue
            if built and builds is not None:
                builds.bump()


def make_server(config: Config, host: str, port: int,
                builds: BuildCounter | None = None) -> http.server.ThreadingHTTPServer:
    """The preview server; with `builds`, served pages reload themselves after a rebuild."""
    site = config.path(config.out).resolve()
    handler = functools.partial(SiteHandler, directory=str(site), base=base_path(config.base_url), builds=builds)
    return http.server.ThreadingHTTPServer((host, port), handler)


def serve(config: Config, host: str = "127.0.0.1", port: int = 8000, build_first: bool = True,
          watch: bool = True) -> int:
    if build_first and not _build(config):
        return 2
    site = config.path(config.out).resolve()
    if not site.is_dir():
        _say(f"no site at {site}: build it first (drop --no-build)")
        return 2
    builds = BuildCounter() if watch else None
    try:
        server = make_server(config, host, port, builds)
    except OSError as exc:
        _say(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
        return 2
    stop = threading.Event()
    watcher = threading.Thread(target=watch_loop, args=(config, stop), kwargs=dict(builds=builds),
                               daemon=True) if watch else None
    if watcher:
        watcher.start()
    shown_host = f"[{host}]" if ":" in host else host
    print(f"Serving {site} at http://{shown_host}:{server.server_address[1]}{base_path(config.base_url)}", flush=True)
    print(f"{'Rebuilding and reloading the open page when a capture, template or editorial file changes. ' if watch else ''}"
          "Ctrl-C to stop.",
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
    return 0
