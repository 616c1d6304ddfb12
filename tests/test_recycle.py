"""A large site's previous generation is recycled as the next build's staging
folder (output.take_recycled): the result is still, byte for byte, a clean
build, and the live site is never written into.

The recycling threshold is lowered so that a dozen captures recycle; the
incremental-equivalence tests of tests/test_incremental_equivalence.py are run
again here with it (imported below, so pytest collects them in this module
with this module's autouse fixture)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import archive_builder.build as build_module
import archive_builder.output as output_module
from archive_builder.cli import main

from test_incremental_equivalence import (  # noqa: F401  (collected here again, recycling)
    edit_body, keep_links, new_archive, parallel, site_hashes,
    test_a_build_killed_midway_is_followed_by_a_build_equal_to_a_clean_one as test_recycled_after_a_killed_build,
    test_a_live_site_edited_by_hand_is_not_reused as test_recycled_with_a_live_site_edited_by_hand,
    test_every_kind_of_change_rebuilds_to_the_bytes_of_a_clean_build as test_recycled_every_kind_of_change,
    test_random_edit_sequences_rebuild_to_the_bytes_of_a_clean_build as test_recycled_random_edit_sequences,
    test_toggling_search_rebuilds_to_the_bytes_of_a_clean_build as test_recycled_toggling_search,
)


@pytest.fixture(autouse=True)
def recycling(monkeypatch):
    monkeypatch.setattr(build_module, "RECYCLE_MIN_RECORDS", 0)


def recycle_folders(archive) -> list[Path]:
    return sorted(archive.site.parent.glob(f".{archive.site.name}-recycle-*"))


def with_a_kept_generation(tmp_path, monkeypatch):
    """An archive built twice: (the archive, the first site, kept for recycling, and its inode)."""
    archive = new_archive(tmp_path)
    archive.build(monkeypatch)
    edit_body(archive, 0)
    archive.build(monkeypatch)
    [kept] = recycle_folders(archive)
    return archive, kept, os.stat(kept).st_ino


def test_the_replaced_site_is_kept_for_recycling_and_its_folders_are_reused(tmp_path, monkeypatch):
    archive = new_archive(tmp_path)
    archive.build(monkeypatch)
    assert recycle_folders(archive) == []               # nothing replaced yet
    first = os.stat(archive.site).st_ino
    edit_body(archive, 0)
    archive.build(monkeypatch)
    [kept] = recycle_folders(archive)
    assert os.stat(kept).st_ino == first               # the first site, set aside whole
    document_folders = {p.name: os.stat(p).st_ino for p in (kept / "documents").iterdir() if p.is_dir()}
    edit_body(archive, 1)
    archive.build(monkeypatch)
    # the third site is the first one's folder: its document folders were not made again
    assert os.stat(archive.site).st_ino == first
    assert {p.name: os.stat(p).st_ino for p in (archive.site / "documents").iterdir() if p.is_dir()} == document_folders
    assert len(recycle_folders(archive)) == 1           # one generation kept, never more
    archive.assert_equals_clean(monkeypatch)


def test_files_the_recycled_generation_had_and_the_new_one_lacks_are_removed(tmp_path, monkeypatch):
    archive = new_archive(tmp_path)
    archive.build(monkeypatch)
    doomed = archive.captures()[0]
    archive.build(monkeypatch)          # the first site is now kept for recycling
    doomed.unlink()
    archive.build(monkeypatch)          # recycles the first site, which has the document's pages
    archive.assert_equals_clean(monkeypatch)


def test_a_failed_build_in_a_recycled_folder_leaves_the_live_site_byte_identical(tmp_path, monkeypatch):
    archive = new_archive(tmp_path)
    archive.build(monkeypatch)
    edit_body(archive, 0)
    archive.build(monkeypatch)
    before = site_hashes(archive.site)
    inodes = {rel: os.stat(archive.site / rel).st_ino for rel in before}
    # another document: its pages in the recycled first site are links of the live site's files
    # (unchanged by the second build), and this build writes new pages in their place
    edit_body(archive, 5)

    def fail(*args, **kwargs):
        raise RuntimeError("stopped before the swap")
    monkeypatch.setattr(build_module, "swap_in", fail)
    monkeypatch.chdir(archive.root)
    try:
        code = main(archive.args(archive.site))
    except RuntimeError:
        code = None
    assert code != 0
    assert site_hashes(archive.site) == before
    assert {rel: os.stat(archive.site / rel).st_ino for rel in before} == inodes


def test_a_recycled_folder_the_cache_does_not_describe_is_never_reused(tmp_path, monkeypatch):
    archive, kept, kept_inode = with_a_kept_generation(tmp_path, monkeypatch)
    (kept / "stray.html").write_text("<p>not ours</p>", encoding="utf-8")
    generations = build_module.cache_folder(archive.site) / output_module.GENERATIONS
    assert generations.is_file()
    generations.write_text(json.dumps({"generations": []}), encoding="utf-8")
    edit_body(archive, 1)
    archive.build(monkeypatch)
    assert not (archive.site / "stray.html").exists()
    assert os.stat(archive.site).st_ino != kept_inode
    archive.assert_equals_clean(monkeypatch)


def test_a_file_changed_in_the_recycled_folder_is_replaced(tmp_path, monkeypatch):
    archive, kept, kept_inode = with_a_kept_generation(tmp_path, monkeypatch)
    page = next(p for p in sorted((kept / "documents").rglob("index.html")) if os.stat(p).st_nlink == 1)
    # its own file (not a link of the live site's): replaced by a file, not an edit in place
    page.unlink()
    page.write_text("<p>tampered</p>", encoding="utf-8")
    archive.build(monkeypatch)
    assert os.stat(archive.site).st_ino == kept_inode     # recycled, the tampered file replaced
    archive.assert_equals_clean(monkeypatch)


def test_without_the_cache_a_recycled_folder_is_removed_not_reused(tmp_path, monkeypatch):
    archive, kept, kept_inode = with_a_kept_generation(tmp_path, monkeypatch)
    monkeypatch.chdir(archive.root)
    assert main(archive.args(archive.site, "--no-cache")) == 0
    assert recycle_folders(archive) == []
    assert os.stat(archive.site).st_ino != kept_inode
    archive.assert_equals_clean(monkeypatch)


def test_writing_over_a_file_never_writes_into_it(tmp_path):
    site, other = tmp_path / "site", tmp_path / "other"
    site.mkdir()
    other.mkdir()
    (other / "page.html").write_bytes(b"live")
    os.link(other / "page.html", site / "page.html")
    output_module.write_file(site, "page.html", b"new")
    (other / "data.bin").write_bytes(b"live data")
    os.link(other / "data.bin", site / "data.bin")
    output_module.write_pieces(site, "data.bin", [b"new ", b"data"])
    source = tmp_path / "capture.txt"
    source.write_bytes(b"capture")
    (other / "copy.txt").write_bytes(b"live copy")
    os.link(other / "copy.txt", site / "copy.txt")
    output_module.copy_file(site, "copy.txt", source)
    (other / "linked.txt").write_bytes(b"live linked")
    os.link(other / "linked.txt", site / "linked.txt")
    assert output_module.link_file(site, "linked.txt", source)
    assert [(other / n).read_bytes() for n in ("page.html", "data.bin", "copy.txt", "linked.txt")] == [
        b"live", b"live data", b"live copy", b"live linked"]
    assert [(site / n).read_bytes() for n in ("page.html", "data.bin", "copy.txt", "linked.txt")] == [
        b"new", b"new data", b"capture", b"capture"]


def test_remove_stale_removes_unwritten_files_and_the_folders_they_leave_empty(tmp_path):
    staging = tmp_path / "staging"
    for rel in ("a/b/index.html", "a/c/index.html", "keep/index.html", "top.txt"):
        (staging / rel).parent.mkdir(parents=True, exist_ok=True)
        (staging / rel).write_text(rel, encoding="utf-8")
    removed = output_module.remove_stale(staging, ["a/b/index.html", "a/c/index.html", "keep/index.html",
                                                   "top.txt", "gone/index.html"], {"a/c/index.html", "keep/index.html"})
    assert removed == 2
    assert sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*")) == [
        "a", "a/c", "a/c/index.html", "keep", "keep/index.html"]
    shutil.rmtree(staging)


def test_a_rebuild_whose_settings_changed_renders_like_a_first_build(tmp_path, monkeypatch, parallel):
    """A changed site salt (code, theme or settings) changes every fingerprint: the
    rebuild renders every page in the workers, as a first build does, instead of
    fingerprinting them here and in the document process first."""
    import archive_builder.render as render_module
    from test_incremental_equivalence import change_base_url

    archive = new_archive(tmp_path, jobs=2)
    archive.build(monkeypatch)
    sides: list[int] = []
    real_side = render_module.DocumentSide

    def counted(*args, **kwargs):
        sides.append(1)
        return real_side(*args, **kwargs)
    monkeypatch.setattr(render_module, "DocumentSide", counted)
    edit_body(archive, 0)
    archive.build(monkeypatch)
    assert sides == [1]                 # an edit: the document pages settled by their own process
    change_base_url(archive, 1)
    archive.build(monkeypatch)
    assert sides == [1]                 # every page new: no document process
    archive.assert_equals_clean(monkeypatch)


def test_write_pieces_copies_ranges_of_the_previous_file_and_writes_text(tmp_path):
    previous = tmp_path / "previous.txt"
    previous.write_bytes(b"0123456789abcdef")
    with open(previous, "rb") as source:
        output_module.write_pieces(tmp_path, "out/new.txt", [b"<", (2, 3), (5, 2), b"|", (10, 6), (0, 1), b">"], source)
    assert (tmp_path / "out" / "new.txt").read_bytes() == b"<23456|abcdef0>"


def test_write_pieces_without_copy_file_range_reads_and_writes(tmp_path, monkeypatch):
    monkeypatch.delattr(os, "copy_file_range")
    previous = tmp_path / "previous.txt"
    previous.write_bytes(b"0123456789")
    with open(previous, "rb") as source:
        output_module.write_pieces(tmp_path, "new.txt", [(8, 2), b"-", (0, 3)], source)
        with pytest.raises(OSError):
            output_module.write_pieces(tmp_path, "short.txt", [(8, 5)], source)
    assert (tmp_path / "new.txt").read_bytes() == b"89-012"


# --- capture keys from the file status (build.keys_from_status) ----------------------


def _keys(src: Path, cache: Path, salt: str = "s") -> dict[str, str | None]:
    paths = sorted(src.glob("*.txt"))
    names = [p.name for p in paths]
    return dict(zip(names, build_module.keys_from_status(paths, names, src, salt, cache)))


def _age(path: Path, seconds: float = 10) -> None:
    """Pretend the notes were taken `seconds` later (the racy window passed)."""
    notes = json.loads(path.read_text(encoding="utf-8"))
    notes["taken"] += int(seconds * 1e9)
    path.write_text(json.dumps(notes), encoding="utf-8")


def test_keys_are_reused_only_while_the_status_of_the_capture_and_its_sidecar_is_unchanged(tmp_path, monkeypatch):
    src, cache = tmp_path / "src", tmp_path / "cache"
    src.mkdir()
    for n in range(3):
        (src / f"c{n}.txt").write_text(f"capture {n}\n", encoding="utf-8")
    (src / "c1.yaml").write_text("title: One\n", encoding="utf-8")
    hashed: list[str] = []
    real_key_of = build_module.key_of

    def counted(path, name, source, salt, *sidecar):
        hashed.append(name)
        return real_key_of(path, name, source, salt, *sidecar)
    monkeypatch.setattr(build_module, "key_of", counted)
    plain = {p.name: real_key_of(p, p.name, src, "s") for p in sorted(src.glob("*.txt"))}

    assert _keys(src, cache) == plain and hashed == ["c0.txt", "c1.txt", "c2.txt"]
    hashed.clear()
    assert _keys(src, cache) == plain and len(hashed) == 3    # just noted: inside the racy window
    _age(cache / build_module.STAT_NOTES)
    hashed.clear()
    assert _keys(src, cache) == plain and hashed == []         # unchanged: no capture read
    _age(cache / build_module.STAT_NOTES)

    # an edit keeping the size and the mtime is still seen (ctime)
    c0 = src / "c0.txt"
    st = os.stat(c0)
    c0.write_text("capture X\n", encoding="utf-8")
    os.utime(c0, ns=(st.st_atime_ns, st.st_mtime_ns))
    (src / "c1.yaml").write_text("title: Two\n", encoding="utf-8")      # a sidecar edited in place
    hashed.clear()
    after = _keys(src, cache)
    assert after == {p.name: real_key_of(p, p.name, src, "s") for p in sorted(src.glob("*.txt"))}
    assert after["c0.txt"] != plain["c0.txt"] and after["c1.txt"] != plain["c1.txt"]
    assert sorted(hashed) == ["c0.txt", "c1.txt"]
    _age(cache / build_module.STAT_NOTES)
    (src / "c2.yaml").write_text("title: New\n", encoding="utf-8")      # a sidecar added: the folder changed
    hashed.clear()
    after = _keys(src, cache)
    assert after == {p.name: real_key_of(p, p.name, src, "s") for p in sorted(src.glob("*.txt"))}
    assert after["c2.txt"] != plain["c2.txt"] and sorted(hashed) == ["c0.txt", "c1.txt", "c2.txt"]
    _age(cache / build_module.STAT_NOTES)
    hashed.clear()
    assert _keys(src, cache, salt="other") != after and len(hashed) == 3     # notes of another salt: unused


def test_a_generation_built_with_other_settings_is_not_recycled(tmp_path, monkeypatch):
    """After a change of settings every page is new: the generation kept from before
    shares no file with the live site, and replacing each of its files would delete
    it during the build.  It is removed afterwards instead, until the generations
    on either side of the live site are built alike again."""
    from test_incremental_equivalence import change_base_url

    archive, kept, kept_inode = with_a_kept_generation(tmp_path, monkeypatch)
    change_base_url(archive, 1)
    archive.build(monkeypatch)                      # a settings change: not recycled
    assert os.stat(archive.site).st_ino != kept_inode
    [second] = recycle_folders(archive)
    second_inode = os.stat(second).st_ino
    edit_body(archive, 2)
    archive.build(monkeypatch)                      # the kept one has the old settings: not recycled
    assert os.stat(archive.site).st_ino != second_inode
    [third] = recycle_folders(archive)
    third_inode = os.stat(third).st_ino
    edit_body(archive, 3)
    archive.build(monkeypatch)                      # both sides alike: recycled
    assert os.stat(archive.site).st_ino == third_inode
    archive.assert_equals_clean(monkeypatch)
