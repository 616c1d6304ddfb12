"""Stage 2 (whole): a Capture becomes a Record.

clean -> extract metadata -> apply the capture's own front matter -> apply
the archivist's sidecar.  Pure: the same Capture always gives the same Record.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Mapping

from .capture import CorrectionError
from .config import YamlProblem, parse_yaml, suggest
from .clean import clean
from .metadata import extract_metadata
from .model import Agent, Capture, Problem, Record, Reference, Sourced
from .urls import slugify

# Fields an archivist may set in a sidecar (NAME.yaml) or Markdown front matter.
SIDECAR_FIELDS = ("id", "title", "document_type", "author", "publisher", "date", "language", "references")
AGENT_KEYS = ("name", "title", "affiliation", "canonical")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


def record_id(source_file: str) -> str:
    """Stable id from the file path: the same file keeps its id and URL forever,
    whatever the code later extracts as its title."""
    stem = source_file.rsplit(".", 1)[0]
    return slugify(stem.replace("/", "-"), max_length=100)


def _agent(value: Any, where: Problem) -> Agent:
    if isinstance(value, str) and value.strip():
        return Agent(name=value.strip())
    if isinstance(value, Mapping) and isinstance(value.get("name"), str):
        unknown = [k for k in value if k not in AGENT_KEYS]
        if unknown:
            raise CorrectionError(replace(where, message=f"unknown key '{unknown[0]}' in {where.message}{suggest(str(unknown[0]), AGENT_KEYS)}"))
        return Agent(**{k: (str(v) if v is not None else None) for k, v in value.items()})
    raise CorrectionError(replace(where, message=f"{where.message} must be a name or a mapping with 'name'"))


def _edtf(value: Any, where: Problem) -> str:
    from edtf import parse_edtf  # imported here: only sidecar dates need the validator

    text = str(value).strip()
    try:
        parse_edtf(text)
    except Exception:
        raise CorrectionError(replace(where, message=f"date '{text}' is not EDTF (e.g. 2021-01-20, 2021-01, 2021-01-13/.., 1990~)")) from None
    return text


def _overrides(capture: Capture, items, source: str, basis: str, file: str,
               lines: Mapping[str, int]) -> dict[str, Sourced | str | tuple]:
    """Validate sidecar/front-matter fields; raise CaptureError at file:line."""
    out: dict[str, Any] = {}
    for key, value in items:
        line = lines.get(key)
        where = Problem(file, line, f"'{key}'", "error")
        if key not in SIDECAR_FIELDS:
            if basis == "stated":      # front matter may carry other fields: kept, not an error
                continue
            raise CorrectionError(replace(where, message=f"unknown field '{key}'{suggest(key, SIDECAR_FIELDS)}"))
        evidence = f"{source} {file}" + (f":{line}" if line else "")
        if key == "id":
            if not isinstance(value, str) or not _ID.match(value):
                raise CorrectionError(replace(where, message="'id' must be lowercase letters, digits and '-' (it becomes a URL path; no '/' or '..')"))
            out["id"] = value
        elif key in ("author", "publisher"):
            out[key] = Sourced(_agent(value, where), basis, evidence, line)  # type: ignore[arg-type]
        elif key == "date":
            out[key] = Sourced(_edtf(value, where), basis, evidence, line)  # type: ignore[arg-type]
        elif key == "references":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise CorrectionError(replace(where, message="'references' must be a list of strings"))
            out[key] = tuple(Reference(text=v, kind="curated", line=None) for v in value)
        else:
            if not isinstance(value, str) or not value.strip():
                raise CorrectionError(replace(where, message=f"'{key}' must be a non-empty string"))
            out[key] = Sourced(value.strip(), basis, evidence, line)  # type: ignore[arg-type]
    return out


def front_matter_lines(capture: Capture) -> dict[str, int]:
    """The capture line of each front-matter field (it starts on line 2, after '---')."""
    block = "\n".join(capture.lines[1:capture.front_matter_end - 1])
    try:
        return parse_yaml(block, capture.source_file, first_line=2)[1]
    except YamlProblem:     # capture.py already read this block; cannot happen, but never fatal here
        return {}


def build_record(capture: Capture, canonical_names: Mapping[str, str] | None = None) -> Record:
    """Raises CaptureError for a sidecar or front matter that cannot be applied."""
    cleaned = clean(capture)
    meta = extract_metadata(capture, cleaned)
    fields: dict[str, Any] = {
        "title": meta.title, "document_type": meta.document_type, "author": meta.author,
        "publisher": meta.publisher, "date": meta.date, "language": meta.language,
        "references": meta.references,
    }
    rid = record_id(capture.source_file)
    sidecar_fields: tuple[str, ...] = ()
    if capture.front_matter:
        front_lines = front_matter_lines(capture)
        front = _overrides(capture, capture.front_matter, "front matter of", "stated", capture.source_file, front_lines)
        rid = front.pop("id", rid)
        fields.update(front)
    if capture.sidecar_file:
        side = _overrides(capture, capture.sidecar, "sidecar", "sidecar", capture.sidecar_file, dict(capture.sidecar_lines))
        rid = side.pop("id", rid)
        if "references" in side:
            side["references"] = tuple(fields["references"]) + tuple(side["references"])
        fields.update(side)
        sidecar_fields = tuple(sorted(k for k, _ in capture.sidecar))
    if canonical_names:
        for key in ("author", "publisher"):
            src: Sourced = fields[key]
            if isinstance(src.value, Agent) and not src.value.canonical:
                canon = canonical_names.get(src.value.name)
                if canon:
                    fields[key] = replace(src, value=replace(src.value, canonical=canon))
    endings = set(capture.endings[:-1])
    layout = (
        ("encoding", capture.encoding),
        ("newline", endings.pop() if len(endings) == 1 else ("mixed" if endings else "")),
        ("endings", capture.endings if len(set(capture.endings[:-1])) > 1 else ()),
        ("lines", len(capture.lines)),
    )
    return Record(
        id=rid,
        source_file=capture.source_file,
        sha256=capture.sha256,
        format=capture.format,
        body=cleaned.body,
        body_lines=cleaned.body_lines,
        removed=cleaned.removed,
        comments=cleaned.comments,
        images=cleaned.images,
        footnotes=cleaned.footnotes,
        header=cleaned.header,
        sidecar_fields=sidecar_fields,
        layout=layout,
        **fields,
    )


def rebuild_text(record: Record) -> str:
    """The capture's decoded text, rebuilt from body + removed + comments only."""
    from .clean import reconstruct

    layout = dict(record.layout)
    lines = reconstruct(layout["lines"], record.body_lines, record.body, record.removed, record.comments)
    endings = layout["endings"] or tuple([layout["newline"]] * (len(lines) - 1) + [""])
    return "".join(l + e for l, e in zip(lines, endings))
