"""Shared passages: text two documents share nearly word for word.

Statements of different years reuse paragraphs with small edits ("At a
special session … was regarded as military aggression and crime" / "At the
special session … was qualified as military aggression and a crime").  Three
steps, none of which compares every pair of documents:

1. Words are normalised (case folded, articles dropped, so "a crime" and
   "crime" agree), numbered (one integer per distinct word) and cut into
   overlapping SHINGLE-word shingles, each keyed by one exact integer (no
   collisions, and deterministic, unlike Python's salted `hash`).
2. An inverted index shingle -> (document, position) gives candidate pairs:
   only documents sharing a shingle meet.  Each document's shingles are
   walked in order, so the seeds of each pair with a later document come
   sorted and are clustered as they come; pairs are counted first, so pairs
   meeting on a stock phrase or two cost no lists.  Shingles in more than MAX_DF
   documents are boilerplate ("the Ministry of Foreign Affairs of") and are
   dropped, which also bounds the work per shingle.
3. Each cluster of shared shingles anchors an alignment: difflib's algorithm
   (matching_blocks) aligns only the short gaps between anchors and a few
   words at each end, remembered by their words as the same edits recur; aligned
   blocks separated by small gaps (reworded, reordered or inserted words)
   are merged into maximal spans, kept when long and dense enough.  A cluster
   whose anchors, gaps and edge windows cannot add up to MIN_WORDS words is
   not aligned at all.  Offsets point into each record's body.
"""

from __future__ import annotations

import bisect
import gc
import hashlib
import multiprocessing
import re
from array import array
from itertools import chain, combinations, compress, count, islice
from operator import attrgetter, itemgetter, or_
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping, Sequence

from ..model import SharedPassage
from .columns import from_columns

SHINGLE = 5            # words per shingle
MAX_DF = 30            # a shingle in more documents than this is boilerplate
NEAR = 40              # shared shingles this close (in words) in both documents form one cluster ...
DRIFT = 16             # ... when their offsets differ by at most this (words inserted or dropped)
MIN_SEEDS = 3          # shared shingles a cluster needs before it is aligned at all
WINDOW = 15            # words aligned beyond a cluster's first and last shingle, to extend it
MAX_GAP = 8            # words of rewording allowed inside one passage (on each side)
MIN_EDGE_WORDS = 2     # a passage starts and ends with this many words in a row
MIN_WORDS = 20         # aligned words for a passage to count (more than WINDOW: see _matching)
MIN_SIMILARITY = 0.6   # 2 * aligned / (words in a + words in b)
POSITION_BITS = 32     # word positions in a posting: documents of up to 4 billion words
MAX_SEEDS_PER_PAIR = 2000   # a pair sharing more is near-identical: enough evidence
MEMO_SIZE = 200_000    # aligned windows remembered (about 100 MB at most)

_WORD = re.compile(r"\w+", re.UNICODE)
_DROPPED = frozenset({"a", "an", "the"})


@dataclass(frozen=True)
class Words:
    """A body's normalised words and where each is in the body."""

    norm: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]


def words(body: str) -> Words:
    norm, starts, ends = [], [], []
    for m in _WORD.finditer(body):
        w = m.group().casefold()
        if w in _DROPPED:
            continue
        norm.append(w)
        starts.append(m.start())
        ends.append(m.end())
    return Words(tuple(norm), tuple(starts), tuple(ends))


def word_numbers(texts: Iterable[Words]) -> tuple[list[list[int]], int]:
    """Each document's words as integers, one per distinct word, numbered in
    order of first use (so the numbering is deterministic), and how many
    distinct words there are.  Ints compare and hash faster than strings, and
    make shingle keys exact."""
    vocabulary: dict[str, int] = {}
    number = vocabulary.setdefault
    numbered = [[number(w, len(vocabulary)) for w in t.norm] for t in texts]
    return numbered, len(vocabulary)


def shingles(numbers: Sequence[int], base: int, size: int = SHINGLE) -> list[int]:
    """Key of the shingle starting at each word position: its word numbers as
    the digits of one integer in `base` (more than any word number), so two
    shingles share a key exactly when they are the same words (no hash
    collisions, no salted `hash`)."""
    keys = list(numbers[:max(0, len(numbers) - size + 1)])
    for k in range(1, size):
        keys = [key * base + w for key, w in zip(keys, numbers[k:])]
    return keys


def first_positions(numbers: Sequence[int], base: int, size: int = SHINGLE) -> dict[int, int]:
    """Shingle key -> its first position in one document: a repeated shingle
    within one document adds no evidence."""
    keys = shingles(numbers, base, size)
    # later positions are overwritten by earlier ones
    return dict(zip(reversed(keys), range(len(keys) - 1, -1, -1)))


def candidate_seeds(numbered: Sequence[Sequence[int]], base: int, size: int = SHINGLE, max_df: int | None = None,
                    ) -> dict[tuple[int, int], list[tuple[int, int]]]:
    """(doc a, doc b) -> positions (i in a, j in b) of shingles both contain, for
    the pairs sharing at least MIN_SEEDS shingles.

    Only shingles in 2 to max_df documents are indexed (counted first): one in
    a single document meets nobody, one in more than max_df is boilerplate.
    Pairs are then counted before any position is kept, so pairs meeting on a
    stock phrase or two cost no lists."""
    firsts = [first_positions(numbers, base, size) for numbers in numbered]
    index = _postings(firsts, Counter(chain.from_iterable(firsts)), MAX_DF if max_df is None else max_df, least=2)
    del firsts
    return _pair_seeds(list(index.values()))


def _postings(firsts: Sequence[Mapping[int, int]], df: Mapping[int, int], max_df: int, least: int,
              ) -> dict[int, list[tuple[int, int]]]:
    """Shingle -> (document, first position) of the shingles in `least` to
    `max_df` documents, in the order shingles first occur (documents in order,
    then positions), so the seeds each pair keeps never depend on hashing."""
    index: dict[int, list[tuple[int, int]]] = {}
    for d, first in enumerate(firsts):
        for key, i in sorted(((k, i) for k, i in first.items() if least <= df[k] <= max_df), key=itemgetter(1)):
            index.setdefault(key, []).append((d, i))
    return index


def _pair_seeds(shared: list[list[tuple[int, int]]]) -> dict[tuple[int, int], list[tuple[int, int]]]:
    """Seeds of each pair from postings of shingles in 2 to MAX_DF documents,
    the first MAX_SEEDS_PER_PAIR in the postings' order."""
    counts = Counter(chain.from_iterable(combinations([d for d, _ in postings], 2) for postings in shared))
    seeds: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for postings in shared:
        for (da, ia), (db, ib) in combinations(postings, 2):
            if counts[da, db] >= MIN_SEEDS:
                found = seeds[(da, db)]
                if len(found) < MAX_SEEDS_PER_PAIR:
                    found.append((ia, ib))
    return seeds


def _clusters(seeds: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Seeds lying along one diagonal band (i - j drifts by at most DRIFT, as rewording
    shifts it) and close together: the clusters with at least MIN_SEEDS seeds,
    most seeds first."""
    out: list[list[tuple[int, int]]] = []
    for i, j in sorted(seeds):
        _add_seed(out, i, j)
    return _kept_clusters(out)


def _add_seed(out: list[list[tuple[int, int]]], i: int, j: int) -> None:
    """Seed (i, j), after the seeds in `out` in order, added to the cluster it continues or a new one."""
    if out:     # most seeds continue the last cluster: try it before the others
        li, lj = out[-1][-1]
        if i - li <= NEAR and abs((i - j) - (li - lj)) <= DRIFT:
            out[-1].append((i, j))
            return
    for c in reversed(out[-8:-1]):
        li, lj = c[-1]
        if i - li <= NEAR and abs((i - j) - (li - lj)) <= DRIFT:
            c.append((i, j))
            return
    out.append([(i, j)])


def _kept_clusters(out: list[list[tuple[int, int]]]) -> list[list[tuple[int, int]]]:
    return sorted((c for c in out if len(c) >= MIN_SEEDS), key=lambda c: (-len(c), c[0]))


def matching_blocks(a: Sequence[int], b: Sequence[int]) -> list[tuple[int, int, int]]:
    """The matching blocks (i, j, n) of difflib.SequenceMatcher(None, a, b,
    autojunk=False).get_matching_blocks(), without the final (len a, len b, 0):
    the same algorithm (longest block first, earliest in `a` then in `b` on a
    tie, then the same on each side of it; adjacent blocks joined), without
    building a SequenceMatcher for each of many small windows."""
    b2j: dict[int, list[int]] = {}
    for j, x in enumerate(b):
        b2j.setdefault(x, []).append(j)
    b2jget = b2j.get
    found: list[tuple[int, int, int]] = []
    queue = [(0, len(a), 0, len(b))]
    while queue:
        alo, ahi, blo, bhi = queue.pop()
        besti, bestj, bestsize = alo, blo, 0
        j2len: dict[int, int] = {}
        for i in range(alo, ahi):
            js = b2jget(a[i])
            if js is None:          # most words of a window are not in the other
                if j2len:
                    j2len = {}
                continue
            j2lenget = j2len.get
            newj2len: dict[int, int] = {}
            for j in js:
                if j < blo:
                    continue
                if j >= bhi:
                    break
                k = newj2len[j] = j2lenget(j - 1, 0) + 1
                if k > bestsize:
                    besti, bestj, bestsize = i - k + 1, j - k + 1, k
            j2len = newj2len
        if bestsize:
            found.append((besti, bestj, bestsize))
            if alo < besti and blo < bestj:
                queue.append((alo, besti, blo, bestj))
            if besti + bestsize < ahi and bestj + bestsize < bhi:
                queue.append((besti + bestsize, ahi, bestj + bestsize, bhi))
    found.sort()
    joined: list[tuple[int, int, int]] = []
    for i, j, n in found:
        if joined and joined[-1][0] + joined[-1][2] == i and joined[-1][1] + joined[-1][2] == j:
            joined[-1] = (joined[-1][0], joined[-1][1], joined[-1][2] + n)
        else:
            joined.append((i, j, n))
    return joined


Memo = dict[tuple[tuple[int, ...], tuple[int, ...]], list[tuple[int, int, int]]]


def _matching(a: Sequence[int], b: Sequence[int], a_lo: int, a_hi: int, b_lo: int, b_hi: int,
              memo: Memo, edge: bool = False) -> list[tuple[int, int, int]]:
    """Matching word blocks (i, j, n) of two small windows.  Reused passages
    bring the same windows again and again (the same edit between two
    anchors), so results are kept by the windows' words.

    `edge`: a window before the first anchor or after the last, where only
    blocks of MIN_EDGE_WORDS (2) words or more can matter: align() drops
    single words at a passage's edges, and words of one window alone
    (WINDOW < MIN_WORDS) never make a passage.  Without two words in a row
    in common, such a window has nothing to add."""
    if a_hi <= a_lo or b_hi <= b_lo:
        return []
    wa, wb = tuple(a[a_lo:a_hi]), tuple(b[b_lo:b_hi])
    if edge:    # edge windows seldom recur (the text around a passage differs): not remembered
        if set(zip(wa, wa[1:])).isdisjoint(zip(wb, wb[1:])):
            return []
        return [(a_lo + i, b_lo + j, n) for i, j, n in matching_blocks(wa, wb)]
    blocks = memo.get((wa, wb))
    if blocks is None:
        if len(memo) >= MEMO_SIZE:      # bounded memory at any corpus size; results never depend on it
            memo.clear()
        blocks = memo[(wa, wb)] = [] if set(wa).isdisjoint(wb) else matching_blocks(wa, wb)
    return [(a_lo + i, b_lo + j, n) for i, j, n in blocks]


def matched_blocks(a: Sequence[int], b: Sequence[int], cluster: Sequence[tuple[int, int]],
                   memo: Memo | None = None) -> list[tuple[int, int, int]]:
    """Word blocks (i, j, n) the two documents (word numbers) share around a cluster of seeds.

    The seeds are exact SHINGLE-word matches: chained in order they anchor the
    alignment, so only the short gaps between anchors (reworded words) and a
    WINDOW of words at each end (to extend the passage) are aligned, never
    whole documents."""
    memo = {} if memo is None else memo
    anchors: list[tuple[int, int, int]] = []
    for i, j in sorted(cluster):
        if anchors:
            ai, aj, an = anchors[-1]
            if i - ai == j - aj and i <= ai + an:          # the same run, one word on
                anchors[-1] = (ai, aj, max(an, i - ai + SHINGLE))
                continue
            if i < ai + an or j < aj + an:                  # crosses the run before it
                continue
        anchors.append((i, j, SHINGLE))
    blocks: list[tuple[int, int, int]] = []
    first_i, first_j, _ = anchors[0]
    blocks += _matching(a, b, max(0, first_i - WINDOW), first_i, max(0, first_j - WINDOW), first_j, memo, edge=True)
    for k, (i, j, n) in enumerate(anchors):
        blocks.append((i, j, n))
        if k + 1 < len(anchors):
            ni, nj, _ = anchors[k + 1]
            blocks += _matching(a, b, i + n, ni, j + n, nj, memo)
    last_i, last_j, last_n = anchors[-1]
    blocks += _matching(a, b, last_i + last_n, min(len(a), last_i + last_n + WINDOW),
                        last_j + last_n, min(len(b), last_j + last_n + WINDOW), memo, edge=True)
    return blocks


def _edge_words(wa: Sequence[int], wb: Sequence[int]) -> int:
    """At most how many words blocks of an edge window (see _matching) can
    align: none without two words in a row in common, else at most the words
    of `wa` that are in `wb`."""
    if set(zip(wa, wa[1:])).isdisjoint(zip(wb, wb[1:])):
        return 0
    return sum(map(set(wb).__contains__, wa))


def _cluster_blocks(a: Sequence[int], b: Sequence[int], cluster: Sequence[tuple[int, int]],
                    memo: Memo) -> list[tuple[int, int, int]]:
    """matched_blocks(a, b, cluster, memo) for a cluster in order (as _clusters
    gives it), or [] when no passage can come of them: the anchors, the
    shorter side of each gap between them and _edge_words bound the words they
    can align, and most clusters that fail (a stock phrase of 7 or 8 words
    shared by two documents) are told from that bound without aligning."""
    anchors: list[tuple[int, int, int]] = []
    most = 0
    for i, j in cluster:
        if anchors:
            ai, aj, an = anchors[-1]
            if i - ai == j - aj and i <= ai + an:          # the same run, one word on
                if i - ai + SHINGLE > an:
                    most += i - ai + SHINGLE - an
                    anchors[-1] = (ai, aj, i - ai + SHINGLE)
                continue
            if i < ai + an or j < aj + an:                  # crosses the run before it
                continue
            most += min(i - ai - an, j - aj - an)           # the gap aligns at most its shorter side
        anchors.append((i, j, SHINGLE))
        most += SHINGLE
    first_i, first_j, _ = anchors[0]
    last_i, last_j, last_n = anchors[-1]
    end_i, end_j = last_i + last_n, last_j + last_n
    if most + min(WINDOW, first_i, first_j) + min(WINDOW, len(a) - end_i, len(b) - end_j) < MIN_WORDS:
        return []
    lo_i, lo_j = max(0, first_i - WINDOW), max(0, first_j - WINDOW)
    before_a, before_b = a[lo_i:first_i], b[lo_j:first_j]
    after_a, after_b = a[end_i:end_i + WINDOW], b[end_j:end_j + WINDOW]
    before = _edge_words(before_a, before_b)
    if most + before + min(WINDOW, len(a) - end_i, len(b) - end_j) < MIN_WORDS:
        return []
    after = _edge_words(after_a, after_b)
    if most + before + after < MIN_WORDS:
        return []
    blocks: list[tuple[int, int, int]] = []
    if before:
        blocks = [(lo_i + i, lo_j + j, n) for i, j, n in matching_blocks(before_a, before_b)]
    for k, (i, j, n) in enumerate(anchors):
        blocks.append((i, j, n))
        if k + 1 < len(anchors):
            ni, nj, _ = anchors[k + 1]
            blocks += _matching(a, b, i + n, ni, j + n, nj, memo)
    if after:
        blocks += [(end_i + i, end_j + j, n) for i, j, n in matching_blocks(after_a, after_b)]
    return blocks

def align(blocks: Sequence[tuple[int, int, int]]) -> list[tuple[int, int, int, int, int]]:
    """Blocks in order merged into maximal near-identical spans: (a_first, a_last,
    b_first, b_last, aligned words).  Blocks join when the words between them
    are at most MAX_GAP on each side."""
    runs: list[list[tuple[int, int, int]]] = []
    for i, j, n in blocks:
        last = runs[-1][-1] if runs else None
        if last and 0 <= i - (last[0] + last[2]) <= MAX_GAP and 0 <= j - (last[1] + last[2]) <= MAX_GAP:
            runs[-1].append((i, j, n))
        else:
            runs.append([(i, j, n)])
    spans = []
    for run in runs:
        # a word or two matching by chance at either edge ("Azerbaijan." before
        # the passage) is not part of it
        while run and run[0][2] < MIN_EDGE_WORDS:
            run.pop(0)
        while run and run[-1][2] < MIN_EDGE_WORDS:
            run.pop()
        if run:
            (i0, j0, _), (i1, j1, n1) = run[0], run[-1]
            spans.append((i0, i1 + n1 - 1, j0, j1 + n1 - 1, sum(n for _, _, n in run)))
    return spans


def _passage_id(a: str, a_start: int, b: str, b_start: int) -> str:
    return "p" + hashlib.blake2b(f"{a}\0{a_start}\0{b}\0{b_start}".encode(), digest_size=5).hexdigest()


def _pair_passages(a: str, b: str, a_numbers: Sequence[int], b_numbers: Sequence[int], a_offsets: tuple[array, array],
                   b_offsets: tuple[array, array], seeds: list[tuple[int, int]], memo: Memo) -> list[SharedPassage]:
    """The passages of documents a < b from their seeds, by a_start."""
    return _cluster_passages(a, b, a_numbers, b_numbers, a_offsets, b_offsets, _clusters(seeds), memo)


def _cluster_passages(a: str, b: str, a_numbers: Sequence[int], b_numbers: Sequence[int],
                      a_offsets: tuple[array, array], b_offsets: tuple[array, array],
                      clusters: Iterable[Sequence[tuple[int, int]]], memo: Memo) -> list[SharedPassage]:
    """The passages of documents a < b from their clusters of seeds (see _clusters), by a_start."""
    kept: list[tuple[int, int, int, int, int]] = []
    for cluster in clusters:
        for span in align(_cluster_blocks(a_numbers, b_numbers, cluster, memo)):
            a0, a1, b0, b1, n = span
            if n >= MIN_WORDS and 2 * n / ((a1 - a0 + 1) + (b1 - b0 + 1)) >= MIN_SIMILARITY and not any(
                    (k[0] <= a1 and a0 <= k[1]) or (k[2] <= b1 and b0 <= k[3]) for k in kept):
                kept.append(span)
    if not kept:
        return []
    (a_starts, a_ends), (b_starts, b_ends) = a_offsets, b_offsets
    found = []
    for a0, a1, b0, b1, n in sorted(kept):
        similarity = round(2 * n / ((a1 - a0 + 1) + (b1 - b0 + 1)), 3)
        a_start, b_start = a_starts[a0], b_starts[b0]
        found.append(SharedPassage(_passage_id(a, a_start, b, b_start), a, a_start, a_ends[a1], b, b_start,
                                   b_ends[b1], similarity))
    return found


@dataclass(frozen=True)
class PassageState:
    """What a build keeps so that the next one recomputes only the pairs an
    edit can change (see shared_passages_since).  Word numbers are kept from
    build to build (new words get new numbers), so stored shingle keys stay
    valid; the passages never depend on which number a word has, only on
    which words are equal."""

    parameters: tuple
    vocabulary: dict[str, int]
    base: int                                            # shingle keys are word numbers in this base
    documents: dict[str, tuple[bytes, array]]            # id -> (body digest, word numbers)
    postings: dict[int, list[tuple[str, int]]]           # shingle in at most MAX_DF documents -> (id, first position), by id
    boilerplate: dict[int, int]                          # shingle in more -> in how many documents
    passages: tuple[SharedPassage, ...] | PackedPassages    # the result, in its order
    capped: frozenset[tuple[str, str]]                   # pairs with MAX_SEEDS_PER_PAIR seeds or more

    def __reduce__(self):
        # passages pickled as columns: 140,000 objects pickled one by one took
        # 1 s to load at 10,000 captures, the columns and the objects 0.2 s
        columns = self.passages.columns if isinstance(self.passages, PackedPassages) else _columns(self.passages)
        return _unpickled_state, (self.parameters, self.vocabulary, self.base, self.documents, self.postings,
                                  self.boilerplate, columns, self.capped)


def _columns(passages: Sequence[SharedPassage]) -> tuple:
    # each field read for all passages in one C loop (map), not attribute by attribute in Python
    column = {name: list(map(attrgetter(name), passages)) for name in
              ("id", "a", "b", "a_start", "a_end", "b_start", "b_end", "similarity")}
    documents = sorted(set(column["a"]).union(column["b"]))
    number = {d: k for k, d in enumerate(documents)}
    return ("\n".join(column["id"]), documents,
            array("I", map(number.__getitem__, column["a"])), array("I", map(number.__getitem__, column["b"])),
            *(array("q", column[name]) for name in ("a_start", "a_end", "b_start", "b_end")),
            array("d", column["similarity"]))


@dataclass(frozen=True)
class PackedPassages:
    """Passages of a loaded state, as columns until they are needed."""

    columns: tuple

    def unpack(self, ids: Mapping[str, str]) -> tuple[SharedPassage, ...]:
        """The passages, their document ids the objects `ids` maps them to: the
        pages' fingerprints pickle records and passages together, and an id
        shared with its record pickles otherwise than an equal copy (the first
        rebuild after a state was loaded rendered every page again)."""
        passage_ids, names, a, b, a_start, a_end, b_start, b_end, similarity = self.columns
        names = [ids.get(n, n) for n in names]
        return tuple(from_columns(SharedPassage, (passage_ids.split("\n") if passage_ids else (),
                                                  list(map(names.__getitem__, a)), a_start, a_end,
                                                  list(map(names.__getitem__, b)), b_start, b_end, similarity)))


def _unpickled_state(parameters, vocabulary, base, documents, postings, boilerplate, columns, capped) -> PassageState:
    return PassageState(parameters, vocabulary, base, documents, postings, boilerplate, PackedPassages(columns), capped)


def _passages_of(state: PassageState, ids: Sequence[str]) -> tuple[SharedPassage, ...]:
    if isinstance(state.passages, PackedPassages):
        return state.passages.unpack({d: d for d in ids})
    return state.passages


def _parameters() -> tuple:
    return (SHINGLE, MAX_DF, NEAR, DRIFT, MIN_SEEDS, WINDOW, MAX_GAP, MIN_EDGE_WORDS, MIN_WORDS, MIN_SIMILARITY,
            MAX_SEEDS_PER_PAIR)


def _digest(body: str) -> bytes:
    # SHA-256, not BLAKE2: the processor computes it (a third faster on every body of every rebuild)
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).digest()


def _offsets(w: Words) -> tuple[array, array]:
    # packed: a tuple of int objects per document cost about 130 bytes a word
    # with the words (600 MB at 10,000 captures); 4 bytes an offset, as word
    # positions (POSITION_BITS): a body of 4 billion characters does not fit in memory
    return array("I", w.starts), array("I", w.ends)


def _in_range(df: int) -> bool:
    return 2 <= df <= MAX_DF


_ORDER = attrgetter("a", "b", "a_start", "b_start")
_A, _B = attrgetter("a"), attrgetter("b")


def _in_order(found: Iterable[SharedPassage]) -> tuple[SharedPassage, ...]:
    return tuple(sorted(found, key=_ORDER))


def _merged(in_order: Sequence[SharedPassage], others: Iterable[SharedPassage]) -> tuple[SharedPassage, ...]:
    """_in_order(in_order + others) for passages `in_order` already in order:
    only the others are sorted, then each is put in place by bisection."""
    out: list[SharedPassage] = []
    start = 0
    for p in _in_order(others):
        k = bisect.bisect_right(in_order, _ORDER(p), lo=start, key=_ORDER)
        out += in_order[start:k]
        out.append(p)
        start = k
    out += in_order[start:]
    return tuple(out)


def shared_passages(bodies: Mapping[str, str]) -> tuple[SharedPassage, ...]:
    """Passages shared nearly word for word by two documents, `a` < `b` by id."""
    return shared_passages_since(bodies, None)[0]


INCREMENTAL_SHARE = 0.2     # more documents changed or removed than this share: compute everything again
# A state at most this many documents behind the bodies is kept, not replaced,
# when an edit leaves the passages as they were: writing the state again
# (a quarter of a second at 10,000 captures) costs more than recomputing the
# pairs of a few documents in each later build until it is replaced.
KEPT_BEHIND = 8


def shared_passages_since(bodies: Mapping[str, str], previous: PassageState | None, jobs: int = 1,
                          ) -> tuple[tuple[SharedPassage, ...], PassageState]:
    """shared_passages(bodies) and the state to pass to the next call.  With
    the state of a previous call, only the pairs an edit can change are
    recomputed; the result is the same as computing everything again.
    `jobs`: processes a full computation of PARALLEL_MIN_DOCUMENTS documents
    or more compares pairs in (the result is the same)."""
    # hundreds of thousands of small objects without reference cycles: the
    # collector's passes over them found nothing and cost 8 % of the time
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        if previous is not None and previous.parameters == _parameters():
            found = _incremental(bodies, previous)
            if found is not None:
                return found
        return _full(bodies, jobs)
    finally:
        if was_enabled:
            gc.enable()


def _full(bodies: Mapping[str, str], jobs: int = 1) -> tuple[tuple[SharedPassage, ...], PassageState]:
    ids = sorted(bodies)
    # Only word numbers and word offsets are kept per document
    offsets: list[tuple[array, array]] = []
    vocabulary: dict[str, int] = {}
    numbered: list[array] = []
    for d in ids:
        numbers, starts, ends = _numbered_words(bodies[d], vocabulary)
        numbered.append(numbers)
        offsets.append((starts, ends))
    # room for new words in later builds before the keys must change
    base = 1 << (2 * len(vocabulary) + 2).bit_length()
    # Each document's shingles as packed numbers, not as a dict of shingle keys:
    # 3.9 million dict entries of their own int objects were the build's peak
    # of memory at 10,000 captures (450 MB, against 30 MB packed).
    shingle_numbers: dict[int, int] = {}
    numbering = count()
    occurrences = [_first_occurrences(numbers, base, shingle_numbers, numbering) for numbers in numbered]
    df: Counter[int] = Counter()
    for found_numbers, _ in occurrences:
        df.update(found_numbers)
    rare = {n for n, documents in df.items() if documents <= MAX_DF}
    # postings of shingles in at most MAX_DF documents (the state keeps them), and for
    # each document those of its shingles in 2 or more, in order (see _document_clusters)
    postings: dict[int, list[tuple[int, int]]] = {}
    shared_of: list[list[tuple[int, list[tuple[int, int]], int]]] = []
    for d, (found_numbers, positions) in enumerate(occurrences):
        shared: list[tuple[int, list[tuple[int, int]], int]] = []
        for n, i in compress(zip(found_numbers, positions), map(rare.__contains__, found_numbers)):
            entries = postings.get(n)
            if entries is None:
                entries = postings[n] = []
            if df[n] >= 2:
                shared.append((i, entries, len(entries)))
            entries.append((d, i))
        shared_of.append(shared)
    del occurrences, rare
    key_of = {n: key for key, n in shingle_numbers.items()}
    del shingle_numbers
    boilerplate = {key_of[n]: documents for n, documents in df.items() if documents > MAX_DF}
    del df
    work = _Work(ids, numbered, offsets, shared_of)
    if jobs > 1 and len(ids) >= PARALLEL_MIN_DOCUMENTS:
        found, capped = _in_parallel(work, jobs)
    else:
        found, capped = _documents_passages(work, 0, len(ids))
    del work, shared_of, offsets
    found = _in_order(found)
    state = PassageState(_parameters(), vocabulary, base,
                         {d: (_digest(bodies[d]), numbered[k]) for k, d in enumerate(ids)},
                         {key_of[n]: [(ids[d], i) for d, i in p] for n, p in postings.items()},
                         boilerplate, found, frozenset(capped))
    return found, state


def _first_occurrences(numbers: Sequence[int], base: int, shingle_numbers: dict[int, int],
                       numbering: Iterator[int]) -> tuple[array, array]:
    """first_positions(numbers, base) packed, in order of position: each
    shingle's number in `shingle_numbers` (key -> number; a new key takes the
    next of `numbering`, so numbers are unique, not consecutive) and its first
    position.  Every loop runs in C."""
    keys = shingles(numbers, base)
    positions = sorted(dict(zip(reversed(keys), range(len(keys) - 1, -1, -1))).values())
    return (array("I", map(shingle_numbers.setdefault, map(keys.__getitem__, positions), numbering)),
            array("I", positions))


@dataclass(frozen=True)
class _Work:
    """What the pairs of each document are computed from (see _full)."""

    ids: list[str]
    numbered: list[array]
    offsets: list[tuple[array, array]]
    shared_of: list[list[tuple[int, list[tuple[int, int]], int]]]


def _documents_passages(work: _Work, first: int, last: int) -> tuple[list[SharedPassage], list[tuple[str, str]]]:
    """The passages of each document da in first..last-1 with the documents
    after it, and the pairs with MAX_SEEDS_PER_PAIR seeds or more."""
    ids, numbered, offsets = work.ids, work.numbered, work.offsets
    memo: Memo = {}
    found: list[SharedPassage] = []
    capped: list[tuple[str, str]] = []
    for da in range(first, last):
        for db, clusters, was_capped in _document_clusters(work.shared_of[da], da):
            if was_capped:
                capped.append((ids[da], ids[db]))
            found += _cluster_passages(ids[da], ids[db], numbered[da], numbered[db], offsets[da], offsets[db],
                                       clusters, memo)
    return found, capped


PARALLEL_MIN_DOCUMENTS = 1000   # below this the pool's start-up costs more than it saves
_inherited: list[_Work] = []    # what forked workers find (set before the pool forks)


def _in_worker(span: tuple[int, int]) -> tuple[tuple, list[tuple[str, str]]]:
    """The passages of a span as columns (see _columns), and its capped pairs.
    Columns, not objects: a frozen dataclass is pickled and unpickled object by
    object (its __setstate__ is Python), and 140,000 passages came back from
    the workers at 10,000 captures; the main process makes them by columns."""
    gc.disable()
    found, capped = _documents_passages(_inherited[0], *span)
    return _columns(found), capped


def _in_parallel(work: _Work, jobs: int) -> tuple[list[SharedPassage], list[tuple[str, str]]]:
    """_documents_passages of all documents, in spans of about equal work
    (seed candidates) across `jobs` forked processes, which inherit `work`
    instead of receiving it.  Each pair is computed in one process from the
    same data, so the result never depends on `jobs`."""
    weights = [sum(len(entries) - k for _, entries, k in shared) + 1 for shared in work.shared_of]
    total, parts = sum(weights), jobs * 8
    spans, first, done = [], 0, 0
    for d, weight in enumerate(weights):
        done += weight
        if done * parts >= total * (len(spans) + 1) or d == len(weights) - 1:
            spans.append((first, d + 1))
            first = d + 1
    _inherited[:] = [work]
    # the passages name their documents by the main process's id objects, as a serial computation's do
    same_ids = {d: d for d in work.ids}
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            found: list[SharedPassage] = []
            capped: list[tuple[str, str]] = []
            for span_columns, span_capped in pool.map(_in_worker, spans):
                found += PackedPassages(span_columns).unpack(same_ids)
                capped += span_capped
    finally:
        _inherited.clear()
    return found, capped


def _numbered_words(body: str, vocabulary: dict[str, int]) -> tuple[array, array, array]:
    """words(body) as word numbers (new words numbered in `vocabulary` as they
    come), starts and ends."""
    numbers, starts, ends = array("I"), array("I"), array("I")
    get = vocabulary.get
    for m in _WORD.finditer(body):
        w = m.group().casefold()
        n = get(w)
        if n is None:
            if w in _DROPPED:
                continue
            n = vocabulary[w] = len(vocabulary)
        numbers.append(n)
        s, e = m.span()
        starts.append(s)
        ends.append(e)
    return numbers, starts, ends


_DOCUMENT_OF = itemgetter(0)     # of a posting (document, position)


def _document_clusters(shared: Sequence[tuple[int, list[tuple[int, int]], int]], da: int,
                       ) -> list[tuple[int, list[list[tuple[int, int]]], bool]]:
    """(db, clusters of the pair's seeds as _clusters gives them, whether the
    pair has MAX_SEEDS_PER_PAIR seeds or more) for each document db > da
    meeting `da` on MIN_SEEDS shingles or more, by db.

    `shared`: da's shingles in 2 to MAX_DF documents, by position i in da:
    (i, the shingle's postings, da's place in them).  Walking them in order
    gives each pair its seeds sorted, so they are clustered as they come."""
    # each later document's seeds counted in C loops (a quarter of the time of a generator)
    counts = Counter(map(_DOCUMENT_OF, chain.from_iterable(islice(entries, k + 1, None) for _, entries, k in shared)))
    clustered: dict[int, list[list[tuple[int, int]]]] = {}
    capped_seeds: dict[int, list[tuple[tuple[int, int], int, int]]] = {}
    for d, n in counts.items():
        if n >= MIN_SEEDS:
            if n >= MAX_SEEDS_PER_PAIR:
                capped_seeds[d] = []
            else:
                clustered[d] = []
    if not clustered and not capped_seeds:
        return []
    get = clustered.get
    for i, entries, k in shared:
        for db, j in islice(entries, k + 1, None):
            out = get(db)
            if out is None:
                if db in capped_seeds:
                    capped_seeds[db].append((entries[0], i, j))
                continue
            _add_seed(out, i, j)
    found = []
    for db, out in clustered.items():
        clusters = _kept_clusters(out)
        if clusters:
            found.append((db, clusters, False))
    for db, seeds in capped_seeds.items():     # which seeds count depends on the postings' order (see _pair_seeds)
        seeds.sort()
        found.append((db, _clusters([(i, j) for _, i, j in seeds[:MAX_SEEDS_PER_PAIR]]), True))
    found.sort(key=itemgetter(0))
    return found


def _incremental(bodies: Mapping[str, str], previous: PassageState,
                 ) -> tuple[tuple[SharedPassage, ...], PassageState] | None:
    """shared_passages_since from a previous state, or None when computing
    everything again is as cheap or the state cannot serve.

    Pairs of two unchanged bodies keep their passages unless their seeds
    change.  Seeds are the shingles in 2..MAX_DF documents; only shingles of
    changed, added or removed documents ("touched") change how many documents
    hold them, so a pair of unchanged documents is recomputed only when it
    shares a touched shingle that entered or left that range, or, for a pair
    with MAX_SEEDS_PER_PAIR seeds or more (which seeds it keeps depends on
    the order shingles first occur), any touched shingle in the range.
    Every candidate pair with a changed or added document is recomputed."""
    ids = sorted(bodies)
    documents = previous.documents
    digests = {d: _digest(bodies[d]) for d in ids}
    changed = [d for d in ids if d not in documents or documents[d][0] != digests[d]]
    removed = sorted(d for d in documents if d not in bodies)
    if not changed and not removed:
        return _passages_of(previous, ids), previous
    if len(changed) + len(removed) > INCREMENTAL_SHARE * max(len(ids), len(documents)):
        return None
    vocabulary = dict(previous.vocabulary)
    number = vocabulary.setdefault
    texts = {d: words(bodies[d]) for d in changed}
    new_numbers = {d: array("I", [number(x, len(vocabulary)) for x in texts[d].norm]) for d in changed}
    base = previous.base
    if len(vocabulary) >= base:
        return None
    fresh = set(changed)
    gone = {d for d in changed + removed if d in documents}     # documents whose previous body leaves
    old_firsts = [first_positions(documents[d][1], base) for d in sorted(gone)]
    new_firsts = {d: first_positions(new_numbers[d], base) for d in changed}
    left = Counter(chain.from_iterable(old_firsts))
    added: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for d in changed:
        for key, i in new_firsts[d].items():
            added[key].append((d, i))
    postings, boilerplate = dict(previous.postings), dict(previous.boilerplate)
    old_df: dict[int, int] = {}
    new_df: dict[int, int] = {}
    unknown: list[int] = []         # boilerplate no more: which documents hold it was not kept
    for key in sorted(left.keys() | added.keys()):
        entries = postings.get(key)
        before = len(entries) if entries is not None else boilerplate.get(key, 0)
        old_df[key] = before
        after = new_df[key] = before - left[key] + len(added.get(key, ()))
        if after == 0:
            postings.pop(key, None)
            boilerplate.pop(key, None)
        elif after > MAX_DF:
            postings.pop(key, None)
            boilerplate[key] = after
        elif entries is not None or before == 0:
            postings[key] = sorted([e for e in entries or () if e[0] not in gone] + added.get(key, []))
        else:
            del boilerplate[key]
            unknown.append(key)
    numbers_of = {d: new_numbers[d] if d in fresh else documents[d][1] for d in ids}
    if unknown:
        wanted = set(unknown)
        holders: dict[int, list[tuple[str, int]]] = defaultdict(list)
        for d in ids:
            first = first_positions(numbers_of[d], base)
            for key in sorted(wanted.intersection(first)):
                holders[key].append((d, first[key]))
        for key in unknown:
            postings[key] = holders[key]

    # pairs of unchanged documents whose seeds may change
    redo: set[tuple[str, str]] = set()
    for key, before in old_df.items():
        after = new_df[key]
        if _in_range(before) != _in_range(after):
            entries = previous.postings[key] if _in_range(before) else postings[key]
            redo.update(combinations(sorted({d for d, _ in entries if d not in gone and d in bodies}), 2))
        elif _in_range(after) and previous.capped:
            kept = sorted({d for d, _ in postings[key] if d not in fresh})
            redo.update(p for p in combinations(kept, 2) if p in previous.capped)
    # every candidate pair with a changed document
    for c in changed:
        met = Counter(d for key in new_firsts[c] if _in_range(new_df[key]) for d, _ in postings[key] if d != c)
        redo.update((min(c, d), max(c, d)) for d, n in met.items() if n >= MIN_SEEDS)

    firsts_of: dict[str, dict[int, int]] = dict(new_firsts)
    offsets_of: dict[str, tuple[array, array]] = {d: _offsets(w) for d, w in texts.items()}
    def kept(a: str, b: str) -> bool:     # gone holds the removed documents too
        return a not in gone and b not in gone and (a, b) not in redo

    before = _passages_of(previous, ids)
    # only passages of a document in `gone` or in a pair to redo can go: they
    # are told in C loops, without a call of kept() for each passage
    involved = gone.union(*redo)
    may_go = list(map(or_, map(involved.__contains__, map(_A, before)), map(involved.__contains__, map(_B, before))))
    found = [p for p, maybe in zip(before, may_go) if not maybe or kept(p.a, p.b)]
    dropped = [p for p, maybe in zip(before, may_go) if maybe and not kept(p.a, p.b)]
    capped = {(a, b) for a, b in previous.capped if kept(a, b)}
    recomputed: list[SharedPassage] = []
    memo: Memo = {}
    for a, b in sorted(redo):
        for d in (a, b):
            if d not in firsts_of:
                firsts_of[d] = first_positions(numbers_of[d], base)
        fa, fb = firsts_of[a], firsts_of[b]
        shared = sorted((postings[key][0], key) for key in fa.keys() & fb.keys()
                        if key in postings and len(postings[key]) >= 2)
        if len(shared) < MIN_SEEDS:
            continue
        if len(shared) >= MAX_SEEDS_PER_PAIR:
            capped.add((a, b))
        seeds = [(fa[key], fb[key]) for _, key in shared[:MAX_SEEDS_PER_PAIR]]
        for d in (a, b):
            if d not in offsets_of:
                offsets_of[d] = _offsets(words(bodies[d]))
        recomputed += _pair_passages(a, b, numbers_of[a], numbers_of[b], offsets_of[a], offsets_of[b], seeds, memo)
    recomputed = list(_in_order(recomputed))
    found = _merged(found, recomputed)
    if recomputed == dropped and capped == previous.capped and len(changed) + len(removed) <= KEPT_BEHIND:
        # the same passages: the previous state serves the next build as well
        # as a new one would (it recomputes these few documents' pairs again),
        # and is not written again
        return found, previous
    state = PassageState(_parameters(), vocabulary, base,
                         {d: (digests[d], numbers_of[d]) if d in fresh else documents[d] for d in ids},
                         postings, boilerplate, found, frozenset(capped))
    return found, state
