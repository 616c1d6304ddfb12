"""Atomic output: a build that is killed or fails leaves the previous site
exactly as it was, byte for byte, and the next build sweeps up after it."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive_builder.cli import main
from archive_builder.output import clean_stale_staging, staging_dir, swap_in, write_file

PROJECT = Path(__file__).resolve().parent.parent

_SOURCES = ("Ministry of Foreign Affairs of the Republic of Example", "Permanent Mission of Example to the United Nations",
            "Press Service of the Office of the President", "Example News Agency")
_PLACES = ("Baku", "Sumgait", "Yerevan", "Stepanakert", "Ganja", "Shusha")


def write_corpus(folder: Path, count: int, *, order: list[int] | None = None) -> None:
    """Statement-like captures, created in `order` (default: 0..count-1)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in order if order is not None else range(count):
        place = _PLACES[i % len(_PLACES)]
        killed = 100 + (i * 7) % 60
        day = 1 + i % 28
        text = (
            f"Statement of the {_SOURCES[i % len(_SOURCES)]} on the events in {place}\n\n"
            f"{day} January 2021\n\n"
            f"On {day} January 1990 troops entered {place}. According to the statement, {killed} civilians were "
            f"killed and {killed * 4} injured. The {_SOURCES[(i + 1) % len(_SOURCES)]} gave a different account.\n\n"
            f"The ministry recalls the statement of {day + 1} January 2021 and calls for an investigation "
            f"into the events of January 1990 in {place} (document {i}).\n"
        )
        (folder / f"{i:05d}_capture.txt").write_text(text, encoding="utf-8")


def site_hashes(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() or p.is_symlink()}


def staging_left(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}-staging-*"))


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(PROJECT)}


def _build_cmd(src: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "archive_builder", "build", "--source", str(src), "--out", str(out), *extra]


@pytest.mark.parametrize("stage", ["render", "index"])
def test_sigkill_mid_build_leaves_the_previous_site_byte_identical(tmp_path, stage):
    src, out = tmp_path / "src", tmp_path / "site"
    write_corpus(src, 12)
    first = subprocess.run(_build_cmd(src, out, "--no-search"), cwd=tmp_path, env=_env(), capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    before = site_hashes(out)

    write_corpus(tmp_path / "big", 300)
    big = tmp_path / "big"
    extra = () if stage == "index" else ("--no-search",)
    proc = subprocess.Popen(_build_cmd(big, out, *extra), cwd=tmp_path, env=_env(),
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    killed_in = None
    try:
        seen = ""
        while proc.poll() is None:
            line = proc.stderr.readline()
            seen += line
            if line.strip() == f"{stage}…":
                if stage == "render":   # wait until pages are being written into staging
                    deadline = time.monotonic() + 30
                    while time.monotonic() < deadline and not any(
                            (s / "documents").is_dir() for s in staging_left(out)):
                        time.sleep(0.005)
                os.killpg(proc.pid, signal.SIGKILL)
                killed_in = stage
                break
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.stderr.close()
    assert killed_in == stage, f"the build ended before stage {stage}: {seen}"
    assert proc.returncode == -signal.SIGKILL
    assert staging_left(out), "the kill came before anything was staged; the test proved nothing"
    assert site_hashes(out) == before

    again = subprocess.run(_build_cmd(src, out, "--no-search"), cwd=tmp_path, env=_env(), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert staging_left(out) == []
    assert site_hashes(out) == before          # same input, same bytes


def test_failed_build_leaves_the_site_and_no_staging(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    src, out = tmp_path / "src", tmp_path / "site"
    write_corpus(src, 5)
    assert main(["build", "-q", "--no-search", "--source", str(src), "--out", str(out)]) == 0
    before = site_hashes(out)
    (src / "00002_capture.yaml").write_text("title: fine\nauthor: [unclosed\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["build", "-q", "--no-search", "--source", str(src), "--out", str(out)]) == 2
    assert "00002_capture.yaml:2: error: sidecar is not valid YAML" in capsys.readouterr().err
    assert site_hashes(out) == before and staging_left(out) == []


def test_build_that_breaks_while_rendering_leaves_the_site(tmp_path, capsys, monkeypatch):
    import archive_builder.render as render_module

    monkeypatch.chdir(tmp_path)
    src, out = tmp_path / "src", tmp_path / "site"
    write_corpus(src, 5)
    assert main(["build", "-q", "--no-search", "--source", str(src), "--out", str(out)]) == 0
    before = site_hashes(out)
    real = render_module.site_items

    def render_then_break(ctx, env):
        for n, item in enumerate(real(ctx, env)):
            if n == 3:
                raise RuntimeError("render failed half-way")
            yield item

    monkeypatch.setattr(render_module, "site_items", render_then_break)
    assert main(["build", "-q", "--no-search", "--source", str(src), "--out", str(out)]) == 70
    assert site_hashes(out) == before and staging_left(out) == []


def test_swap_in_replaces_the_whole_folder(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "old-only.html").write_text("old")
    staging = staging_dir(out)
    write_file(staging, "index.html", b"new")
    swap_in(staging, out)
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]
    assert staging_left(out) == [] and not staging.exists()


@pytest.mark.parametrize("renameat2", [True, False])
def test_previous_site_removed_in_the_background(tmp_path, monkeypatch, renameat2):
    import archive_builder.output as output

    if not renameat2:
        monkeypatch.setattr(output, "_exchange", lambda a, b: False)
    out = tmp_path / "site"
    out.mkdir()
    for k in range(50):
        (out / f"d{k}").mkdir()
        (out / f"d{k}" / "index.html").write_text("old")
    staging = staging_dir(out)
    write_file(staging, "index.html", b"new")
    swap_in(staging, out, background_removal=True)
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]   # the new site is live at once
    deadline = time.monotonic() + 60
    while sorted(p.name for p in tmp_path.iterdir()) != ["site"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]     # and the old one is gone


def test_a_large_build_removes_the_previous_site_in_the_background(tmp_path, monkeypatch):
    import archive_builder.build as build_module
    import archive_builder.output as output

    calls = []
    real = output.remove_tree
    monkeypatch.setattr(output, "remove_tree", lambda path, background=False: (calls.append(background),
                                                                              real(path, background)))
    monkeypatch.setattr(build_module, "BACKGROUND_REMOVAL_PAGES", 1)
    monkeypatch.chdir(tmp_path)
    src, out = tmp_path / "src", tmp_path / "site"
    write_corpus(src, 3)
    for _ in range(2):
        assert main(["build", "-q", "--no-search", "--source", str(src), "--out", str(out)]) == 0
    assert calls == [True] and (out / "index.html").is_file()


def test_the_next_build_leaves_a_previous_site_being_removed_to_its_remover(tmp_path, monkeypatch):
    """A rebuild started while the last swap's remover still works must not remove
    that site itself (it waited for it: a fifth of a rebuild at 10,000 captures);
    a trash folder whose remover was killed long ago gets a new remover."""
    import archive_builder.output as output

    out = tmp_path / "site"
    for name in ("being-removed", "abandoned"):
        trash = tmp_path / f".site-trash-{name}"
        (trash / "documents" / "a").mkdir(parents=True)
        (trash / "documents" / "a" / "index.html").write_text("old")
    old = time.time() - output.TRASH_GRACE_S - 5
    os.utime(tmp_path / ".site-trash-abandoned", (old, old))
    started = []
    monkeypatch.setattr(output, "remove_tree", lambda path, background=False: started.append((path.name, background)))
    clean_stale_staging(out)
    assert (tmp_path / ".site-trash-being-removed" / "documents" / "a" / "index.html").is_file()
    assert started == [(".site-trash-abandoned", True)]


def test_a_background_swap_sets_the_previous_site_aside_as_trash(tmp_path, monkeypatch):
    import archive_builder.output as output

    for exchange in (True, False):
        if not exchange:
            monkeypatch.setattr(output, "_exchange", lambda a, b: False)
        out = tmp_path / f"site{exchange}"
        out.mkdir()
        (out / "index.html").write_text("old")
        removed = []
        monkeypatch.setattr(output, "remove_tree", lambda path, background=False: removed.append((path, background)))
        staging = staging_dir(out)
        write_file(staging, "index.html", b"new")
        swap_in(staging, out, background_removal=True)
        [(trash, background)] = removed
        assert background and trash.name.startswith(f".{out.name}-trash-") and (trash / "index.html").read_text() == "old"
        assert time.time() - trash.stat().st_mtime < output.TRASH_GRACE_S      # stamped when set aside
        assert (out / "index.html").read_text() == "new" and staging_left(out) == []


def test_first_build_has_no_previous_site(tmp_path):
    out = tmp_path / "deeper" / "site"
    staging = staging_dir(out)
    write_file(staging, "a/b.html", b"x")
    swap_in(staging, out)
    assert (out / "a" / "b.html").read_bytes() == b"x"


@pytest.mark.parametrize("rel", ["../escape.html", "/abs.html", "a/../../escape.html"])
def test_write_file_refuses_paths_outside_the_site(tmp_path, rel):
    staging = staging_dir(tmp_path / "site")
    with pytest.raises(ValueError):
        write_file(staging, rel, b"x")
    assert not (tmp_path / "escape.html").exists()


def test_stale_staging_is_swept(tmp_path):
    out = tmp_path / "site"
    stale = staging_dir(out)
    (stale / "x").write_text("half a build")
    clean_stale_staging(out)
    assert staging_left(out) == []


def test_previous_site_left_between_two_renames_is_restored(tmp_path):
    out = tmp_path / "site"
    previous = tmp_path / ".site-previous"
    previous.mkdir()
    (previous / "index.html").write_text("the previous site")
    clean_stale_staging(out)
    assert (out / "index.html").read_text() == "the previous site" and not previous.exists()


def test_swap_without_renameat2_keeps_the_site_whole(tmp_path, monkeypatch):
    import archive_builder.output as output

    monkeypatch.setattr(output, "_exchange", lambda a, b: False)
    out = tmp_path / "site"
    out.mkdir()
    (out / "old.html").write_text("old")
    staging = staging_dir(out)
    write_file(staging, "new.html", b"new")
    swap_in(staging, out)
    assert sorted(p.name for p in out.iterdir()) == ["new.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_second_build_waits_for_the_first(tmp_path):
    import threading

    from archive_builder.output import build_lock

    out = tmp_path / "site"
    order: list[str] = []
    with build_lock(out):
        def second():
            with build_lock(out, progress=lambda s: order.append("waiting")):
                order.append("second")
        t = threading.Thread(target=second)
        t.start()
        t.join(0.3)
        order.append("first done")
    t.join(5)
    assert order == ["waiting", "first done", "second"]
