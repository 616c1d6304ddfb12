"""group_events_since after random edits gives exactly what group_events gives."""

from __future__ import annotations

import datetime as dt
import pickle

from hypothesis import given, settings, strategies as st

from archive_builder.analyse import events as events_module
from archive_builder.analyse.events import group_events, group_events_since, parse_event_rules
from archive_builder.model import Claim, Figure

_DOCS = [f"d{i}" for i in range(6)]
_BASE = dt.date(2000, 1, 1)
_BROAD = frozenset({"ruritania", "borduria"})

# a claim: (first day, extra days, how its date is given, places, figure value)
_claim = st.tuples(st.integers(0, 40), st.integers(0, 3),
                   st.sampled_from(["stated", "context", "month", "undated", "long"]),
                   # "Port More" and "Port-More" are two places of one slug: their events' ids collide
                   st.lists(st.sampled_from(["Riverton", "Port More", "Port-More", "Lakeside", "Ruritania",
                                             "Borduria", "riverton"]), max_size=2),
                   st.sampled_from([None, 5, 7]))
# a document: its claims and the names it gives events: (name, claim it is near, before or far from it)
_document = st.tuples(st.lists(_claim, max_size=5),
                      st.lists(st.tuples(st.sampled_from(["Black Monday", "the Crisis"]), st.integers(0, 4),
                                         st.sampled_from([0, 3, 2000])), max_size=2),
                      st.booleans())


def _date(first: int, extra: int, how: str) -> tuple[str, str, str] | None:
    day = _BASE + dt.timedelta(first)
    if how == "undated":
        return None
    if how == "month":
        return (day.strftime("%B %Y"), day.strftime("%Y-%m"), "stated")
    if how == "long":
        return ("long", f"{day}/{day + dt.timedelta(60)}", "stated")
    edtf = f"{day}/{day + dt.timedelta(extra)}" if extra else str(day)
    return (edtf, edtf, how)


def _document_inputs(doc: str, spec) -> tuple[list[Claim], list[tuple[str, int, int]], str]:
    claims_spec, names_spec, paragraphs = spec
    claims = []
    for k, (first, extra, how, places, figure) in enumerate(claims_spec):
        date = _date(first, extra, how)
        start = 100 * k
        figures = (Figure("killed", figure, None, None, "exact", None, str(figure), start, start + 2),) if figure else ()
        claims.append(Claim(f"{doc}-c{k}", doc, "event", "q", start, start + 20, figures=figures,
                            dates=(date,) if date else (),
                            places=tuple((p, "" if p == "Lakeside" and k % 2 else p.lower()) for p in places)))
    names = [(name, min(100 * k + offset, 100 * len(claims_spec) + offset), min(100 * k + offset, 100 * len(claims_spec) + offset) + 5)
             for name, k, offset in names_spec]
    body = ("x" * 90 + ("\n\n" if paragraphs else " ")) * (len(claims_spec) + 25)
    return claims, names, body


def _inputs(corpus: dict):
    claims, names, bodies, keys = [], {}, {}, {}
    for doc in sorted(corpus):
        c, names[doc], bodies[doc] = _document_inputs(doc, corpus[doc])
        claims += c
        keys[doc] = repr(corpus[doc])
    return claims, names, bodies, keys


_edits = st.lists(st.tuples(st.sampled_from(_DOCS), st.none() | _document), min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(_DOCS), _document, max_size=6), _edits, st.sampled_from([frozenset(), _BROAD]))
def test_incremental_events_equal_a_full_grouping_after_random_edits(first_corpus, edits, broad):
    """Each step edits, adds or removes one document (None); the state goes
    through pickle as it does through the build cache."""
    corpus = dict(first_corpus)
    original, events_module.INCREMENTAL_EVENTS_SHARE = events_module.INCREMENTAL_EVENTS_SHARE, 1.0
    try:
        claims, names, bodies, keys = _inputs(corpus)
        found = group_events_since(claims, names, broad_places=broad, bodies=bodies, keys=keys)
        assert found[:3] == group_events(claims, names, broad_places=broad, bodies=bodies)
        state = found[3]
        for doc, spec in edits:
            if spec is None:
                corpus.pop(doc, None)
            else:
                corpus[doc] = spec
            claims, names, bodies, keys = _inputs(corpus)
            state = pickle.loads(pickle.dumps(state))
            events, out, problems, state = group_events_since(claims, names, broad_places=broad, bodies=bodies,
                                                              keys=keys, previous=state)
            assert (events, out, problems) == group_events(claims, names, broad_places=broad, bodies=bodies)
    finally:
        events_module.INCREMENTAL_EVENTS_SHARE = original


def test_editorial_rules_or_no_keys_group_everything_and_keep_no_state():
    claims, names, bodies, keys = _inputs({"d0": ([(3, 0, "stated", ["Riverton"], 5)], [], False)})
    rules, _ = parse_event_rules({"r": {"date": "2000-01-04", "label": "The day"}}, "events.yaml", {})
    with_rules = group_events_since(claims, names, rules, bodies=bodies, keys=keys)
    assert with_rules[3] is None and with_rules[0][0].label == "The day"
    assert group_events_since(claims, names, bodies=bodies)[3] is None
    plain = group_events_since(claims, names, bodies=bodies, keys=keys)
    assert plain[3] is not None and plain[:3] == group_events(claims, names, bodies=bodies)


def test_an_unchanged_corpus_keeps_the_state_and_its_events():
    corpus = {"d0": ([(3, 0, "stated", ["Riverton"], 5)], [("the Crisis", 0, 3)], True),
              "d1": ([(4, 1, "context", ["Riverton"], None), (20, 0, "month", ["Riverton"], None)], [], False)}
    claims, names, bodies, keys = _inputs(corpus)
    events, _, _, state = group_events_since(claims, names, bodies=bodies, keys=keys)
    again = group_events_since(claims, names, bodies=bodies, keys=keys, previous=state)
    assert again[3] is state and again[0] is state.events and again[:3] == group_events(claims, names, bodies=bodies)


def test_analyse_with_record_keys_keeps_an_events_state_and_equals_analyse_without(tmp_path, monkeypatch):
    """Through analyse and the cache: the seeds, then one seed with a new
    paragraph placed on a day of their events, then the seeds again."""
    import dataclasses
    import hashlib
    from pathlib import Path

    from archive_builder.analyse import EVENTS_STATE, analyse
    from archive_builder.build import BuildReport, read_records
    from archive_builder.editorial import Editorial

    monkeypatch.setattr(events_module, "INCREMENTAL_EVENTS_SHARE", 1.0)
    since = events_module._group_since
    used = []
    monkeypatch.setattr(events_module, "_group_since", lambda *args: used.append(1) or since(*args))
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    records = sorted(read_records(seeds, {}, BuildReport()), key=lambda r: r.id)

    def keys(rs):
        return {r.id: hashlib.sha256(repr(r).encode()).hexdigest() for r in rs}

    cache = tmp_path / "cache"
    assert analyse(records, Editorial(), cache=cache, record_keys=keys(records)) == analyse(records, Editorial())
    assert (cache / EVENTS_STATE).is_file()
    edited = [dataclasses.replace(r, body=r.body + "\n\nOn 20 January 1990, 21 people were killed in Baku.")
              if r is records[0] else r for r in records]
    assert analyse(edited, Editorial(), cache=cache, record_keys=keys(edited)) == analyse(edited, Editorial())
    assert analyse(records, Editorial(), cache=cache, record_keys=keys(records)) == analyse(records, Editorial())
    assert len(used) == 2
    # without a key for every record, nothing is kept or used
    (cache / EVENTS_STATE).unlink()
    assert analyse(records, Editorial(), cache=cache, record_keys={}) == analyse(records, Editorial())
    assert not (cache / EVENTS_STATE).exists() and len(used) == 2
