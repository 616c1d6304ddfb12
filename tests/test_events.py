"""Events grouped from hand-built claims about invented events (no seeds here)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, strategies as st

from archive_builder.analyse.events import (
    aggregate_figures, cluster, day_interval, group_events, parse_event_rules, place_claims,
)
from archive_builder.model import Claim, Figure

_counter = {"n": 0}


def claim(doc, *, dates=(), places=(), figures=(), start=None, kind="event", quote="q"):
    _counter["n"] += 1
    n = _counter["n"]
    s = start if start is not None else n * 10
    figs = tuple(Figure(m, v, lo, hi, q, None, str(v), s, s + 3) for m, v, lo, hi, q in figures)
    return Claim(id=f"{doc}-c{n}", document_id=doc, kind=kind, quote=quote, start=s, end=s + 5,
                 figures=figs, dates=tuple((e, e, how) for e, how in dates),
                 places=tuple((p, p.lower()) for p in places))


def test_day_interval_only_for_day_precision():
    assert day_interval("2001-05-03/2001-05-04") == (dt.date(2001, 5, 3), dt.date(2001, 5, 4))
    assert day_interval("2001-05-13/..") == (dt.date(2001, 5, 13), dt.date(2001, 5, 13))
    assert day_interval("2001-05") is None
    assert day_interval("1948/1953") is None
    assert day_interval(None) is None


def test_same_place_different_days_are_different_events():
    claims = [
        claim("a", dates=[("2001-05-03/2001-05-04", "stated")], places=["Riverton"], figures=[("killed", 12, None, None, "exact")]),
        claim("b", dates=[("2001-05-04", "stated")], places=["Riverton"], figures=[("killed", 14, None, None, "exact")]),
        claim("c", dates=[("2001-05-20", "stated")], places=["Riverton"]),
        claim("c", dates=[("2001-05-04", "stated")], places=["Lakeside"]),
    ]
    events, out, problems = group_events(claims)
    assert not problems
    labels = [e.label for e in events]
    assert labels == ["Riverton, 3–4 May 2001", "Lakeside, 4 May 2001", "Riverton, 20 May 2001"]
    first = events[0]
    assert first.id == "2001-05-03-riverton"
    assert first.documents == ("a", "b")
    killed = [(f.value, f.documents) for f in first.figures if f.measure == "killed"]
    assert killed == [(12, ("a",)), (14, ("b",))]      # disagreeing values both kept
    assert {c.id: c.event_id for c in out}[claims[1].id] == first.id


def test_claims_without_a_specific_place_join_the_event_of_their_documents_place():
    claims = [
        claim("d", dates=[("1999-09-09", "stated")], places=["Portmore", "Ruritania"], start=0),
        claim("d", dates=[("1999-09-09", "context")], figures=[("injured", 30, None, None, "exact")], start=50),
        claim("e", dates=[("1999-09-08/1999-09-09", "stated")], places=["Ruritania"], start=0),     # a country
        claim("d", figures=[("died", None, 20, 40, "range")], start=90),            # no date at all: not placed
        claim("d", dates=[("1988", "stated")], figures=[("displaced", 900, None, None, "approximate")], start=150),
        claim("f", dates=[("2003-03-03", "stated")], places=["Ruritania"]),         # nothing else then: its own event
    ]
    events, out, _ = group_events(claims, broad_places={"ruritania"})
    assert [e.label for e in events] == ["Portmore, 8–9 September 1999", "Ruritania, 3 March 2003"]
    ev = events[0]
    assert ev.documents == ("d", "e") and ev.places == ("Portmore",)
    assert [(f.measure, f.value) for f in ev.figures] == [("injured", 30)]
    assert [c.event_id for c in out] == [ev.id, ev.id, ev.id, None, None, events[1].id]


def test_a_country_only_claim_joins_an_event_in_that_country_at_the_same_time():
    claims = [
        claim("a", dates=[("2011-02-02", "stated")], places=["Hilltown", "Ruritania"]),
        claim("b", dates=[("2011-02-02", "stated")], places=["Ruritania"]),         # b names no city at all
        claim("c", dates=[("2011-02-02", "stated")], places=["Borduria"]),          # another country
    ]
    events, _, _ = group_events(claims, broad_places={"ruritania", "borduria"})
    assert sorted((e.label, e.documents) for e in events) == [("Borduria, 2 February 2011", ("c",)),
                                                              ("Hilltown, 2 February 2011", ("a", "b"))]


def test_month_precision_mention_refers_without_describing():
    claims = [
        claim("x", dates=[("2010-03-02", "stated")], places=["Hilltown"]),
        claim("y", dates=[("2010-03", "stated")], places=["Hilltown"]),
        claim("z", dates=[("2010-03", "stated")], places=["Valley"]),
        claim("w", dates=[("2010", "stated")], places=["Hilltown"]),          # a year is too wide to refer to it
        claim("v", dates=[("2009-02/..", "stated")], places=["Hilltown"]),    # so is "since February 2009"
    ]
    events, _, _ = group_events(claims)
    assert [(e.documents, e.mentioned_by) for e in events] == [(("x",), ("y",))]


def test_names_used_come_from_near_the_events_claims():
    claims = [
        claim("p", dates=[("2005-07-07", "stated")], places=["Cityville"], start=100),
        claim("q", dates=[("2005-07-07", "stated")], places=["Cityville"], start=10),
        claim("q", dates=[("1960-01-01", "stated")], places=["Cityville"], start=5000),
    ]
    names = {"p": [("the July bombing", 40, 56)], "q": [("7/7", 0, 3), ("the old riot", 5020, 5032)]}
    events, _, _ = group_events(claims, names)
    by_id = {e.edtf: e for e in events}
    assert by_id["2005-07-07"].names_used == (("7/7", ("q",)), ("the July bombing", ("p",)))
    assert by_id["1960-01-01"].names_used == (("the old riot", ("q",)),)


def test_editorial_rules_label_merge_and_split():
    claims = [
        claim("a", dates=[("2001-05-03", "stated")], places=["Riverton"]),
        claim("b", dates=[("2001-05-06", "stated")], places=["Riverton"]),
        claim("c", dates=[("2001-06-01/2001-06-10", "stated")], places=["Portmore"]),
        claim("d", dates=[("2001-06-08", "stated")], places=["Portmore"]),
    ]
    data = {
        "riverton": {"date": "2001-05-03", "place": "Riverton", "label": "Riverton, early May 2001",
                     "merge": [{"date": "2001-05-06", "place": "Riverton"}]},
        "portmore": {"date": "2001-06", "place": "Portmore", "split_at": "2001-06-05"},
        "nothing": {"date": "1900-01-01"},
        "broken": {"place": "Riverton"},
        "typo": {"date": "2001-05-03", "lable": "x"},
    }
    rules, problems = parse_event_rules(data, "events.yaml", {"broken": 7, "typo": 9})
    assert [(p.line, "date" in p.message or "lable" in p.message) for p in problems] == [(7, True), (9, True)]
    events, _, more = group_events(claims, rules=rules, rules_file="events.yaml")
    assert [e.label for e in events][0] == "Riverton, early May 2001"
    assert events[0].label_basis == "curated" and events[0].documents == ("a", "b")
    assert [e.documents for e in events[1:]] == [("c",), ("d",)]
    assert [p.message for p in more] == ["event rule 'nothing' matches no event"]


def test_bad_events_yaml_shapes_never_crash():
    for data in (["a"], "text", 3, {"x": None}, {"x": {"date": "not a date"}}, {"x": {"date": "2001", "merge": "y"}},
                 {"x": {"date": "2001", "split_at": "2001"}}, {"x": {"date": "2001", "label": 5}}):
        rules, problems = parse_event_rules(data, "events.yaml", {})
        assert not rules and problems and all(p.file == "events.yaml" for p in problems)


def test_aggregate_figures_counts_sources_per_value():
    claims = [claim(d, figures=[("killed", v, None, None, "exact")]) for d, v in (("a", 5), ("b", 5), ("c", 6), ("a", 5))]
    figs = aggregate_figures(claims)
    assert [(f.value, f.documents, len(f.claims)) for f in figs] == [(5, ("a", "b"), 3), (6, ("c",), 1)]


days = st.integers(min_value=0, max_value=60)


@given(st.lists(st.tuples(days, st.integers(0, 3), st.sampled_from(["A", "B", "C"])), min_size=1, max_size=30))
def test_clusters_are_connected_overlaps_and_disjoint_groups_do_not_overlap(items):
    base = dt.date(2000, 1, 1)
    claims = [claim(f"d{i}", dates=[(f"{base + dt.timedelta(s)}/{base + dt.timedelta(s + n)}" if n else str(base + dt.timedelta(s)), "stated")],
                    places=[p]) for i, (s, n, p) in enumerate(items)]
    placed, rest = place_claims(claims)
    assert not rest
    groups = cluster(placed)
    assert sorted(p.claim.id for g in groups for p in g) == sorted(c.id for c in claims)
    spans = {}
    for gi, g in enumerate(groups):
        for p in g:
            for k in p.places:
                spans.setdefault(k, []).append((min(q.lo for q in g), max(q.hi for q in g), gi))
    for k, v in spans.items():     # two groups with the same place never overlap in time
        for a in v:
            for b in v:
                if a[2] != b[2]:
                    assert a[1] < b[0] or b[1] < a[0]


# --- acceptance on the seeds ---------------------------------------------------------

from functools import lru_cache  # noqa: E402
from pathlib import Path  # noqa: E402

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@lru_cache(maxsize=1)
def seed_analysis():
    """The seeds read as the build reads them, analysed; ids by their number prefix ("001")."""
    from archive_builder.analyse import analyse
    from archive_builder.build import BuildReport, read_records
    from archive_builder.editorial import Editorial

    records = read_records(SEEDS, {}, BuildReport())
    analysis = analyse(records, Editorial())
    ids = {r.id[:3]: r.id for r in records}
    return records, analysis, ids


def _event_with(analysis, label):
    [e] = [e for e in analysis.events if e.label == label]
    return e


def test_seeds_one_event_for_baku_19_20_january_1990_described_by_all_five():
    records, analysis, ids = seed_analysis()
    e = _event_with(analysis, "Baku, 19–20 January 1990")
    assert e.id == "1990-01-19-baku" and e.edtf == "1990-01-19/1990-01-20"
    assert e.documents == tuple(sorted(ids.values()))
    assert {"Black January", "20 January tragedy"} <= {n for n, _ in e.names_used}


def test_seeds_events_in_baku_from_13_january_described_by_003_referred_to_by_000():
    _, analysis, ids = seed_analysis()
    [e] = [e for e in analysis.events if e.edtf.startswith("1990-01-13") and "Baku" in e.places]
    assert e.documents == (ids["003"],)
    assert ids["000"] in e.mentioned_by
    assert "Baku pogroms" in {n for n, _ in e.names_used} or "Baku Pogroms" in {n for n, _ in e.names_used}


def test_seeds_figures_for_19_20_january_each_linked_to_a_quote_with_the_number():
    _, analysis, ids = seed_analysis()
    e = _event_with(analysis, "Baku, 19–20 January 1990")
    claims = {c.id: c for c in analysis.claims}
    got = {(f.measure, f.value): f.documents for f in e.figures if f.value is not None}
    assert got[("killed", 147)] == (ids["001"], ids["004"])
    assert got[("killed", 149)] == (ids["002"],)
    assert set(got[("injured", 744)]) >= {ids["001"], ids["002"], ids["004"]}
    assert got[("missing", 4)] == (ids["002"],)
    assert got[("troops", 26000)] == (ids["001"], ids["004"])
    for f in e.figures:
        if f.value is not None:
            for cid in f.claims:
                assert f"{int(f.value):,}" in claims[cid].quote or str(int(f.value)) in claims[cid].quote
                assert claims[cid].event_id == e.id
    assert not [f for f in e.figures if (f.low, f.high) == (150, 300)]


def test_seeds_150_to_300_died_belongs_to_the_13_january_events():
    _, analysis, _ = seed_analysis()
    [claim] = [c for c in analysis.claims if "150 to 300" in c.quote]
    event = {e.id: e for e in analysis.events}[claim.event_id]
    assert event.edtf.startswith("1990-01-13")
    assert [(f.low, f.high) for f in event.figures if f.measure == "killed"] == [(150, 300)]


def test_bad_editorial_yaml_becomes_problems_at_file_line_not_a_crash():
    from archive_builder.analyse import analyse_claims
    from archive_builder.editorial import Editorial

    claims = [claim("a", dates=[("2001-05-03", "stated")], places=["Riverton"])]
    editorial = Editorial(events={"ok": {"date": "2001-05-03", "label": "Riverton, May 2001"}, "bad": {"date": 5}},
                          related={"pin": [["a", "nobody"]], "oops": 1},
                          files={"events": "ed/events.yaml", "related": "ed/related.yaml"},
                          lines={"events": {"ok": 1, "bad": 3}, "related": {"pin": 1, "oops": 2}})
    analysis = analyse_claims([], claims, {}, editorial)
    assert [e.label for e in analysis.events] == ["Riverton, May 2001"]
    where = sorted(f"{p.file}:{p.line}" for p in analysis.problems)
    assert where == ["ed/events.yaml:3", "ed/related.yaml:1", "ed/related.yaml:2"]


@given(st.lists(st.tuples(days, st.sampled_from(["A", "B", ""]), st.sampled_from(["d1", "d2", "d3"]), st.booleans()),
                max_size=25))
def test_claims_come_back_as_dataclasses_replace_makes_them(items):
    """group_events copies the claims it sets an event on slot by slot: the copies are replace()'s."""
    import dataclasses

    base = dt.date(2000, 1, 1)
    claims = [dataclasses.replace(claim(doc, dates=[(str(base + dt.timedelta(s)), "stated")], places=[p] if p else []),
                                  event_id="an earlier event" if earlier else None)
              for s, p, doc, earlier in items]
    events, out, _ = group_events(claims)
    event_of = {cid: e.id for e in events for cid in e.claims}
    assert out == tuple(dataclasses.replace(c, event_id=event_of.get(c.id)) for c in claims)
    assert all(type(c) is Claim and hash(c) == hash(dataclasses.replace(c)) for c in out)


@given(st.text(alphabet="\n \ta", max_size=40), st.integers(0, 45))
def test_paragraphs_numbered_up_to_an_offset_as_in_the_whole_body(body, before):
    """_names_used numbers paragraphs only up to the last offset it asks about."""
    import bisect

    from archive_builder.analyse.events import _paragraph_starts

    whole, cut = _paragraph_starts(body), _paragraph_starts(body, before)
    assert all(bisect.bisect_right(whole, x) == bisect.bisect_right(cut, x) for x in range(before))
