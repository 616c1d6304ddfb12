"""Paragraphs and sentences of a record body, as (start, end) spans.

Pure functions; offsets index the string given.  A paragraph is a run of lines
between blank lines.  Inside a paragraph a sentence ends at . ! ? … (and the
full stops of other scripts: 。！？ Armenian ։, Arabic ؟, Devanagari ।), after
any closing quotes or brackets, when what follows does not start in lower
case.  A period does not end a sentence after an abbreviation ("Distr.",
"paras.", "No."), a dotted acronym ("U.S.", "U.N."), or an initial
("Malcolm N. Shaw").

A single line break inside a paragraph is a sentence break only when the line
reads as complete on its own (a heading, a caption, a list item): hard-wrapped
prose breaks lines mid-sentence, after a lower-case word or a comma, and keeps
its lines of about the same, long length.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache

__all__ = ["Spans", "split_paragraphs", "split_sentences"]

# Lower-case words that take a period and are usually followed by more of
# the same sentence.  "etc." is left out on purpose: it mostly ends one.
ABBREVIATIONS = frozenset("""
    distr para paras art arts no nos nr vol vols pp p ch chap sec fig figs ed eds
    mr mrs ms dr prof st gen col lt sgt capt rev hon sen rep gov amb
    jan feb mar apr jun jul aug sep sept oct nov dec
    e.g i.e cf vs viz approx ca inc ltd co corp dept op cit ibid ref tel
    г гг т им см др ул ст тыс млн
""".split())

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v\u00a0]*\n\s*")
# terminator(s), closing quotes/brackets, then the gap to the next sentence.
# The CJK full stops need no space after them.
_BOUNDARY = re.compile(
    r"""(?:[.!?…։؟।]+["'”’»)\]]*(?=\s)|[。！？]+["'”’»)\]」』]*)(\s*)""")
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_DOTTED_ACRONYM = re.compile(r"^(?:\w\.)+\w$")
_NON_SPACE = re.compile(r"\S")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•#]+\s|\d{1,3}[.)]\s)")
# A line this long is taken for hard-wrapped prose, not a heading or caption.
_WRAP_WIDTH = 60


def split_paragraphs(text: str) -> list[tuple[int, int]]:
    """Blank-line separated paragraphs, trimmed of surrounding whitespace."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _PARAGRAPH_BREAK.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return _join_broken([s for s in (_trim(text, a, b) for a, b in spans) if s], text)


def _join_broken(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """A page break in a capture leaves a sentence cut by blank lines:
    "...shot in their apartments,\n\n\nbuilding entryways...".  A paragraph
    that stops mid-sentence and one that goes on in lower case are one."""
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        if joined and text[start].islower() and (text[joined[-1][1] - 1] in ",;-–—" or text[joined[-1][1] - 1].islower()):
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


# A "sentence" longer than this is not one a reader could check as a quote
# (a capture with no punctuation, a run-on list): it is cut at clause marks or
# spaces into pieces of at most this length, so a claim's quote stays readable
# and nothing downstream (claims.csv, pages) repeats megabytes per figure.
MAX_SENTENCE = 1500


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans in body order; text[start:end] is trimmed and not empty.

    A paragraph's sentences depend on its text and the few characters after it
    (_FOLLOWING, see _line_groups) only: they are remembered per paragraph, as
    archives repeat their paragraphs (statements reissued each year)."""
    spans: list[tuple[int, int]] = []
    for p_start, p_end in split_paragraphs(text):
        spans.extend([(p_start + a, p_start + b) for a, b in
                      _paragraph_sentences(text[p_start:p_end], text[p_end:p_end + _FOLLOWING])])
    return spans


@lru_cache(maxsize=8192)
def _paragraph_sentences(paragraph: str, after: str) -> tuple[tuple[int, int], ...]:
    text = paragraph + after
    spans: list[tuple[int, int]] = []
    for l_start, l_end in _line_groups(text, 0, len(paragraph)):
        for start, end in _sentences_in(text, l_start, l_end):
            spans.extend(_bounded(text, start, end) if end - start > MAX_SENTENCE else [(start, end)])
    return tuple(spans)


def _split_sentences(text: str) -> list[tuple[int, int]]:
    """split_sentences, worked out over the whole text."""
    spans: list[tuple[int, int]] = []
    for p_start, p_end in split_paragraphs(text):
        for l_start, l_end in _line_groups(text, p_start, p_end):
            for start, end in _sentences_in(text, l_start, l_end):
                spans.extend(_bounded(text, start, end) if end - start > MAX_SENTENCE else [(start, end)])
    return spans


def _bounded(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut an overlong span into pieces of at most MAX_SENTENCE characters,
    preferring the last clause mark, else the last space, before the limit."""
    pieces: list[tuple[int, int]] = []
    while end - start > MAX_SENTENCE:
        limit = start + MAX_SENTENCE
        cut = max(text.rfind("; ", start, limit), text.rfind(", ", start, limit))
        if cut <= start + MAX_SENTENCE // 2:
            cut = text.rfind(" ", start, limit)
        cut = cut + 1 if cut > start else limit
        piece = _trim(text, start, cut)
        if piece:
            pieces.append(piece)
        start = cut
    piece = _trim(text, start, end)
    if piece:
        pieces.append(piece)
    return pieces


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


# How far _line_groups reads the text that follows a line (it may read past the paragraph's end)
_FOLLOWING = 12


def _line_groups(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a paragraph at line breaks that end a self-standing line."""
    groups: list[tuple[int, int]] = []
    group_start = start
    line_start = start
    longest = max(len(line.rstrip()) for line in text[start:end].split("\n"))
    while True:
        nl = text.find("\n", line_start, end)
        if nl < 0:
            break
        line = text[line_start:nl].rstrip()
        next_text = _NON_SPACE.search(text, nl + 1, end)       # a short look ahead: paragraphs can be long
        following = text[next_text.start():next_text.start() + _FOLLOWING] if next_text else ""
        if _line_stands_alone(line, following, longest):
            groups.append((group_start, nl))
            group_start = nl + 1
        line_start = nl + 1
    groups.append((group_start, end))
    return [s for s in (_trim(text, a, b) for a, b in groups) if s]


def _line_stands_alone(line: str, following: str, longest: int) -> bool:
    if not following:
        return True
    if not line:
        return False        # the blank lines of a joined page break
    if _LIST_ITEM.match(following) or line.lstrip().startswith("#"):
        return True
    if following[0].islower():
        return False
    if line[-1] in ".!?…։؟।。！？\"”’»":
        return True
    if line[-1] in ",;:-–—(/&" or len(line) >= _WRAP_WIDTH:
        return False
    # much shorter than its neighbours: not a wrapped line but a caption or a heading
    return not line[-1].islower() or len(line) < 0.8 * longest or _looks_like_heading(line)


def _looks_like_heading(line: str) -> bool:
    """Short lines that end in lower case break only when they are headings
    or captions: no comma, few words, mostly capitalised words."""
    words = line.split()
    if "," in line or len(words) > 12:
        return False
    capitalised = sum(1 for w in words if w[:1].isupper() or w[:1].isdigit())
    return capitalised * 2 >= len(words)


def _sentences_in(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    sentence_start = start
    for m in _BOUNDARY.finditer(text, start, end):
        after = m.end()
        if after < end and not _starts_sentence(text[after]):
            continue
        if after < end and text[m.start()] == "." and _is_abbreviation(text, sentence_start, m.start()):
            continue
        if after >= end:
            break
        spans.append((sentence_start, m.start(1)))
        sentence_start = after
    spans.append((sentence_start, end))
    return [s for s in (_trim(text, a, b) for a, b in spans) if s]


def _starts_sentence(ch: str) -> bool:
    return not ch.islower() and ch not in ",;:)]}"


# How far before a period `_is_abbreviation` first looks for the word ending
# there: a `$`-anchored search tries every position from where it starts.
_WORD_WINDOW = 40


def _is_abbreviation(text: str, sentence_start: int, period: int) -> bool:
    window = max(sentence_start, period - _WORD_WINDOW)
    m = _WORD_BEFORE.search(text, window, period)
    if m and m.start() == window > sentence_start:
        m = _WORD_BEFORE.search(text, sentence_start, period)    # the word may begin before the window
    if not m:
        return False
    word = m.group(1).strip(".")
    if not word:
        return False
    if len(word) == 1 and word.isalpha():
        return True                      # an initial: "N. Shaw"
    if _DOTTED_ACRONYM.match(word):
        return True                      # "U.S", "e.g"
    return word.lower() in ABBREVIATIONS


class Spans:
    """A set of text spans that answers "does (start, end) overlap one of you?"
    in log time (merged, sorted), where a scan of the list would make long
    documents quadratic."""

    def __init__(self, spans):
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._starts = [s for s, _ in merged]
        self._ends = [e for _, e in merged]

    def overlaps(self, start: int, end: int) -> bool:
        k = bisect_left(self._starts, end)
        return k > 0 and self._ends[k - 1] > start
