"""Stage 3: analyse records together: claims, events, relations, shared passages.

    claims (per record)  ->  events (across records)  ->  relations  ->  passages

Claims come from each record's body only (reader comments are third-party
text and never analysed).  Editorial YAML (events.yaml, related.yaml) is
validated here; a bad rule becomes a Problem at file:line and is skipped, it
never stops the analysis.
"""

from __future__ import annotations

import gc
import os
import pickle
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from ..editorial import Editorial
from ..model import Analysis, Claim, Problem, Record
from . import places
from .events import BROAD_KINDS, EventsState, Names, group_events_since, parse_event_rules
from .passages import PassageState, shared_passages_since
from .places import Gazetteer
from .related import RelateState, parse_related, relate_since


def _editorial_file(editorial: Editorial, kind: str) -> tuple[str, Mapping[str, int]]:
    return editorial.files.get(kind, f"{kind}.yaml"), editorial.lines.get(kind, {})


def analyse_claims(records: Sequence[Record], claims: Sequence[Claim], names: Mapping[str, Names],
                   editorial: Editorial, broad_places: Iterable[str] = ()) -> Analysis:
    """Everything after claims extraction: events, relations, passages.

    `broad_places`: place keys of countries, republics and regions (events.BROAD_KINDS)."""
    return analyse_claims_since(records, claims, names, editorial, broad_places)[0]


def analyse_claims_since(records: Sequence[Record], claims: Sequence[Claim], names: Mapping[str, Names],
                         editorial: Editorial, broad_places: Iterable[str] = (),
                         passages_before: PassageState | None = None, related_before: RelateState | None = None,
                         jobs: int = 1, *, keys: Mapping[str, str] | None = None,
                         events_before: EventsState | None = None,
                         passages_made: Callable[[PassageState], None] | None = None,
                         ) -> tuple[Analysis, PassageState | None, RelateState, EventsState | None]:
    """analyse_claims, and the states of the shared passages, of the relations
    and of the events for the next build; with the states of a previous build
    only the pairs of documents an edit can change are compared again, only
    the documents whose signals changed are related again, and only the claims
    of the times the changed documents speak of are grouped into events again
    (the result is the same).  `keys`: each record's key, which changes with
    its claims, names and body (its capture's cache key); without them the
    events are grouped from scratch and keep no state.
    `jobs`: processes a full comparison of passages may use (the result is the same).
    `passages_made`: called with the passages' state as soon as it is made,
    which is then not returned (None) but let go before the relations are
    made (it held 45 MB at 10,000 captures)."""
    records = sorted(records, key=lambda r: r.id)
    problems: list[Problem] = []
    file, lines = _editorial_file(editorial, "events")
    rules, found = parse_event_rules(editorial.events, file, lines)
    problems += found
    events, claims, found, events_state = group_events_since(claims, names, rules, file, broad_places=broad_places,
                                                             bodies={r.id: r.body for r in records}, keys=keys,
                                                             previous=events_before)
    problems += found
    passages, passages_state = shared_passages_since({r.id: r.body for r in records}, passages_before, jobs)
    if passages_made is not None:
        passages_made(passages_state)
        passages_state = None
    file, lines = _editorial_file(editorial, "related")
    curation, found = parse_related(editorial.related, file, lines, [r.id for r in records])
    problems += found
    relations, related_state = relate_since(records, claims, events, passages, curation, related_before)
    return Analysis(claims=tuple(claims), events=events, relations=relations, passages=passages,
                    problems=tuple(problems)), passages_state, related_state, events_state


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
            per_record: Mapping[str, tuple[Sequence[Claim], Names]] | None = None,
            cache: Path | None = None, jobs: int = 1, record_keys: Mapping[str, str | None] | None = None,
            ) -> Analysis:
    """The whole analysis.  `per_record` (record id -> analyse_record's result,
    computed with `gazetteer`) skips the per-record part for the records it
    holds; the others are analysed here.  `cache`: a folder where the state of
    the cross-record analysis is kept from build to build (see
    passages.shared_passages_since).  `jobs`: processes the comparison of
    passages may use when it compares every pair (a cold build).
    `record_keys`: record id -> its capture's cache key (a digest of all it is
    made from); with a key for every record the events keep a state too (see
    events.group_events_since)."""
    # The analysis makes hundreds of thousands of objects without reference
    # cycles while everything read before it is frozen: the collector's passes
    # (three full ones on a 10,000-capture rebuild) found nothing and cost
    # more than the analysis itself.  Paused here, as it was.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _analyse(records, editorial, gazetteer, per_record, cache, jobs, record_keys)
    finally:
        if was_enabled:
            gc.enable()


def _analyse(records: Sequence[Record], editorial: Editorial, gazetteer: Gazetteer | None,
             per_record: Mapping[str, tuple[Sequence[Claim], Names]] | None, cache: Path | None,
             jobs: int, record_keys: Mapping[str, str | None] | None = None) -> Analysis:
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
    before = load_passages_state(cache) if cache is not None else None
    related_before = load_related_state(cache) if cache is not None else None
    keys = {r.id: (record_keys or {}).get(r.id) for r in records}
    keys = keys if cache is not None and None not in keys.values() else None
    events_before = load_events_state(cache) if keys is not None else None

    def store_passages(after: PassageState) -> None:
        if cache is not None and after is not before:
            store_passages_state(cache, after)

    analysis, _, related_after, events_after = analyse_claims_since(
        records, claims, names, editorial, broad, before, related_before, jobs, keys=keys, events_before=events_before,
        passages_made=store_passages)
    if cache is not None and related_after is not related_before:
        store_related_state(cache, related_after)
    if cache is not None and events_after is not None and events_after is not events_before:
        store_events_state(cache, events_after)
    return analysis


PASSAGES_STATE = "analysis-passages.pickle"
RELATED_STATE = "analysis-related.pickle"
EVENTS_STATE = "analysis-events.pickle"


def load_passages_state(folder: Path) -> PassageState | None:
    """The state the last build in `folder` kept, if this code wrote it."""
    return _load_state(folder / PASSAGES_STATE, PassageState)


def store_passages_state(folder: Path, state: PassageState) -> None:
    """Written to a temporary file and renamed: a killed build never leaves half of it."""
    _store_state(folder, PASSAGES_STATE, state)


def load_related_state(folder: Path) -> RelateState | None:
    """The relations' state the last build in `folder` kept, if this code wrote it."""
    return _load_state(folder / RELATED_STATE, RelateState)


def store_related_state(folder: Path, state: RelateState) -> None:
    _store_state(folder, RELATED_STATE, state)


def load_events_state(folder: Path) -> EventsState | None:
    """The events' state the last build in `folder` kept, if this code wrote it."""
    return _load_state(folder / EVENTS_STATE, EventsState)


def store_events_state(folder: Path, state: EventsState) -> None:
    _store_state(folder, EVENTS_STATE, state)


def _load_state(path: Path, kind: type):
    from ..cache import code_version

    was_enabled = gc.isenabled()
    gc.disable()    # hundreds of thousands of objects without cycles: the collector's passes found nothing and cost half the load
    try:
        with open(path, "rb") as f:
            version, state = pickle.load(f)
    except Exception:   # missing, damaged or of an older format: computed again
        return None
    finally:
        if was_enabled:
            gc.enable()
    return state if version == code_version() and isinstance(state, kind) else None


def _store_state(folder: Path, name: str, state: object) -> None:
    """Written to a temporary file and renamed: a killed build never leaves half of it."""
    from ..cache import code_version

    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
        with os.fdopen(fd, "wb") as f:
            pickle.dump((code_version(), state), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / name)
    except OSError:
        pass    # a read-only or full disk costs speed, never the build


def _editorial_folder(editorial: Editorial):
    from pathlib import Path

    folder = getattr(editorial, "folder", None)
    if folder is not None:
        return Path(folder)
    return next((Path(f).parent for f in sorted(editorial.files.values())), None)
