"""Stage 3: analyse records together: claims, events, relations, shared passages.

    claims (per record)  ->  events (across records)  ->  relations  ->  passages

Claims come from each record's body only (reader comments are third-party
text and never analysed).  Editorial YAML (events.yaml, related.yaml) is
validated here; a bad rule becomes a Problem at file:line and is skipped, it
never stops the analysis.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

from ..editorial import Editorial
from ..model import Analysis, Claim, Problem, Record
from . import places
from .events import BROAD_KINDS, Names, group_events, parse_event_rules
from .passages import shared_passages
from .places import Gazetteer
from .related import parse_related, relate


def _editorial_file(editorial: Editorial, kind: str) -> tuple[str, Mapping[str, int]]:
    return editorial.files.get(kind, f"{kind}.yaml"), editorial.lines.get(kind, {})


def analyse_claims(records: Sequence[Record], claims: Sequence[Claim], names: Mapping[str, Names],
                   editorial: Editorial, broad_places: Iterable[str] = ()) -> Analysis:
    """Everything after claims extraction: events, relations, passages.

    `broad_places`: place keys of countries, republics and regions (events.BROAD_KINDS)."""
    records = sorted(records, key=lambda r: r.id)
    problems: list[Problem] = []
    file, lines = _editorial_file(editorial, "events")
    rules, found = parse_event_rules(editorial.events, file, lines)
    problems += found
    events, claims, found = group_events(claims, names, rules, file, broad_places=broad_places,
                                         bodies={r.id: r.body for r in records})
    problems += found
    passages = shared_passages({r.id: r.body for r in records})
    file, lines = _editorial_file(editorial, "related")
    curation, found = parse_related(editorial.related, file, lines, [r.id for r in records])
    problems += found
    relations = relate(records, claims, events, passages, curation)
    return Analysis(claims=tuple(claims), events=events, relations=relations, passages=passages,
                    problems=tuple(problems))


EventNames = tuple[tuple[str, int, int], ...]     # (name, start, end) in the body, see claims.names_for_events


def analyse_record(record: Record, gazetteer: Gazetteer) -> tuple[tuple[Claim, ...], EventNames]:
    """The part of the analysis that needs one record only: its claims and the
    names it gives events.  Pure, so the build runs it per capture, in parallel,
    and caches it with the capture."""
    from . import claims as claims_module   # the claims extractor

    claims = claims_module.extract_claims(record, gazetteer=gazetteer, anchor_date=record.date.value)
    return tuple(claims), tuple(claims_module.names_for_events(record.body))


def editorial_gazetteer(editorial: Editorial) -> Gazetteer:
    """The package gazetteer extended by the editorial places.yaml (EditorialError when it is broken)."""
    return places.load_gazetteer(_editorial_folder(editorial))


def analyse(records: Sequence[Record], editorial: Editorial, *, gazetteer: Gazetteer | None = None,
            per_record: Mapping[str, tuple[Sequence[Claim], Names]] | None = None) -> Analysis:
    """The whole analysis.  `per_record` (record id -> analyse_record's result,
    computed with `gazetteer`) skips the per-record part for the records it
    holds; the others are analysed here."""
    if gazetteer is None:
        gazetteer = editorial_gazetteer(editorial)
    per_record = per_record or {}
    claims: list[Claim] = []
    names: dict[str, Names] = {}
    for r in sorted(records, key=lambda r: r.id):
        found = per_record.get(r.id)
        record_claims, names[r.id] = found if found is not None else analyse_record(r, gazetteer)
        claims.extend(record_claims)
    broad = sorted(p.key for p in gazetteer.places if p.kind in BROAD_KINDS)
    return analyse_claims(records, claims, names, editorial, broad)


def _editorial_folder(editorial: Editorial):
    from pathlib import Path

    folder = getattr(editorial, "folder", None)
    if folder is not None:
        return Path(folder)
    return next((Path(f).parent for f in sorted(editorial.files.values())), None)
