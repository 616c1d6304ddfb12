"""Records and analysis as plain JSON-ready data (records.json and friends).

One function per shape, so the JSON, the templates and the search index all
see the same values.  Keys are emitted in a fixed order and every list is in
a fixed order: the same input gives byte-identical files.
"""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from functools import lru_cache
from operator import attrgetter
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
    return _encoded(data, "\n", " " * indent)


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


def _encoded(o: Any, newline: str, step: str) -> str:
    """`o` as indented JSON whose own lines start with `newline` (the indentation
    of the place it stands in).  Containers encode their plain items in the loop
    (str first: most of a record is text) and recurse only into containers; any
    other type, subclasses included, takes `_encoded_other`, in json's order."""
    t = type(o)
    if t is str:
        return _encode_string(o)
    if t is dict:
        if not o:
            return "{}"
        inner = newline + step
        parts = []
        for k, v in o.items():
            tv = type(v)
            if tv is str:
                value = _encode_string(v)
            elif v is None:
                value = "null"
            elif tv is int:
                value = int.__repr__(v)
            else:
                value = _encoded(v, inner, step)
            parts.append((_encode_string(k) if type(k) is str else _encode_string(_key(k))) + ": " + value)
        return "{" + inner + ("," + inner).join(parts) + newline + "}"
    if t is list or t is tuple:
        if not o:
            return "[]"
        inner = newline + step
        parts = []
        for v in o:
            tv = type(v)
            if tv is str:
                parts.append(_encode_string(v))
            elif v is None:
                parts.append("null")
            elif tv is int:
                parts.append(int.__repr__(v))
            else:
                parts.append(_encoded(v, inner, step))
        return "[" + inner + ("," + inner).join(parts) + newline + "]"
    return _encoded_other(o, newline, step)


def _encoded_other(o: Any, newline: str, step: str) -> str:
    if type(o) is _Verbatim:
        return o
    # the same order of type tests as json.encoder._make_iterencode
    if isinstance(o, str):
        return _encode_string(o)
    if o is None:
        return "null"
    if o is True:
        return "true"
    if o is False:
        return "false"
    if isinstance(o, int):
        return int.__repr__(o)
    if isinstance(o, float):
        return _float(o)
    if isinstance(o, (list, tuple)):
        return _encoded(list(o), newline, step)
    if isinstance(o, dict):
        return _encoded(dict(o.items()), newline, step)
    return _encoded(_default(o), newline, step)


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
    return _record_json(r, [{"line": x.line, "text": x.text, "rule": x.rule, "reason": x.reason} for x in r.removed],
                        [claim_json(c) for c in claims])


def _record_json(r: Record, removed: Any, claims: Any) -> dict:
    """record_json with its two long lists given (as dicts, or as JSON text already written)."""
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
        "removed": removed,
        "comments": [{"author": c.author, "text": c.text, "first_line": c.first_line, "lines": list(c.lines)}
                     for c in r.comments],
        "images": [{"file": i.file, "caption": i.caption, "line": i.line} for i in r.images],
        "footnotes": [{"label": f.label, "text": f.text, "line": f.line} for f in r.footnotes],
        "references": [
            {"text": x.text, "kind": x.kind, "line": x.line, "symbol": x.symbol, "date": x.date,
             "issuer": x.issuer, "relation": x.relation}
            for x in r.references
        ],
        "claims": claims,
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
                           reuse: Callable[[Record, Sequence[Claim]], Any] = lambda r, c: None
                           ) -> Iterator[Any]:
    """records.json (exactly `records_json`) as a stream of text: the opening, then
    before each record a separator and the record's JSON, then the closing (so the
    record numbered n is piece 2n + 2).  `reuse` may stand for a record's JSON
    (e.g. where it is in the previous build's file): what it gives, unless None,
    is yielded in its place.  Nothing holds the whole file."""
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
        yield "\n  " if n == 0 else ",\n  "
        yield record_fragment(r, claims) if fragment is None else fragment
    yield "\n ]\n}\n"


def record_fragment(r: Record, claims: Sequence[Claim]) -> str:
    """One record's JSON as it stands inside records.json (two levels in):
    `_encoded(record_json(r, claims), RECORD_NEWLINE, " ")`, with its removed lines
    and claims (most of a record) written straight from the model, not through dicts."""
    return _encoded(_record_json(r, _Verbatim(_objects(r.removed, _REMOVED_KEYS, _REMOVED_VALUES, _FIELD_NEWLINE)),
                                 _Verbatim(_claims_text(claims, _FIELD_NEWLINE))), RECORD_NEWLINE, " ")


RECORD_NEWLINE = "\n  "                 # a record's own lines in records.json
_FIELD_NEWLINE = RECORD_NEWLINE + " "   # its fields' lines


class _Verbatim(str):
    """JSON text already written for the place it stands in: `_encoded` copies it."""


def _value(v: Any, newline: str) -> str:
    t = type(v)
    if t is str:
        return _encode_string(v)
    if v is None:
        return "null"
    if t is int:
        return int.__repr__(v)
    return _encoded(v, newline, " ")


def _objects(items: Sequence[Any], keys: tuple[str, ...], values_of: Callable[[Any], Sequence[Any]], newline: str) -> str:
    """`_encoded([{key: value, …} for each item], newline, " ")`, each item's values
    given by `values_of` in the order of `keys`."""
    if not items:
        return "[]"
    inner = newline + " "
    prefixes = _key_prefixes(keys, inner + " ")
    return "[" + inner + ("," + inner).join(
        "{" + "".join([p + (_encode_string(v) if type(v) is str else _value(v, inner + " "))
                       for p, v in zip(prefixes, values_of(item))]) + inner + "}"
        for item in items) + newline + "]"


@lru_cache(maxsize=256)
def _key_prefixes(keys: tuple[str, ...], newline: str) -> tuple[str, ...]:
    """What comes before each value of an object with these keys whose fields start lines with `newline`."""
    return tuple(("," if n else "") + newline + _encode_string(k) + ": " for n, k in enumerate(keys))


def _date_values(d: tuple) -> tuple:
    text, edtf, how = d
    return text, edtf, how


def _place_values(p: tuple) -> tuple:
    text, place = p
    return text, place


_REMOVED_KEYS = ("line", "text", "rule", "reason")
_REMOVED_VALUES = attrgetter(*_REMOVED_KEYS)
_FIGURE_KEYS = ("measure", "value", "low", "high", "qualifier", "subject", "text", "start", "end")
_FIGURE_VALUES = attrgetter(*_FIGURE_KEYS)
_DATE_KEYS = ("text", "edtf", "how")
_PLACE_KEYS = ("text", "place")


def _claims_text(claims: Sequence[Claim], newline: str) -> str:
    """`_encoded([claim_json(c) for c in claims], newline, " ")`."""
    if not claims:
        return "[]"
    inner = newline + " "
    f = inner + " "      # the claim's fields
    return "[" + inner + ("," + inner).join(
        f'{{{f}"id": {_value(c.id, f)},{f}"document": {_value(c.document_id, f)},{f}"kind": {_value(c.kind, f)},'
        f'{f}"quote": {_value(c.quote, f)},{f}"start": {_value(c.start, f)},{f}"end": {_value(c.end, f)},'
        f'{f}"event": {_value(c.event_id, f)},'
        f'{f}"figures": {_objects(c.figures, _FIGURE_KEYS, _FIGURE_VALUES, f)},'
        f'{f}"dates": {_objects(c.dates, _DATE_KEYS, _date_values, f)},'
        f'{f}"places": {_objects(c.places, _PLACE_KEYS, _place_values, f)},'
        f'{f}"actors": {_encoded(list(c.actors), f, " ")}{inner}}}'
        for c in claims) + newline + "]"
