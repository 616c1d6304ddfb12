"""The Pagefind index: document pages only, their text and metadata only, deterministic."""

from __future__ import annotations

import gzip
import html
import json
import re
import shutil
from pathlib import Path

from archive_builder.capture import discover
from archive_builder.config import Config
from archive_builder.search import document_glob, index_site

PROJECT = Path(__file__).resolve().parent.parent
FRAGMENT_SIGNATURE = b"pagefind_dcd"


def fragments(site: Path) -> list[dict]:
    """The indexed pages as Pagefind stores them (gzip, a signature, then JSON)."""
    out = []
    for f in sorted((site / "pagefind" / "fragment").iterdir()):
        data = gzip.decompress(f.read_bytes())
        assert data.startswith(FRAGMENT_SIGNATURE)
        out.append(json.loads(data[len(FRAGMENT_SIGNATURE):]))
    return out


def fresh_copy(seed_site: Path, tmp_path: Path, name: str) -> Path:
    site = tmp_path / name
    shutil.copytree(seed_site, site, ignore=shutil.ignore_patterns("pagefind"))
    return site


def test_seed_index_has_one_page_per_document(seed_site: Path):
    entry = json.loads((seed_site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    documents = len(discover(PROJECT / "seeds"))
    assert sum(lang["page_count"] for lang in entry["languages"].values()) == documents
    assert len(entry["languages"]) == 1          # one index: every language found from the search page
    urls = sorted(f["url"] for f in fragments(seed_site))
    assert all(u.startswith("/documents/") and u.count("/") == 3 for u in urls)    # no original pages
    assert (seed_site / "pagefind" / "pagefind-ui.js").is_file()


def test_index_site_counts_what_it_indexed(seed_site: Path, tmp_path: Path):
    site = fresh_copy(seed_site, tmp_path, "a")
    assert index_site(site, Config(base_url="/archive/")) == len(discover(PROJECT / "seeds"))
    assert (site / "pagefind" / "pagefind-entry.json").is_file()


def test_index_leaves_out_comments_chrome_and_removed_lines(seed_site: Path, seed_records: list[dict]):
    by_url = {f["url"]: f for f in fragments(seed_site)}
    for r in seed_records:
        fragment = by_url[f"/documents/{r['id']}/"]
        content = " ".join(fragment["content"].split())
        for c in r["comments"]:
            assert " ".join(c["text"].split())[:80] not in content
        # removed lines that the page shows anyway (the title, header fields) are metadata
        page = (seed_site / "documents" / r["id"] / "index.html").read_text(encoding="utf-8")
        shown = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
        for x in r["removed"]:
            words = " ".join(x["text"].split())
            if len(words) > 25 and words not in shown:
                assert words not in content, x
        assert "Skip to content" not in content and "Search the archive" not in content
        assert fragment["meta"]["title"] == " ".join((r["title"]["value"] or r["id"]).split())


def test_filters_are_the_documents_metadata(seed_site: Path, seed_records: list[dict]):
    by_url = {f["url"]: f for f in fragments(seed_site)}
    for r in seed_records:
        filters = by_url[f"/documents/{r['id']}/"]["filters"]
        author = (r["author"]["value"] or {}).get("display")
        assert filters.get("author", []) == ([author] if author else [])
        year = (r["date"]["edtf"] or "")[:4]
        assert filters.get("year", []) == ([year] if year.isdigit() else [])


def test_two_indexes_of_the_same_site_are_identical(seed_site: Path, tmp_path: Path):
    a, b = fresh_copy(seed_site, tmp_path, "a"), fresh_copy(seed_site, tmp_path, "b")
    index_site(a, Config())
    index_site(b, Config())
    files_a = sorted(p.relative_to(a / "pagefind") for p in (a / "pagefind").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b / "pagefind") for p in (b / "pagefind").rglob("*") if p.is_file())
    assert files_a == files_b
    for rel in files_a:
        assert (a / "pagefind" / rel).read_bytes() == (b / "pagefind" / rel).read_bytes(), rel


def test_only_document_pages_are_indexed(tmp_path: Path):
    page = '<html lang="en"><body><nav>Menu</nav><main><div data-pagefind-body><p>{}</p></div></main></body></html>'
    for rel, text in (("documents/a/index.html", "Indexed text"),
                      ("documents/a/original/index.html", "Original capture text"),
                      ("index.html", "Home page text")):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(page.format(text))
    assert document_glob(Config(base_url="/archive/")) == "documents/*/index.html"
    assert index_site(tmp_path, Config()) == 1
    assert [f["url"] for f in fragments(tmp_path)] == ["/documents/a/"]
    assert "Menu" not in fragments(tmp_path)[0]["content"]


def test_nothing_to_index_writes_nothing(tmp_path: Path):
    (tmp_path / "index.html").write_text("<html><body>No documents</body></html>")
    assert index_site(tmp_path, Config()) == 0
    assert not (tmp_path / "pagefind").exists()
