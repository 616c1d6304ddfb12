"""The Pagefind index: document pages only, their text and metadata only, deterministic."""

from __future__ import annotations

import gzip
import html
import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from archive_builder import search
from archive_builder.build import BuildStopped, build
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
                      ("documents/a/original.html", "Original capture text"),
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


# --- what Pagefind is given, and when -------------------------------------------------

def bundles_of(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes()
            for p in sorted(site.rglob("*")) if p.is_file() and p.relative_to(site).parts[0].startswith("pagefind")}


def test_cut_pages_give_pagefind_the_same_bundle_as_whole_pages(seed_site: Path, tmp_path: Path, monkeypatch):
    cut, whole = fresh_copy(seed_site, tmp_path, "cut"), fresh_copy(seed_site, tmp_path, "whole")
    index_site(cut, Config())
    with monkeypatch.context() as m:
        m.setattr(search, "search_input", lambda page: page)
        index_site(whole, Config())
    assert bundles_of(cut) == bundles_of(whole)
    pages = [p.read_text(encoding="utf-8") for p in cut.glob(document_glob(Config()))]
    assert sum(map(len, map(search.search_input, pages))) < sum(map(len, pages)) * 0.3


def test_a_kept_head_keeps_its_title_and_marked_elements_only():
    page = ('<html lang="en"><head><meta charset="utf-8"><title>T</title>'
            '<script type="application/ld+json">{"a": "<meta name=x>"}</script><link rel="icon" href="data:,">'
            '<meta data-pagefind-meta="image[content]" content="/a.png"><style>p { }</style></head>'
            '<body><div data-pagefind-body><p>Text</p></div></body></html>')
    assert search.search_input(page) == (
        '<html lang="en"><head><title>T</title><meta data-pagefind-meta="image[content]" content="/a.png"></head>'
        '<body><div data-pagefind-body><p>Text</p></div></body></html>')
    head_holding_body = ('<html><head><title>T</title><div data-pagefind-body><script>x</script>'
                         '<link rel="icon" href="data:,"><p>Text</p></div></head><body></body></html>')
    assert search.search_input(head_holding_body) == head_holding_body


# (no data-pagefind-sort: the site has none, and Pagefind 1.5 lists sorts in hash-map order, so a
# bundle with sorts differs from run to run whatever it is given)
MARKS = ('data-pagefind-filter="{}"', 'data-pagefind-meta="{}"', 'data-pagefind-filter="{}:fixed"',
         'data-pagefind-ignore', 'data-pagefind-ignore="all"')
SECTIONING = ("section", "aside", "nav", "header", "footer")


@st.composite
def outside_parts(draw, depth: int = 0) -> str:
    """Markup as it may stand outside the search body: sectioning elements, nested,
    some holding filters, meta or sort marks, some ignored."""
    parts = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["text", "mark", "element"] if depth < 3 else ["text", "mark"]))
        word = draw(st.sampled_from(["alpha", "beta", "gamma", "delta"]))
        if kind == "text":
            parts.append(f"<p>{word} words</p>")
        elif kind == "mark":
            mark = draw(st.sampled_from(MARKS)).format(draw(st.sampled_from(["kind", "place", "title"])))
            parts.append(draw(st.sampled_from([f"<span {mark}>{word}</span>", f"<h1>{word}</h1>",
                                               f'<img src="/{word}.png" alt="{word}">'])))
        else:
            tag = draw(st.sampled_from(SECTIONING))
            parts.append(f"<{tag} class=\"x\">{draw(outside_parts(depth + 1))}</{tag}>")
    return "".join(parts)


# What a head may hold: a title, marked or unmarked meta, link, script and style elements,
# some with ids, one whose script text looks like tags, one with a ">" in an attribute
HEAD_PARTS = ("<title>T</title>", '<title id="t">Title two</title>',
              '<meta data-pagefind-meta="image[content]" content="/a.png">',
              '<meta name="description" content="alpha > beta">', '<meta id="m" property="og:title" content="Meta">',
              '<link rel="stylesheet" href="/s.css">', '<link data-pagefind-meta="feed[href]" href="/feed.xml">',
              '<script type="application/ld+json">{"name": "<h1>gamma</h1> <img src=x>"}</script>',
              '<script id="s" data-pagefind-filter="kind">delta</script>', "<style>h1 { color: red }</style>",
              '<noscript><img src="/n.png" alt="n"></noscript>')


@st.composite
def document_like_pages(draw) -> str:
    head = "".join(draw(st.lists(st.sampled_from(HEAD_PARTS), max_size=4)))
    head = draw(st.sampled_from([f"<head>{head}</head>", ""]))
    heading = draw(st.sampled_from(["", f"<header><h1>Heading {draw(st.integers(0, 9))}</h1></header>"]))
    body = (f'<div data-pagefind-body>{heading}'
            f'<section><p id="p-1">Body text {draw(outside_parts(2))}</p></section></div>')
    return (f'<!doctype html><html lang="en">{head}<body>{draw(outside_parts())}<main>{body}</main>'
            f'{draw(outside_parts())}</body></html>')


def test_a_page_whose_layout_is_not_recognised_is_given_whole():
    for page in ('<html><body><p>no body mark</p></body></html>',
                 '<html><body><div data-pagefind-body>a</div><div data-pagefind-body>b</div></body></html>',
                 '<html><body><div data-pagefind-body>a</div><section><aside></section></aside></body></html>',
                 '<html><body><div data-pagefind-body>a</div><section>unclosed</body></html>'):
        assert search.search_input(page) == page


@settings(max_examples=30, deadline=None)
@given(st.lists(document_like_pages(), min_size=1, max_size=4))
def test_cut_pages_index_as_the_whole_pages_do(tmp_path_factory, pages: list[str]):
    """The fast path (search_input) against the plain one (the page whole), through Pagefind."""
    folder = tmp_path_factory.mktemp("pages")
    bundles = []
    for name, prepare in (("cut", search.search_input), ("whole", lambda page: page)):
        writer = search.BundleWriter(folder / name, Config())
        for n, page in enumerate(pages):
            writer.service.send({"type": "AddFile", "index_id": writer.index_id, "url": f"/documents/{n}/",
                                 "file_contents": prepare(page), "file_path": None})
        writer.write()
        search.canonical_filters(folder / name)
        bundles.append({p.relative_to(folder / name).as_posix(): p.read_bytes()
                        for p in sorted((folder / name).rglob("*")) if p.is_file()})
    assert bundles[0] == bundles[1]


def site_order(site: Path) -> list[str]:
    """Every file of the site, in an order unlike the documents' ids (the reverse)."""
    return sorted((p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()), reverse=True)


@pytest.mark.parametrize("shard_size", [10_000, 2])
def test_pages_fed_as_written_give_the_bundles_of_index_site_in_that_order(seed_site: Path, tmp_path: Path,
                                                                             shard_size: int):
    live, whole = fresh_copy(seed_site, tmp_path, "live"), fresh_copy(seed_site, tmp_path, "whole")
    for site in (live, whole):
        for stale in site.glob("pagefind*"):
            shutil.rmtree(stale)
    config = Config(search_shard_size=shard_size)
    ids = [p.parent.name for p in live.glob(document_glob(config))]
    index = search.LiveIndex(live, config, ids)
    try:
        for rel in site_order(live):
            index.page_written(rel)
        indexed = index.finish()
    finally:
        index.close()
    assert indexed == index_site(whole, config, site_order(whole)) == len(ids)
    assert bundles_of(live) == bundles_of(whole)
    assert len({rel.split("/")[0] for rel in bundles_of(live)}) == (1 if shard_size > len(ids) else -(-len(ids) // 2))


def test_the_page_order_is_in_the_bundle_and_nothing_else_is(seed_site: Path, tmp_path: Path):
    by_id, backwards = fresh_copy(seed_site, tmp_path, "by-id"), fresh_copy(seed_site, tmp_path, "backwards")
    index_site(by_id, Config())
    index_site(backwards, Config(), site_order(backwards))
    assert bundles_of(by_id) != bundles_of(backwards)
    assert sorted(map(json.dumps, fragments(by_id))) == sorted(map(json.dumps, fragments(backwards)))


def test_a_missing_document_page_means_indexing_what_is_there(seed_site: Path, tmp_path: Path):
    site, whole = fresh_copy(seed_site, tmp_path, "site"), fresh_copy(seed_site, tmp_path, "whole")
    ids = [p.parent.name for p in site.glob(document_glob(Config()))]
    index = search.LiveIndex(site, Config(), ids + ["not-written"])
    try:
        for rel in site_order(site):
            index.page_written(rel)
        assert index.finish() == len(ids)
    finally:
        index.close()
    index_site(whole, Config(), site_order(whole))
    assert bundles_of(site) == bundles_of(whole)


def test_a_pagefind_failure_stops_the_build_and_keeps_the_previous_site(tmp_path: Path, monkeypatch):
    config = Config(source=str(PROJECT / "seeds"), out=str(tmp_path / "site"))
    build(config, jobs=1)
    before = {p.relative_to(tmp_path / "site"): p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()}
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", shutil.which("false"))
    with pytest.raises(BuildStopped) as stopped:
        build(config, jobs=1)
    assert [p.message.startswith("the search index failed") for p in stopped.value.problems] == [True]
    after = {p.relative_to(tmp_path / "site"): p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()}
    assert after == before


def test_incomplete_files_are_the_empty_ones_or_a_missing_entry(tmp_path: Path):
    bundle = tmp_path / "pagefind"
    assert search.incomplete_files(bundle) == ["pagefind-entry.json"]          # no bundle at all
    for rel, content in (("fragment/b.pf_fragment", b""), ("fragment/a.pf_fragment", b"x"),
                         ("pagefind-ui.js", b""), ("index/x/y.pf_index", b""), ("pagefind.js", b"x")):
        (bundle / rel).parent.mkdir(parents=True, exist_ok=True)
        (bundle / rel).write_bytes(content)
    assert search.incomplete_files(bundle) == ["pagefind-entry.json"]
    (bundle / "pagefind-entry.json").write_bytes(b"")
    plain = sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file() and not p.stat().st_size)
    assert search.incomplete_files(bundle) == plain == [
        "fragment/b.pf_fragment", "index/x/y.pf_index", "pagefind-entry.json", "pagefind-ui.js"]
    (bundle / "pagefind-entry.json").write_bytes(b"{}")
    assert search.incomplete_files(bundle) == ["fragment/b.pf_fragment", "index/x/y.pf_index", "pagefind-ui.js"]
