"""Related documents with reasons, on invented documents."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from archive_builder.analyse import related
from archive_builder.analyse.related import parse_related, relate, resolve_references
from archive_builder.model import Agent, Claim, Event, Record, Reference, SharedPassage, Sourced


def make_record(doc_id: str, body: str = "", *, date: str | None = None, author: str | None = None,
                header: tuple = (), references: tuple = (), title: str | None = None) -> Record:
    return Record(
        id=doc_id, source_file=f"{doc_id}.txt", sha256="0" * 64, format="txt",
        title=Sourced(title or f"Document {doc_id}", "stated"), document_type=Sourced.unknown(),
        author=Sourced(Agent(author), "stated") if author else Sourced.unknown(),
        publisher=Sourced.unknown(), date=Sourced(date, "stated") if date else Sourced.unknown(),
        language=Sourced("en", "stated"), body=body, body_lines=tuple(range(1, body.count("\n") + 2)),
        removed=(), comments=(), references=references, header=header)


def event(eid: str, documents, mentioned_by=(), label=None) -> Event:
    return Event(eid, label or eid, "generated", "2001-05-03", ("Riverton",), (), tuple(documents),
                 tuple(mentioned_by), (), ())


def place_claim(doc: str, *places: str) -> Claim:
    return Claim(f"{doc}-c{len(places)}", doc, "event", "q", 0, 1, places=tuple((p, p.lower()) for p in places))


def by_pair(relations):
    return {(r.source, r.target): r for r in relations}


def test_shared_event_relates_both_ways_with_the_reason():
    records = [make_record(d) for d in "abc"]
    rel = by_pair(relate(records, [], [event("e1", ["a", "b"], label="Riverton, 3 May 2001")], []))
    assert set(rel) == {("a", "b"), ("b", "a")}
    [reason] = rel[("a", "b")].reasons
    assert (reason.kind, reason.detail) == ("shared event", "both describe Riverton, 3 May 2001")


def test_one_shared_place_is_below_the_threshold_but_a_passage_is_not():
    records = [make_record(d) for d in "abc"]
    claims = [place_claim("a", "Riverton"), place_claim("b", "Riverton"), place_claim("c", "Portmore")]
    passages = [SharedPassage("p1", "a", 0, 10, "c", 5, 15, 0.9)]
    rel = by_pair(relate(records, claims, [], passages))
    assert set(rel) == {("a", "c"), ("c", "a")}
    assert rel[("a", "c")].reasons[0].kind == "shared passage"


def test_best_first_and_mentions_count_less_than_descriptions():
    records = [make_record(d) for d in "abcd"]
    events = [event("e1", ["a", "b", "c"], mentioned_by=["d"]), event("e2", ["a", "b"])]
    rel = relate(records, [], events, [])
    order = [r.target for r in rel if r.source == "a"]
    assert order == ["b", "c", "d"]
    scores = [r.score for r in rel if r.source == "a"]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[1] > scores[2]


def test_signals_too_common_are_dropped(monkeypatch):
    monkeypatch.setattr(related, "MIN_DF_CUTOFF", 3)
    records = [make_record(f"d{i}") for i in range(6)]
    common = event("everyone", [r.id for r in records])
    rare = event("rare", ["d0", "d1"])
    rel = by_pair(relate(records, [], [common, rare], []))
    assert set(rel) == {("d0", "d1"), ("d1", "d0")}


def test_references_by_symbol_and_by_date_and_issuer():
    cited = make_record("letter", header=(("symbol", "A/60/100-S/2005/7"),))
    statement = make_record("stmt", date="2005-03-01", author="Ministry of Foreign Affairs of Portmore")
    citing = make_record("reply", references=(
        Reference("the letter (S/2005/7)", "un-symbol", 3, symbol="S/2005/7"),
        Reference("the statement dated 1 March 2005", "statement", 4, date="2005-03-01",
                  issuer="Foreign Affairs of Portmore", relation="answers"),
        Reference("a statement nobody archived", "statement", 5, date="1999-01-01", issuer="Nobody"),
    ))
    found = resolve_references([cited, statement, citing])
    assert [(s, t, r.relation) for s, t, r in found] == [("reply", "letter", "cites"), ("reply", "stmt", "answers")]
    rel = by_pair(relate([cited, statement, citing], [], [], []))
    assert rel[("reply", "stmt")].reasons[0].kind == "reply"
    assert rel[("stmt", "reply")].reasons[0].detail.startswith("the other document answers this one")
    assert rel[("reply", "letter")].reasons[0].kind == "reference"


def test_pins_and_blocks_from_related_yaml():
    records = [make_record(d) for d in "abc"]
    data = {"pin": [{"documents": ["a", "c"], "note": "same press conference"}],
            "block": [["a", "b"]], "pins": [], }
    curation, problems = parse_related(data, "related.yaml", {"pins": 4}, [r.id for r in records])
    assert [(p.line, "pins" in p.message) for p in problems] == [(4, True)]
    rel = by_pair(relate(records, [], [event("e1", ["a", "b"])], [], curation))
    assert set(rel) == {("a", "c"), ("c", "a")}
    assert rel[("a", "c")].reasons[0].detail == "same press conference"


def test_bad_related_yaml_never_crashes():
    for data in ("x", ["a"], {"pin": "a"}, {"pin": [["a"]]}, {"pin": [["a", "a"]]}, {"block": [["a", "zzz"]]},
                 {"pin": [{"documents": 3}]}):
        curation, problems = parse_related(data, "related.yaml", {}, ["a", "b"])
        assert problems and not curation.pins and not curation.blocks


def test_relations_are_deterministic():
    records = [make_record(d) for d in "abcde"]
    events = [event("e1", ["a", "b", "c"]), event("e2", ["c", "d", "e"], mentioned_by=["a"])]
    claims = [place_claim(d, "Riverton", "Portmore") for d in "abcde"]
    assert relate(records, claims, events, []) == relate(list(reversed(records)), list(reversed(claims)), events, [])


def test_seeds_every_document_relates_to_the_others_sharing_an_event_with_the_reason():
    from test_events import seed_analysis

    records, analysis, _ = seed_analysis()
    relations = by_pair(analysis.relations)
    for e in analysis.events:
        for a in e.documents:
            for b in e.documents:
                if a != b:
                    assert any(r.kind == "shared event" and e.label in r.detail for r in relations[(a, b)].reasons)


def test_each_score_is_the_sum_of_its_reasons_on_a_generated_corpus():
    # scores (first pass, counted per signal) and reasons (second pass, per
    # evidence item) are computed apart: they must agree for every kept pair
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from bench_analysis import generate

    from archive_builder.analyse import analyse_claims
    from archive_builder.editorial import Editorial

    records, claims = generate(200)
    analysis = analyse_claims(records, claims, {r.id: [] for r in records}, Editorial())
    kinds = {reason.kind for r in analysis.relations for reason in r.reasons}
    assert {"shared event", "shared passage", "shared places"} <= kinds
    for r in analysis.relations:
        assert r.score == sum(reason.weight for reason in r.reasons), r


# --- incremental: relate_since after edits equals relate ---------------------------

_DOCS = [f"d{i}" for i in range(6)]
_LABELS = ["Riverton, 3 May 2001", "Portmore, 4 May 2001", "Lakeside, 9 June 2002"]
_PLACES = ["Riverton", "Portmore", "Lakeside", "Hilltown"]
_SYMBOLS = ["A/60/1", "S/2005/7", "A/61/9"]

_corpus = st.fixed_dictionaries({
    "records": st.lists(st.tuples(st.sampled_from(_DOCS), st.sampled_from([None, *_SYMBOLS]),
                                  st.sampled_from([None, *_SYMBOLS]), st.booleans()),
                        min_size=2, max_size=6, unique_by=lambda r: r[0]),
    "events": st.lists(st.tuples(st.sampled_from(["e1", "e2", "e3", "e4"]), st.lists(st.sampled_from(_DOCS), max_size=6, unique=True),
                                 st.lists(st.sampled_from(_DOCS), max_size=3, unique=True), st.sampled_from(_LABELS)),
                       max_size=4, unique_by=lambda e: e[0]),
    "places": st.lists(st.tuples(st.sampled_from(_DOCS), st.lists(st.sampled_from(_PLACES), min_size=1, max_size=3),
                                 st.sampled_from(["", "-town"])), max_size=14),
    "passages": st.lists(st.tuples(st.sampled_from(_DOCS), st.sampled_from(_DOCS), st.sampled_from([0.8, 0.9, 1.0])), max_size=6),
    "pin": st.sampled_from([None, ("d0", "d1"), ("d2", "d3")]),
    "block": st.sampled_from([None, ("d0", "d1"), ("d1", "d4")]),
})


def _inputs(corpus):
    """relate's arguments from a drawn corpus (documents named but not drawn are left out)."""
    ids = sorted(r[0] for r in corpus["records"])
    records = [make_record(d, header=(("symbol", sym),) if sym else (), references=(
        (Reference(f"the letter {cites}", "un-symbol", 1, symbol=cites, relation="answers" if answers else "cites"),)
        if cites else ())) for d, sym, cites, answers in corpus["records"]]
    events = [event(eid, [d for d in docs if d in ids], [d for d in mentioned if d in ids and d not in docs], label)
              for eid, docs, mentioned, label in sorted(corpus["events"])]
    claims = [Claim(f"{doc}-c{n}", doc, "event", "q", 0, 1, places=tuple((p + spelling, p.lower()) for p in places))
              for n, (doc, places, spelling) in enumerate(corpus["places"]) if doc in ids]
    passages = [SharedPassage(f"p{n}", a, 0, 1, b, 0, 1, sim)
                for n, (a, b, sim) in enumerate(corpus["passages"]) if a != b and a in ids and b in ids]
    data = {"pin": [list(corpus["pin"])] if corpus["pin"] else [],
            "block": [list(corpus["block"])] if corpus["block"] else []}
    curation, _ = parse_related(data, "related.yaml", {}, ids)
    return records, sorted(claims, key=lambda c: c.document_id), events, passages, curation


@settings(max_examples=60, deadline=None)
@given(st.lists(_corpus, min_size=2, max_size=5), st.integers(1, 4))
def test_incremental_relations_equal_a_full_computation_after_random_edits(corpora, min_df):
    """Each corpus is an edit of the one before (documents, events, labels,
    places, spellings, passages, references, pins and the cut-off change); the
    state goes through pickle as it does through the build cache."""
    import pickle

    original = related.MIN_DF_CUTOFF
    related.MIN_DF_CUTOFF = min_df      # signals dropped as too common, and so whole re-computations
    try:
        state = None
        for corpus in corpora:
            args = _inputs(corpus)
            found, state = related.relate_since(*args, previous=state)
            assert found == relate(*args)
            state = pickle.loads(pickle.dumps(state))
    finally:
        related.MIN_DF_CUTOFF = original


def test_incremental_relations_follow_what_a_signal_says_not_only_who_shares_it():
    """A changed label, spelling, passage similarity or kind of reference
    changes no document's signals, only what they say."""
    cites = Reference("the letter S/2005/7", "un-symbol", 1, symbol="S/2005/7")
    records = [make_record("a", references=(cites,)), make_record("b", header=(("symbol", "S/2005/7"),)),
               make_record("c"), make_record("d")]
    claims = [place_claim(d, "Riverton", "Portmore") for d in "abc"]
    events = [event("e1", ["a", "b"], label="Riverton, 3 May 2001"), event("e2", ["c", "d"])]
    passages = [SharedPassage("p1", "c", 0, 1, "d", 0, 1, 0.8)]
    _, state = related.relate_since(records, claims, events, passages)
    relabelled = [event("e1", ["a", "b"], label="Riverton, 3–4 May 2001"), events[1]]
    respelled = [Claim("a-c9", "a", "event", "q", 0, 1, places=(("Riverton-on-Sea", "riverton"),))] + claims
    closer = [SharedPassage("p1", "c", 0, 1, "d", 0, 1, 0.9)]
    answers = [make_record("a", references=(Reference(cites.text, cites.kind, 1, symbol="S/2005/7", relation="answers"),)),
               *records[1:]]
    for changed in ((records, claims, relabelled, passages), (records, respelled, events, passages),
                    (records, claims, events, closer), (answers, claims, events, passages)):
        found, _ = related.relate_since(*changed, previous=state)
        assert found == relate(*changed) != relate(records, claims, events, passages)
    unchanged, same = related.relate_since(records, claims, events, passages, previous=state)
    assert same is state and unchanged == relate(records, claims, events, passages)


def test_a_stored_relations_state_loads_equal():
    """RelateState pickles its relations as columns and makes them again by columns."""
    import pickle

    records = [make_record(d) for d in "abcd"]
    events = [event("e1", ["a", "b", "c"]), event("e2", ["c", "d"], mentioned_by=["a"])]
    passages = [SharedPassage("p1", "a", 0, 5, "d", 0, 5, 0.9)]
    relations, state = related.relate_since(records, [place_claim("a", "X"), place_claim("b", "X")], events, passages)
    assert relations
    loaded = pickle.loads(pickle.dumps(state))
    assert loaded == state and loaded.relations == state.relations
    assert related.relate_since(records, [], events, passages, previous=loaded)[0] == \
        related.relate_since(records, [], events, passages)[0]


@settings(max_examples=100, deadline=None)
@given(_corpus, st.dictionaries(st.sampled_from(_DOCS), st.sets(st.sampled_from(_DOCS)), max_size=6), st.integers(1, 6))
def test_evidence_for_some_targets_is_the_evidence_of_those_pairs_in_order(corpus, targets, cutoff):
    """_evidence with `targets` deals out only the pairs asked for, and each
    pair's evidence in the order the whole evidence gives it (its reasons and
    their shared objects follow that order)."""
    records, claims, events, passages, curation = _inputs(corpus)
    ids = {r.id for r in records}
    place_docs = related._place_documents(claims)
    references = resolve_references(records)
    everything = list(related._evidence(ids, place_docs, events, passages, curation, cutoff, references))
    some = list(related._evidence(ids, place_docs, events, passages, curation, cutoff, references, targets))
    wanted = {(a, b) for a, bs in targets.items() for b in bs}
    # signals shared by many documents give only the pairs asked for; passages,
    # references and pins may give others (relate skips them), each in its order
    assert [e for e in some if e[:2] in wanted] == [e for e in everything if e[:2] in wanted]
    assert [e for e in some if e[2] in ("shared passage", "reference", "reply", "pinned")] == \
        [e for e in everything if e[2] in ("shared passage", "reference", "reply", "pinned")]
    assert set(some) <= set(everything)


@settings(max_examples=100, deadline=None)
@given(_corpus, st.integers(1, 6))
def test_scores_are_the_sums_of_the_evidence_weights(corpus, cutoff):
    """_scores_of (whole signals counted at once, one source document at a
    time) gives each pair the sum of what _evidence says of it, places weighed
    together, and every pair _evidence names has its source among the
    partners' sources (which may hold a source with no pair)."""
    from collections import Counter, defaultdict

    records, claims, events, passages, curation = _inputs(corpus)
    ids = {r.id for r in records}
    place_docs = related._place_documents(claims)
    references = resolve_references(records)
    plain: dict = defaultdict(float)
    places: Counter = Counter()
    for a, b, kind, _, weight in related._evidence(ids, place_docs, events, passages, curation, cutoff, references):
        if kind == "place":
            places[a, b] += 1
        else:
            plain[a, b] += weight
    for pair, n in places.items():
        plain[pair] += related._places_weight(n)
    partners = related._partners(ids, place_docs, events, passages, curation, cutoff, references)
    assert partners.sources() >= {a for a, _ in plain}
    scored = {(a, b): total for a in partners.sources() for b, total in related._scores_of(a, partners).items()}
    assert scored == dict(plain)
