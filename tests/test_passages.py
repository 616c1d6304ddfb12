"""Shared passages: invented statements, then the seeds' Milli Majlis passage."""

from __future__ import annotations

import pickle
import random
from pathlib import Path

import pytest

from hypothesis import example, given, settings, strategies as st

from archive_builder.analyse.passages import shared_passages, words

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

REUSED_2001 = ("On its extraordinary sitting in March 2002 the Regional Council of Riverton declared the "
               "flooding of 3 May 2001 a man-made disaster caused by negligence, and in June 2002 a law "
               "\u201cOn the victims of the Riverton flood of 3 May 2001\u201d was passed by a large majority.")
REUSED_2005 = ("At the extraordinary sitting held in March 2002 the Regional Council of Riverton qualified the "
               "flooding of May 3, 2001 as a man-made disaster caused by negligence, and in June 2002 the law "
               "\"On the victims of the Riverton flood of May 3, 2001\" was passed by a large majority.")


def test_reworded_passage_is_found_with_offsets_in_both_bodies():
    a = "The ministry issues this statement today.\n\n" + REUSED_2001 + "\n\nWe remember the victims."
    b = "Statement of the council.\n\n" + REUSED_2005 + "\n\nNothing else is shared here at all."
    c = "A report about the harvest of 2004 in the northern valleys, written by the farmers' union."
    [p] = shared_passages({"b": b, "a": a, "c": c})
    assert (p.a, p.b) == ("a", "b")
    assert a[p.a_start:p.a_end].startswith("extraordinary sitting")
    assert a[p.a_start:p.a_end].endswith("passed by a large majority")
    assert b[p.b_start:p.b_end].endswith("passed by a large majority")
    assert 0.6 <= p.similarity <= 1


def test_short_common_phrases_are_not_passages():
    a = "The Ministry of Foreign Affairs of the Republic states that the meeting took place."
    b = "The Ministry of Foreign Affairs of the Republic denies that any meeting took place."
    assert shared_passages({"a": a, "b": b}) == ()


def test_boilerplate_in_many_documents_is_ignored_but_real_reuse_is_not(monkeypatch):
    from archive_builder.analyse import passages
    monkeypatch.setattr(passages, "MAX_DF", 3)
    boiler = ("This press release is distributed by the information office and may be freely reproduced "
              "by any media outlet provided that the source is clearly cited in full in every copy.")
    bodies = {f"d{i}": f"Item number {i} reports on local affairs of week {i}. " + boiler for i in range(6)}
    bodies["d0"] += " " + REUSED_2001
    bodies["d1"] += " " + REUSED_2005
    found = shared_passages(bodies)
    assert [(p.a, p.b) for p in found] == [("d0", "d1")]


def test_passages_are_deterministic_and_ids_stable():
    bodies = {"x": REUSED_2001, "y": REUSED_2005}
    assert shared_passages(bodies) == shared_passages(dict(reversed(list(bodies.items()))))


def test_milli_majlis_passage_between_the_2021_and_2023_statements():
    bodies = {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
    hits = [p for p in shared_passages(bodies) if (p.a, p.b) == ("001", "002")]
    texts = [(bodies["001"][p.a_start:p.a_end], bodies["002"][p.b_start:p.b_end]) for p in hits]
    assert any("Milli Majlis" in a and "Milli Majlis" in b and "was adopted" in a and "was adopted" in b
               for a, b in texts)


_shared_words = st.lists(st.text(alphabet="abcdefgh", min_size=4, max_size=7), min_size=25, max_size=60, unique=True)
# the words before the copy in one document and after it in the other share no
# word: the same 20 words on both sides (hypothesis found it) are a second passage
_words_before = st.lists(st.text(alphabet="klmn", min_size=1, max_size=7), max_size=30)
_words_after = st.lists(st.text(alphabet="opqr", min_size=1, max_size=7), max_size=30)


@settings(max_examples=30, deadline=None)
@given(_shared_words, _words_before, _words_after)
# a run repeated on both sides must not pull the copy onto a wrong diagonal
@example([a + b + c + d for a in "ab" for b in "abcd" for c in "abcd" for d in "a"][:25], ["k"] * 5, ["k"] * 5)
def test_a_copied_passage_is_always_found_within_its_copy(shared, before, after):
    a = " ".join(before + shared)
    b = " ".join(shared + after)
    found = shared_passages({"a": a, "b": b})
    for p in found:       # offsets are word boundaries inside each body
        assert a[p.a_start:p.a_end].strip() == a[p.a_start:p.a_end]
        assert len(words(a[p.a_start:p.a_end]).norm) >= 3
    n = len(" ".join(shared))
    assert [(p.b_start, p.b_end) for p in found] == [(0, n)]
    assert a[found[0].a_start:found[0].a_end] == " ".join(shared)


def test_seeds_milli_majlis_passage_found_in_the_records_bodies():
    from test_events import seed_analysis

    records, analysis, ids = seed_analysis()
    bodies = {r.id: r.body for r in records}
    found = [p for p in analysis.passages if {p.a, p.b} == {ids["001"], ids["002"]}
             and "Milli Majlis" in bodies[p.a][p.a_start:p.a_end] and "Milli Majlis" in bodies[p.b][p.b_start:p.b_end]]
    assert len(found) == 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 5), max_size=25), st.lists(st.integers(0, 5), max_size=25))
def test_matching_blocks_are_difflibs(a, b):
    import difflib

    from archive_builder.analyse.passages import matching_blocks

    expected = difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()[:-1]
    assert matching_blocks(a, b) == [tuple(m) for m in expected]


def test_same_words_in_different_shingles_are_not_confused():
    from archive_builder.analyse.passages import shingles

    # digits of one integer: (1, 2) and (0, 1 * base + 2) must not meet
    assert len(set(shingles([1, 2, 3, 4, 5, 6], base=7, size=2))) == 5
    assert shingles([1, 2, 3], base=10, size=2) == [12, 23]
    assert shingles([1, 2], base=10, size=5) == []


SHARED_25 = " ".join(f"w{k}x" for k in range(25))


def test_two_words_in_a_row_before_a_passage_extend_it_but_one_word_does_not():
    a, b = "kk ll aa bb mm nn " + SHARED_25, "pp aa bb qq " + SHARED_25
    two = shared_passages({"a": a, "b": b})
    assert [(a[p.a_start:p.a_end], b[p.b_start:p.b_end]) for p in two] == [
        ("aa bb mm nn " + SHARED_25, "aa bb qq " + SHARED_25)]
    one = shared_passages({"a": "kk ll aa mm nn " + SHARED_25, "b": "pp aa qq " + SHARED_25})
    assert [(p.a_start, p.b_start) for p in one] == [(len("kk ll aa mm nn "), len("pp aa qq "))]


def test_two_words_in_a_row_after_a_passage_extend_it():
    a, b = SHARED_25 + " mm aa bb kk", SHARED_25 + " qq rr aa bb"
    [p] = shared_passages({"a": a, "b": b})
    assert a[p.a_start:p.a_end] == SHARED_25 + " mm aa bb" and b[p.b_start:p.b_end] == b


# --- incremental: shared_passages_since after edits equals computing everything again

_PARAGRAPHS = [" ".join(f"{stem}{k}" for k in range(length)) for stem, length in
               (("alpha", 30), ("bravo", 26), ("charlie", 40), ("delta", 22), ("echo", 35), ("fox", 28))]


def _body(rnd, salt: int) -> str:
    """Some shared paragraphs, each maybe reworded a little, and words of its own."""
    parts = []
    for paragraph in rnd.sample(_PARAGRAPHS, rnd.randint(1, 3)):
        ws = paragraph.split()
        for _ in range(rnd.randint(0, 3)):      # rewording: a word replaced, dropped or inserted
            k = rnd.randrange(len(ws))
            ws[k:k + 1] = rnd.choice([[f"new{salt}x{k}"], [], [ws[k], f"ins{salt}"]])
        cut = rnd.randint(0, len(ws) // 3)
        parts.append(" ".join(ws[cut:]))
        parts.append(f"own words of text {salt} number {rnd.randint(0, 5)}")
    return "\n\n".join(parts)


def _edit(rnd, bodies: dict[str, str], step: int) -> None:
    ids = sorted(bodies)
    kind = rnd.choice(["change", "change", "add", "remove", "copy", "uncopy", "same"])
    if kind == "add" or len(ids) < 3:
        bodies[f"d{100 + step:03d}"] = _body(rnd, 100 + step)
    elif kind == "remove":
        del bodies[rnd.choice(ids)]
    elif kind == "change":
        bodies[rnd.choice(ids)] = _body(rnd, 200 + step)
    elif kind == "copy":        # another document's text: its shingles gain a document, may pass MAX_DF
        a, b = rnd.sample(ids, 2)
        bodies[a] = bodies[a] + "\n\n" + bodies[b]
    elif kind == "uncopy":      # a paragraph dropped: its shingles lose a document, may fall back under MAX_DF
        d = rnd.choice(ids)
        bodies[d] = "\n\n".join(bodies[d].split("\n\n")[1:]) or "nothing left"
    else:                       # rewritten with the same text: nothing to recompute
        d = rnd.choice(ids)
        bodies[d] = str(bodies[d])


@pytest.mark.parametrize("max_df,max_seeds", [(3, 2000), (4, 6), (30, 2000)])
@pytest.mark.parametrize("seed", range(6))
def test_incremental_passages_equal_a_full_computation_after_random_edits(monkeypatch, seed, max_df, max_seeds):
    from archive_builder.analyse import passages

    monkeypatch.setattr(passages, "MAX_DF", max_df)
    monkeypatch.setattr(passages, "MAX_SEEDS_PER_PAIR", max_seeds)
    monkeypatch.setattr(passages, "INCREMENTAL_SHARE", 1.0)
    full_runs = []
    full = passages._full
    monkeypatch.setattr(passages, "_full", lambda bodies, *jobs: full_runs.append(1) or full(bodies, *jobs))
    rnd = random.Random(seed)
    bodies = {f"d{k:03d}": _body(rnd, k) for k in range(rnd.randint(4, 9))}
    found, state = passages.shared_passages_since(bodies, None)
    assert found == passages.shared_passages(bodies)
    for step in range(12):
        _edit(rnd, bodies, step)
        if step % 2:        # as a build keeps it
            state = pickle.loads(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
        found, state = passages.shared_passages_since(bodies, state)
        expected = passages.shared_passages(bodies)
        assert found == expected, f"after edit {step}"
    assert len(full_runs) == 1 + 13, "every incremental step used the previous state"


def test_an_edit_that_changes_no_passage_keeps_the_previous_state_a_few_documents_behind(monkeypatch):
    from archive_builder.analyse import passages

    monkeypatch.setattr(passages, "INCREMENTAL_SHARE", 1.0)
    bodies = {"a": REUSED_2001, "b": REUSED_2005, **{f"c{n:02d}": f"other words {n}" for n in range(12)}}
    _, state = passages.shared_passages_since(bodies, None)
    for n in range(12):
        bodies[f"c{n:02d}"] = f"yet other words {n}"
        found, after = passages.shared_passages_since(bodies, state)
        assert found == passages.shared_passages(bodies) and len(found) == 1
        # kept while at most KEPT_BEHIND documents differ from it, then replaced
        assert (after is state) == (n != passages.KEPT_BEHIND)
        state = after
    bodies["b"] = "nothing shared any more"     # a passage goes: a new state
    found, after = passages.shared_passages_since(bodies, state)
    assert found == () and after is not state and passages.shared_passages_since(bodies, after) == ((), after)


def test_incremental_sees_a_shingle_leave_the_boilerplate(monkeypatch):
    from archive_builder.analyse import passages

    monkeypatch.setattr(passages, "MAX_DF", 2)
    monkeypatch.setattr(passages, "INCREMENTAL_SHARE", 1.0)
    shared = _PARAGRAPHS[2]
    bodies = {"a": "one " + shared, "b": "two " + shared, "c": "three " + shared}
    found, state = passages.shared_passages_since(bodies, None)
    assert found == ()      # in three documents: boilerplate
    bodies["c"] = "three and nothing else"
    found, state = passages.shared_passages_since(bodies, state)
    assert [(p.a, p.b) for p in found] == [("a", "b")] and found == passages.shared_passages(bodies)
    bodies["d"] = "four " + shared
    found, state = passages.shared_passages_since(bodies, state)
    assert found == () == passages.shared_passages(bodies)


def test_a_state_of_other_parameters_is_not_used(monkeypatch):
    from archive_builder.analyse import passages

    bodies = {"a": REUSED_2001, "b": REUSED_2005}
    found, state = passages.shared_passages_since(bodies, None)
    assert len(found) == 1
    monkeypatch.setattr(passages, "MIN_WORDS", 1000)     # the same bodies, but no passage is long enough now
    assert passages.shared_passages_since(bodies, state)[0] == ()


def test_analyse_with_a_cache_equals_analyse_without_after_an_edit(tmp_path, monkeypatch):
    import dataclasses

    from archive_builder.analyse import PASSAGES_STATE, analyse, passages
    from archive_builder.build import BuildReport, read_records
    from archive_builder.editorial import Editorial

    monkeypatch.setattr(passages, "INCREMENTAL_SHARE", 1.0)    # two of five records change
    incremental = passages._incremental
    used = []
    monkeypatch.setattr(passages, "_incremental", lambda *args: used.append(incremental(*args)) or used[-1])
    records = sorted(read_records(SEEDS, {}, BuildReport()), key=lambda r: r.id)
    cache = tmp_path / "cache"
    assert analyse(records, Editorial(), cache=cache) == analyse(records, Editorial())
    assert (cache / PASSAGES_STATE).is_file()
    # the 2023 statement loses its Milli Majlis paragraph, another record gains it
    milli = next(r for r in records if "Milli Majlis" in r.body)
    moved = max(milli.body.split("\n\n"), key=lambda p: ("Milli Majlis" in p, len(p)))
    edited = [dataclasses.replace(r, body=r.body.replace(moved, "")) if r is milli else
              dataclasses.replace(r, body=r.body + "\n\n" + moved) if r is records[-1] else r for r in records]
    assert analyse(edited, Editorial(), cache=cache) == analyse(edited, Editorial())
    assert analyse(records, Editorial(), cache=cache).passages == analyse(records, Editorial()).passages
    assert len(used) == 2 and None not in used


def test_a_damaged_or_foreign_passages_state_is_not_used(tmp_path, monkeypatch):
    from archive_builder import cache as cache_module
    from archive_builder.analyse import PASSAGES_STATE, load_passages_state, store_passages_state
    from archive_builder.analyse.passages import shared_passages_since

    _, state = shared_passages_since({"a": REUSED_2001, "b": REUSED_2005}, None)
    store_passages_state(tmp_path, state)
    assert load_passages_state(tmp_path).passages.unpack({}) == state.passages
    assert not [p for p in tmp_path.iterdir() if p.name != PASSAGES_STATE]     # no temporary file left
    monkeypatch.setattr(cache_module, "code_version", lambda: "other code")
    assert load_passages_state(tmp_path) is None
    monkeypatch.undo()
    (tmp_path / PASSAGES_STATE).write_bytes(b"\x80\x05 damaged")
    assert load_passages_state(tmp_path) is None
    assert load_passages_state(tmp_path / "missing") is None


def test_passages_of_a_loaded_state_hold_the_callers_document_ids():
    """Not equal copies: page fingerprints pickle records and passages together,
    and a shared object pickles otherwise than an equal copy."""
    from archive_builder.analyse import passages

    bodies = {"".join(["a", "x"]): REUSED_2001, "".join(["b", "x"]): REUSED_2005, "c": "other words"}
    _, state = passages.shared_passages_since(bodies, None)
    loaded = pickle.loads(pickle.dumps(state))
    ids = {d: d for d in bodies}
    for changed in ({}, {"c": "yet other words"}):
        [p] = passages.shared_passages_since({**bodies, **changed}, loaded)[0]
        assert p.a is ids["ax"] and p.b is ids["bx"]


# --- the fast full computation against the plain one it replaces


def _plain_passages(bodies: dict[str, str]) -> tuple:
    """Every candidate pair's seeds (candidate_seeds, in the postings' order),
    clustered (_clusters), each cluster aligned in full (matched_blocks): the
    plain computation that _full's per-document walk, word bound and
    clustering as seeds come must give exactly."""
    from archive_builder.analyse import passages as p

    ids = sorted(bodies)
    texts = [words(bodies[d]) for d in ids]
    numbered, size = p.word_numbers(texts)
    found = []
    for (da, db), seeds in sorted(p.candidate_seeds(numbered, size + 1).items()):
        kept = []
        for cluster in p._clusters(seeds):
            for a0, a1, b0, b1, n in p.align(p.matched_blocks(numbered[da], numbered[db], cluster)):
                similarity = 2 * n / ((a1 - a0 + 1) + (b1 - b0 + 1))
                if n >= p.MIN_WORDS and similarity >= p.MIN_SIMILARITY and not any(
                        (k[0] <= a1 and a0 <= k[1]) or (k[2] <= b1 and b0 <= k[3]) for k in kept):
                    kept.append((a0, a1, b0, b1, n))
        ta, tb = texts[da], texts[db]
        for a0, a1, b0, b1, n in sorted(kept):
            found.append(p.SharedPassage(p._passage_id(ids[da], ta.starts[a0], ids[db], tb.starts[b0]), ids[da],
                                         ta.starts[a0], ta.ends[a1], ids[db], tb.starts[b0], tb.ends[b1],
                                         round(2 * n / ((a1 - a0 + 1) + (b1 - b0 + 1)), 3)))
    return p._in_order(found)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(3, 12), st.sampled_from([(3, 2000), (4, 6), (30, 2000), (30, 4)]))
def test_full_passages_equal_the_plain_computation(seed, documents, limits):
    from archive_builder.analyse import passages

    max_df, max_seeds = limits
    rnd = random.Random(seed)
    bodies = {f"d{k:03d}": _body(rnd, k) for k in range(documents)}
    for _ in range(rnd.randint(0, 3)):       # whole documents copied: pairs with many seeds
        a, b = rnd.sample(sorted(bodies), 2)
        bodies[a] += "\n\n" + bodies[b]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(passages, "MAX_DF", max_df)
        mp.setattr(passages, "MAX_SEEDS_PER_PAIR", max_seeds)
        assert passages.shared_passages(bodies) == _plain_passages(bodies)


def test_full_passages_equal_the_plain_computation_on_the_seeds():
    bodies = {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
    found = shared_passages(bodies)
    assert found and found == _plain_passages(bodies)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=40) | st.sampled_from(["The", "an", "A", "Straße", "ǅ", "İ", "ﬁ", "ͅx"]),
                max_size=12))
def test_numbered_words_are_words_numbered(parts):
    from archive_builder.analyse.passages import _numbered_words

    vocabulary: dict[str, int] = {"kept": 0}
    body = " ".join(parts)
    w = words(body)
    expected = dict(vocabulary)
    numbers = [expected.setdefault(x, len(expected)) for x in w.norm]
    got_numbers, starts, ends = _numbered_words(body, vocabulary)
    assert (list(got_numbers), list(starts), list(ends)) == (numbers, list(w.starts), list(w.ends))
    assert vocabulary == expected


def test_passages_computed_in_parallel_equal_the_serial_computation(monkeypatch):
    from archive_builder.analyse import passages

    monkeypatch.setattr(passages, "PARALLEL_MIN_DOCUMENTS", 2)
    monkeypatch.setattr(passages, "MAX_SEEDS_PER_PAIR", 8)     # capped pairs come back from the workers too
    in_parallel = passages._in_parallel
    used = []
    monkeypatch.setattr(passages, "_in_parallel", lambda work, jobs: used.append(jobs) or in_parallel(work, jobs))
    rnd = random.Random(7)
    bodies = {f"d{k:03d}": _body(rnd, k) for k in range(40)}
    bodies["d001"] += "\n\n" + bodies["d002"]
    serial, serial_state = passages.shared_passages_since(bodies, None)
    assert serial and serial_state.capped and not used
    for jobs in (2, 3):
        found, state = passages.shared_passages_since(bodies, None, jobs)
        assert found == serial and state.capped == serial_state.capped and state.postings == serial_state.postings
    assert used == [2, 3]
