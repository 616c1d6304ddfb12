"""Incremental rendering: after one capture changes, a rebuild that reuses the
previous site's unchanged pages gives exactly the bytes of a clean full build."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from archive_builder.analyse import analyse
from archive_builder.bench.corpus import write_corpus
from archive_builder.build import BuildReport, read_records
from archive_builder.config import load_config
from archive_builder.model import Reason, Relation, SharedPassage
from archive_builder.editorial import load_editorial
from archive_builder.output import discard, staging_dir, swap_in
from archive_builder.render import SiteContext, write_site
from archive_builder.urls import Urls

CAPTURES = 24


def context(src: Path, out: Path) -> SiteContext:
    config = load_config(None, source=str(src), out=str(out), search=False)
    editorial = load_editorial(config.path(config.editorial))
    records = read_records(config.path(config.source), editorial.canonical_names, BuildReport(), cache=None, jobs=1)
    return SiteContext(records=records, analysis=analyse(records, editorial), config=config,
                       urls=Urls(config.base_url), editorial=editorial)


def files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def build_into(src: Path, out: Path, cache: Path | None) -> Path:
    """Render into a staging folder beside `out`, reusing `out` when `cache` is given."""
    staging = staging_dir(out)
    write_site(context(src, out), staging, src, previous=out if cache else None, cache=cache)
    return staging


# each change is text -> text; the test changes the first capture it applies to
def change_body(text: str) -> str:
    return text + "\nA new closing paragraph recalls the mission's report to this day.\n"


def change_title(text: str) -> str:
    return "Revised: " + text


_DATE = re.compile(r"^\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|November|December) \d{4}$", re.M)


def change_date(text: str) -> str:
    return _DATE.sub("3 March 1999", text, count=1)


def change_figure(text: str) -> str:
    return re.sub(r"\b(\d+) civilians were killed", lambda m: f"{int(m.group(1)) + 7} civilians were killed", text, count=1)


def apply_to_first(src: Path, change) -> Path:
    for path in sorted(src.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if change(text) != text:
            path.write_text(change(text), encoding="utf-8")
            return path
    raise AssertionError(f"{change.__name__} applies to no generated capture")


def built_then_changed(tmp_path: Path, change) -> tuple[Path, Path, dict[str, int], Path, Path]:
    """Build a corpus, apply `change` to its first capture it applies to, rebuild:
    (source, live site, each live file's inode before, the changed capture, the rebuilt staging)."""
    src, out, cache = tmp_path / "src", tmp_path / "site", tmp_path / "cache"
    write_corpus(src, CAPTURES, 1)
    swap_in(build_into(src, out, cache), out)
    before = {rel: os.stat(out / rel).st_ino for rel in files(out)}
    target = apply_to_first(src, change)
    return src, out, before, target, build_into(src, out, cache)


@pytest.mark.parametrize("change", [change_body, change_title, change_date, change_figure])
def test_one_changed_capture_rebuilds_to_the_same_bytes_as_a_clean_build(tmp_path, change):
    src, out, before, target, incremental = built_then_changed(tmp_path, change)
    clean = build_into(src, tmp_path / "clean", None)

    assert files(incremental) == files(clean)
    reused = [rel for rel in files(incremental) if before.get(rel) == os.stat(incremental / rel).st_ino]
    assert any(rel.startswith("documents/") for rel in reused), "no unchanged page was reused"
    doc_id = next(r.id for r in context(src, out).records if r.source_file == target.name)
    assert f"documents/{doc_id}/index.html" not in reused


def test_a_changed_text_renders_again_no_other_document_page_that_stays_the_same(tmp_path):
    """A document page lists related documents, shared passages and references by
    title, date and source: a new paragraph in one document changes what its own
    page shows, not what the pages linking to it show, so those are reused."""
    src, out, cache = tmp_path / "src", tmp_path / "site", tmp_path / "cache"
    write_corpus(src, CAPTURES, 1)
    swap_in(build_into(src, out, cache), out)
    old = files(out)
    before = {rel: os.stat(out / rel).st_ino for rel in old}

    apply_to_first(src, change_body)
    again = build_into(src, out, cache)
    new = files(again)
    same = [rel for rel in new if re.fullmatch(r"documents/[^/]+/index\.html", rel) and old.get(rel) == new[rel]]
    rendered = [rel for rel in same if before[rel] != os.stat(again / rel).st_ino]
    assert len(same) > CAPTURES // 2, "the change touched too many pages to tell"
    assert rendered == []


_LISTS = re.compile(r"(index|documents/index|authors/[^/]+/index|publishers/[^/]+/index|browse/[^/]+/[^/]+/index)\.html")


@pytest.mark.parametrize("change, renders_lists", [(change_body, False), (change_title, True), (change_date, True)])
def test_the_pages_listing_a_document_render_again_only_when_what_they_show_of_it_changes(
        tmp_path, change, renders_lists):
    """The documents page, the home page and the author, publisher and browse pages
    show a document's title, who, when and type (render.ListedRecord): a corrected
    paragraph leaves them as they were (linked, not rendered), a new title or date
    renders them again; either way the site is a clean build's, byte for byte."""
    src, out, before, target, again = built_then_changed(tmp_path, change)
    assert files(again) == files(build_into(src, tmp_path / "clean", None))
    doc_id = next(r.id for r in context(src, out).records if r.source_file == target.name)
    naming = [rel for rel, data in files(again).items()
              if _LISTS.fullmatch(rel) and f"/documents/{doc_id}/".encode() in data]
    assert "documents/index.html" in naming and any(rel.startswith("browse/") for rel in naming)
    rendered = [rel for rel in naming if before.get(rel) != os.stat(again / rel).st_ino]
    if renders_lists:
        assert "documents/index.html" in rendered
    else:
        assert rendered == []


def test_nothing_changed_reuses_every_page_and_a_site_not_swapped_in_is_never_reused(tmp_path):
    src, out, cache = tmp_path / "src", tmp_path / "site", tmp_path / "cache"
    write_corpus(src, 8, 1)
    swap_in(build_into(src, out, cache), out)
    before = {rel: os.stat(out / rel).st_ino for rel in files(out)}
    again = build_into(src, out, cache)
    # the downloads page is made with the download files, every build
    html = [rel for rel in files(again) if rel.endswith(".html") and rel != "downloads/index.html"]
    assert html and all(before[rel] == os.stat(again / rel).st_ino for rel in html)

    # a build that is never swapped in leaves a manifest that lists files `out` does not have
    apply_to_first(src, change_body)
    discard(build_into(src, out, cache))
    third = build_into(src, out, cache)
    assert files(third) == files(build_into(src, tmp_path / "clean", None))
    assert files(third) != files(out)


def test_a_changed_template_renders_every_page_again(tmp_path, monkeypatch):
    from archive_builder import render

    src, out, cache = tmp_path / "src", tmp_path / "site", tmp_path / "cache"
    write_corpus(src, 4, 1)
    swap_in(build_into(src, out, cache), out)
    monkeypatch.setattr(render, "code_version", lambda folders: b"another version of the program")
    again = build_into(src, out, cache)
    assert not any(os.stat(out / rel).st_ino == os.stat(again / rel).st_ino
                   for rel in files(again) if rel.endswith(".html"))


def render_with_jobs(tmp_path: Path, captures: int, jobs: int) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The site's files rendered serially, and rendered again with `jobs`."""
    src = tmp_path / "src"
    write_corpus(src, captures, 1)
    ctx = context(src, tmp_path / "site")
    serial, with_jobs = tmp_path / "serial", tmp_path / "with-jobs"
    serial.mkdir()
    with_jobs.mkdir()
    write_site(ctx, serial, src, jobs=1)
    write_site(ctx, with_jobs, src, jobs=jobs)
    return files(serial), files(with_jobs)


def test_rendering_in_parallel_gives_the_same_bytes(tmp_path, monkeypatch):
    from archive_builder import render

    monkeypatch.setattr(render, "PARALLEL_BATCH", 7)   # several batches, each split across the workers
    monkeypatch.setattr(render, "PARALLEL_MIN_PAGES", 0)
    serial, parallel = render_with_jobs(tmp_path, 12, jobs=2)
    assert parallel == serial


def test_a_few_pages_to_render_are_rendered_without_starting_workers(tmp_path, monkeypatch):
    """A rebuild's handful of changed pages: forking workers would cost more than the pages."""
    from archive_builder import render

    def no_pool(*args, **kwargs):
        raise AssertionError("a worker pool was started for a few pages")
    monkeypatch.setattr(render, "ProcessPoolExecutor", no_pool)
    monkeypatch.setattr(render, "PARALLEL_MIN_PAGES", 10_000)
    serial, few = render_with_jobs(tmp_path, 3, jobs=2)
    assert few == serial


def test_fingerprints_do_not_depend_on_how_equal_strings_are_shared():
    """Records read fresh and the same records loaded from the cache share their
    strings differently; a pickle memo made them fingerprint apart, so the
    first rebuild after a cold build re-rendered every page."""
    from archive_builder.render import Fingerprints

    a = "Baku, 19–20 January 1990 " * 3
    b = "".join(["Baku, 19–20 January 1990 " * 2, "Baku, 19–20 January 1990 "])
    assert a == b and a is not b
    fingerprints = Fingerprints(b"salt")
    assert fingerprints.digest_of((a, a, [a])) == fingerprints.digest_of((a, b, [b]))
    assert fingerprints.digest_of((a, a)) != fingerprints.digest_of((a, a + "."))


_WORDS = st.sampled_from(["a", "b", "Baku", "19–20 January", ""])
_PASSAGES = st.builds(SharedPassage, _WORDS, _WORDS, st.integers(0, 3), st.integers(0, 3), _WORDS,
                      st.integers(0, 3), st.integers(0, 3), st.sampled_from([0.5, 0.75, 1.0]))
_RELATIONS = st.builds(Relation, _WORDS, _WORDS, st.sampled_from([0.5, 2.0]),
                       st.lists(st.builds(Reason, _WORDS, _WORDS, st.sampled_from([0.5, 1.0])), max_size=3).map(tuple))


def _copied(obj):
    """An equal object whose strings are other string objects (as a record loaded
    from the cache has them)."""
    from dataclasses import fields, replace
    if isinstance(obj, str):
        return "".join(list(obj)) if len(obj) > 1 else obj
    if isinstance(obj, tuple):
        return tuple(_copied(x) for x in obj)
    if isinstance(obj, list):
        return [_copied(x) for x in obj]
    if hasattr(obj, "__dataclass_fields__"):
        return replace(obj, **{f.name: _copied(getattr(obj, f.name)) for f in fields(obj)})
    return obj


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.lists(_PASSAGES, max_size=4), st.lists(_RELATIONS, max_size=4)),
       st.one_of(st.lists(_PASSAGES, max_size=4), st.lists(_RELATIONS, max_size=4)), st.booleans())
def test_rows_of_flat_objects_fingerprint_as_their_values_do(first, second, as_list):
    """Relations and shared passages are written a row per object (Fingerprints._rows),
    not value by value: equal rows only for equal values, whatever the strings'
    sharing, and never equal to another class's rows or to the same items in a
    list instead of a tuple."""
    from archive_builder.render import Fingerprints

    fingerprints = Fingerprints(b"salt")
    kind = list if as_list else tuple
    a, b = kind(first), kind(second)
    assert (fingerprints.digest_of(("page", a)) == fingerprints.digest_of(("page", b))) == (a == b and type(a) is type(b))
    assert fingerprints.digest_of(("page", a)) == fingerprints.digest_of(("page", _copied(a)))
    if a:
        assert fingerprints.digest_of(("page", tuple(a))) != fingerprints.digest_of(("page", list(a)))


def test_every_field_of_a_flat_object_is_in_its_row():
    """A field added to Relation, Reason or SharedPassage is fingerprinted without
    anyone remembering to: the rows are made from the classes' fields."""
    from dataclasses import fields, replace

    from archive_builder.render import _ROWS, Fingerprints

    assert {Relation, Reason, SharedPassage} <= set(_ROWS)
    fingerprints = Fingerprints(b"salt")
    passage = SharedPassage("p", "a", 1, 2, "b", 3, 4, 0.5)
    relation = Relation("a", "b", 1.5, (Reason("shared event", "e1", 1.0), Reason("shared passage", "p", 0.5)))
    for obj, other in ((passage, SharedPassage("q", "c", 5, 6, "d", 7, 8, 0.25)),
                       (relation, Relation("c", "d", 2.5, (Reason("pinned", "x", 2.0),)))):
        base = fingerprints.digest_of((obj, obj))
        for f in fields(obj):
            changed = replace(obj, **{f.name: getattr(other, f.name)})
            assert fingerprints.digest_of((obj, changed)) != base, f.name
    changed = replace(relation, reasons=(relation.reasons[0], replace(relation.reasons[1], weight=0.25)))
    assert fingerprints.digest_of((relation, changed)) != fingerprints.digest_of((relation, relation))


def test_a_listed_record_is_digested_by_its_values_and_a_list_template_sees_nothing_else(tmp_path):
    """ListedRecord digests (digested once per build, as records are) follow every value it holds, down
    to an author's title, and not how its strings are shared; and a template that
    reads anything else of a listed document fails instead of showing what the
    fingerprint did not follow."""
    from dataclasses import replace

    import jinja2

    from archive_builder.render import Fingerprints, environment, listed

    ctx = context(_small_corpus(tmp_path), tmp_path / "site")
    record = next(r for r in ctx.records if r.author.value)
    item = listed(record)

    def digest(obj) -> bytes:
        return Fingerprints(b"salt").digest_of_each([obj])

    assert digest(item) == digest(listed(_copied(record))) and item.title.value
    author = record.author.value
    for changed in (replace(item, title=replace(item.title, value=item.title.value + ".")),
                    replace(item, title=replace(item.title, line=(item.title.line or 0) + 1)),
                    replace(item, author=replace(item.author, value=replace(author, title=f"{author.title} (acting)"))),
                    replace(item, author=replace(item.author, basis="sidecar")),
                    replace(item, id=item.id + "x")):
        assert digest(changed) != digest(item)
    env = environment(ctx.config, ctx.urls)
    assert env.from_string("{{ r.title.value }}").render(r=item) == str(item.title.value)
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ r.body }}").render(r=item)


def _small_corpus(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    write_corpus(src, 6, 1)
    return src


def test_the_analysis_sets_no_claim_field_but_those_render_digests_by_their_values(tmp_path):
    """render.known_digests digests a claim by its record's cache key, its id and
    CLAIM_FIELDS_FROM_ANALYSIS: every other field must be extract_claims' work on
    the record alone, or a page showing a claim the analysis changed would be
    taken as unchanged."""
    from dataclasses import replace

    from archive_builder.analyse import analyse_record
    from archive_builder.analyse.places import default_gazetteer
    from archive_builder.render import CLAIM_FIELDS_FROM_ANALYSIS

    src = tmp_path / "src"
    write_corpus(src, CAPTURES, 1)
    ctx = context(src, tmp_path / "site")
    extracted = {c.id: c for r in ctx.records for c in analyse_record(r, default_gazetteer())[0]}
    assert len(extracted) == len(ctx.analysis.claims)
    assert any(c.event_id for c in ctx.analysis.claims)     # the analysis did set something
    for claim in ctx.analysis.claims:
        alone = extracted[claim.id]
        assert replace(claim, **{f: getattr(alone, f) for f in CLAIM_FIELDS_FROM_ANALYSIS}) == alone


def _rebuild_counting_reused_fragments(tmp_path, monkeypatch, damage=None) -> tuple[dict[str, int], Path, Path]:
    """Build, edit one capture (and apply `damage` to the live site), rebuild:
    how many pieces of each data file were copied from the previous build."""
    import archive_builder.render as render_module

    src, out, cache = tmp_path / "src", tmp_path / "site", tmp_path / "cache"
    write_corpus(src, CAPTURES, 1)
    swap_in(build_into(src, out, cache), out)
    apply_to_first(src, change_body)
    if damage is not None:
        damage(out)
    copied: dict[str, int] = {}
    real_get = render_module.PreviousFragments.get

    def get(self, key):
        text = real_get(self, key)
        copied[self.rel] = copied.get(self.rel, 0) + (text is not None)
        return text
    monkeypatch.setattr(render_module.PreviousFragments, "get", get)
    staging = build_into(src, out, cache)
    return copied, staging, src


def test_a_rebuild_copies_the_unchanged_parts_of_records_json_and_claims_csv(tmp_path, monkeypatch):
    copied, staging, src = _rebuild_counting_reused_fragments(tmp_path, monkeypatch)
    with_claims = len({c.document_id for c in context(src, tmp_path / "x").analysis.claims})
    assert copied["data/records.json"] == CAPTURES - 1
    assert copied["data/claims.csv"] == with_claims - 1
    clean = staging_dir(tmp_path / "clean")
    write_site(context(src, tmp_path / "clean"), clean, src)
    assert files(staging) == files(clean)


@pytest.mark.parametrize("name", ["records.json", "claims.csv"])
def test_a_data_file_changed_by_hand_is_not_copied_from(tmp_path, monkeypatch, name):
    def damage(site: Path) -> None:
        path = site / "data" / name
        data = path.read_bytes()
        path.unlink()       # a new file (another inode) with a byte changed in place of one piece
        path.write_bytes(data.replace(b"e", b"E", 1))
    copied, staging, src = _rebuild_counting_reused_fragments(tmp_path, monkeypatch, damage)
    assert copied.get(f"data/{name}", 0) == 0
    clean = staging_dir(tmp_path / "clean")
    write_site(context(src, tmp_path / "clean"), clean, src)
    assert files(staging) == files(clean)


def test_without_hard_links_an_unchanged_page_is_copied_and_still_counts_as_reused(tmp_path, monkeypatch):
    """Where the file system makes no hard links (another device, some network
    shares), an unchanged page is copied from the previous site: not rendered
    again, noted in the manifest with the copy's own inode, and the site is the
    same bytes as a clean build's."""
    import archive_builder.output as output_module
    import archive_builder.render as render_module

    src, out, cache = tmp_path / "src", tmp_path / "site", tmp_path / "cache"
    write_corpus(src, CAPTURES, 1)
    swap_in(build_into(src, out, cache), out)

    def no_link(source, target, *args, **kwargs):
        raise OSError(18, "Invalid cross-device link")
    monkeypatch.setattr(output_module.os, "link", no_link)
    rendered: list[str] = []
    real_render = output_module.PageSpec.render
    monkeypatch.setattr(output_module.PageSpec, "render",
                        lambda self, env: (rendered.append(self.rel), real_render(self, env))[1])
    apply_to_first(src, change_body)
    staging = build_into(src, out, cache)
    monkeypatch.undo()
    assert files(staging) == files(build_into(src, tmp_path / "clean", None))
    assert "documents/index.html" in files(staging) and len(rendered) < len(files(staging)) // 2
    manifest = render_module.Reuse(staging, out, cache).old      # the manifest this build left
    copied = [rel for rel, entry in manifest.items() if rel not in rendered]
    assert copied and all(entry[1] == os.stat(staging / rel).st_ino != os.stat(out / rel).st_ino
                          for rel, entry in manifest.items() if rel in copied)


def test_a_manifest_left_by_an_older_version_is_removed(tmp_path):
    from archive_builder.render import LEGACY_MANIFESTS, RENDER_MANIFEST

    src, out, cache = tmp_path / "src", tmp_path / "site", tmp_path / "cache"
    write_corpus(src, 4, 1)
    cache.mkdir()
    for name in LEGACY_MANIFESTS:
        (cache / name).write_text("{}", encoding="utf-8")
    swap_in(build_into(src, out, cache), out)
    assert (cache / RENDER_MANIFEST).is_file()
    assert not any((cache / name).exists() for name in LEGACY_MANIFESTS)
