"""Reuse (archive_builder.reuse): downloads, documents.csv, originals.zip,
datapackage.json, feed, sitemap, robots.txt, JSON-LD and meta tags.

Two in-process builds of the seeds (one with `site_url`, one without, both
under /archive/) are compared and read back; hostile records are rendered
directly to show that no document text can leave the JSON-LD script.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from unittest import mock
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import given, settings, strategies as st

from archive_builder.build import build
from archive_builder.cite import bibtex as bibtex_of
from archive_builder.config import Config
from archive_builder.editorial import Editorial
from archive_builder.model import Agent, Analysis, Claim, Record, Sourced
import archive_builder.reuse as reuse_module
from archive_builder.render import SiteContext, environment, render_site
from archive_builder.reuse import (ATOM_NS, CITATIONS, CITED_FIELDS, ORIGINALS_ENTRIES, SITEMAP_NS, PreviousZip,
                                   citation_files, citation_files_reusing, citation_key, document_jsonld, document_ld,
                                   document_meta, entry_updated, feed_xml, meta_tags_html, note_citations,
                                   note_originals, originals_zip, originals_zip_reusing, previous_citations,
                                   previous_zip, reused_entry, script_json, sitemap_files, zip_in_order, zip_timestamp)
from archive_builder.urls import Urls, page_file
from archive_builder.zipwriter import deflate

PROJECT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT / "seeds"
BASE = "/archive/"
SITE_URL = "https://example.org/archive/"


def build_seeds(out: Path, site_url: str = "") -> Path:
    config = Config(source=str(SEEDS), out=str(out), base_url=BASE, site_url=site_url, search=False,
                    editorial=str(PROJECT / "editorial"), root=str(PROJECT))
    build(config, jobs=1, use_cache=False)
    return out


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("reuse")
    return {"plain": build_seeds(root / "plain"), "again": build_seeds(root / "again"),
            "absolute": build_seeds(root / "absolute", SITE_URL)}


@pytest.fixture(scope="module")
def records(sites) -> list[dict]:
    return json.loads((sites["plain"] / "data" / "records.json").read_text(encoding="utf-8"))["records"]


# --- originals.zip ------------------------------------------------------------------


def test_zip_is_identical_across_builds_and_holds_every_capture(sites, records):
    first = (sites["plain"] / "data" / "originals.zip").read_bytes()
    assert first == (sites["again"] / "data" / "originals.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        names = z.namelist()
        assert names == sorted(names) == sorted(r["source_file"] for r in records)
        for r in records:
            assert z.read(r["source_file"]) == (SEEDS / r["source_file"]).read_bytes()
        for info in z.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert (info.external_attr >> 16) & 0o777 == 0o644


def test_zip_time_follows_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1611100800")     # 2021-01-20T00:00:00Z
    assert zip_timestamp() == (2021, 1, 20, 0, 0, 0)
    a = originals_zip([("b.txt", b"two"), ("a.txt", b"one")])
    assert a == originals_zip([("a.txt", b"one"), ("b.txt", b"two")])
    assert [i.date_time for i in zipfile.ZipFile(io.BytesIO(a)).infolist()] == [(2021, 1, 20, 0, 0, 0)] * 2
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")              # before 1980: the zip's first day
    assert zip_timestamp() == (1980, 1, 1, 0, 0, 0)


# --- originals.zip on a rebuild: unchanged entries copied from the previous zip -----------


def _write_captures(folder: Path, captures: dict[str, bytes]) -> list[SimpleNamespace]:
    """The captures on disk and the little of their records the zip reads."""
    for old in folder.rglob("*.txt"):
        old.unlink()
    for name, data in captures.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return [SimpleNamespace(source_file=name, sha256=hashlib.sha256(data).hexdigest())
            for name, data in captures.items()]


def _captures_context(folder: Path) -> SimpleNamespace:
    return SimpleNamespace(config=SimpleNamespace(source=str(folder), path=Path))


class Deflations:
    """Counts the captures compressed afresh."""

    def __init__(self):
        self.names: list[str] = []

    def __call__(self, name, data):
        self.names.append(name)
        return deflate(name, data)


capture_names = st.sampled_from(["a.txt", "b.txt", "é-c.txt", "sub/d.txt", "Ω.txt", "z.txt", "000.txt"])
capture_bytes = st.binary(max_size=400) | st.text(max_size=300).map(lambda t: t.encode("utf-8"))
zip_stamps = st.sampled_from([None, "0", "1611100801", "1700000000"])


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(capture_names, capture_bytes), st.dictionaries(capture_names, capture_bytes | st.none()),
       zip_stamps, zip_stamps)
def test_a_zip_reusing_the_previous_entries_is_the_zip_made_afresh(tmp_path_factory, before, changes, stamp, stamp_after):
    """Any mix of kept, changed, new and deleted captures, and a new SOURCE_DATE_EPOCH:
    the same bytes as zipfile's zip of the new captures, and only what changed is compressed."""
    folder = tmp_path_factory.mktemp("captures")
    ctx = _captures_context(folder)
    after = {**before, **changes}
    after = {name: data for name, data in after.items() if data is not None}
    with mock.patch.dict(os.environ, {"SOURCE_DATE_EPOCH": stamp or ""}):
        first, entries = originals_zip_reusing(ctx, _write_captures(folder, before), None)
        assert first == zip_in_order(sorted(before.items()))
    counted = Deflations()
    with mock.patch.dict(os.environ, {"SOURCE_DATE_EPOCH": stamp_after or ""}), \
            mock.patch.object(reuse_module, "deflate", counted):
        again, _ = originals_zip_reusing(ctx, _write_captures(folder, after), PreviousZip(first, entries))
        assert again == zip_in_order(sorted(after.items()))
    assert sorted(counted.names) == sorted(n for n, data in after.items() if before.get(n) != data)


def _zip_with_note(tmp_path: Path) -> tuple[SimpleNamespace, bytes]:
    """A built site's zip and its note in the cache, as a previous build leaves them."""
    captures = {"a.txt": b"one " * 50, "b.txt": b"two " * 50, "\u00e9.txt": b""}
    ctx = _captures_context(tmp_path / "src")
    zipped, entries = originals_zip_reusing(ctx, _write_captures(tmp_path / "src", captures), None)
    site_folder = tmp_path / "site"
    (site_folder / "data").mkdir(parents=True)
    (site_folder / "data" / "originals.zip").write_bytes(zipped)
    previous = SimpleNamespace(previous=site_folder, cache=tmp_path / "cache", staging=site_folder)
    note_originals(previous, "data/originals.zip", zipped, entries)
    return previous, zipped


def test_the_previous_zip_is_read_back_when_untouched(tmp_path):
    previous, zipped = _zip_with_note(tmp_path)
    found = previous_zip(previous, "data/originals.zip")
    assert found is not None and found.data == zipped
    assert all(reused_entry(found, name, noted[0]) is not None for name, noted in found.entries.items())


def _replace(path: Path) -> None:
    replacement = path.with_name("replacement.tmp")
    replacement.write_bytes(path.read_bytes())      # the same bytes, another file
    os.replace(replacement, path)


def _touch(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def _truncate(path: Path) -> None:
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size - 1)


@pytest.mark.parametrize("damage", [_replace, _touch, _truncate, Path.unlink])
def test_a_previous_zip_changed_by_hand_is_not_reused(tmp_path, damage):
    previous, _ = _zip_with_note(tmp_path)
    damage(previous.previous / "data" / "originals.zip")
    assert previous_zip(previous, "data/originals.zip") is None


def test_a_note_of_another_deflater_or_no_note_is_not_trusted(tmp_path, monkeypatch):
    previous, _ = _zip_with_note(tmp_path)
    monkeypatch.setattr(reuse_module, "DEFLATER", ["0.0.0", 9])     # another zlib: other compressed bytes
    assert previous_zip(previous, "data/originals.zip") is None
    monkeypatch.undo()
    (previous.cache / ORIGINALS_ENTRIES).write_text("{}", encoding="utf-8")
    assert previous_zip(previous, "data/originals.zip") is None
    assert previous_zip(SimpleNamespace(previous=previous.previous, cache=None), "data/originals.zip") is None
    assert previous_zip(None, "data/originals.zip") is None


def test_an_entry_is_reused_only_where_the_note_and_the_zip_agree(tmp_path):
    previous, zipped = _zip_with_note(tmp_path)
    found = previous_zip(previous, "data/originals.zip")
    sha, offset, crc, size, compressed = found.entries["a.txt"]
    assert reused_entry(found, "a.txt", "0" * 64) is None                      # the capture changed
    assert reused_entry(found, "nowhere.txt", sha) is None
    for wrong in ([sha, offset + 1, crc, size, compressed], [sha, offset, crc ^ 1, size, compressed],
                  [sha, offset, crc, size + 1, compressed], [sha, offset, crc, size, len(zipped)],
                  [sha, 3, crc, size, compressed], [sha, -1, crc, size, compressed], [sha, offset, 2 ** 40, size, compressed],
                  [sha, "0", crc, size, compressed], [sha, offset, crc, size]):
        assert reused_entry(PreviousZip(zipped, {"a.txt": wrong}), "a.txt", sha) is None, wrong


def test_no_note_is_left_when_the_zip_was_not_written_as_made(tmp_path):
    previous, zipped = _zip_with_note(tmp_path)
    assert (previous.cache / ORIGINALS_ENTRIES).exists()
    elsewhere = SimpleNamespace(previous=previous.previous, cache=previous.cache, staging=tmp_path / "staging")
    note_originals(elsewhere, "data/originals.zip", zipped, {})
    assert not (previous.cache / ORIGINALS_ENTRIES).exists()


# --- documents.csv and datapackage.json ------------------------------------------------


def test_documents_csv_has_one_row_per_record(sites, records):
    rows = list(csv.DictReader(io.StringIO((sites["absolute"] / "data" / "documents.csv").read_text(encoding="utf-8"))))
    assert [r["id"] for r in rows] == sorted(r["id"] for r in records)
    by_id = {r["id"]: r for r in records}
    for row in rows:
        r = by_id[row["id"]]
        assert row["sha256"] == r["sha256"] and row["source_file"] == r["source_file"]
        assert row["date_edtf"] == (r["date"]["edtf"] or "") and row["date_basis"] == r["date"]["basis"]
        assert row["author"] == ((r["author"]["value"] or {}).get("display") or "")
        assert row["url"] == f"{SITE_URL}documents/{row['id']}/"


def test_datapackage_resources_exist_and_describe_the_csvs(sites):
    data = sites["plain"] / "data"
    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    assert package["profile"] == "data-package" and re.fullmatch(r"[a-z0-9._-]+", package["name"])
    names = [r["name"] for r in package["resources"]]
    assert len(names) == len(set(names)) and {"records", "documents", "originals"} <= set(names)
    for resource in package["resources"]:
        path = data / resource["path"]
        assert path.is_file(), resource["path"]
        if "hash" in resource:
            assert resource["hash"] == "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
            assert resource["bytes"] == path.stat().st_size
        if resource["format"] == "csv":
            header = next(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
            assert header == [f["name"] for f in resource["schema"]["fields"]], resource["name"]


def test_downloads_page_links_every_file(sites):
    site = sites["plain"]
    html = (site / "downloads" / "index.html").read_text(encoding="utf-8")
    hrefs = set(re.findall(r'href="([^"#]+)"', html))
    for name in ("records.json", "documents.csv", "originals.zip", "datapackage.json", "citations.bib", "citations.json"):
        assert f"{BASE}data/{name}" in hrefs
    assert f"{BASE}feed.xml" in hrefs and f"{BASE}sitemap.xml" not in hrefs and "site_url" in html
    for href in hrefs:
        if href.startswith(BASE):
            assert (site / page_file(unquote(href), BASE)).is_file(), href
    assert f'href="{BASE}downloads/"' in (site / "index.html").read_text(encoding="utf-8")
    absolute = (sites["absolute"] / "downloads" / "index.html").read_text(encoding="utf-8")
    assert f'href="{BASE}sitemap.xml"' in absolute


# --- feed, sitemap, robots -----------------------------------------------------------


def test_feed_is_atom_newest_first_and_dated_by_the_documents(sites, records):
    for key in ("plain", "absolute"):
        root = ET.fromstring((sites[key] / "feed.xml").read_bytes())
        assert root.tag == f"{{{ATOM_NS}}}feed"
        entries = root.findall(f"{{{ATOM_NS}}}entry")
        assert len(entries) == len(records)
        ids = [e.findtext(f"{{{ATOM_NS}}}id") for e in entries]
        assert len(set(ids)) == len(ids) and all(re.match(r"^(urn:uuid:|https://)", i) for i in ids)
        updated = [e.findtext(f"{{{ATOM_NS}}}updated") for e in entries]
        assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", u) for u in updated)
        assert updated == sorted(updated, reverse=True)      # the seeds are all dated: newest first
        assert root.findtext(f"{{{ATOM_NS}}}updated") == max(updated)
        by_title = {r["title"]["value"]: r for r in records}
        for e, u in zip(entries, updated):     # each entry's time is its document's date, not the clock
            edtf = by_title[e.findtext(f"{{{ATOM_NS}}}title")]["date"]["edtf"]
            assert u[:10] == re.match(r"\d{4}-\d\d-\d\d", edtf).group(0)
        for e in entries:
            assert e.find(f"{{{ATOM_NS}}}title").text and e.find(f"{{{ATOM_NS}}}author/{{{ATOM_NS}}}name").text
    absolute = ET.fromstring((sites["absolute"] / "feed.xml").read_bytes())
    assert all(e.findtext(f"{{{ATOM_NS}}}id").startswith(SITE_URL + "documents/")
               for e in absolute.findall(f"{{{ATOM_NS}}}entry"))
    assert (sites["plain"] / "feed.xml").read_bytes() == (sites["again"] / "feed.xml").read_bytes()


def test_feed_time_is_the_documents_own_date(monkeypatch):
    r = make_record("x", date=Sourced("1990-01-19/1990-01-20", "stated", None, 1))
    assert entry_updated(r) == "1990-01-19T00:00:00Z"
    assert entry_updated(make_record("y", date=Sourced("2021", "inferred", None, 1))) == "2021-01-01T00:00:00Z"
    undated = make_record("z", date=Sourced.unknown())
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert entry_updated(undated) == "1970-01-01T00:00:00Z"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1611100800")
    assert entry_updated(undated) == "2021-01-20T00:00:00Z"


def test_sitemap_only_with_site_url_and_every_url_is_a_page(sites):
    assert not (sites["plain"] / "sitemap.xml").exists()
    assert "Sitemap:" not in (sites["plain"] / "robots.txt").read_text(encoding="utf-8")
    site = sites["absolute"]
    assert f"Sitemap: {SITE_URL}sitemap.xml" in (site / "robots.txt").read_text(encoding="utf-8")
    root = ET.fromstring((site / "sitemap.xml").read_bytes())
    assert root.tag == f"{{{SITEMAP_NS}}}urlset"
    locs = [u.findtext(f"{{{SITEMAP_NS}}}loc") for u in root.findall(f"{{{SITEMAP_NS}}}url")]
    assert len(locs) == len(set(locs)) > 10
    for loc in locs:
        assert loc.startswith(SITE_URL), loc
        assert (site / page_file(unquote(urlsplit(loc).path), BASE)).is_file(), loc
    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")} - {"404.html"}
    assert {page_file(unquote(urlsplit(l).path), BASE) for l in locs} == pages


# --- JSON-LD ----------------------------------------------------------------------------


class Scripts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.blocks: list[tuple[dict, str]] = []
        self.meta: list[dict] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._open = dict(attrs)
            self.blocks.append((self._open, ""))
        elif tag == "meta":
            self.meta.append(dict(attrs))

    def handle_data(self, data):
        if self._open is not None:
            attrs, text = self.blocks[-1]
            self.blocks[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None


def jsonld_of(html: str) -> list[dict]:
    p = Scripts()
    p.feed(html)
    return [json.loads(text) for attrs, text in p.blocks if attrs.get("type") == "application/ld+json"]


def test_every_seed_document_page_has_jsonld_naming_author_publisher_date(sites, records):
    for r in records:
        html = (sites["absolute"] / "documents" / r["id"] / "index.html").read_text(encoding="utf-8")
        (ld,) = jsonld_of(html)
        assert ld["@context"] == "https://schema.org" and ld["name"] == r["title"]["value"]
        assert ld["url"] == f"{SITE_URL}documents/{r['id']}/"
        assert ld["identifier"]["value"] == r["sha256"]
        assert ld["isBasedOn"].startswith(SITE_URL + "originals/")
        author, publisher = r["author"]["value"], r["publisher"]["value"]
        assert ld["author"]["name"] == author["display"]
        assert ld["author"]["@type"] in ("Person", "Organization")
        if publisher:   # never invented: a record without a publisher has none here either
            assert ld["publisher"]["name"] == publisher["display"]
        else:
            assert "publisher" not in ld
        date = r["date"]
        assert ld["datePublished"] == date["edtf"]   # every seed's date is known (stated or inferred)
        assert date["basis"] != "inferred" or "date inferred by the archive" in ld["description"]
        assert [c["text"] for c in ld.get("hasPart", [])] == [c["quote"] for c in r["claims"]]
        for c in ld.get("hasPart", []):
            assert c["@type"] == "Claim" and c["author"]["name"] == author["display"]
            assert c["appearance"]["url"].startswith(ld["url"] + "#claim-")
            assert f'id="{c["appearance"]["url"].split("#", 1)[1]}"' in html     # the anchor is on the page


def test_seed_document_pages_have_open_graph_and_cite_blocks(sites, records):
    for r in records:
        html = (sites["absolute"] / "documents" / r["id"] / "index.html").read_text(encoding="utf-8")
        p = Scripts()
        p.feed(html)
        meta = {m.get("property") or m.get("name"): m.get("content") for m in p.meta}
        assert meta["og:url"] == f"{SITE_URL}documents/{r['id']}/" and meta["twitter:card"] == "summary"
        assert meta["og:title"] == meta["citation_title"] == r["title"]["value"]
        assert 'id="cite-heading"' in html and "@misc{" in html and r["sha256"] in html


def make_record(id: str, body: str = "A body.", **fields) -> Record:
    values = dict(
        id=id, source_file=f"{id}.txt", sha256="cd" * 32, format="txt",
        title=Sourced(f"Title of {id}", "stated", None, 1),
        document_type=Sourced("statement", "stated", None, 1),
        author=Sourced(Agent("Ministry of Examples"), "stated", None, 2),
        publisher=Sourced(Agent("Example News"), "stated", None, 3),
        date=Sourced("2021-01-20", "stated", None, 4),
        language=Sourced("en", "inferred", None, None),
        body=body, body_lines=(5,), removed=(), comments=(), references=())
    values.update(fields)
    return Record(**values)


ATTACK = "</script><script>alert(1)</script><!-- & -->"


def test_document_text_cannot_leave_the_jsonld_script():
    body = f"Before {ATTACK} after."
    record = make_record("hostile", body=body, title=Sourced(f"Title {ATTACK}", "stated", None, 1),
                         author=Sourced(Agent(f"Ministry {ATTACK}"), "stated", None, 2))
    start = body.index(ATTACK)
    claim = Claim("hostile-c1", "hostile", "event", body[start:start + len(ATTACK)], start, start + len(ATTACK))
    ctx = SiteContext(records=[record], analysis=Analysis(claims=(claim,)), config=Config(base_url=BASE),
                      urls=Urls(BASE), editorial=Editorial())
    html = dict(render_site(ctx))["documents/hostile/index.html"].decode("utf-8")
    p = Scripts()
    p.feed(html)
    assert [attrs for attrs, _ in p.blocks] == [{"type": "application/ld+json"}]   # no script got in
    (ld,) = jsonld_of(html)
    assert ld["name"] == f"Title {ATTACK}" and ld["author"]["name"] == f"Ministry {ATTACK}"
    assert ld["hasPart"][0]["text"] == ATTACK
    text = p.blocks[0][1]
    assert not re.search(r"[<>&]", text)
    assert "<script>alert" not in html


def test_script_json_round_trips_any_text():
    for text in (ATTACK, "\u2028\u2029", "a&b<c>d", "</SCRIPT >", "<!--"):
        out = script_json({"t": text})
        assert not re.search("[<>&\u2028\u2029]", out) and json.loads(out) == {"t": text}


def test_dates_are_given_as_edtf_and_inferred_ones_say_so():
    ctx = SiteContext(records=[], analysis=Analysis(), config=Config(base_url=BASE), urls=Urls(BASE),
                      editorial=Editorial())
    stated = document_ld(ctx, make_record("a"))
    assert stated["datePublished"] == "2021-01-20"
    inferred = document_ld(ctx, make_record("b", date=Sourced("2021-01-20", "inferred", "an anniversary", 4)))
    assert inferred["datePublished"] == "2021-01-20"
    assert "20 January 2021 (date inferred by the archive)" in inferred["description"]
    interval = document_ld(ctx, make_record("c", date=Sourced("2021-01-13/..", "inferred", "a reply", 4)))
    assert interval["datePublished"] == "2021-01-13/.."     # on or after: never rounded to a day
    unknown = document_ld(ctx, make_record("e", date=Sourced.unknown()))
    assert "datePublished" not in unknown
    person = document_ld(ctx, make_record("d", document_type=Sourced("letter", "stated", None, 1),
                                          author=Sourced(Agent("Jane Doe", title="Ambassador", affiliation="Examplestan"),
                                                         "stated", None, 2)))
    assert person["@type"] == "Message"
    assert person["author"] == {"@type": "Person", "name": "Jane Doe", "jobTitle": "Ambassador",
                                "affiliation": {"@type": "Organization", "name": "Examplestan"}}


def _bare_context(records=()) -> SiteContext:
    return SiteContext(records=list(records), analysis=Analysis(), config=Config(base_url=BASE, site_url=SITE_URL),
                       urls=Urls(BASE), editorial=Editorial())


def test_feed_keeps_the_newest_documents():
    recs = [make_record(f"d{n}", date=Sourced(f"20{n:02d}-01-01", "stated", None, 1)) for n in range(10, 15)]
    root = ET.fromstring(feed_xml(_bare_context(recs), recs, limit=3))
    titles = [e.findtext(f"{{{ATOM_NS}}}title") for e in root.findall(f"{{{ATOM_NS}}}entry")]
    assert titles == ["Title of d14", "Title of d13", "Title of d12"]


# --- citations.bib and .json on a rebuild: unchanged records' pieces copied -------------


class Reads:
    """A record that notes which of its fields are read."""

    def __init__(self, record: Record):
        self._record, self.read = record, set()

    def __getattr__(self, name):
        self.read.add(name)
        return getattr(self._record, name)


def test_citations_read_only_the_fields_their_key_holds():
    from dataclasses import fields
    from archive_builder.cite import bibtex, csl
    assert [f.name for f in fields(Agent)] == ["name", "title", "affiliation", "canonical"]   # all in the key
    assert [f.name for f in fields(Sourced)] == ["value", "basis", "evidence", "line"]
    for record in (make_record("a"), make_record("b", date=Sourced("2021-01-20?", "inferred", "from the title", 2),
                                                 author=Sourced(Agent("J. Doe", "Minister", "Ministry"), "stated"))):
        proxy = Reads(record)
        bibtex(proxy, "https://example.org/a/", "Site")
        csl(proxy, "https://example.org/a/", "Site")
        assert proxy.read <= set(CITED_FIELDS)


cited_values = st.sampled_from(["A title", "Another title", "", "é & {braces} %", None])
record_changes = st.fixed_dictionaries({}, optional={
    "title": cited_values.map(lambda v: Sourced(v, "stated", None, 1)),
    "author": st.sampled_from([None, Agent("Ministry"), Agent("J. Doe", "Minister"), Agent("X", canonical="Y")]).map(
        lambda v: Sourced(v, "stated", None, 2)),
    "date": st.sampled_from(["2021-01-20", "2021-01?", "2021-01-13/..", None]).map(lambda v: Sourced(v, "inferred", "why", 4)),
    "sha256": st.sampled_from(["ab" * 32, "cd" * 32]),
    "body": st.sampled_from(["Another body.", "A body."]),
})


class Cites:
    """Counts the records cited afresh."""

    def __init__(self):
        self.ids: list[str] = []

    def __call__(self, record, link, title=""):
        self.ids.append(record.id)
        return bibtex_of(record, link, title)


@settings(max_examples=60, deadline=None)
@given(st.lists(record_changes, max_size=6), st.lists(st.none() | record_changes, max_size=8))
def test_citation_files_reusing_the_previous_pieces_are_the_files_made_afresh(before, after):
    """Records kept, changed, added and removed: the bytes of citation_files, and only
    the records whose cited fields changed are cited again."""
    ctx = _bare_context()
    old = [make_record(f"d{n}", **change) for n, change in enumerate(before)]
    new = [make_record(f"d{n}", **{**(before[n] if n < len(before) else {}), **change})
           for n, change in enumerate(after) if change is not None]
    made, at = citation_files_reusing(ctx, old, None)
    assert made == citation_files(ctx, old)
    counted = Cites()
    with mock.patch.object(reuse_module, "bibtex", counted):
        again, _ = citation_files_reusing(ctx, new, ([made["citations.bib"], made["citations.json"]], at))
    assert again == citation_files(ctx, new)
    kept = {citation_key(r, reuse_module.permalink(ctx, r)) for r in old}
    assert sorted(counted.ids) == sorted(r.id for r in new if citation_key(r, reuse_module.permalink(ctx, r)) not in kept)
    assert {r.id for r in new} - {r.id for r in old} <= set(counted.ids)


def test_citation_pieces_are_read_only_from_the_files_noted(tmp_path):
    ctx = _bare_context()
    records = [make_record(f"d{n}") for n in range(3)]
    made, at = citation_files_reusing(ctx, records, None)
    rels = ["data/citations.bib", "data/citations.json"]
    for rel, name in zip(rels, CITATIONS):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(made[name])
    previous = SimpleNamespace(previous=tmp_path, cache=tmp_path / "cache", staging=tmp_path)
    note_citations(ctx, previous, rels, made, at)
    assert previous_citations(ctx, previous, rels) == ([made["citations.bib"], made["citations.json"]], at)
    other_title = SimpleNamespace(config=SimpleNamespace(title="Another archive"))
    assert previous_citations(other_title, previous, rels) is None          # the title is in every piece
    _touch(tmp_path / rels[1])
    assert previous_citations(ctx, previous, rels) is None


def test_a_wrong_offset_gives_a_citation_made_afresh():
    ctx = _bare_context()
    records = [make_record(f"d{n}") for n in range(3)]
    made, at = citation_files_reusing(ctx, records, None)
    files = [made["citations.bib"], made["citations.json"]]
    shifted = {key: [where[0] + 1, where[1], where[2], where[3]] for key, where in at.items()}
    garbled = {key: ["0", None] for key in at}
    for wrong in (shifted, garbled):
        counted = Cites()
        with mock.patch.object(reuse_module, "bibtex", counted):
            assert citation_files_reusing(ctx, records, (files, wrong))[0] == made
        assert counted.ids


def test_large_sitemap_becomes_an_index_of_files():
    ctx = _bare_context()
    pages = [f"documents/d{n}/index.html" for n in range(7)] + ["index.html"]
    files = dict(sitemap_files(ctx, pages, limit=3))
    assert sorted(files) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"]
    index = ET.fromstring(files["sitemap.xml"])
    assert index.tag == f"{{{SITEMAP_NS}}}sitemapindex"
    assert [s.findtext(f"{{{SITEMAP_NS}}}loc") for s in index] == [f"{SITE_URL}sitemap-{n}.xml" for n in (1, 2, 3)]
    locs = [u.findtext(f"{{{SITEMAP_NS}}}loc") for n in (1, 2, 3) for u in ET.fromstring(files[f"sitemap-{n}.xml"])]
    assert sorted(locs) == sorted([f"{SITE_URL}documents/d{n}/" for n in range(7)] + [SITE_URL])
    assert len(locs) == 8 and len(dict(sitemap_files(ctx, pages, limit=8))) == 1


def test_citation_files_hold_every_document(sites, records):
    data = sites["absolute"] / "data"
    bib = (data / "citations.bib").read_text(encoding="utf-8")
    assert re.findall(r"^@misc\{([^,]+),$", bib, flags=re.M) == sorted(r["id"] for r in records)
    items = json.loads((data / "citations.json").read_text(encoding="utf-8"))
    assert [i["id"] for i in items] == sorted(r["id"] for r in records)
    for item, r in zip(items, sorted(records, key=lambda r: r["id"])):
        assert item["title"] == r["title"]["value"] and item["URL"] == f"{SITE_URL}documents/{r['id']}/"
        assert r["sha256"] in item["note"]
        html = (sites["absolute"] / "documents" / r["id"] / "index.html").read_text(encoding="utf-8")
        assert f"@misc{{{r['id']}," in html      # the page's block and the file say the same


# text, or text built from the pieces that end scripts and start markup
hostile_text = st.text(min_size=1, max_size=40) | st.lists(
    st.sampled_from(["</script>", "</SCRIPT ", "<script>", "<!--", "-->", "&", "<", ">", "\u2028", '"', "'", "a", " "]),
    min_size=1, max_size=12).map("".join)


@settings(max_examples=80, deadline=None)
@given(hostile_text, hostile_text)
def test_no_text_can_leave_the_head_block(title, name):
    """Any title and author name: the partial holds one JSON-LD script that gives them back."""
    ctx = _bare_context()
    record = make_record("any", title=Sourced(title, "stated", None, 1), author=Sourced(Agent(name), "stated", None, 2))
    html = environment(ctx.config, ctx.urls).get_template("partials/jsonld.html").render(
        jsonld=document_jsonld(ctx, record), meta_html=meta_tags_html(document_meta(ctx, record)))
    p = Scripts()
    p.feed(html)
    assert [attrs for attrs, _ in p.blocks] == [{"type": "application/ld+json"}]
    (ld,) = jsonld_of(html)
    assert ld["name"] == title and ld["author"]["name"] == name
    meta = {m.get("property") or m.get("name"): m.get("content") for m in p.meta}
    assert meta["og:title"] == title
