"""capture.survey walks the source folder with os.scandir; it must find what the
plain Path.rglob walk it replaced found, in the same order, with the same problems."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given, settings, strategies as st

from archive_builder.capture import SIDECAR_SUFFIXES, SUFFIXES, survey
from archive_builder.model import Problem


def rglob_survey(source: Path) -> tuple[list[Path], list[Problem]]:
    """The walk as it was (archive_builder 0.1.0 before the scandir walk): the oracle."""
    root = source.resolve()
    found, problems, sidecars = [], [], []
    for p in source.rglob("*"):
        rel = p.relative_to(source)
        if any(part.startswith(".") for part in rel.parts) or not p.is_file():
            continue
        suffix = p.suffix.lower()
        if suffix in SIDECAR_SUFFIXES:
            sidecars.append(p)
            continue
        if suffix not in SUFFIXES:
            continue
        if p.is_symlink() and root not in p.resolve().parents:
            problems.append(Problem(rel.as_posix(), None, "link to a file outside the source folder: skipped", "warning"))
            continue
        found.append(p)
    captures = {p.with_suffix("") for p in found}
    for s in sidecars:
        if s.with_suffix("") not in captures:
            problems.append(Problem(s.relative_to(source).as_posix(), None,
                                    "sidecar without a capture of the same name (NAME.txt or NAME.md): ignored", "warning"))
    found.sort(key=lambda p: p.relative_to(source).as_posix())
    problems.sort(key=lambda p: (p.file, p.line or 0))
    return found, problems


NAMES = st.sampled_from(["a", "b", "B", ".hidden", "é", "x y", "a.b", "z_", "a."])
SUFFIX = st.sampled_from(["", ".txt", ".TXT", ".md", ".markdown", ".yaml", ".YML", ".html", ".", ".txt.bak"])
ENTRY = st.tuples(st.lists(NAMES, max_size=3), NAMES, SUFFIX,
                  st.sampled_from(["file", "folder", "link-in", "link-out", "link-folder", "broken-link"]))


@settings(max_examples=150, deadline=None)
@given(st.lists(ENTRY, max_size=14))
def test_survey_finds_what_rglob_found(tmp_path_factory, entries):
    base = tmp_path_factory.mktemp("survey")
    source, outside = base / "src", base / "outside"
    source.mkdir()
    outside.mkdir()
    (outside / "o.txt").write_text("outside", encoding="utf-8")
    first_file = None
    for folders, name, suffix, kind in entries:
        parent = source.joinpath(*folders)
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):   # a file of that name already
            continue
        path = parent / (name + suffix)
        if path.exists() or path.is_symlink():
            continue
        if kind == "file":
            path.write_text("text", encoding="utf-8")
            first_file = first_file or path
        elif kind == "folder":
            path.mkdir()
        elif kind == "link-in" and first_file is not None:
            os.symlink(first_file, path)
        elif kind == "link-out":
            os.symlink(outside / "o.txt", path)
        elif kind == "link-folder":
            os.symlink(outside, path, target_is_directory=True)
        elif kind == "broken-link":
            os.symlink(base / "missing.txt", path)
    assert survey(source) == rglob_survey(source)
