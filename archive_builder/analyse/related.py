"""Related documents, each with the reasons it is related.

Scored the way Hugo scores related content, but every point is explained:

* each document has *signals*: the events it describes or mentions, the
  places its claims name;
* an inverted index signal -> documents gives the candidate pairs (never
  all pairs); a signal found in too many documents says nothing about any
  of them and is dropped (document-frequency cut-off, like Hugo's
  cardinality threshold), which also bounds the work per signal;
* shared passages and resolved references add their own reasons;
* a pair's score is the sum of its reasons' weights (WEIGHTS); pairs below
  THRESHOLD are not related; each document keeps its MAX_RELATED best;
* editorial/related.yaml pins pairs (always shown, with the archivist's
  note) and blocks pairs (never shown).
"""

from __future__ import annotations

import re
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter
from typing import Any, Iterable, Iterator, Mapping, Sequence

from ..model import Claim, Event, Problem, Record, Reason, Reference, Relation, SharedPassage
from .columns import from_columns

WEIGHTS: Mapping[str, float] = {
    "shared event": 10.0,       # both describe the event
    "mentioned event": 4.0,     # one describes it, the other refers to it
    "shared passage": 8.0,
    "shared place": 1.5,        # per place, for places named in both documents' claims ...
    "shared places at most": 6.0,   # ... but places alone never outweigh a shared event
    "reference": 12.0,
    "reply": 12.0,
    "pinned": 100.0,
}
THRESHOLD = 3.0
MAX_RELATED = 12
MIN_DF_CUTOFF = 25          # a signal in up to this many documents is always kept
DF_FRACTION = 0.05          # above that, a signal in more than 5% of the documents is dropped,
MAX_DF_CUTOFF = 250         # and always one in more than this many (its pairs grow as the square)


def df_cutoff(n_documents: int) -> int:
    return min(MAX_DF_CUTOFF, max(MIN_DF_CUTOFF, int(DF_FRACTION * n_documents)))


# --- references -----------------------------------------------------------------

_TOKEN = re.compile(r"\w+")
_SYMBOL_PART = re.compile(r"-(?=[A-Z]+/)")   # "A/75/710-S/2021/42" -> "A/75/710", "S/2021/42"
_GENERIC = frozenset("the of and for to in on a an republic ministry".split())


def _symbols(text: str) -> set[str]:
    text = text.strip().upper()
    return {text, *(_SYMBOL_PART.split(text))} if text else set()


def _name_tokens(text: str | None) -> frozenset[str]:
    return frozenset(t for t in _TOKEN.findall((text or "").casefold()) if t not in _GENERIC)


def _same_issuer(a: str, b: str) -> bool:
    """"Foreign Ministry of Armenia" and "Ministry of Foreign Affairs of Armenia"
    differ; an issuer matches an agent when one's content words contain the other's."""
    x, y = _name_tokens(a), _name_tokens(b)
    return bool(x and y) and (x <= y or y <= x)


def _agents(r: Record) -> list[str]:
    out = []
    for s in (r.author, r.publisher):
        v = s.value
        if v is not None:
            out.extend(x for x in (getattr(v, "name", None), getattr(v, "canonical", None), getattr(v, "affiliation", None)) if x)
    return out


def resolve_references(records: Sequence[Record]) -> list[tuple[str, str, Reference]]:
    """(citing document, cited document, reference) for each reference that names
    a document of the archive: by UN symbol (in the cited record's header or
    title), or by date plus issuer (the cited record's date and author/publisher)."""
    by_symbol: dict[str, set[str]] = defaultdict(set)
    by_date: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        for _, value in r.header:
            for s in _symbols(str(value)):
                by_symbol[s].add(r.id)
        if isinstance(r.date.value, str):
            by_date[r.date.value].append(r)
    out: list[tuple[str, str, Reference]] = []
    for r in records:
        for ref in r.references:
            targets: set[str] = set()
            if ref.symbol:
                for s in _symbols(ref.symbol):
                    targets |= by_symbol.get(s, set())
            if ref.date and ref.issuer:
                for other in by_date.get(ref.date, ()):
                    if any(_same_issuer(ref.issuer, a) for a in _agents(other)):
                        targets.add(other.id)
            out.extend((r.id, t, ref) for t in sorted(targets - {r.id}))
    return out


# --- related.yaml ------------------------------------------------------------------


@dataclass(frozen=True)
class Curation:
    pins: Mapping[tuple[str, str], str]   # ordered pair -> note
    blocks: frozenset[tuple[str, str]]


def parse_related(data: Any, file: str, lines: Mapping[str, int], known: Iterable[str]) -> tuple[Curation, list[Problem]]:
    """related.yaml: `pin:` and `block:` lists of {documents: [a, b], note: "..."} (or [a, b]).

    Both apply in both directions.  Bad entries are reported and skipped."""
    pins: dict[tuple[str, str], str] = {}
    blocks: set[tuple[str, str]] = set()
    problems: list[Problem] = []
    if data is None:
        return Curation(pins, frozenset(blocks)), problems
    if not isinstance(data, Mapping):
        return Curation({}, frozenset()), [Problem(file, 1, "related.yaml has 'pin' and 'block' lists of {documents: [a, b], note}", "error")]
    ids = set(known)
    for key, items in data.items():
        line = lines.get(str(key))
        if key not in ("pin", "block"):
            problems.append(Problem(file, line, f"unknown key '{key}' (valid keys: pin, block)", "error"))
            continue
        if not isinstance(items, list):
            problems.append(Problem(file, line, f"'{key}' must be a list of {{documents: [a, b], note}}", "error"))
            continue
        for n, item in enumerate(items, 1):
            docs, note = (item.get("documents"), item.get("note")) if isinstance(item, Mapping) else (item, None)
            if not (isinstance(docs, list) and len(docs) == 2 and all(isinstance(d, str) for d in docs) and docs[0] != docs[1]):
                problems.append(Problem(file, line, f"'{key}' item {n}: needs two different document ids, e.g. documents: [a, b]", "error"))
                continue
            missing = [d for d in docs if d not in ids]
            if missing:
                problems.append(Problem(file, line, f"'{key}' item {n}: no document with id '{missing[0]}'", "warning"))
                continue
            a, b = docs
            if key == "pin":
                pins[(a, b)] = pins[(b, a)] = str(note) if note else "pinned by the archivists"
            else:
                blocks.update({(a, b), (b, a)})
    return Curation(pins, frozenset(blocks)), problems


# --- scoring -------------------------------------------------------------------------


def _pairs(postings: dict[str, list[str]], cutoff: int, targets: Mapping[str, Iterable[str]] | None = None,
           ) -> Iterable[tuple[str, str, str]]:
    """(signal, a, b) for every ordered pair of documents sharing a discriminating signal;
    with `targets`, only the pairs (a, b) with b in targets[a], in the same order."""
    for signal in sorted(postings):
        docs = sorted(set(postings[signal]))
        if len(docs) < 2 or len(docs) > cutoff:
            continue
        if targets is None:
            for a in docs:
                for b in docs:
                    if a != b:
                        yield signal, a, b
            continue
        members = set(docs)
        for a in docs:
            wanted = targets.get(a)
            if wanted:
                for b in sorted(members.intersection(wanted)):
                    if a != b:
                        yield signal, a, b


def _place_documents(claims: Sequence[Claim]) -> dict[str, list[str]]:
    """Place key -> the documents whose claims name it (once per claim)."""
    place_docs: dict[str, list[str]] = defaultdict(list)
    for c in claims:
        for _, key in c.places:
            if key:
                place_docs[key].append(c.document_id)
    return place_docs


@dataclass(frozen=True)
class _Partners:
    """Each document's signals, for scoring one source document at a time:
    the other documents of each signal it shares, as lists shared between its
    documents (what _evidence yields, by source)."""

    described: Mapping[str, list[list[str]]]    # events that describe it (2..cutoff documents of ids)
    mentioned: Mapping[str, list[Sequence[str]]]    # per event: the documents it refers to / that refer to it
    placed: Mapping[str, list[list[str]]]       # places its claims name (2..cutoff documents)
    passages: Mapping[str, list[str]]           # the other document of each shared passage
    references: Mapping[str, list[tuple[str, float]]]   # the other document and weight of each citation or reply
    pinned: Mapping[str, list[str]]

    def sources(self) -> set[str]:
        return set().union(self.described, self.mentioned, self.placed, self.passages, self.references, self.pinned)


def _shared_documents(postings: Iterable[Iterable[str]], cutoff: int) -> dict[str, list[list[str]]]:
    """Document -> the document lists (sorted, without repeats) of the discriminating
    signals it is in (2..cutoff documents)."""
    out: dict[str, list[list[str]]] = defaultdict(list)
    for docs in postings:
        docs = sorted(set(docs))
        if 2 <= len(docs) <= cutoff:
            for d in docs:
                out[d].append(docs)
    return out


def _partners(ids: set[str], place_docs: Mapping[str, Sequence[str]], events: Sequence[Event],
              passages: Sequence[SharedPassage], curation: Curation, cutoff: int,
              references: Sequence[tuple[str, str, Reference]]) -> _Partners:
    mentioned: dict[str, list[Sequence[str]]] = defaultdict(list)
    for e in events:
        if len(e.documents) + len(e.mentioned_by) <= cutoff:
            for m in e.mentioned_by:
                mentioned[m].append(e.documents)
            for d in e.documents:
                mentioned[d].append(e.mentioned_by)
    by_passage: dict[str, list[str]] = defaultdict(list)
    for a, b in zip(map(_A, passages), map(_B, passages)):
        by_passage[a].append(b)
        by_passage[b].append(a)
    by_reference: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for src, dst, ref in references:
        weight = WEIGHTS["reply" if ref.relation == "answers" else "reference"]
        by_reference[src].append((dst, weight))
        by_reference[dst].append((src, weight))
    pinned: dict[str, list[str]] = defaultdict(list)
    for a, b in curation.pins:
        pinned[a].append(b)
    return _Partners(_shared_documents(([d for d in e.documents if d in ids] for e in events), cutoff),
                     mentioned, _shared_documents(place_docs.values(), cutoff), by_passage, by_reference, pinned)


def _scores_of(a: str, partners: _Partners) -> dict[str, float]:
    """The score of each pair (a, b): the sum of the weights _evidence gives
    it, with each signal's documents counted at once (Counter over
    itertools).  One source at a time: the scores of every pair at once (670,000
    at 10,000 captures) were a fifth of the build's peak of memory.  Every
    weight is a multiple of 0.5, so the sums are exact in any order."""
    described = Counter(chain.from_iterable(partners.described.get(a, ())))
    described.pop(a, None)
    score: dict[str, float] = defaultdict(float, zip(described, map(WEIGHTS["shared event"].__mul__,
                                                                    described.values())))
    for b, n in Counter(chain.from_iterable(partners.mentioned.get(a, ()))).items():
        score[b] += WEIGHTS["mentioned event"] * n
    placed = Counter(chain.from_iterable(partners.placed.get(a, ())))
    placed.pop(a, None)
    for b, n in placed.items():
        score[b] += _places_weight(n)
    for b, n in Counter(partners.passages.get(a, ())).items():
        score[b] += WEIGHTS["shared passage"] * n
    for b, weight in partners.references.get(a, ()):
        score[b] += weight
    for b in partners.pinned.get(a, ()):
        score[b] += WEIGHTS["pinned"]
    return score


_A, _B = attrgetter("a"), attrgetter("b")


def _evidence(ids: set[str], place_docs: dict[str, list[str]], events: Sequence[Event],
              passages: Sequence[SharedPassage], curation: Curation, cutoff: int,
              references: Sequence[tuple[str, str, Reference]], targets: Mapping[str, Iterable[str]] | None = None,
              ) -> Iterator[tuple[str, str, str, Any, float]]:
    """Every piece of evidence that a document relates to another, as
    (source, target, kind, what, weight); "place" items carry the place key and
    are weighed together per pair (WEIGHTS["shared places at most"]).  With
    `targets`, the pairs of a signal shared by many documents are dealt out
    only for the pairs (a, b) with b in targets[a] (the others' evidence was
    made and thrown away: seven in eight items at 10,000 captures); each pair's
    evidence comes in the same order."""
    describes = {e.id: [d for d in e.documents if d in ids] for e in events}
    by_id = {e.id: e for e in events}
    for eid, a, b in _pairs(describes, cutoff, targets):
        yield a, b, "shared event", ("both describe", by_id[eid].label), WEIGHTS["shared event"]
    for e in events:
        if len(e.documents) + len(e.mentioned_by) > cutoff:
            continue
        for m in e.mentioned_by:
            for d in e.documents:
                yield m, d, "shared event", ("refers", e.label), WEIGHTS["mentioned event"]
                yield d, m, "shared event", ("referred", e.label), WEIGHTS["mentioned event"]
    for key, a, b in _pairs(place_docs, cutoff, targets):
        yield a, b, "place", key, 0.0
    for p in passages:
        yield p.a, p.b, "shared passage", ("passage", p.similarity), WEIGHTS["shared passage"]
        yield p.b, p.a, "shared passage", ("passage", p.similarity), WEIGHTS["shared passage"]
    for src, dst, ref in references:
        kind = "reply" if ref.relation == "answers" else "reference"
        yield src, dst, kind, ("this", ref.text), WEIGHTS[kind]
        yield dst, src, kind, ("other", ref.text), WEIGHTS[kind]
    for (a, b), note in sorted(curation.pins.items()):
        yield a, b, "pinned", ("pinned", note), WEIGHTS["pinned"]


def _places_weight(n: int) -> float:
    return min(WEIGHTS["shared place"] * n, WEIGHTS["shared places at most"])


def _reason(kind: str, what: tuple[str, Any], weight: float) -> Reason:
    how, value = what
    if how == "both describe":
        return Reason(kind, f"both describe {value}", weight)
    if how == "refers":
        return Reason(kind, f"this document refers to {value}, which the other describes", weight)
    if how == "referred":
        return Reason(kind, f"the other document refers to {value}, which this one describes", weight)
    if how == "passage":
        return Reason(kind, f"both contain a passage nearly word for word ({value:.0%} alike)", weight)
    if how in ("this", "other"):
        verb = "answers" if kind == "reply" else "cites"
        who = f"this document {verb} the other" if how == "this" else f"the other document {verb} this one"
        return Reason(kind, f"{who}: “{value}”", weight)
    return Reason(kind, str(value), weight)


def relate(records: Sequence[Record], claims: Sequence[Claim], events: Sequence[Event],
           passages: Sequence[SharedPassage], curation: Curation | None = None) -> tuple[Relation, ...]:
    """Each document's related documents, best first, with reasons.

    Two passes over the evidence: the first only adds up scores per pair
    (_scores_of, counting whole signals, one source document at a time); the
    second writes reasons for the pairs each document keeps, so a corpus with
    millions of weakly related pairs never holds millions of Reason objects."""
    return relate_since(records, claims, events, passages, curation, None)[0]


@dataclass(frozen=True)
class RelateState:
    """What relate_since keeps from one build for the next: the settings, every
    signal with all relate reads of it, and each document's relations."""

    cutoff: int
    curation: Curation
    signals: Mapping[str, dict]                 # see _signals
    relations: Mapping[str, tuple[Relation, ...]]   # by source document

    def __reduce__(self):
        # Pickled as columns: unpickling a slotted dataclass calls its
        # __setstate__ per object, most of the cost of loading the state.
        # The Reasons stay objects: a few hundred distinct ones, shared.
        everything = [r for rels in self.relations.values() for r in rels]
        packed = (list(self.relations), array("I", map(len, self.relations.values())),
                  [r.target for r in everything], array("d", [r.score for r in everything]),
                  [r.reasons for r in everything])
        return _unpack_relate_state, (self.cutoff, self.curation, self.signals, packed)


def _unpack_relate_state(cutoff: int, curation: Curation, signals: Mapping[str, dict], packed: tuple) -> RelateState:
    sources, counts, targets, scores, reasons = packed
    made = from_columns(Relation, ([a for a, n in zip(sources, counts) for _ in range(n)], targets, scores, reasons))
    relations: dict[str, tuple[Relation, ...]] = {}
    first = 0
    for a, n in zip(sources, counts):
        relations[a] = tuple(made[first:first + n])
        first += n
    return RelateState(cutoff, curation, signals, relations)


def _spellings(claims: Sequence[Claim]) -> dict[str, str]:
    """Each place key's first spelling in the claims (how a "shared places" reason names it)."""
    spelling: dict[str, str] = {}
    for c in claims:
        for text, key in c.places:
            spelling.setdefault(key, text)
    return spelling


def _signals(ids: set[str], place_docs: Mapping[str, Sequence[str]], spelling: Mapping[str, str],
             events: Sequence[Event], passages: Sequence[SharedPassage],
             references: Sequence[tuple[str, str, Reference]]) -> dict[str, dict]:
    """Everything a pair's score and reasons come from, by kind of signal:
    events and places map to (the documents they involve, what else relate
    reads of them); passages and references map a pair of documents to what
    relate reads of them.  A document's relations are a function of the
    signals that involve it (and of the cut-off and related.yaml): when none
    of those changed, neither did they."""
    by_event = {e.id: (frozenset(e.documents) | frozenset(e.mentioned_by), e.label, e.documents,
                       tuple(d in ids for d in e.documents), e.mentioned_by) for e in events}
    by_place = {key: (frozenset(docs), spelling.get(key, key)) for key, docs in place_docs.items()}
    by_passage: dict[tuple[str, str], tuple] = {}
    for p in passages:
        by_passage[p.a, p.b] = by_passage.get((p.a, p.b), ()) + (p.similarity,)
    by_reference: dict[tuple[str, str], tuple] = {}
    for src, dst, ref in references:
        by_reference[src, dst] = by_reference.get((src, dst), ()) + ((ref.relation, ref.text),)
    return {"event": by_event, "place": by_place, "passage": by_passage, "reference": by_reference}


def _changed_documents(now: Mapping[str, dict], before: Mapping[str, dict]) -> set[str]:
    """The documents a signal involves that changed (came, went or says something else)."""
    changed: set[str] = set()
    for kind in now.keys() | before.keys():
        signals, previous = now.get(kind, {}), before.get(kind, {})
        if signals == previous:
            continue
        for key in signals.keys() | previous.keys():
            value, old = signals.get(key), previous.get(key)
            if value == old:
                continue
            if kind in ("event", "place"):
                changed.update(value[0] if value else (), old[0] if old else ())
            else:
                changed.update(key)
    return changed


def relate_since(records: Sequence[Record], claims: Sequence[Claim], events: Sequence[Event],
                 passages: Sequence[SharedPassage], curation: Curation | None = None,
                 previous: RelateState | None = None) -> tuple[tuple[Relation, ...], RelateState]:
    """relate, and the state for the next build.  With the state of a previous
    build only the documents a changed signal involves (before or after the
    change) are related again; the others keep their relations (the result is
    the same as relate's: a document's relations depend on its signals only)."""
    curation = curation or Curation({}, frozenset())
    ids = {r.id for r in records}
    cutoff = df_cutoff(len(records))
    references = resolve_references(records)
    place_docs = _place_documents(claims)
    spelling = _spellings(claims)
    signals = _signals(ids, place_docs, spelling, events, passages, references)
    if previous is None or previous.cutoff != cutoff or previous.curation != curation:
        by_source = _relations(ids, place_docs, spelling, events, passages, curation, cutoff, references, None)
    else:
        changed = _changed_documents(signals, previous.signals)
        # only the signals that involve a changed document can change its relations
        events = [e for e in events if not changed.isdisjoint(signals["event"][e.id][0])]
        place_docs = {k: docs for k, docs in place_docs.items() if not changed.isdisjoint(docs)}
        passages = [p for p in passages if p.a in changed or p.b in changed]
        references = [(s, d, ref) for s, d, ref in references if s in changed or d in changed]
        if not changed:
            return tuple(r for a in sorted(previous.relations) for r in previous.relations[a]), previous
        by_source = {a: rels for a, rels in previous.relations.items() if a not in changed}
        by_source.update(_relations(ids, place_docs, spelling, events, passages, curation, cutoff,
                                    references, changed))
    relations = tuple(r for a in sorted(by_source) for r in by_source[a])
    return relations, RelateState(cutoff, curation, signals, by_source)


def _relations(ids: set[str], place_docs: dict[str, list[str]], spelling: Mapping[str, str],
               events: Sequence[Event], passages: Sequence[SharedPassage], curation: Curation, cutoff: int,
               references: Sequence[tuple[str, str, Reference]], sources: set[str] | None,
               ) -> dict[str, tuple[Relation, ...]]:
    """The relations of the documents in `sources` (all when None), by source."""
    partners = _partners(ids, place_docs, events, passages, curation, cutoff, references)
    ranked: dict[str, list[tuple[float, str]]] = {}
    for a in sorted(partners.sources() if sources is None else partners.sources() & sources):
        candidates = [(-round(total, 3), b) for b, total in _scores_of(a, partners).items()
                      if total >= THRESHOLD and (a, b) not in curation.blocks]
        if candidates:
            ranked[a] = sorted(candidates)[:MAX_RELATED]
    del partners
    kept = {(a, b) for a, top in ranked.items() for _, b in top}
    targets = {a: {b for _, b in top} for a, top in ranked.items()}

    # The same few reasons recur across thousands of pairs ("both describe
    # Velmora, 3–4 March 1987"): each is made once and shared, as are the
    # merged tuples of them (a Reason is frozen, so sharing changes no value).
    made: dict[tuple[str, Any, float], Reason] = {}
    reasons: dict[tuple[str, str], list[Reason]] = defaultdict(list)
    place_keys: dict[tuple[str, str], list[str]] = defaultdict(list)
    for a, b, kind, what, weight in _evidence(ids, place_docs, events, passages, curation, cutoff, references,
                                              targets):
        if (a, b) not in kept:
            continue
        if kind == "place":
            place_keys[(a, b)].append(what)
        else:
            key = (kind, what, weight)
            reason = made.get(key)
            if reason is None:
                reason = made[key] = _reason(kind, what, weight)
            reasons[(a, b)].append(reason)
    said: dict[tuple[str, ...], Reason] = {}
    for pair, keys in place_keys.items():
        reason = said.get(tuple(keys))
        if reason is None:
            names = sorted({spelling.get(k, k) for k in keys})
            reason = said[tuple(keys)] = Reason("shared places", "both name " + ", ".join(names),
                                                _places_weight(len(keys)))
        reasons[pair].append(reason)
    merged: dict[tuple[int, ...], tuple[Reason, ...]] = {}
    out: dict[str, tuple[Relation, ...]] = {}
    for a in sorted(ranked):
        relations = []
        for neg, b in ranked[a]:
            said_for_pair = reasons.get((a, b), ())
            key = tuple(map(id, said_for_pair))     # the reasons are shared objects, alive until the end
            pair_reasons = merged.get(key)
            if pair_reasons is None:
                pair_reasons = merged[key] = _merge_reasons(said_for_pair)
            relations.append(Relation(a, b, -neg, pair_reasons))
        out[a] = tuple(relations)
    return out


def _merge_reasons(reasons: Sequence[Reason]) -> tuple[Reason, ...]:
    """Repeated reasons of one kind become one (weights add): "shared passage ×2"."""
    grouped: dict[tuple[str, str], list[Reason]] = defaultdict(list)
    for r in reasons:
        grouped[(r.kind, r.detail)].append(r)
    # a reason said once is kept as it is (weights are multiples of 0.5, so
    # rounding leaves them unchanged): half the Reason objects relate made were such copies
    merged = [rs[0] if len(rs) == 1 and round(rs[0].weight, 3) == rs[0].weight else
              Reason(k, d if len(rs) == 1 else f"{d} (×{len(rs)})", round(sum(r.weight for r in rs), 3))
              for (k, d), rs in grouped.items()]
    return tuple(sorted(merged, key=lambda r: (-r.weight, r.kind, r.detail)))
