"""The local preview: the base path, 404.html, rebuilds on change, Ctrl-C."""

from __future__ import annotations

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
from archive_builder.serve import base_path, make_server, snapshot, watch_loop

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
