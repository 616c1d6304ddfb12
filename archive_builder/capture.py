"""Stage 1: read a capture from disk, exactly.

This is one of the two I/O edges of the pipeline (the other is output.py).
A capture is decoded, split into lines with their endings kept, and hashed;
its Markdown front matter and its sidecar (NAME.yaml beside it) are parsed
with line numbers so that any problem can be reported as file:line.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import yaml

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


def split_lines(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split text into lines and the exact ending after each.

    Unlike str.splitlines() this keeps "\r\n", "\r" and "\n" apart and says
    whether the file ends with a newline, so "".join(l + e) == text."""
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


def decode(raw: bytes, name: str) -> tuple[str, str]:
    """UTF-8 with or without BOM; anything else is an error naming the file and line."""
    if b"\x00" in raw[:8192] or b"\x00" in raw[-8192:]:
        raise CaptureError(Problem(name, None, "binary file (contains NUL bytes): skipped", "error"))
    encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        return raw.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CaptureError(Problem(
            name, line,
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "re-save the capture as UTF-8: skipped",
            "error")) from None


def _front_matter(lines: tuple[str, ...], name: str) -> tuple[tuple[tuple[str, Any], ...], int]:
    """YAML front matter between leading '---' lines of a Markdown capture."""
    if not lines or lines[0].strip() != "---":
        return (), 0
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            block = "\n".join(lines[1:i])
            try:
                data = yaml.safe_load(block) if block.strip() else {}
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                line = (mark.line + 2) if mark is not None else 1
                raise CaptureError(Problem(name, line, f"front matter is not valid YAML: {_yaml_message(exc)}", "error")) from None
            if not isinstance(data, dict):
                raise CaptureError(Problem(name, 2, "front matter must be a mapping of field: value", "error"))
            return tuple((str(k), v) for k, v in data.items()), i + 1
    return (), 0


def _yaml_message(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return str(problem)


def read_sidecar(path: Path, name: str) -> tuple[tuple[tuple[str, Any], ...], tuple[tuple[str, int], ...]]:
    """An archivist's corrections for one capture, with the line of each field.

    A malformed sidecar is an error (exit 2): it is the archivist's own
    input, and silently ignoring a correction would publish what they meant
    to fix."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CaptureError(Problem(name, None, f"sidecar is not valid UTF-8: {exc.reason}", "error")) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise CaptureError(Problem(name, line, f"sidecar is not valid YAML: {_yaml_message(exc)}", "error")) from None
    if data is None:
        return (), ()
    if not isinstance(data, dict):
        raise CaptureError(Problem(name, 1, "sidecar must be a mapping of field: value", "error"))
    lines: list[tuple[str, int]] = []
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            lines.append((str(key_node.value), key_node.start_mark.line + 1))
    return tuple((str(k), v) for k, v in data.items()), tuple(lines)


def read_capture(path: Path, root: Path) -> Capture:
    """Read one capture. Raises CaptureError with a located Problem."""
    name = path.relative_to(root).as_posix()
    fmt = SUFFIXES[path.suffix.lower()]
    raw = path.read_bytes()
    if len(raw) > MAX_BYTES:
        raise CaptureError(Problem(name, None, f"capture is {len(raw)} bytes, over the {MAX_BYTES}-byte limit: skipped", "error"))
    text, encoding = decode(raw, name)
    lines, endings = split_lines(text)
    front: tuple[tuple[str, Any], ...] = ()
    front_end = 0
    if fmt == "md":
        front, front_end = _front_matter(lines, name)
    sidecar: tuple[tuple[str, Any], ...] = ()
    sidecar_lines: tuple[tuple[str, int], ...] = ()
    sidecar_file = None
    for suffix in SIDECAR_SUFFIXES:
        candidate = path.with_suffix(suffix)
        if candidate.is_file():
            sidecar_file = candidate.relative_to(root).as_posix()
            sidecar, sidecar_lines = read_sidecar(candidate, sidecar_file)
            break
    return Capture(
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


def discover(source: Path) -> list[Path]:
    """Capture files under `source`, in a fixed order (never the file system's)."""
    found = [p for p in source.rglob("*")
             if p.is_file() and p.suffix.lower() in SUFFIXES
             and not any(part.startswith(".") for part in p.relative_to(source).parts)]
    return sorted(found, key=lambda p: p.relative_to(source).as_posix())
