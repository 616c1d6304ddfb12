"""Stage 1: read a capture from disk, exactly.

This is one of the two I/O edges of the pipeline (the other is output.py).
A capture is decoded, split into lines with their endings kept, and hashed;
its Markdown front matter and its sidecar (NAME.yaml beside it) are parsed
with line numbers so that any problem can be reported as file:line.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

from .config import YamlProblem, parse_yaml
from .model import Capture, Problem

SUFFIXES = {".txt": "txt", ".md": "md", ".markdown": "md"}
SIDECAR_SUFFIXES = (".yaml", ".yml")

# Captures over this size are almost always a crawler accident (a PDF or a
# video saved as .txt); we keep them out rather than block the whole build.
MAX_BYTES = 20 * 1024 * 1024

_LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|$)")


class CaptureError(Exception):
    """A capture that cannot be read; carries the Problem to report."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


class CorrectionError(CaptureError):
    """An archivist's sidecar or front matter that cannot be applied.

    Stops the build (exit 2): publishing without a correction the archivist
    meant to make would be worse than publishing nothing new."""


def split_lines(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split text into lines and the exact ending after each.

    Unlike str.splitlines() this keeps "\r\n", "\r" and "\n" apart and says
    whether the file ends with a newline, so "".join(l + e) == text."""
    if "\r" not in text:       # the usual capture: str.split, not a regex match per line
        plain = text.split("\n")
        return tuple(plain), ("\n",) * (len(plain) - 1) + ("",)
    return _split_lines(text)


def _split_lines(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """split_lines, read line by line."""
    lines: list[str] = []
    endings: list[str] = []
    pos = 0
    n = len(text)
    while True:
        m = _LINE.match(text, pos)
        assert m is not None
        lines.append(m.group(1))
        endings.append(m.group(2))
        pos = m.end()
        if pos >= n:
            if m.group(2):          # file ends with a newline: an empty last line follows
                lines.append("")
                endings.append("")
            break
    return tuple(lines), tuple(endings)


# C0/C1 control characters other than tab, newlines and form feed: a few are
# junk from a crawler (kept, with a warning); many mean the file is not text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\x80-\x9f]")
BINARY_CONTROL_SHARE = 0.02
BINARY_CONTROL_MIN = 8


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def decode(raw: bytes, name: str) -> tuple[str, str]:
    """Bytes to (text, encoding); see decode_checked."""
    text, encoding, _ = decode_checked(raw, name)
    return text, encoding


def decode_checked(raw: bytes, name: str) -> tuple[str, str, tuple[Problem, ...]]:
    """Bytes to text, with the encoding used and any warning about it.

    UTF-8 (with or without BOM) is the norm.  UTF-16 with a BOM is read with a
    warning.  Bytes that are not valid UTF-8 are read as Windows-1252 (or
    Latin-1 where Windows-1252 leaves a byte undefined) with a warning naming
    the line: a capture saved by an old Windows browser is still the
    archivist's document, and the original bytes stay published beside its
    SHA-256, so nothing is altered, only shown through the likeliest reading.
    Files with NUL bytes or mostly control characters are not text: skipped."""
    warnings: list[Problem] = []
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise CaptureError(Problem(name, None, f"UTF-16 byte-order mark but not valid UTF-16 ({exc.reason}): skipped", "error")) from None
        warnings.append(Problem(name, None, "read as UTF-16 (byte-order mark); re-save the capture as UTF-8", "warning"))
        encoding = "utf-16"
    else:
        nul = raw.find(b"\x00")
        if nul >= 0:
            raise CaptureError(Problem(name, _line_of(raw, nul), "binary file (contains NUL bytes), not a text capture: skipped", "error"))
        encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            try:
                text, encoding = raw.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                text, encoding = raw.decode("latin-1"), "latin-1"
            warnings.append(Problem(
                name, _line_of(raw, exc.start),
                f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}): read as "
                f"{'Windows-1252' if encoding == 'cp1252' else 'Latin-1'}; check the text and re-save the capture as UTF-8",
                "warning"))
    controls = _CONTROL.findall(text)
    if controls:
        if len(controls) > max(BINARY_CONTROL_MIN, BINARY_CONTROL_SHARE * len(text)):
            raise CaptureError(Problem(name, None, f"binary file ({len(controls)} control characters in {len(text)}), not a text capture: skipped", "error"))
        first = _CONTROL.search(text)
        assert first is not None
        warnings.append(Problem(name, text.count("\n", 0, first.start()) + 1,
                                f"{len(controls)} control character(s) (first U+{ord(first.group()):04X}) kept as they are", "warning"))
    if not text.strip():
        raise CaptureError(Problem(name, None, "empty capture (nothing but white space), nothing to publish: skipped", "warning"))
    return text, encoding, tuple(warnings)


def _front_matter(lines: tuple[str, ...], name: str) -> tuple[tuple[tuple[str, Any], ...], int]:
    """YAML front matter between leading '---' lines of a Markdown capture."""
    if not lines or lines[0].strip() != "---":
        return (), 0
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            block = "\n".join(lines[1:i])
            try:
                data = parse_yaml(block, name, first_line=2)[0] if block.strip() else {}
            except YamlProblem as exc:
                raise CorrectionError(replace(exc.problem, message=f"front matter is {exc.problem.message}")) from None
            if not isinstance(data, dict):
                raise CorrectionError(Problem(name, 2, "front matter must be a mapping of field: value", "error"))
            return tuple((str(k), v) for k, v in data.items()), i + 1
    return (), 0


def read_sidecar(path: Path, name: str) -> tuple[tuple[tuple[str, Any], ...], tuple[tuple[str, int], ...]]:
    """An archivist's corrections for one capture, with the line of each field.

    A malformed sidecar is an error (exit 2): it is the archivist's own
    input, and silently ignoring a correction would publish what they meant
    to fix."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise CorrectionError(Problem(name, None, f"cannot read the sidecar ({exc.strerror or exc})", "error")) from None
    except UnicodeDecodeError as exc:
        raise CorrectionError(Problem(name, None, f"sidecar is not valid UTF-8: {exc.reason}", "error")) from None
    try:
        data, key_lines = parse_yaml(text, name)
    except YamlProblem as exc:
        raise CorrectionError(replace(exc.problem, message=f"sidecar is {exc.problem.message}")) from None
    if data is None:
        return (), ()
    if not isinstance(data, dict):
        raise CorrectionError(Problem(name, 1, "sidecar must be a mapping of field: value", "error"))
    return tuple((str(k), v) for k, v in data.items()), tuple(key_lines.items())


def read_capture(path: Path, root: Path) -> Capture:
    """Read one capture. Raises CaptureError with a located Problem."""
    return load_capture(path, root)[0]


def load_capture(path: Path, root: Path) -> tuple[Capture, tuple[Problem, ...]]:
    """Read one capture and say what was odd about it (warnings, file:line).

    Raises CaptureError for a capture that cannot be published (skipped), and
    CorrectionError for a sidecar or front matter that cannot be applied."""
    name = path.relative_to(root).as_posix()
    fmt = SUFFIXES[path.suffix.lower()]
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise CaptureError(Problem(name, None, f"capture is {size} bytes, over the {MAX_BYTES}-byte limit: skipped", "error"))
        raw = path.read_bytes()
    except OSError as exc:
        raise CaptureError(Problem(name, None, f"cannot read the file ({exc.strerror or exc}): skipped", "error")) from None
    text, encoding, warnings = decode_checked(raw, name)
    lines, endings = split_lines(text)
    front: tuple[tuple[str, Any], ...] = ()
    front_end = 0
    if fmt == "md":
        front, front_end = _front_matter(lines, name)
    sidecar: tuple[tuple[str, Any], ...] = ()
    sidecar_lines: tuple[tuple[str, int], ...] = ()
    sidecar_path = sidecar_of(path)
    sidecar_file = None
    if sidecar_path is not None:
        sidecar_file = sidecar_path.relative_to(root).as_posix()
        sidecar, sidecar_lines = read_sidecar(sidecar_path, sidecar_file)
    capture = Capture(
        source_file=name,
        sha256=hashlib.sha256(raw).hexdigest(),
        size=len(raw),
        encoding=encoding,
        format=fmt,  # type: ignore[arg-type]
        lines=lines,
        endings=endings,
        front_matter=front,
        front_matter_end=front_end,
        sidecar=sidecar,
        sidecar_file=sidecar_file,
        sidecar_lines=sidecar_lines,
    )
    return capture, warnings


def sidecar_of(path: Path) -> Path | None:
    """NAME.yaml (or NAME.yml) beside NAME.txt, if there is one."""
    for suffix in SIDECAR_SUFFIXES:
        candidate = path.with_suffix(suffix)
        if candidate.is_file():
            return candidate
    return None


def discover(source: Path) -> list[Path]:
    """Capture files under `source`, in a fixed order (never the file system's)."""
    return survey(source)[0]


def survey(source: Path) -> tuple[list[Path], list[Problem]]:
    """Capture files under `source` in a fixed order, and what was left out.

    Hidden files and folders are skipped silently (editor and VCS files);
    a link pointing outside the source folder is skipped with a warning (the
    archive publishes only what is in it); so is a sidecar with no capture.
    Folders are walked as Path.rglob walks them (links to folders are not
    followed), with os.scandir's entries: a Path per file, three per file as
    rglob had it, cost a third of a second at 10,000 captures, every rebuild."""
    root = source.resolve()
    found: list[tuple[str, Path]] = []
    problems: list[Problem] = []
    sidecars: list[str] = []
    for rel, entry in _entries(str(source), ""):
        try:
            if not entry.is_file():     # follows a link, as Path.is_file does
                continue
        except OSError:
            continue
        suffix = _suffix(entry.name)
        if suffix in SIDECAR_SUFFIXES:
            sidecars.append(rel)
            continue
        if suffix not in SUFFIXES:
            continue
        p = source / rel
        if entry.is_symlink() and root not in p.resolve().parents:
            problems.append(Problem(rel, None, "link to a file outside the source folder: skipped", "warning"))
            continue
        found.append((rel, p))
    captures = {rel[:len(rel) - len(_suffix(rel))] for rel, _ in found}
    for s in sidecars:
        if s[:len(s) - len(_suffix(s))] not in captures:
            problems.append(Problem(s, None, "sidecar without a capture of the same name (NAME.txt or NAME.md): ignored",
                                    "warning"))
    found.sort(key=lambda pair: pair[0])
    problems.sort(key=lambda p: (p.file, p.line or 0))
    return [p for _, p in found], problems


def _entries(folder: str, rel: str) -> Iterator[tuple[str, os.DirEntry]]:
    """(path relative to the source, in POSIX form; its entry) of everything under
    `folder` but hidden names, folders before their contents; a folder that may
    not be read is passed over, as Path.rglob does."""
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except (PermissionError, FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = rel + entry.name
        yield path, entry
        try:
            is_folder = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_folder = False
        if is_folder:
            yield from _entries(entry.path, path + "/")


def _suffix(name: str) -> str:
    """The suffix as PurePath.suffix gives it (none for ".name" or "name.")."""
    name = name[name.rfind("/") + 1:]
    i = name.rfind(".")
    return name[i:].lower() if 0 < i < len(name) - 1 else ""
