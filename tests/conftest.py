"""Session fixtures shared by the suite: the seed site built once, served, and a browser.

The site is built the way a user builds it (the CLI in a subprocess), under a
base path, so every test also proves that links honour `--base-url`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from archive_builder.check import chromium_path, launch_chromium, local_server

PROJECT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT / "seeds"
BASE_URL = "/archive/"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")



@pytest.fixture(scope="session")
def base_url() -> str:
    return BASE_URL


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds built once, with --base-url /archive/, into a temporary folder."""
    out = tmp_path_factory.mktemp("seed-site") / "site"
    run = subprocess.run(
        [sys.executable, "-m", "archive_builder", "build", "--source", str(SEEDS), "--out", str(out),
         "--base-url", BASE_URL, "--quiet"],
        cwd=PROJECT, capture_output=True, text=True, check=False)
    if run.returncode != 0 or not (out / "index.html").is_file():
        pytest.fail(f"building the seeds failed (exit {run.returncode}):\n{run.stderr}", pytrace=False)
    return out


@pytest.fixture(scope="session")
def seed_records(seed_site: Path) -> list[dict]:
    """The records of the seed build, as the site publishes them (data/records.json)."""
    data = json.loads((seed_site / "data" / "records.json").read_text(encoding="utf-8"))
    return data["records"] if isinstance(data, dict) else data


@pytest.fixture(scope="session")
def site_server(seed_site: Path) -> str:
    """The seed site served on 127.0.0.1 (a free port) at /archive/; yields its root URL."""
    with local_server(seed_site, BASE_URL) as root:
        yield root


@pytest.fixture(scope="module")
def browser():
    """Debian's headless chromium through Playwright (its own browser download is not used).

    Module-scoped on purpose: while Playwright's sync API is running, the thread
    has a running asyncio loop, and any later test calling asyncio.run() fails.

    In CI (CI=true) a missing chromium or Playwright fails the browser tests:
    a green run must mean they ran. Elsewhere they are skipped with the fix.
    """
    hint = "install it with `apt-get install chromium` and `pip install -e \".[test]\"` (or set CHROMIUM)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        (pytest.fail if IN_CI else pytest.skip)(f"Playwright is not installed; {hint}")
    executable = chromium_path()
    if executable is None:
        (pytest.fail if IN_CI else pytest.skip)(f"chromium not found; {hint}")
    with sync_playwright() as p:
        launched = launch_chromium(p, executable)
        try:
            yield launched
        finally:
            launched.close()
