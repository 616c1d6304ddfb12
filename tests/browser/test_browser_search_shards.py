"""Search in a real browser over a sharded index: the seeds built with two documents per
Pagefind bundle, so the search page must merge pagefind/, pagefind-2/, … to find anything."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from archive_builder.check import local_server
from test_browser_search import (RESULT_LINK, common_word, narrow_by_a_filter, record_from_source, result_documents,
                                 search, wait_for_results)

PROJECT = Path(__file__).resolve().parents[2]
BASE_URL = "/archive/"
SHARD_SIZE = 2
FRAGMENT_SIGNATURE = b"pagefind_dcd"


@pytest.fixture(scope="module")
def sharded_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sharded-site")
    (folder / "archive.yaml").write_text(f"search_shard_size: {SHARD_SIZE}\n", encoding="utf-8")
    # in a child process: the browser fixture's running event loop forbids asyncio.run (Pagefind) here
    build = [sys.executable, "-m", "archive_builder", "build", "--config", str(folder / "archive.yaml"),
             "--source", str(PROJECT / "seeds"), "--out", str(folder / "site"), "--base-url", BASE_URL, "--quiet"]
    run = subprocess.run(build, cwd=PROJECT, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    return folder / "site"


@pytest.fixture(scope="module")
def sharded_records(sharded_site: Path) -> list[dict]:
    data = json.loads((sharded_site / "data" / "records.json").read_text(encoding="utf-8"))
    return data["records"] if isinstance(data, dict) else data


@pytest.fixture(scope="module")
def bundle_of(sharded_site: Path) -> dict[str, str]:
    """Document id -> the bundle folder that indexed it."""
    found = {}
    for bundle in sorted(sharded_site.glob("pagefind*")):
        for f in (bundle / "fragment").iterdir():
            fragment = json.loads(gzip.decompress(f.read_bytes())[len(FRAGMENT_SIGNATURE):])
            found[fragment["url"].strip("/").split("/")[-1]] = bundle.name
    return found


@pytest.fixture(scope="module")
def site_server(sharded_site: Path) -> str:
    """The sharded site served on 127.0.0.1 at /archive/ (open_page watches this one)."""
    with local_server(sharded_site, BASE_URL) as root:
        yield root


def test_the_seeds_are_in_several_bundles(sharded_records, bundle_of):
    assert sorted(bundle_of) == sorted(r["id"] for r in sharded_records)
    assert len(set(bundle_of.values())) >= 3


def test_searching_krasnovodsk_finds_the_document_in_whichever_shard(open_page, sharded_records, site_server):
    expected = record_from_source(sharded_records, "003_")
    page, watch = open_page()
    search(page, f"{site_server}search/", "Krasnovodsk")
    link = page.locator(f'{RESULT_LINK}[href*="/documents/{expected["id"]}/"]').first
    link.wait_for(timeout=15_000)
    page.wait_for_load_state("networkidle")
    assert expected["id"] in result_documents(page, site_server)
    assert link.inner_text().strip() == " ".join((expected["title"]["value"] or expected["id"]).split())
    assert "#p-" in link.get_attribute("href")          # processResult still points at the paragraph
    watch.assert_clean()


def test_results_and_filters_span_the_shards(open_page, sharded_records, bundle_of, site_server):
    query = common_word(sharded_records)
    page, watch = open_page()
    search(page, f"{site_server}search/", query)
    wait_for_results(page)
    before = result_documents(page, site_server)
    assert len({bundle_of[doc] for doc in before}) >= 2, f"results from one shard only: {before}"

    narrow_by_a_filter(page, site_server, sharded_records, before)
    watch.assert_clean()          # nothing requested beyond 127.0.0.1 and the base path
    assert all(url.startswith(site_server) or url.startswith(("data:", "blob:")) for url in watch.requests)
