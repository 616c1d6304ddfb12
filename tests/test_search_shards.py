"""A large archive's search index in shards: one Pagefind bundle per shard, merged by the search page."""

from __future__ import annotations

import gzip
import json
import random
import shutil
from pathlib import Path

import pytest

from archive_builder.capture import discover
from archive_builder.config import Config
from archive_builder.search import BUNDLES_FILE, bundle_folder, document_pages, index_site, shards

PROJECT = Path(__file__).resolve().parent.parent
FRAGMENT_SIGNATURE = b"pagefind_dcd"
PAGE = '<html lang="en"><body><main><div data-pagefind-body><p>{}</p></div></main></body></html>'


def fragment_urls(bundle: Path) -> list[str]:
    urls = []
    for f in sorted((bundle / "fragment").iterdir()):
        data = gzip.decompress(f.read_bytes())
        assert data.startswith(FRAGMENT_SIGNATURE)
        urls.append(json.loads(data[len(FRAGMENT_SIGNATURE):])["url"])
    return urls


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def copy_without_index(seed_site: Path, target: Path) -> Path:
    shutil.copytree(seed_site, target, ignore=shutil.ignore_patterns("pagefind", "pagefind-*"))
    return target


@pytest.mark.parametrize("count, size", [(0, 3), (1, 3), (5, 2), (7, 7), (8, 7), (100, 30), (10_001, 10_000)])
def test_shards_are_complete_ordered_and_at_most_the_size(count: int, size: int):
    pages = [f"documents/{i:05d}/index.html" for i in range(count)]
    parts = shards(pages, size)
    assert [p for part in parts for p in part] == pages          # every page once, in order
    assert all(len(part) <= size for part in parts)
    assert len(parts) == max(1, -(-count // size))                # the fewest shards
    assert max(map(len, parts)) - min(map(len, parts)) <= 1       # as even as can be


def test_a_document_lands_in_the_same_shard_whatever_the_file_order(tmp_path: Path):
    ids = ["a", "a-b", "b", "c", "c_1", "d", "e"]
    sites = []
    for n, order in enumerate((ids, list(reversed(ids)), random.Random(5).sample(ids, len(ids)))):
        site = tmp_path / f"site{n}"
        for doc in order:
            (site / "documents" / doc).mkdir(parents=True)
            (site / "documents" / doc / "index.html").write_text(PAGE.format(doc))
        (site / "documents" / "a" / "original.html").write_text(PAGE.format("original"))     # not a document page
        sites.append(site)
    pages = [document_pages(site, Config()) for site in sites]
    assert pages[0] == [f"documents/{doc}/index.html" for doc in ids]     # by id: "a" before "a-b"
    assert pages[0] == pages[1] == pages[2]
    assert shards(pages[0], 3) == shards(pages[1], 3) == shards(pages[2], 3)


def test_sharded_index_has_every_document_once_and_a_bundle_list(seed_site: Path, tmp_path: Path):
    site = copy_without_index(seed_site, tmp_path / "site")
    documents = len(discover(PROJECT / "seeds"))
    assert index_site(site, Config(base_url="/archive/", search_shard_size=2)) == documents

    bundles = [bundle_folder(n) for n in range(-(-documents // 2))]
    assert bundles[:2] == ["pagefind", "pagefind-2"]
    listed = json.loads((site / "pagefind" / BUNDLES_FILE).read_text(encoding="utf-8"))
    assert listed == {"bundles": [f"{b}/" for b in bundles]}
    assert sorted(p.name for p in site.glob("pagefind*")) == sorted(bundles)

    urls = [u for b in bundles for u in fragment_urls(site / b)]
    assert sorted(urls) == sorted(f"/documents/{r.name}/" for r in (site / "documents").iterdir()
                                  if (r / "index.html").is_file())
    assert len(urls) == len(set(urls)) == documents                     # each in exactly one shard
    for b in bundles:
        entry = json.loads((site / b / "pagefind-entry.json").read_text(encoding="utf-8"))
        assert list(entry["languages"]) == ["en"]                       # one language: the bundles merge
        assert (site / b / "pagefind.js").is_file()


def test_sharded_bundles_are_identical_over_two_builds(seed_site: Path, tmp_path: Path):
    sites = [copy_without_index(seed_site, tmp_path / name) for name in ("a", "b")]
    for site in sites:
        index_site(site, Config(search_shard_size=2))
    a, b = sites
    names = sorted(p.name for p in a.glob("pagefind*"))
    assert len(names) > 1 and names == sorted(p.name for p in b.glob("pagefind*"))
    for name in names:
        files_a, files_b = files_of(a / name), files_of(b / name)
        assert sorted(files_a) == sorted(files_b), name
        for rel in files_a:
            assert files_a[rel] == files_b[rel], f"{name}/{rel}"


def test_one_shard_after_many_leaves_no_stale_bundles(seed_site: Path, tmp_path: Path):
    site = copy_without_index(seed_site, tmp_path / "site")
    index_site(site, Config(search_shard_size=2))
    assert (site / "pagefind-2").is_dir()
    index_site(site, Config())
    assert sorted(p.name for p in site.glob("pagefind*")) == ["pagefind"]
    assert json.loads((site / "pagefind" / BUNDLES_FILE).read_text(encoding="utf-8")) == {"bundles": ["pagefind/"]}
