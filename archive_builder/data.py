"""Records and analysis as plain JSON-ready data (records.json and friends).

One function per shape, so the JSON, the templates and the search index all
see the same values.  Keys are emitted in a fixed order and every list is in
a fixed order: the same input gives byte-identical files.
"""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from typing import Any, Callable, Iterable, Iterator, Sequence

from .model import Agent, Analysis, Claim, Record, Sourced


def dumps(data: Any) -> bytes:
    """Deterministic JSON: sorted keys are NOT used (field order is meaningful), but
    every mapping we emit is built in a fixed order; non-ASCII kept readable."""
    return (indented_json(data) + "\n").encode("utf-8")


def indented_json(data: Any, indent: int = 1) -> str:
    """Exactly `json.dumps(data, ensure_ascii=False, indent=indent, default=_default)`,
    several times faster: the standard library only uses its C encoder without
    indentation, and its pure-Python one was a sixth of the render stage."""
    parts: list[str] = []
    _encode(data, "\n", " " * indent, parts.append)
    return "".join(parts)


_encode_string = json.encoder.encode_basestring   # the C version where available


def _float(x: float) -> str:
    if x != x:
        return "NaN"
    if x in (float("inf"), float("-inf")):
        return "Infinity" if x > 0 else "-Infinity"
    return float.__repr__(x)


def _key(k: Any) -> str:
    if isinstance(k, str):
        return k
    if k is True:
        return "true"
    if k is False:
        return "false"
    if k is None:
        return "null"
    if isinstance(k, int):
        return int.__repr__(k)
    if isinstance(k, float):
        return _float(k)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(k).__name__}")


def _encode(o: Any, newline: str, step: str, emit) -> None:
    # the same order of type tests as json.encoder._make_iterencode
    if isinstance(o, str):
        emit(_encode_string(o))
    elif o is None:
        emit("null")
    elif o is True:
        emit("true")
    elif o is False:
        emit("false")
    elif isinstance(o, int):
        emit(int.__repr__(o))
    elif isinstance(o, float):
        emit(_float(o))
    elif isinstance(o, (list, tuple)):
        if not o:
            emit("[]")
            return
        inner = newline + step
        emit("[")
        first = True
        for item in o:
            emit(inner if first else "," + inner)
            first = False
            _encode(item, inner, step, emit)
        emit(newline + "]")
    elif isinstance(o, dict):
        if not o:
            emit("{}")
            return
        inner = newline + step
        emit("{")
        first = True
        for k, v in o.items():
            emit((inner if first else "," + inner) + _encode_string(_key(k)) + ": ")
            first = False
            _encode(v, inner, step, emit)
        emit(newline + "}")
    else:
        _encode(_default(o), newline, step, emit)


def _default(value: Any) -> Any:
    if is_dataclass(value):
        return asdict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def agent_json(agent: Agent | None) -> dict | None:
    if agent is None:
        return None
    return {"name": agent.name, "title": agent.title, "affiliation": agent.affiliation,
            "canonical": agent.canonical, "display": agent.display}


def sourced_json(s: Sourced, value: Any = None) -> dict:
    v = s.value if value is None else value
    if isinstance(v, Agent):
        v = agent_json(v)
    return {"value": v, "basis": s.basis, "evidence": s.evidence, "line": s.line}


def line_ranges(numbers: Sequence[int]) -> list[list[int]]:
    """[3,4,5,9] -> [[3,5],[9,9]]: body line numbers, compactly."""
    out: list[list[int]] = []
    for n in numbers:
        if out and out[-1][1] == n - 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return out


def claim_json(c: Claim) -> dict:
    return {
        "id": c.id, "document": c.document_id, "kind": c.kind, "quote": c.quote,
        "start": c.start, "end": c.end, "event": c.event_id,
        "figures": [
            {"measure": f.measure, "value": f.value, "low": f.low, "high": f.high,
             "qualifier": f.qualifier, "subject": f.subject, "text": f.text,
             "start": f.start, "end": f.end}
            for f in c.figures
        ],
        "dates": [{"text": t, "edtf": e, "how": h} for t, e, h in c.dates],
        "places": [{"text": t, "place": k} for t, k in c.places],
        "actors": list(c.actors),
    }


def record_json(r: Record, claims: Iterable[Claim] = ()) -> dict:
    layout = dict(r.layout)
    return {
        "id": r.id,
        "source_file": r.source_file,
        "sha256": r.sha256,
        "format": r.format,
        "title": sourced_json(r.title),
        "document_type": sourced_json(r.document_type),
        "author": sourced_json(r.author),
        "publisher": sourced_json(r.publisher),
        "date": {"edtf": r.date.value, "basis": r.date.basis, "evidence": r.date.evidence, "line": r.date.line},
        "language": sourced_json(r.language),
        "sidecar_fields": list(r.sidecar_fields),
        "header": {k: v for k, v in r.header},
        "body": r.body,
        "body_lines": line_ranges(r.body_lines),
        "removed": [{"line": x.line, "text": x.text, "rule": x.rule, "reason": x.reason} for x in r.removed],
        "comments": [{"author": c.author, "text": c.text, "first_line": c.first_line, "lines": list(c.lines)}
                     for c in r.comments],
        "images": [{"file": i.file, "caption": i.caption, "line": i.line} for i in r.images],
        "footnotes": [{"label": f.label, "text": f.text, "line": f.line} for f in r.footnotes],
        "references": [
            {"text": x.text, "kind": x.kind, "line": x.line, "symbol": x.symbol, "date": x.date,
             "issuer": x.issuer, "relation": x.relation}
            for x in r.references
        ],
        "claims": [claim_json(c) for c in claims],
        "layout": {"encoding": layout.get("encoding"), "newline": layout.get("newline"),
                   "endings": list(layout.get("endings") or ()), "lines": layout.get("lines")},
        "warnings": [str(p) for p in r.warnings],
    }


def records_json(records: Sequence[Record], analysis: Analysis) -> bytes:
    by_doc: dict[str, list[Claim]] = {}
    for c in analysis.claims:
        by_doc.setdefault(c.document_id, []).append(c)
    return dumps({"records": [record_json(r, by_doc.get(r.id, ())) for r in records]})


def records_json_fragments(records: Sequence[Record], analysis: Analysis,
                           reuse: Callable[[Record, Sequence[Claim]], str | None] = lambda r, c: None
                           ) -> Iterator[str]:
    """records.json (exactly `records_json`) as a stream of text: the opening, then
    each record's JSON (`reuse` may give it ready-made, e.g. from the previous build),
    then the closing.  Nothing holds the whole file."""
    by_doc: dict[str, list[Claim]] = {}
    for c in analysis.claims:
        by_doc.setdefault(c.document_id, []).append(c)
    if not records:
        yield '{\n "records": []\n}\n'
        return
    yield '{\n "records": ['
    for n, r in enumerate(records):
        claims = by_doc.get(r.id, ())
        fragment = reuse(r, claims)
        if fragment is None:
            fragment = record_fragment(r, claims)
        yield ("\n  " if n == 0 else ",\n  ") + fragment
    yield "\n ]\n}\n"


def record_fragment(r: Record, claims: Sequence[Claim]) -> str:
    """One record's JSON as it stands inside records.json (two levels in)."""
    parts: list[str] = []
    _encode(record_json(r, claims), "\n  ", " ", parts.append)
    return "".join(parts)
