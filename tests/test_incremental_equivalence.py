"""An incremental rebuild equals a clean build, byte for byte.

Every test builds real sites through the CLI: an archive folder (captures in
`src/`, editorial YAML in `editorial/`, the live site in `site/` with its cache
in `.cache/` beside it) is rebuilt after each change, and every file of the
result is compared with a clean build of the same input (`--no-cache`) into a
fresh folder.  The archive must never show stale or wrong content, whatever
the cache, the previous site or a killed build left behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import archive_builder.build as build_module
import archive_builder.render as render_module
from archive_builder.bench.corpus import edit_capture, write_corpus
from archive_builder.cli import main

PROJECT = Path(__file__).resolve().parent.parent
CAPTURES = 12
SEED = 1


# --- helpers -----------------------------------------------------------------------


def site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def site_hashes(site: Path) -> dict[str, str]:
    return {rel: hashlib.sha256(data).hexdigest() for rel, data in site_files(site).items()}


@dataclass
class Archive:
    """An archive folder and the options its builds are run with."""

    root: Path
    jobs: int = 1
    base_url: str = "/"
    search: bool = False
    clean_builds: int = 0
    history: list[str] = field(default_factory=list)

    @property
    def src(self) -> Path:
        return self.root / "src"

    @property
    def site(self) -> Path:
        return self.root / "site"

    @property
    def editorial(self) -> Path:
        return self.root / "editorial"

    def args(self, out: Path, *extra: str) -> list[str]:
        return ["build", "-q", "--source", str(self.src), "--out", str(out), "--base-url", self.base_url,
                "-j", str(self.jobs), *(() if self.search else ("--no-search",)), *extra]

    def build(self, monkeypatch) -> None:
        """The incremental build of the live site."""
        monkeypatch.chdir(self.root)
        code = main(self.args(self.site))
        assert code == 0, f"incremental build failed after {self.history}"

    def clean(self, monkeypatch) -> Path:
        """A clean build of the same input into a fresh folder, without any cache."""
        self.clean_builds += 1
        out = self.root.parent / f"clean-{self.clean_builds}" / "site"
        monkeypatch.chdir(self.root)     # the editorial folder is found from here, as for the live site
        assert main(self.args(out, "--no-cache")) == 0
        return out

    def assert_equals_clean(self, monkeypatch) -> None:
        expected = site_files(self.clean(monkeypatch))
        actual = site_files(self.site)
        assert sorted(actual) == sorted(expected), f"file lists differ after {self.history}"
        differing = [rel for rel in expected if actual[rel] != expected[rel]]
        assert not differing, f"after {self.history} these files differ from a clean build: {differing[:10]}"
        shutil.rmtree(self.root.parent / f"clean-{self.clean_builds}")

    def captures(self) -> list[Path]:
        return sorted(self.src.glob("*.txt"))

    def records(self) -> list[dict]:
        return json.loads((self.site / "data" / "records.json").read_text(encoding="utf-8"))["records"]


def linked_from(site: Path, kept: Path) -> list[str]:
    """The files of `site` that are hard links to the files kept from an earlier site."""
    return [rel for rel in site_hashes(kept) if (site / rel).exists() and os.path.samefile(site / rel, kept / rel)]


def keep_links(site: Path, kept: Path) -> None:
    """A hard link to every file of `site`, under `kept`."""
    for p in sorted(site.rglob("*")):
        if p.is_file():
            target = kept / p.relative_to(site)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(p, target)


def new_archive(tmp_path: Path, jobs: int = 1, count: int = CAPTURES) -> Archive:
    archive = Archive(tmp_path / "archive", jobs=jobs)
    write_corpus(archive.src, count, SEED)
    archive.editorial.mkdir(parents=True)
    return archive


@pytest.fixture
def parallel(monkeypatch):
    """Force the parallel read and render paths on a dozen captures."""
    monkeypatch.setattr(build_module, "PARALLEL_MIN_CAPTURES", 1)
    monkeypatch.setattr(render_module, "PARALLEL_BATCH", 40)
    monkeypatch.setattr(render_module, "PARALLEL_MIN_PAGES", 0)
    monkeypatch.setattr(render_module, "DOCUMENT_SIDE_MIN_RECORDS", 1)   # a rebuild's document pages in their own process


# --- the changes -------------------------------------------------------------------
# Each change edits the archive and returns a short description.  `pick` chooses
# which capture when a change applies to one; it is an index into the captures.


def _rewrite(path: Path, change: Callable[[str], str]) -> bool:
    text = path.read_text(encoding="utf-8")
    new = change(text)
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def _first_applicable(archive: Archive, pick: int, change: Callable[[str], str]) -> Path:
    paths = archive.captures()
    for path in paths[pick % len(paths):] + paths[:pick % len(paths)]:
        if _rewrite(path, change):
            return path
    raise AssertionError("the change applies to no capture")


def text_change(description: str, change: Callable[[str], str]):
    """A change that rewrites the first capture from `pick` on that `change` alters."""
    def apply_to_a_capture(archive: Archive, pick: int) -> str:
        return f"{description} {_first_applicable(archive, pick, change).name}"
    apply_to_a_capture.__name__ = description.replace(" ", "_")
    return apply_to_a_capture


edit_body = text_change("edit the body of", lambda t: t.rstrip("\n") + "\n\nA closing paragraph recalls the mission's report of 4 May 2001.\n")


_GENERATED = re.compile(r"^(\d{6})_[0-9a-f]{16}\.txt$")


def edit_generated(archive: Archive, pick: int) -> str:
    """The generator's own edit: a generated capture, revised (a plain body edit when none is left)."""
    generated = [p for p in archive.captures() if _GENERATED.match(p.name)]
    if not generated:
        return edit_body(archive, pick)
    path = generated[pick % len(generated)]
    edit_capture(archive.src, CAPTURES, SEED, int(_GENERATED.match(path.name).group(1)), 1 + pick)
    return f"revise {path.name}"


_FIGURE = re.compile(r"\b(\d{2,4})( civilians| people| were killed| killed)")


change_figure = text_change("change a figure in", lambda t: _FIGURE.sub(lambda m: f"{int(m.group(1)) + 3}{m.group(2)}", t, count=1))
change_title = text_change("change the title line of", lambda t: "Revised: " + t)

_DATE = re.compile(r"\b(\d{1,2}) (January|February|March|April|May|June|July|August|September|October|November|December) (\d{4})\b")


change_date = text_change("change a date in", lambda t: _DATE.sub(lambda m: f"{int(m.group(1)) % 27 + 1} {m.group(2)} {m.group(3)}", t, count=1))


def add_author_sidecar(archive: Archive, pick: int) -> str:
    capture = archive.captures()[pick % len(archive.captures())]
    capture.with_suffix(".yaml").write_text(
        "author:\n  name: Office of the Archivist\n  affiliation: Test Archive\npublisher: Test Archive Press\n",
        encoding="utf-8")
    return f"sidecar for {capture.name}"


def _existing_sidecar(archive: Archive, pick: int) -> Path:
    """One of the archive's sidecars, made first when there is none."""
    sidecars = sorted(archive.src.glob("*.yaml"))
    if not sidecars:
        archive.history.append(add_author_sidecar(archive, pick))
        sidecars = sorted(archive.src.glob("*.yaml"))
    return sidecars[pick % len(sidecars)]


def fix_sidecar(archive: Archive, pick: int) -> str:
    sidecar = _existing_sidecar(archive, pick)
    sidecar.write_text("author:\n  name: Office of the Chief Archivist\ndate: 2001-05-04\n", encoding="utf-8")
    return f"fix sidecar {sidecar.name}"


def remove_sidecar(archive: Archive, pick: int) -> str:
    sidecar = _existing_sidecar(archive, pick)
    sidecar.unlink()
    return f"remove sidecar {sidecar.name}"


def add_capture(archive: Archive, pick: int) -> str:
    source = archive.captures()[pick % len(archive.captures())]
    target = archive.src / f"9{pick:05d}_added.txt"
    text = source.read_text(encoding="utf-8").replace("\n\n", "\n\nIn addition, the ministry restated its position.\n\n", 1)
    target.write_text(text, encoding="utf-8")
    return f"add {target.name}"


def delete_capture(archive: Archive, pick: int) -> str:
    paths = archive.captures()
    path = paths[pick % len(paths)]
    path.unlink()
    path.with_suffix(".yaml").unlink(missing_ok=True)
    return f"delete {path.name}"


def rename_capture(archive: Archive, pick: int) -> str:
    paths = archive.captures()
    path = paths[pick % len(paths)]
    target = path.with_name("renamed_" + path.name)
    path.rename(target)
    if path.with_suffix(".yaml").exists():
        path.with_suffix(".yaml").rename(target.with_suffix(".yaml"))
    return f"rename {path.name}"


def edit_events(archive: Archive, pick: int) -> str:
    events = json.loads((archive.site / "data" / "events.json").read_text(encoding="utf-8"))["events"]
    day = events[pick % len(events)]["edtf"].split("/")[0] if events else "2000-01-01"
    (archive.editorial / "events.yaml").write_text(
        f"rule-{pick}:\n  date: {day}\n  label: \"Somewhere, from {day} (rule {pick})\"\n", encoding="utf-8")
    return f"events.yaml labels the event of {day}"


def edit_authors(archive: Archive, pick: int) -> str:
    names = sorted({r["author"]["value"]["name"] for r in archive.records() if r["author"]["value"]})
    name = names[pick % len(names)]
    (archive.editorial / "authors.yaml").write_text(f"\"{name}\": \"Canonical Body {pick}\"\n", encoding="utf-8")
    return f"authors.yaml names {name}"


def edit_places(archive: Archive, pick: int) -> str:
    words = ("Aldmar", "Vessin", "Teilmora")
    word = words[pick % len(words)]
    (archive.editorial / "places.yaml").write_text(
        f"places:\n  place-{pick}:\n    kind: town\n    names: [{word}]\n", encoding="utf-8")
    return f"places.yaml adds {word}"


def edit_related(archive: Archive, pick: int) -> str:
    ids = sorted(r["id"] for r in archive.records())
    a, b = ids[pick % len(ids)], ids[(pick + 1) % len(ids)]
    (archive.editorial / "related.yaml").write_text(
        f"pin:\n  - documents: [{a}, {b}]\n    note: \"Pinned by test {pick}\"\nblock: []\n", encoding="utf-8")
    return f"related.yaml pins {a} and {b}"


def change_base_url(archive: Archive, pick: int) -> str:
    archive.base_url = "/" if archive.base_url != "/" else f"/archive-{pick}/"
    return f"base url {archive.base_url}"


def switch_jobs(archive: Archive, pick: int) -> str:
    # the same site whatever the number of workers, and a cache written by the other number is as good
    archive.jobs = 3 - archive.jobs
    return f"-j {archive.jobs}"


def toggle_search(archive: Archive, pick: int) -> str:
    archive.search = not archive.search
    return f"search {'on' if archive.search else 'off'}"


CHANGES = [edit_body, change_figure, change_title, change_date, add_author_sidecar, fix_sidecar,
           add_capture, delete_capture, rename_capture, edit_events, edit_authors, edit_places,
           edit_related, change_base_url, change_base_url, edit_generated, remove_sidecar]
RANDOM_CHANGES = CHANGES + [switch_jobs]


def apply(archive: Archive, change, pick: int) -> None:
    archive.history.append(change(archive, pick))


# --- a sequence of every kind of change ----------------------------------------------


@pytest.mark.parametrize("jobs", [1, 2])
def test_every_kind_of_change_rebuilds_to_the_bytes_of_a_clean_build(tmp_path, monkeypatch, parallel, jobs):
    archive = new_archive(tmp_path, jobs=jobs)
    archive.build(monkeypatch)
    archive.assert_equals_clean(monkeypatch)
    for n, change in enumerate(CHANGES):
        before = site_hashes(archive.site)
        kept = tmp_path / f"kept-{n}"
        keep_links(archive.site, kept)
        apply(archive, change, n)
        archive.build(monkeypatch)
        assert site_hashes(archive.site) != before, f"{archive.history[-1]} changed nothing; the step proves nothing"
        if change is not change_base_url:    # every page shows the base URL
            assert linked_from(archive.site, kept), f"{archive.history[-1]}: nothing reused; the step proves nothing"
        assert site_hashes(kept) == before, f"{archive.history[-1]} modified a file of the previous site"
        shutil.rmtree(kept)
        archive.assert_equals_clean(monkeypatch)


def test_toggling_search_rebuilds_to_the_bytes_of_a_clean_build(tmp_path, monkeypatch, parallel):
    archive = new_archive(tmp_path, jobs=2)
    archive.build(monkeypatch)
    for n, change in enumerate([toggle_search, edit_body, toggle_search]):
        apply(archive, change, n)
        archive.build(monkeypatch)
        archive.assert_equals_clean(monkeypatch)


@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(st.sampled_from(RANDOM_CHANGES), st.integers(0, 50)), min_size=2, max_size=4),
       jobs=st.sampled_from([1, 2]))
def test_random_edit_sequences_rebuild_to_the_bytes_of_a_clean_build(tmp_path_factory, monkeypatch, steps, jobs):
    monkeypatch.setattr(build_module, "PARALLEL_MIN_CAPTURES", 1)
    monkeypatch.setattr(render_module, "PARALLEL_BATCH", 5)
    monkeypatch.setattr(render_module, "PARALLEL_MIN_PAGES", 0)
    # the previous site removed by a detached process, racing the next build
    monkeypatch.setattr(build_module, "BACKGROUND_REMOVAL_PAGES", 0)
    archive = new_archive(tmp_path_factory.mktemp("random"), jobs=jobs)
    archive.build(monkeypatch)
    for change, pick in steps:
        apply(archive, change, pick)
        archive.build(monkeypatch)
        archive.assert_equals_clean(monkeypatch)


# --- the theme and the configuration ------------------------------------------------
# The archive's own templates and static files, named in archive.yaml, override the
# project's; an incremental build must follow every edit of them and of the settings.

THEME_CONFIG = "templates: theme/templates\nstatic: theme/static\n"


def _write_config(archive: Archive, extra: str = "") -> None:
    (archive.root / "archive.yaml").write_text(THEME_CONFIG + extra, encoding="utf-8")


def _base_template_marked(marker: str) -> str:
    base = (PROJECT / "templates" / "base.html").read_text(encoding="utf-8")
    assert base.count("</body>") == 1
    return base.replace("</body>", f"<!-- {marker} --></body>")


def add_template_override(archive: Archive, pick: int) -> str:
    (archive.root / "theme" / "templates" / "base.html").write_text(_base_template_marked(f"theme {pick}"), encoding="utf-8")
    return "add an override of base.html"


def edit_template_override(archive: Archive, pick: int) -> str:
    (archive.root / "theme" / "templates" / "base.html").write_text(_base_template_marked(f"theme edited {pick}"), encoding="utf-8")
    return "edit the override of base.html"


def remove_template_override(archive: Archive, pick: int) -> str:
    (archive.root / "theme" / "templates" / "base.html").unlink()
    return "remove the override of base.html"


def edit_static(archive: Archive, pick: int) -> str:
    with open(archive.root / "theme" / "static" / "style.css", "a", encoding="utf-8") as handle:
        handle.write(f"\n/* edit {pick} */\n")
    return "edit style.css"


def edit_title(archive: Archive, pick: int) -> str:
    _write_config(archive, f"title: Archive {pick}\n")
    return f"title Archive {pick}"


def change_site_url(archive: Archive, pick: int) -> str:
    _write_config(archive, f"site_url: https://example{pick}.org\n")
    return f"site url https://example{pick}.org"


THEME_CHANGES = [add_template_override, edit_body, edit_template_override, edit_static, edit_title,
                 change_site_url, remove_template_override]


@pytest.mark.parametrize("jobs", [1, 2])
def test_theme_and_setting_changes_rebuild_to_the_bytes_of_a_clean_build(tmp_path, monkeypatch, parallel, jobs):
    archive = new_archive(tmp_path, jobs=jobs)
    (archive.root / "theme" / "templates").mkdir(parents=True)
    shutil.copytree(PROJECT / "static", archive.root / "theme" / "static")
    _write_config(archive)
    archive.build(monkeypatch)
    for n, change in enumerate(THEME_CHANGES):
        before = site_hashes(archive.site)
        apply(archive, change, n)
        archive.build(monkeypatch)
        assert site_hashes(archive.site) != before, f"{archive.history[-1]} changed nothing; the step proves nothing"
        archive.assert_equals_clean(monkeypatch)


# --- the live site edited by hand ----------------------------------------------------


def _document_page(site: Path) -> Path:
    return sorted((site / "documents").rglob("index.html"))[0]


def overwrite_in_place(site: Path) -> None:
    page = _document_page(site)
    data = page.read_bytes()
    with open(page, "r+b") as handle:   # same inode, same size, new bytes
        handle.write(b"X" * min(200, len(data)))


def touch(site: Path) -> None:
    os.utime(_document_page(site))


def delete_page(site: Path) -> None:
    _document_page(site).unlink()


def replace_page(site: Path) -> None:
    page = _document_page(site)
    replacement = page.with_name("replacement.tmp")
    replacement.write_bytes(b"<p>edited by hand</p>")
    os.replace(replacement, page)


def truncate_records_json(site: Path) -> None:
    path = site / "data" / "records.json"
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


def scramble_records_json(site: Path) -> None:
    path = site / "data" / "records.json"
    data = path.read_bytes()
    with open(path, "r+b") as handle:   # same inode, same size
        handle.write(data[:40] + b" " * 300 + data[340:])


def overwrite_raw_capture(site: Path) -> None:
    raw = sorted((site / "originals").rglob("*.txt"))[0]
    with open(raw, "r+b") as handle:
        handle.write(b"tampered")


@pytest.mark.parametrize("damage", [overwrite_in_place, touch, delete_page, replace_page,
                                    truncate_records_json, scramble_records_json, overwrite_raw_capture])
@pytest.mark.parametrize("with_edit", [False, True])
def test_a_live_site_edited_by_hand_is_not_reused(tmp_path, monkeypatch, damage, with_edit):
    archive = new_archive(tmp_path)
    archive.build(monkeypatch)
    good = site_hashes(archive.site)
    damage(archive.site)
    archive.history.append(damage.__name__)
    if with_edit:
        apply(archive, edit_body, 5)
    archive.build(monkeypatch)
    if not with_edit:
        assert site_hashes(archive.site) == good
    archive.assert_equals_clean(monkeypatch)


# --- a damaged cache ------------------------------------------------------------------


def _cache_files(archive: Archive) -> list[Path]:
    files = sorted(p for p in (archive.root / ".cache").rglob("*") if p.is_file() and not p.name.endswith(".lock"))
    assert files, "the build kept no cache; the test proves nothing"
    return files


def truncate_cache(archive: Archive) -> None:
    for path in _cache_files(archive):
        with open(path, "r+b") as handle:
            handle.truncate(path.stat().st_size // 2)


def empty_cache(archive: Archive) -> None:
    for path in _cache_files(archive):
        path.write_bytes(b"")


def garble_cache(archive: Archive) -> None:
    for n, path in enumerate(_cache_files(archive)):
        data = bytearray(path.read_bytes())
        for i in range(n % 7, len(data), 97):
            data[i] ^= 0x5A
        path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [truncate_cache, empty_cache, garble_cache])
def test_a_damaged_cache_is_not_trusted(tmp_path, monkeypatch, damage):
    archive = new_archive(tmp_path)
    archive.build(monkeypatch)
    apply(archive, edit_body, 2)
    archive.build(monkeypatch)
    damage(archive)
    archive.history.append(damage.__name__)
    apply(archive, change_figure, 4)
    archive.build(monkeypatch)
    archive.assert_equals_clean(monkeypatch)


# --- a killed build ------------------------------------------------------------------

# Run a build in a child process that SIGKILLs itself at a chosen point: after a
# few pages are written, after the render manifest is saved (during the index),
# or after the swap (before the capture cache is pruned).
_KILLER = r"""
import os, signal, sys
import archive_builder.build as build
import archive_builder.render as render

where = sys.argv[1]
def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

if where == "render":
    real = render.write_file
    written = []
    def write_then_die(*args, **kwargs):
        real(*args, **kwargs)
        written.append(1)
        if len(written) == 5:
            die()
    render.write_file = write_then_die
elif where == "index":
    # Pagefind is fed during the render; the index stage is LiveIndex.finish
    build.LiveIndex.finish = die
elif where == "after-swap":
    build.CaptureCache.prune = die
from archive_builder.cli import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize("where", ["render", "index", "after-swap"])
def test_a_build_killed_midway_is_followed_by_a_build_equal_to_a_clean_one(tmp_path, monkeypatch, where):
    archive = new_archive(tmp_path)
    archive.build(monkeypatch)
    for pick in (0, 3, 7):
        apply(archive, edit_body, pick)
    args = archive.args(archive.site)
    if where == "index":
        args.remove("--no-search")     # the index stage runs after the render manifest is saved
    killed = subprocess.run([sys.executable, "-c", _KILLER, where, *args], cwd=archive.root,
                            env={**os.environ, "PYTHONPATH": str(PROJECT)}, capture_output=True, text=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    archive.history.append(f"killed in {where}")
    archive.build(monkeypatch)
    archive.assert_equals_clean(monkeypatch)
    # and once more after another change, so whatever the killed build cached is used again
    apply(archive, edit_body, 9)
    archive.build(monkeypatch)
    archive.assert_equals_clean(monkeypatch)


# A render worker killed (the kernel's OOM killer, say) while the pages of an
# incremental build are rendered in parallel: the build must stop, not hang,
# and leave the live site as it was.
_KILL_A_RENDER_WORKER = r"""
import os, signal, sys
import archive_builder.build as build
import archive_builder.render as render

build.PARALLEL_MIN_CAPTURES = 1
render.PARALLEL_BATCH = 40
render.PARALLEL_MIN_PAGES = 0
main_process = os.getpid()
real = render.write_file
def write_or_die(*args, **kwargs):
    if os.getpid() != main_process:
        os.kill(os.getpid(), signal.SIGKILL)
    real(*args, **kwargs)
render.write_file = write_or_die
from archive_builder.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_killed_render_worker_stops_the_build_and_leaves_the_site(tmp_path, monkeypatch):
    archive = new_archive(tmp_path, jobs=2)
    archive.build(monkeypatch)
    before = site_hashes(archive.site)
    apply(archive, change_base_url, 0)     # every page to render again, in the workers
    run = subprocess.Popen([sys.executable, "-c", _KILL_A_RENDER_WORKER, *archive.args(archive.site)],
                           cwd=archive.root, env={**os.environ, "PYTHONPATH": str(PROJECT)},
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        run.wait(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(run.pid, signal.SIGKILL)     # the build and its workers
        run.wait()
        pytest.fail("the build hung after a render worker was killed")
    assert run.returncode != 0
    assert site_hashes(archive.site) == before
    archive.history.append("a render worker killed")
    archive.build(monkeypatch)
    archive.assert_equals_clean(monkeypatch)


def test_a_large_rebuild_settles_its_document_pages_in_a_process_of_their_own(tmp_path, monkeypatch, parallel):
    started = []
    real = render_module.DocumentSide.__init__
    monkeypatch.setattr(render_module.DocumentSide, "__init__",
                        lambda self, *args: (started.append(True), real(self, *args))[1])
    archive = new_archive(tmp_path, jobs=2)
    archive.build(monkeypatch)
    assert started == []                    # a first build: its workers render every page
    kept = tmp_path / "kept"
    keep_links(archive.site, kept)
    archive.build(monkeypatch)              # nothing changed: the other process links every document page
    assert started == [True]
    documents = [rel for rel in site_hashes(archive.site) if rel.startswith("documents/") and rel.endswith(".html")]
    assert documents and set(documents) <= set(linked_from(archive.site, kept))
    shutil.rmtree(kept)
    for n, change in enumerate([edit_body, change_title]):   # (edit_title changes a setting: a first build)
        apply(archive, change, n)
        archive.build(monkeypatch)
        assert len(started) == n + 2
        archive.assert_equals_clean(monkeypatch)


def test_a_failing_document_side_stops_the_build_and_leaves_the_site(tmp_path, monkeypatch, parallel):
    archive = new_archive(tmp_path, jobs=2)
    archive.build(monkeypatch)
    before = site_hashes(archive.site)
    apply(archive, edit_body, 0)

    def broken(*args):
        raise OSError(28, "No space left on device")      # in the forked process
    monkeypatch.setattr(render_module, "document_pages", broken)
    monkeypatch.chdir(archive.root)
    assert main(archive.args(archive.site)) != 0
    assert site_hashes(archive.site) == before
    assert not list(archive.root.glob(".site-staging-*"))


# --- the previous site is never modified ---------------------------------------------


@pytest.mark.parametrize("background_removal", [False, True])
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_rebuild_leaves_the_previous_sites_files_unmodified(tmp_path, monkeypatch, parallel, jobs, background_removal):
    if background_removal:
        monkeypatch.setattr(build_module, "BACKGROUND_REMOVAL_PAGES", 0)
    archive = new_archive(tmp_path, jobs=jobs)
    archive.build(monkeypatch)
    archive.build(monkeypatch)       # a second build, so most files are hard links already
    before = site_hashes(archive.site)
    kept = tmp_path / "kept"
    keep_links(archive.site, kept)  # a hard link to every file of the old site, outside it
    for n, change in enumerate([edit_body, change_figure, edit_authors, delete_capture]):
        apply(archive, change, n)
    archive.build(monkeypatch)
    assert site_hashes(kept) == before
    assert linked_from(archive.site, kept), "nothing was reused; the test proved nothing"
    archive.assert_equals_clean(monkeypatch)


# --- the data files: unchanged parts of originals.zip and the citations are reused ----------


class Counted:
    """Wraps a function of archive_builder.reuse and notes the first argument of each call."""

    def __init__(self, monkeypatch, name: str):
        import archive_builder.reuse as reuse_module
        self.made, self.calls = getattr(reuse_module, name), []
        monkeypatch.setattr(reuse_module, name, self)

    def __call__(self, first, *args):
        self.calls.append(first)
        return self.made(first, *args)


def test_a_rebuild_after_one_edit_compresses_and_cites_only_that_capture(tmp_path, monkeypatch):
    archive = new_archive(tmp_path)
    archive.build(monkeypatch)
    deflated, cited = Counted(monkeypatch, "deflate"), Counted(monkeypatch, "bibtex")
    edited = archive.captures()[5].name
    apply(archive, text_change("edit the title of", lambda t: t.replace("\n", " (revised)\n", 1)), 5)
    archive.build(monkeypatch)
    assert deflated.calls == [edited]
    assert [r.source_file for r in cited.calls] == [edited]
    deflated.calls.clear(), cited.calls.clear()
    archive.build(monkeypatch)      # nothing changed: nothing made again
    assert deflated.calls == cited.calls == []
    monkeypatch.undo()
    archive.assert_equals_clean(monkeypatch)


def _zip_replaced(site: Path) -> None:
    """Another zip, made by hand, in its place."""
    path = site / "data" / "originals.zip"
    replacement = path.with_name("replacement.tmp")
    replacement.write_bytes(path.read_bytes()[:-22] + b"PK\x05\x06" + bytes(18))   # no central directory
    os.replace(replacement, path)


def _zip_scrambled(site: Path) -> None:
    """The same file and size, other bytes in the middle of the entries."""
    path = site / "data" / "originals.zip"
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(size // 3)
        handle.write(b"\x00" * 64)


def _citations_rewritten(site: Path) -> None:
    path = site / "data" / "citations.bib"
    path.write_bytes(path.read_bytes().replace(b"@misc{", b"@misc{x", 1))


def _citations_json_replaced(site: Path) -> None:
    path = site / "data" / "citations.json"
    replacement = path.with_name("replacement.tmp")
    replacement.write_bytes(path.read_bytes())
    os.replace(replacement, path)


@pytest.mark.parametrize("damage", [_zip_replaced, _zip_scrambled, _citations_rewritten, _citations_json_replaced])
@pytest.mark.parametrize("with_edit", [False, True])
def test_data_files_changed_by_hand_are_never_reused(tmp_path, monkeypatch, damage, with_edit):
    deflated, cited = Counted(monkeypatch, "deflate"), Counted(monkeypatch, "bibtex")
    test_a_live_site_edited_by_hand_is_not_reused(tmp_path, monkeypatch, damage, with_edit)
    made = deflated if damage in (_zip_replaced, _zip_scrambled) else cited
    # the first build, the rebuild and the clean build each made every part afresh
    assert len(made.calls) == 3 * CAPTURES
