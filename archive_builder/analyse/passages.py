"""Shared passages: text two documents share nearly word for word.

Statements of different years reuse paragraphs with small edits ("At a
special session … was regarded as military aggression and crime" / "At the
special session … was qualified as military aggression and a crime").  Three
steps, none of which compares every pair of documents:

1. Words are normalised (case folded, articles dropped, so "a crime" and
   "crime" agree) and cut into overlapping SHINGLE-word shingles, hashed
   with CRC-32 (deterministic, unlike Python's salted `hash`).
2. An inverted index shingle -> (document, position) gives candidate pairs:
   only documents sharing a shingle meet.  Shingles in more than MAX_DF
   documents are boilerplate ("the Ministry of Foreign Affairs of") and are
   dropped, which also bounds the work per shingle.
3. Each cluster of shared shingles anchors an alignment: difflib aligns
   only the short gaps between anchors and a few words at each end; aligned
   blocks separated by small gaps (reworded, reordered or inserted words)
   are merged into maximal spans, kept when long and dense enough.  Offsets
   point into each record's body.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import zlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Mapping, Sequence

from ..model import SharedPassage

SHINGLE = 5            # words per shingle
MAX_DF = 30            # a shingle in more documents than this is boilerplate
NEAR = 40              # shared shingles this close (in words) in both documents form one cluster ...
DRIFT = 16             # ... when their offsets differ by at most this (words inserted or dropped)
MIN_SEEDS = 3          # shared shingles a cluster needs before it is aligned at all
WINDOW = 15            # words aligned beyond a cluster's first and last shingle, to extend it
MAX_GAP = 8            # words of rewording allowed inside one passage (on each side)
MIN_EDGE_WORDS = 2     # a passage starts and ends with this many words in a row
MIN_WORDS = 20         # aligned words for a passage to count
MIN_SIMILARITY = 0.6   # 2 * aligned / (words in a + words in b)
POSITION_BITS = 32     # word positions in a posting: documents of up to 4 billion words
MAX_SEEDS_PER_PAIR = 2000   # a pair sharing more is near-identical: enough evidence

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


def shingles(w: Words, size: int = SHINGLE) -> list[int]:
    """Hash of the shingle starting at each word position."""
    return [zlib.crc32(" ".join(w.norm[i:i + size]).encode("utf-8")) for i in range(len(w.norm) - size + 1)]


def candidate_seeds(texts: Sequence[Words], size: int = SHINGLE, max_df: int | None = None,
                    ) -> dict[tuple[int, int], list[tuple[int, int]]]:
    """(doc a, doc b) -> positions (i in a, j in b) of shingles both contain, for
    the pairs sharing at least MIN_SEEDS shingles.

    Two passes over the index: the first only counts shingles per pair (one
    int per pair), the second keeps positions for the pairs that count, so
    pairs meeting on a stock phrase or two cost no lists."""
    max_df = MAX_DF if max_df is None else max_df
    # postings packed as doc << POSITION_BITS | position: a list of ints, not
    # of tuples, keeps the index small at 100,000 documents
    index: dict[int, list[int]] = defaultdict(list)
    for d, w in enumerate(texts):
        seen: set[int] = set()
        for i, h in enumerate(shingles(w, size)):
            if h in seen:           # a repeated shingle within one document adds no evidence
                continue
            seen.add(h)
            index[h].append(d << POSITION_BITS | i)
    n = len(texts)
    shared = [[divmod(x, 1 << POSITION_BITS) for x in p] for p in index.values()
              if 2 <= len(p) and len({x >> POSITION_BITS for x in p}) <= max_df]
    del index
    counts: dict[int, int] = defaultdict(int)
    for postings in shared:
        for x, (da, _) in enumerate(postings):
            for db, _ in postings[x + 1:]:
                if da != db:
                    counts[da * n + db] += 1
    seeds: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for postings in shared:
        for x, (da, ia) in enumerate(postings):
            for db, ib in postings[x + 1:]:
                if da != db and counts[da * n + db] >= MIN_SEEDS:
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
        for c in reversed(out[-8:]):
            li, lj = c[-1]
            if i - li <= NEAR and abs((i - j) - (li - lj)) <= DRIFT:
                c.append((i, j))
                break
        else:
            out.append([(i, j)])
    return sorted((c for c in out if len(c) >= MIN_SEEDS), key=lambda c: (-len(c), c[0]))


def _matching(a: Words, b: Words, a_lo: int, a_hi: int, b_lo: int, b_hi: int) -> list[tuple[int, int, int]]:
    """difflib's matching word blocks (i, j, n) of two small windows."""
    if a_hi <= a_lo or b_hi <= b_lo or set(a.norm[a_lo:a_hi]).isdisjoint(b.norm[b_lo:b_hi]):
        return []
    matcher = difflib.SequenceMatcher(None, a.norm[a_lo:a_hi], b.norm[b_lo:b_hi], autojunk=False)
    return [(a_lo + i, b_lo + j, n) for i, j, n in matcher.get_matching_blocks() if n]


def matched_blocks(a: Words, b: Words, cluster: Sequence[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """Word blocks (i, j, n) the two documents share around a cluster of seeds.

    The seeds are exact SHINGLE-word matches: chained in order they anchor the
    alignment, so difflib only aligns the short gaps between anchors (reworded
    words) and a WINDOW of words at each end (to extend the passage), never
    whole documents."""
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
    blocks += _matching(a, b, max(0, first_i - WINDOW), first_i, max(0, first_j - WINDOW), first_j)
    for k, (i, j, n) in enumerate(anchors):
        blocks.append((i, j, n))
        if k + 1 < len(anchors):
            ni, nj, _ = anchors[k + 1]
            blocks += _matching(a, b, i + n, ni, j + n, nj)
    last_i, last_j, last_n = anchors[-1]
    blocks += _matching(a, b, last_i + last_n, min(len(a.norm), last_i + last_n + WINDOW),
                        last_j + last_n, min(len(b.norm), last_j + last_n + WINDOW))
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


def shared_passages(bodies: Mapping[str, str]) -> tuple[SharedPassage, ...]:
    """Passages shared nearly word for word by two documents, `a` < `b` by id."""
    ids = sorted(bodies)
    texts = [words(bodies[d]) for d in ids]
    found: list[SharedPassage] = []
    for (da, db), seeds in sorted(candidate_seeds(texts).items()):
        a, b = texts[da], texts[db]
        kept: list[tuple[int, int, int, int, int]] = []
        for cluster in _clusters(seeds):
            for span in align(matched_blocks(a, b, cluster)):
                a0, a1, b0, b1, n = span
                similarity = 2 * n / ((a1 - a0 + 1) + (b1 - b0 + 1))
                if n >= MIN_WORDS and similarity >= MIN_SIMILARITY and not any(
                        (k[0] <= a1 and a0 <= k[1]) or (k[2] <= b1 and b0 <= k[3]) for k in kept):
                    kept.append(span)
        for a0, a1, b0, b1, n in sorted(kept):
            similarity = round(2 * n / ((a1 - a0 + 1) + (b1 - b0 + 1)), 3)
            a_start, b_start = a.starts[a0], b.starts[b0]
            found.append(SharedPassage(_passage_id(ids[da], a_start, ids[db], b_start), ids[da], a_start,
                                       a.ends[a1], ids[db], b_start, b.ends[b1], similarity))
    return tuple(sorted(found, key=lambda p: (p.a, p.b, p.a_start, p.b_start)))
