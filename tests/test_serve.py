"""The local preview: the base path, 404.html, rebuilds on change, Ctrl-C."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from archive_builder.config import Config
from archive_builder.serve import (VERSION_PATH, BuildCounter, base_path, make_server, snapshot, watch_loop,
                                   with_reload_script)

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def tiny_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "documents" / "a").mkdir(parents=True)
    (site / "index.html").write_text("<h1>home</h1>")
    (site / "documents" / "a" / "index.html").write_text("<h1>doc a</h1>")
    (site / "404.html").write_text("<h1>our not found page</h1>")
    return site


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


@pytest.mark.parametrize("base, path", [("/", "/"), ("/archive/", "/archive/"), ("archive", "/archive/"),
                                        ("https://example.org/repo/", "/repo/")])
def test_base_path(base, path):
    assert base_path(base) == path


def test_serves_the_site_under_its_base_path(tiny_site: Path):
    server = make_server(Config(out=str(tiny_site), base_url="/archive/"), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    root = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        assert fetch(root + "/archive/") == (200, "<h1>home</h1>")
        assert fetch(root + "/archive/documents/a/") == (200, "<h1>doc a</h1>")
        assert fetch(root + "/archive/documents/a") == (200, "<h1>doc a</h1>")     # redirected
        assert fetch(root + "/archive/missing/") == (404, "<h1>our not found page</h1>")
        assert fetch(root + "/documents/a/")[0] == 404           # outside the base path
        assert fetch(root + "/archive/documents/") == (404, "<h1>our not found page</h1>")   # no listings
        assert fetch(root + "/archive/../../etc/passwd")[0] == 404
    finally:
        server.shutdown()
        server.server_close()


def test_watch_rebuilds_when_an_input_changes(tmp_path: Path):
    source = tmp_path / "captures"
    source.mkdir()
    (source / "a.txt").write_text("one")
    config = Config(source=str(source), editorial=str(tmp_path / "none"))
    before = snapshot(config)
    builds: list[Config] = []
    stop = threading.Event()
    thread = threading.Thread(target=watch_loop, args=(config, stop, lambda c: builds.append(c) or True, 0.05),
                              daemon=True)
    thread.start()
    try:
        time.sleep(0.2)
        assert builds == []                      # nothing changed: no rebuild
        (source / "b.txt").write_text("two")
        deadline = time.monotonic() + 5
        while not builds and time.monotonic() < deadline:
            time.sleep(0.05)
        assert builds == [config]
    finally:
        stop.set()
        thread.join(2)
    assert snapshot(config) != before


def test_ctrl_c_exits_zero(tiny_site: Path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "archive_builder", "serve", "--no-build", "--no-watch", "--port", "0",
         "--out", str(tiny_site), "--base-url", "/archive/"],
        cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert "http://127.0.0.1:" in line and "/archive/" in line
        url = line.split(" at ", 1)[1].split()[0]
        assert fetch(url) == (200, "<h1>home</h1>")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


RELOAD_MARK = "data-archive-builder-reload"


def serving(server) -> str:
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def test_without_watching_pages_are_served_as_built(tiny_site: Path):
    server = make_server(Config(out=str(tiny_site), base_url="/archive/"), "127.0.0.1", 0)
    root = serving(server)
    try:
        assert RELOAD_MARK not in fetch(root + "/archive/")[1]
        assert fetch(root + VERSION_PATH)[0] == 404
    finally:
        server.shutdown()
        server.server_close()


def test_served_html_gets_the_reload_script_and_the_files_do_not(tiny_site: Path):
    (tiny_site / "style.css").write_text("body { color: black }")
    (tiny_site / "page.html").write_text("<html><body><p>x</p></body></html>")
    builds = BuildCounter()
    server = make_server(Config(out=str(tiny_site), base_url="/archive/"), "127.0.0.1", 0, builds)
    root = serving(server)
    try:
        for path in ("/archive/", "/archive/documents/a/", "/archive/page.html", "/archive/missing/"):
            status, body = fetch(root + path)
            assert RELOAD_MARK in body and VERSION_PATH in body, path
        assert fetch(root + "/archive/page.html")[1].index(RELOAD_MARK) < fetch(root + "/archive/page.html")[1].index("</body>")
        assert fetch(root + "/archive/style.css") == (200, "body { color: black }")
        assert fetch(root + "/archive/documents/a") == fetch(root + "/archive/documents/a/")    # redirected
        assert fetch(root + VERSION_PATH) == (200, "0")
        builds.bump()
        assert fetch(root + VERSION_PATH) == (200, "1")
    finally:
        server.shutdown()
        server.server_close()
    for page in tiny_site.rglob("*.html"):
        assert RELOAD_MARK not in page.read_text(), page


def test_reload_script_goes_before_the_last_body_end_tag():
    assert with_reload_script(b"<body>a</body>").endswith(b"</script>\n</body>")
    assert with_reload_script(b"<p>a</p>").startswith(b"<p>a</p><script")


def test_a_failed_rebuild_does_not_move_the_counter(tmp_path: Path):
    source = tmp_path / "captures"
    source.mkdir()
    config = Config(source=str(source), editorial=str(tmp_path / "none"))
    outcomes = iter([False, True])
    builds, stop = BuildCounter(), threading.Event()
    thread = threading.Thread(target=watch_loop, args=(config, stop, lambda c: next(outcomes), 0.05),
                              kwargs=dict(builds=builds), daemon=True)
    thread.start()
    try:
        time.sleep(0.2)                          # the watcher has seen the empty folder
        (source / "a.txt").write_text("one")
        time.sleep(0.5)
        assert builds.value == 0                 # the first rebuild failed
        (source / "b.txt").write_text("two")
        deadline = time.monotonic() + 5
        while builds.value == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert builds.value == 1
    finally:
        stop.set()
        thread.join(2)


def test_serve_rebuilds_on_change_and_the_version_moves(tmp_path: Path):
    """End to end: the serve command, a capture edited, the version endpoint changes."""
    source = tmp_path / "captures"
    shutil.copytree(PROJECT / "seeds", source)
    site = tmp_path / "site"
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "archive_builder", "serve", "--port", "0", "--no-search",
         "--source", str(source), "--out", str(site), "--base-url", "/archive/"],
        cwd=PROJECT, stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        line = proc.stdout.readline()
        assert "/archive/" in line, (tmp_path / "serve.log").read_text()
        url = line.split(" at ", 1)[1].split()[0]
        root = url[:-len("/archive/")]
        status, home = fetch(url)
        assert status == 200 and RELOAD_MARK in home
        assert RELOAD_MARK not in (site / "index.html").read_text(encoding="utf-8")
        assert fetch(root + VERSION_PATH) == (200, "0")
        capture = sorted(source.iterdir())[0]
        capture.write_text(capture.read_text(encoding="utf-8") + "\n\nA paragraph added while serving.\n",
                           encoding="utf-8")
        deadline = time.monotonic() + 60
        while fetch(root + VERSION_PATH)[1] == "0" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert fetch(root + VERSION_PATH) == (200, "1"), (tmp_path / "serve.log").read_text()
        assert RELOAD_MARK not in (site / "index.html").read_text(encoding="utf-8")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
        log.close()
