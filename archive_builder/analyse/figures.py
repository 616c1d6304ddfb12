"""Numbers a sentence states about people, normalised: '147 civilians were killed'.

`extract_figures(sentence, offset)` finds quantities and keeps only those with a
*measure* from a small vocabulary; everything else that looks like a number
(years, dates, ordinals, agenda items, UN symbols, "paras. 154–178",
"24 regions", "31 years", "16 px") is not a figure.

Measures (`MEASURES`):
    killed, injured, missing, casualties   - what happened to people
    deported, displaced                    - forced movement ("deportation of",
                                             "were expelled", "were brought to")
    detained                               - arrested, detained, taken hostage
    troops                                 - armed forces ("26,000 Soviet troops")
    attendance, crowd                      - people who came ("attended the
                                             funeral"; "a crowd of thousands")
    people                                 - a count of people with no verb
                                             from the table ("the rights of more
                                             than one million Azerbaijanis")
The verb stays in `Figure.text` ("150 to 300 people died"), so the source's
own wording is never lost behind the normalised measure.

Qualifiers and the numbers they fill:
    exact               value                "147 civilians"
    approximate         value                "about 150,000", "some 20"
    more than           low                  "more than 200,000", "over 1 million"
    at least            low                  "at least 12"
    at most             high                 "up to 300", "no more than 300"
    less than           high                 "fewer than 50"
    range               low, high            "150 to 300", "between 1 and 2 million"
    order of magnitude  low, high            plural number words: "hundreds" 100-999,
                                             "thousands" 1,000-9,999, "tens of
                                             thousands" 10,000-99,999, "hundreds of
                                             thousands" 100,000-999,999, "millions"
                                             1,000,000-9,999,999, "dozens" 24-99.

How a measure is chosen, first match wins (`_measure`):
    1. a verb after the quantity and its subject, in the same clause
       ("744 were seriously injured", "4 people went missing");
    2. a cue right before it ("killing of 613 civilians", "deportation of
       hundreds of thousands", "погибли 147 человек", "a crowd of thousands");
    3. the subject noun itself ("26,000 Soviet troops", "300 refugees");
    4. a subject that names people ("civilians", "Azerbaijanis") -> people.
The subject is the noun phrase after the number: a people noun, a measure noun
or a demonym ("Azerbaijanis"); any other noun only when a verb of rule 1
follows it ("3 suspects were arrested"), so "24 regions" stays no figure.

Numbers: digits with thousands separators "26,000" / "26 000" / "26.000"
(a dotted group of exactly three digits, not followed by a scale word), decimals
with a scale ("1.5 million"), and English number words ("one million",
"twenty-six thousand").  A bare four-digit number from 1000 to 2100 is a year
unless a people noun follows it directly and no date word comes before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from ..dates import _by_first_letter
from ..model import Figure
from .sentences import Spans

__all__ = ["MEASURES", "MONTH_NAMES", "extract_figures"]

MEASURES = ("killed", "injured", "missing", "casualties", "deported", "displaced", "detained",
            "troops", "attendance", "crowd", "people")

_I = re.IGNORECASE


def for_lower_ascii(pattern: re.Pattern) -> re.Pattern:
    """`pattern` (IGNORECASE, written in lower case) as a case-sensitive
    pattern with the same matches in the lower-cased copy of an ASCII text.

    Lower-casing ASCII keeps every offset and word boundary; a non-ASCII letter
    of the pattern that IGNORECASE lets match ASCII letters ("ı" matches "i"
    and "I") is given those letters.  Why: sre tries IGNORECASE alternatives
    one by one at every word start, but skips case-sensitive ones on their first
    letter; on the sentences (nearly all ASCII) these searches run 2-3x faster.
    (Named groups keep their names: "(?P<" is not a letter of the pattern.)"""
    source = pattern.pattern
    assert pattern.flags & _I and not re.search(r"(?<!\\)[A-Z]", source.replace("(?P<", "")), source
    for letter in sorted({c for c in source if not c.isascii()}):
        ascii_twins = [a for a in "abcdefghijklmnopqrstuvwxyz" if re.fullmatch(re.escape(letter), a, _I)]
        if ascii_twins:
            assert not re.search(rf"\[[^\]]*{re.escape(letter)}", source), f"{letter!r} in a character class"
            source = source.replace(letter, f"(?:{letter}|{'|'.join(ascii_twins)})")
    return re.compile(source, pattern.flags & ~_I)



# --- numbers -----------------------------------------------------------------

_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
           "mln": 1_000_000, "bn": 1_000_000_000, "тыс": 1_000, "тысяч": 1_000, "тысячи": 1_000,
           "тысяча": 1_000, "млн": 1_000_000, "миллион": 1_000_000, "миллиона": 1_000_000,
           "миллионов": 1_000_000}
_SMALL_WORDS = "|".join(sorted([*_UNITS, *_TENS], key=len, reverse=True))
_SCALE_WORDS = r"(?:hundred|thousand|million|billion)"
_SCALE_AFTER_DIGITS = r"(?:[ \u00a0]?(?P<scale>thousand|million|billion|mln|bn|тыс\.?|тысяч[аи]?|млн\.?|миллион(?:а|ов)?)\b)?"

_DIGITS = (
    r"(?<![\w/.,№#$€£])(?<![^\W\d_]-)"     # not "A/75", "Baku-1990", "$5"
    r"(?P<digits>\d{1,3}(?:,\d{3})+(?![\d])"
    r"|\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d.,]\d)"
    r"|\d{1,3}(?:\.\d{3})+(?![\d]|[.,]\d|[ \u00a0]?(?:thousand|million|billion))"
    r"|\d+(?:\.\d+)?)"
    r"(?![\w/%]|[.,]\d)" + _SCALE_AFTER_DIGITS
)
_WORDS = (
    rf"(?P<words>\b(?:(?:a|one|{_SMALL_WORDS})\s+)?(?:{_SMALL_WORDS}|a(?=\s+{_SCALE_WORDS}))"
    rf"(?:(?:\s+and\s+|[\s-]+)(?:{_SMALL_WORDS}|{_SCALE_WORDS}))*\b)(?!-\w)"
)
# plural number words: (low, high) of the order of magnitude
_VAGUE = {
    "hundreds of thousands": (100_000, 999_999), "tens of thousands": (10_000, 99_999),
    "thousands": (1_000, 9_999), "hundreds": (100, 999), "millions": (1_000_000, 9_999_999),
    "dozens": (24, 99), "сотни тысяч": (100_000, 999_999), "десятки тысяч": (10_000, 99_999),
    "тысячи": (1_000, 9_999), "сотни": (100, 999), "миллионы": (1_000_000, 9_999_999),
    "десятки": (20, 99),
}
_VAGUE_RE = r"(?P<vague>\b(?:" + "|".join(re.escape(k) for k in sorted(_VAGUE, key=len, reverse=True)) + r")\b)"
_ATOM = re.compile(rf"{_VAGUE_RE}|{_DIGITS}|{_WORDS}", _I)
_TOKEN = re.compile(r"\d|[^\W\d_]+")
_STARTERS = frozenset([*_UNITS, *_TENS, "a", *(k.split()[0] for k in _VAGUE)])
# A number needs a digit, a number word other than "a", or "a" before what
# _ATOM takes for a scale word ("a thousand"; "a thousandfold" reads "a" as 1).
_NUMBER_WORDS = (_STARTERS - {"a"}) | {"hundred", "thousand", "million", "billion"}
_LETTERS = re.compile(r"[^\W\d_]+")
_DIGIT = re.compile(r"\d")
_A_SCALE = re.compile(rf"a\s+{_SCALE_WORDS}", _I)
# The tokens of _TOKEN that _atom_matches tries, in lower-cased ASCII text:
# a digit, or a whole run of letters that is a word of _STARTERS.  (Found by
# one case-sensitive scan instead of a Python loop over every word.)  "a" only
# where _ATOM can match it: before a number word, a scale word or "a".
_STARTER_IN_LOWER_ASCII = re.compile(
    r"\d|(?<![^\W\d_])(?:" + _by_first_letter(*sorted(_STARTERS - {"a"}, key=lambda w: (-len(w), w)))
    + rf"|a(?=\s+(?:a\s|{_SMALL_WORDS}|{_SCALE_WORDS})))(?![^\W\d_])")

# --- what comes before a quantity --------------------------------------------

_QUALIFIERS = (   # ordered: longer phrases first where they share words
    ("at least", r"at least|no fewer than|no less than|not less than|a minimum of|не менее|не меньше|как минимум"),
    ("more than", r"more than|in excess of|upwards of|over|above|более|свыше|больше"),
    ("at most", r"up to|at most|no more than|not more than|a maximum of|не более|до"),
    ("less than", r"less than|fewer than|under|менее|меньше"),
    ("approximate", r"about|around|approximately|roughly|some|nearly|almost|close to|an estimated|"
                    r"estimated|circa|ca\.|approx\.|около|примерно|почти|порядка"),
)
_QUALIFIER_BEFORE = re.compile(
    r"(?:^|(?<=[\s(\"“«]))(?P<q>" + "|".join(f"(?P<q{i}>{p})" for i, (_, p) in enumerate(_QUALIFIERS)) + r")\s+$", _I)
_RANGE_GAP = re.compile(r"^\s*(?:-|–|—|to|and|до|-?\s*по)\s*$", _I)
_BETWEEN_BEFORE = re.compile(r"\b(?:between|from|от|с)\s+$", _I)
MONTH_NAMES = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
           r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?|"
           r"январ\w*|феврал\w*|март\w*|апрел\w*|ма[йя]\w*|июн\w*|июл\w*|август\w*|"
           r"сентябр\w*|октябр\w*|ноябр\w*|декабр\w*)")
_DATE_BEFORE = re.compile(rf"(?:\b{MONTH_NAMES}\.?|\b(?:in|since|until|till|by|from|of|year|years|during|"
                          r"before|after|early|late|mid|spring|summer|autumn|winter|в|году?)|[-–—/])\s*$", _I)
_DATE_AFTER = re.compile(rf"^(?:\s*(?:{MONTH_NAMES})\b|\s*(?:-|–|—|/|'s\b|s\b|г\.|год))", _I)
# numbers that name a thing rather than count people
_REFERENCE_BEFORE = re.compile(
    r"\b(?:paras?\.?|paragraphs?|items?|nos?\.|numbers?|articles?|arts?\.|sections?|chapters?|pages?|pp?\.|"
    r"resolutions?|annex(?:es)?|decisions?|vol\.?|volumes?|sessions?|rules?|points?|clauses?|laws?|"
    r"decrees?|protocols?|no|code|grade|level|route|highway|flight|block|building|room|apartment|"
    r"house|st\.|street|km|kilometres?|kilometers?|miles?|age[ds]?|aged|пункт\w*|стать\w*|№)\s*$", _I)
_MONTH_BEFORE = re.compile(rf"(?:\b{MONTH_NAMES}\.?|[-–—/])\s*$", _I)
_GROUPED = re.compile(r"\d{1,3}(?:[,.\s\u00a0\u202f]\d{3})+")
_LOOKBACK = 80     # characters before a quantity that can hold its qualifier or cue
_TAIL_STARTS = re.compile(r"\b\w|[^\w\s]")
_TAIL_CHARS = 40   # "death toll has risen to", "no fewer than": the longest phrases before a number
_NEGATION_BEFORE = re.compile(r"\b(?:no|any|every|each|only|the)\s+$", _I)

# --- measures ----------------------------------------------------------------

# what happens to people, as verbs or nouns (stems; matched as whole words)
_CUES: tuple[tuple[str, str], ...] = (
    ("missing", r"went missing|gone missing|are missing|were missing|is missing|was missing|missing|disappeared|"
                r"remain unaccounted for|unaccounted for|пропал[аио]? без вести|пропавш\w+ без вести|без вести пропавш\w+|"
                r"itkin düş\w*"),
    ("killed", r"death toll(?:\s+(?:has\s+)?(?:rose|risen|climbed|reached|stood|stands|is|was)(?:\s+(?:to|at))?)?|"
               r"killed|murdered|massacred|slaughtered|shot dead|executed|burned alive|died|perished|"
               r"lost (?:their|his|her) lives|were shot|was shot|dead|killings?|murders?|massacre|deaths?|"
               r"погиб\w*|убит\w*|убийств\w*|гибел\w*|казнен\w*|расстрелян\w*|"
               r"həlak ol\w*|öldürül\w*|şəhid ol\w*|qətlə yetiril\w*"),
    ("injured", r"seriously injured|injured|wounded|hurt|hospitali[sz]ed|injuring|wounding|ранен\w*|пострадал\w*|"
                r"yaralan\w*|xəsarət al\w*"),
    ("deported", r"deported|deportation|deportations|депортирован\w*|депортаци\w*|выслан\w*|deportasiya\w*|"
                 r"sürgün\w*"),
    ("displaced", r"displaced|displacement|expelled|expulsions?|evicted|evictions?|relocated|relocation|resettled|"
                  r"fled|flight|evacuated|evacuation|brought to|sent to|forced out|driven out|cleansed|exodus|"
                  r"became refugees|выселен\w*|изгнан\w*|бежал\w*|беженц\w*|эвакуирован\w*"),
    ("detained", r"arrested|detained|imprisoned|jailed|taken hostage|held hostage|arrests?|detentions?|"
                 r"задержан\w*|арестован\w*"),
    ("attendance", r"attended|took part|participated|gathered|rallied|marched|protested|demonstrated|"
                   r"turned out|came out|rally|gathering|demonstration|procession|funeral|march|"
                   r"участвовал\w*|собрал\w*|вышл\w*"),
    ("crowd", r"crowd|mob|throng|толп\w*"),
)
_CUE_NAMES = [m for m, _ in _CUES]
_CUE_ALTS = "|".join(f"(?P<c{i}>{p})" for i, (_, p) in enumerate(_CUES))
# a verb in the same clause after the subject: aux + adverbs allowed before it
_CUE_AFTER = re.compile(
    r"^[\s,]*(?:(?:were|was|are|is|have been|had been|has been|got|had|have|went|were later|were then|"
    r"было|были|был|была)\s+)?(?:(?:\w+ly|reportedly|also|then|later|brutally|forcibly|allegedly|"
    rf"subsequently|massively|seriously)\s+){{0,2}}(?:{_CUE_ALTS})\b", _I)
# a cue right before: "killing of", "crowd of", "погибли", "killed" ("the attack killed 12")
_CUE_BEFORE = re.compile(rf"\b(?:{_CUE_ALTS})(?:\s+of(?:\s+the)?)?\s+$", _I)
# The same patterns for the lower-cased text of an ASCII sentence (see for_lower_ascii),
# tried at every word of the words before each number, they were half of _figure's cost.
# (Not kept in a dict: a pattern's hash is computed from its whole compiled code at every lookup.)
_REFERENCE_BEFORE_ASCII = for_lower_ascii(_REFERENCE_BEFORE)
_QUALIFIER_BEFORE_ASCII = for_lower_ascii(_QUALIFIER_BEFORE)
_CUE_BEFORE_ASCII = for_lower_ascii(_CUE_BEFORE)
_CUE_AFTER_ASCII = for_lower_ascii(_CUE_AFTER)

_NOUN_MEASURES = {
    "troops": "troops", "soldiers": "troops", "servicemen": "troops", "paratroopers": "troops",
    "militiamen": "troops", "police": "troops", "policemen": "troops", "marines": "troops",
    "refugees": "displaced", "idps": "displaced", "deportees": "deported", "dead": "killed",
    "deaths": "killed", "fatalities": "killed", "victims": "casualties", "casualties": "casualties",
    "wounded": "injured", "injured": "injured", "protesters": "attendance",
    "demonstrators": "attendance", "participants": "attendance", "mourners": "attendance",
    "hostages": "detained", "prisoners": "detained", "detainees": "detained",
    "военнослужащих": "troops", "солдат": "troops", "беженцев": "displaced", "жертв": "casualties",
    "погибших": "killed", "раненых": "injured",
}
_PEOPLE_NOUNS = frozenset("""
    people persons person civilians civilian residents inhabitants children women men elderly
    families citizens individuals villagers students workers refugees hostages prisoners
    человек человека людей жителей граждан детей женщин мирных
    nəfər insan adam şəxs sakin vətəndaş
""".split())
# words that end a subject: the verb or preposition after it
_SUBJECT_STOP = frozenset("""
    were was are is have had has been be being will would to in on at from by for with as and or but
    that which who whom whose than of the a an this these those it its their his her our there
    went died attended killed said became lost got
""".split())
_WORD = re.compile(r"[^\W\d_][\w’'\-]*")
_CLAUSE_END = re.compile(r"[;:(]|\s[–—]\s")


@dataclass(frozen=True)
class _Atom:
    start: int
    end: int
    low: float
    high: float | None     # set for vague plurals (order of magnitude)
    scale: float           # 1000 for "26 thousand", 1 without a scale word
    year_like: bool


def extract_figures(sentence: str, offset: int = 0, *, exclude: Iterable[tuple[int, int]] = ()) -> list[Figure]:
    """Figures in `sentence`; spans are `offset` + index into it.

    `exclude` holds spans (already offset, like the result) that are not
    counts, e.g. the dates found in the same text.

    Remembered per sentence and excluded spans within it (_figures_in): an
    archive repeats its sentences (statements reissued each year, boilerplate;
    four sentences in five of the benchmark's corpus are seen before), and the
    figures of a sentence do not depend on where it stands."""
    found = _figures_in(sentence, tuple((a - offset, b - offset) for a, b in exclude))
    return [_offset(f, offset) for f in found] if offset else list(found)


@lru_cache(maxsize=8192)
def _figures_in(sentence: str, exclude: tuple[tuple[int, int], ...]) -> tuple[Figure, ...]:
    return tuple(_extract_figures(sentence, 0, exclude=exclude))


def _extract_figures(sentence: str, offset: int = 0, *, exclude: Iterable[tuple[int, int]] = ()) -> list[Figure]:
    """extract_figures, worked out."""
    if not _may_state_a_number(sentence):
        return []
    atoms = [a for a in (_atom(m) for m in _atom_matches(sentence)) if a is not None]
    if not atoms:
        return []
    skip = Spans((a - offset, b - offset) for a, b in exclude)
    figures: list[Figure] = []
    i = 0
    while i < len(atoms):
        first = last = atoms[i]
        if (i + 1 < len(atoms) and atoms[i].high is None and atoms[i + 1].high is None
                and _RANGE_GAP.match(sentence[first.end:atoms[i + 1].start])
                and (sentence[first.end:atoms[i + 1].start].strip().lower() != "and"
                     or _ends_with(_BETWEEN_BEFORE, sentence[max(0, first.start - _LOOKBACK):first.start]))):
            last = atoms[i + 1]
            i += 1
        i += 1
        next_start = atoms[i].start if i < len(atoms) else len(sentence)
        if skip.overlaps(first.start, last.end):
            continue
        figure = _figure(sentence, first, last, next_start)
        if figure is not None:
            figures.append(_offset(figure, offset))
    return figures


def _may_state_a_number(sentence: str) -> bool:
    """False when no _ATOM match in `sentence` can be a number: no digit, no
    word (as `_atom_matches` and `_words_value` see words: a run of letters,
    lower-cased) that a number can be made of but "a", and no "a" before a
    scale word.  (An _ATOM match of other words, e.g. "ſix" under IGNORECASE,
    has no `_words_value`.)  A cheap test before `_atom_matches`, which two
    sentences in three go through for nothing: its regex costs ~5 µs per
    sentence, this test ~2 µs on an ASCII sentence (`_may_state_a_number_plain`
    is the same test, read as regexes)."""
    if not sentence.isascii():
        return _may_state_a_number_plain(sentence)
    lower = sentence.lower()
    words = lower.translate(ASCII_LETTER_RUNS)
    if "0" in words:
        return True                     # a digit
    words = words.split()               # the runs of letters, lower-cased
    return not _NUMBER_WORDS.isdisjoint(words) or (
        any(scale in lower for scale in _SCALE_WORD_LIST) and _A_SCALE.search(lower) is not None)


def _may_state_a_number_plain(sentence: str) -> bool:
    return (_DIGIT.search(sentence) is not None or _A_SCALE.search(sentence) is not None
            or not _NUMBER_WORDS.isdisjoint(map(str.lower, _LETTERS.findall(sentence))))


# An ASCII text translated by this reads as its runs of letters between spaces,
# with "0" for every digit: what _may_state_a_number needs, in one C call.
ASCII_LETTER_RUNS = str.maketrans({**{c: " " for c in range(128) if not chr(c).isalpha()},
                                    **{ord(d): "0" for d in "0123456789"}})
_SCALE_WORD_LIST = tuple(_SCALE_WORDS.removeprefix("(?:").removesuffix(")").split("|"))   # an _A_SCALE match holds one


def _atom_matches(sentence: str) -> Iterable[re.Match]:
    """_ATOM tried only where a number can start: a digit or a number word.
    (Running the big alternation at every position was most of the time.)"""
    if sentence.isascii():
        tokens = _STARTER_IN_LOWER_ASCII.finditer(sentence.lower())     # ASCII: same offsets
    else:
        tokens = (t for t in _TOKEN.finditer(sentence)
                  if t.group()[0].isdigit() or t.group().lower() in _STARTERS)
    end = 0
    for token in tokens:
        if token.start() < end:
            continue
        m = _ATOM.match(sentence, token.start())
        if m:
            end = m.end()
            yield m


def _atom(m: re.Match) -> _Atom | None:
    if m.group("vague"):
        low, high = _VAGUE[m.group("vague").lower()]
        return _Atom(m.start(), m.end(), low, high, 1.0, False)
    if m.group("digits"):
        digits = m.group("digits")
        scale = float(_SCALES[m.group("scale").lower().rstrip(".")]) if m.group("scale") else 1.0
        if scale == 1.0 and _GROUPED.fullmatch(digits):
            value = float(re.sub(r"\D", "", digits))           # 26,000 / 26 000 / 26.000
        else:
            value = float(re.sub(r"[,\s\u00a0\u202f]", "", digits))   # 1.5 million
        year_like = scale == 1.0 and len(digits) == 4 and digits.isdigit() and 1000 <= value <= 2100
        return _Atom(m.start(), m.end(), value * scale, None, scale, year_like)
    words = m.group("words")
    value = _words_value(words)
    if not value:
        return None
    scales = [_SCALES[w] for w in re.split(r"[\s-]+", words.lower()) if w in _SCALES and w != "hundred"]
    return _Atom(m.start(), m.end(), float(value), None, float(min(scales)) if scales else 1.0, False)


def _words_value(text: str) -> int | None:
    total, current = 0, 0
    for word in re.split(r"[\s-]+", text.lower()):
        if word in ("and", ""):
            continue
        if word == "a":
            current = max(current, 1)
        elif word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in _SCALES:
            total += max(current, 1) * _SCALES[word]
            current = 0
        else:
            return None
    return total + current


def _figure(sentence: str, first: _Atom, last: _Atom, next_start: int) -> Figure | None:
    # $-anchored searches look at a short window: they would scan the whole prefix
    base = max(0, first.start - _LOOKBACK)
    before = sentence[base:first.start]
    lower = sentence.lower() if sentence.isascii() else None     # for the ..._ASCII patterns
    lower_before = None if lower is None else lower[base:first.start]
    tails = _tail_starts(before)
    if (_ends_with_in(_REFERENCE_BEFORE, _REFERENCE_BEFORE_ASCII, before, lower_before, tails)
            or _DATE_AFTER.match(sentence[last.end:last.end + _LOOKBACK])):
        return None
    if first.scale == 1.0 and _ends_with(_MONTH_BEFORE, before, tails):
        return None                                  # "January 19", "19-20"
    word = sentence[first.start:first.end].lower()
    if word in ("one", "a") and (_ends_with(_NEGATION_BEFORE, before, tails) or sentence[first.end:first.end + 8].lstrip().startswith("of ")):
        return None

    qualifier, start = "exact", first.start
    q = _ends_with_in(_QUALIFIER_BEFORE, _QUALIFIER_BEFORE_ASCII, before, lower_before, tails)
    if q:
        start = base + q.start("q")
        qualifier = next(name for i, (name, _) in enumerate(_QUALIFIERS) if q.group(f"q{i}"))
    if first is not last:
        low, high = first.low, last.low
        if last.scale > 1.0 and first.scale == 1.0 and low * last.scale <= high:
            low *= last.scale                        # "150 to 300 thousand"
        value, qualifier = None, "range"
        between = _ends_with(_BETWEEN_BEFORE, before, tails)
        if between and not q:
            start = base + between.start()
        if low > high:
            return None
    elif first.high is not None:
        value, low, high, qualifier = None, first.low, first.high, "order of magnitude"
    else:
        value, low, high = _fill(qualifier, first.low)

    window_end = next_start
    clause = _CLAUSE_END.search(sentence, last.end, window_end)
    if clause:
        window_end = clause.start()
    subject, subject_end, head = _subject(sentence, last.end, window_end, lower)
    if first.year_like and (head is None or _ends_with(_DATE_BEFORE, before, tails) or subject_end != _first_word_end(sentence, last.end)):
        return None                                  # a year, not "1990 people"
    measure, cue_start, cue_end = _measure(sentence, before[:start - base], base, subject_end, window_end, head,
                                           tails if start == first.start else None, lower)
    if measure is None:
        return None
    text_start = min(start, cue_start if cue_start is not None else start)
    text_end = max(last.end, subject_end, cue_end if cue_end is not None else 0)
    return Figure(measure=measure, value=value, low=low, high=high, qualifier=qualifier,
                  subject=subject, text=sentence[text_start:text_end], start=text_start, end=text_end)


def _tail_starts(text: str) -> list[int]:
    """Where the last words and signs of `text` start."""
    return [m.start() for m in _TAIL_STARTS.finditer(text, max(0, len(text) - _TAIL_CHARS))]


def _ends_with_in(pattern: re.Pattern, ascii_pattern: re.Pattern, text: str, lower: str | None,
                  starts: list[int] | None = None) -> re.Match | None:
    """_ends_with(pattern, text, starts), read in `lower` (text.lower() of an ASCII
    text, else None) with `ascii_pattern`, pattern's for_lower_ascii twin."""
    return _ends_with(pattern, text, starts) if lower is None else _ends_with(ascii_pattern, lower, starts)


def _cue_after(sentence: str, start: int, end: int, lower: str | None) -> re.Match | None:
    """_CUE_AFTER.match(sentence[start:end]), read in `lower` when it is given (see _ends_with_in)."""
    if lower is None:
        return _CUE_AFTER.match(sentence[start:end])
    return _CUE_AFTER_ASCII.match(lower[start:end])


def _ends_with(pattern: re.Pattern, text: str, starts: list[int] | None = None) -> re.Match | None:
    """`pattern.search(text)` for a pattern anchored at the end ($), trying
    only where the last few words and signs start: searching every position
    of the window with a long alternation cost more than everything else."""
    for pos in _tail_starts(text) if starts is None else starts:
        m = pattern.match(text, pos)
        if m:
            return m
    return None


def _first_word_end(sentence: str, pos: int) -> int:
    m = _WORD.search(sentence, pos)
    return m.end() if m else pos


def _fill(qualifier: str, n: float) -> tuple[float | None, float | None, float | None]:
    """(value, low, high) for a single number under its qualifier."""
    if qualifier in ("more than", "at least"):
        return None, n, None
    if qualifier in ("at most", "less than"):
        return None, None, n
    return n, None, None


def _subject(sentence: str, pos: int, end: int, lowered: str | None = None) -> tuple[str | None, int, str | None]:
    """The noun phrase right after a quantity: '[of] Soviet troops'.

    Returns (subject text, end offset of the subject or `pos`, head noun lower-cased).
    `lowered`: the sentence lower-cased when it is ASCII (see _ends_with_in)."""
    words: list[re.Match] = []
    cursor = pos
    for m in _WORD.finditer(sentence, pos, end):
        if sentence[cursor:m.start()].strip(" \u00a0"):
            break                                    # punctuation between words
        lower = m.group().lower()
        if not words and lower == "of":
            cursor = m.end()
            continue
        if lower in _SUBJECT_STOP or len(words) == 3:
            break
        words.append(m)
        cursor = m.end()
        if lower in _PEOPLE_NOUNS or lower in _NOUN_MEASURES or _demonym(m.group()):
            break
    group = list(words)
    while words:
        head = words[-1].group()
        if head.lower() in _PEOPLE_NOUNS or head.lower() in _NOUN_MEASURES or _demonym(head):
            return sentence[words[0].start():words[-1].end()], words[-1].end(), head.lower()
        words.pop()
    if group:
        # any noun is a subject when what happened to it follows: "3 suspects were arrested",
        # "40 passengers died" (not "24 regions", which nothing follows)
        cue = _cue_after(sentence, group[-1].end(), end, lowered)
        if cue and _cue_name(cue) not in ("attendance", "crowd"):
            return sentence[group[0].start():group[-1].end()], group[-1].end(), group[-1].group().lower()
    return None, pos, None


def _demonym(word: str) -> bool:
    """A capitalised plural: 'Azerbaijanis', 'Armenians', 'Kurds', 'Азербайджанцев'."""
    return (len(word) > 3 and word[0].isupper() and not word.isupper()
            and (word.endswith("s") or word.endswith("цев") or word.endswith("ян")))


def _measure(sentence: str, before: str, base: int, subject_end: int, window_end: int, head: str | None,
             tails: list[int] | None = None, lower: str | None = None) -> tuple[str | None, int | None, int | None]:
    """(measure, cue start, cue end); cue offsets are None when the subject decided.
    `tails`: _tail_starts(before), when the caller has them; `lower`: the sentence
    lower-cased when it is ASCII (see _ends_with_in)."""
    after = _cue_after(sentence, subject_end, window_end, lower)
    if after and not (head in _NOUN_MEASURES and _cue_name(after) in ("attendance", "crowd")):
        # troops that "marched" stay troops; what happened to them overrides
        name = _cue_name(after)
        return name, None, subject_end + after.end()
    prior = _ends_with_in(_CUE_BEFORE, _CUE_BEFORE_ASCII, before, None if lower is None else lower[base:base + len(before)], tails)
    if prior:
        return _cue_name(prior), base + prior.start(), None
    if head is not None and head in _NOUN_MEASURES:
        return _NOUN_MEASURES[head], None, None
    if head is not None:
        return "people", None, None
    return None, None, None


def _cue_name(m: re.Match) -> str:
    return next(_CUE_NAMES[i] for i in range(len(_CUES)) if m.group(f"c{i}"))


def _offset(f: Figure, offset: int) -> Figure:
    return Figure(f.measure, f.value, f.low, f.high, f.qualifier, f.subject, f.text,
                  f.start + offset, f.end + offset)
