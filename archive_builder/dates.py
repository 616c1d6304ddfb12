"""Date expressions in text, normalised to EDTF.

Pure module: no I/O, no clock.  Nothing here ever looks at "today": relative
expressions are resolved only against an explicit ``anchor`` (the document's
own date) and dates without a year only get one from an explicit
``default_year``.

How it works
------------
``find_dates`` runs an ordered table of small named regex rules
(name, pattern, builder) over the text.  Each builder validates its
match (real calendar day, sane range...) and returns candidate mentions or
nothing.  Candidates are then chosen greedily, longest first (ties: earlier
start, then table order), so "January 19-20, 1990" beats "January 1990"-ish
fragments inside it and the result never overlaps.  Two short passes follow:

* ranges: "from 1948 to 1953", "between 1948 and 1953", "20 January 1990 –
  5 February 1991" join two adjacent stated dates into one interval;
* open ends: "since February 1988", "starting in November 1987",
  "from 1990 onwards" -> ``1988-02/..``; "until 1953" -> ``../1953``.

English is matched with our own regexes only (fast; no dateparser inside
``find_dates``).  A few other languages (ru, az, fr, de) get month-name
tables; ``parse_stated_date`` falls back to dateparser for other languages,
with settings that never fill in a missing year, month or day.

Choices for ambiguous forms (EDTF output)
-----------------------------------------
* "the 1980s" -> ``198X``; "the 1900s" is read as a decade too (``190X``).
* "early / mid / late 1980s" (also "the beginning / middle / end of the
  1980s") -> approximate intervals ``1980~/1984~``, ``1983~/1987~``,
  ``1985~/1989~``.  The "~" marks them as vague, and lets ``format_edtf`` give
  the words back ("the late 1980s") instead of "1985–1989".
* "the 20th century" / "the twentieth century" / "the XX century" -> ``19XX``
  (colloquial 1900-1999, not the strict 1901-2000); early / mid / late thirds
  -> ``1900~/1933~``, ``1933~/1966~``, ``1966~/1999~``.
* Relative expressions resolve to the year of the *event referred to*, i.e.
  anchor year minus N: "31 years passed since ..." and "the 31st anniversary
  of ..." with anchor ``2021-01-20`` -> ``1990``; "33 years ago" with anchor
  ``2023-01-20`` -> ``1990``.  They get ``kind="relative"`` and a
  ``reasoning`` such as "31 years before 2021-01-20 (document date)".  Year precision only: the
  phrases do not say more.  If the anchor spans several years the result is
  an interval (anchor ``2021/2022``, "31 years ago" -> ``1990/1991``); an
  open anchor ("2021-01-13/..") uses its known end.  "three decades ago" ->
  ``1991~``.  Without an anchor relative expressions are skipped.
* Seasons: "spring 1990" -> ``1990-21`` (EDTF season codes 21-24).

Not covered (on purpose): numeric slash dates ("01/02/1990" is ambiguous
between US and European order, and "/" is also in UN document symbols), bare
years without a cue word ("1990 was..." - too easily a count: "2000 people"),
lower-case "may" / "march" / "august", two-digit years ("'89").
"""

from __future__ import annotations

import calendar
import datetime
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Iterator, NamedTuple

__all__ = [
    "DateMention",
    "find_dates",
    "parse_stated_date",
    "find_anniversaries",
    "edtf_sort_key",
    "edtf_year",
    "edtf_bounds",
    "format_edtf",
]


@dataclass(frozen=True)
class DateMention:
    text: str          # the exact matched substring of the input
    start: int         # text == input[start:end]
    end: int
    edtf: str
    kind: str          # "stated" | "relative"
    reasoning: str | None = None


# --------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------

_EN_MONTHS = ["january", "february", "march", "april", "may", "june", "july",
              "august", "september", "october", "november", "december"]
_EN_MONTH_NUM = {name: i + 1 for i, name in enumerate(_EN_MONTHS)}
_EN_ABBR = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
            "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12}
# Lower-case forms of these are ordinary English words ("may", "march", "august").
_EN_CAPITAL_ONLY = {"may", "march", "august"}

# Other languages: every inflected form we accept -> month number.  Matched
# case-insensitively.
_MONTHS_OTHER: dict[str, dict[str, int]] = {
    "ru": {form: i + 1 for i, forms in enumerate([
        ("января", "январь", "январе"), ("февраля", "февраль", "феврале"),
        ("марта", "март", "марте"), ("апреля", "апрель", "апреле"),
        ("мая", "май", "мае"), ("июня", "июнь", "июне"),
        ("июля", "июль", "июле"), ("августа", "август", "августе"),
        ("сентября", "сентябрь", "сентябре"), ("октября", "октябрь", "октябре"),
        ("ноября", "ноябрь", "ноябре"), ("декабря", "декабрь", "декабре"),
    ]) for form in forms},
    "az": {form: i + 1 for i, form in enumerate([
        "yanvar", "fevral", "mart", "aprel", "may", "iyun", "iyul", "avqust",
        "sentyabr", "oktyabr", "noyabr", "dekabr"])},
    "fr": {form: i + 1 for i, forms in enumerate([
        ("janvier",), ("février", "fevrier"), ("mars",), ("avril",), ("mai",),
        ("juin",), ("juillet",), ("août", "aout"), ("septembre",), ("octobre",),
        ("novembre",), ("décembre", "decembre"),
    ]) for form in forms},
    "de": {form: i + 1 for i, forms in enumerate([
        ("januar", "jänner"), ("februar",), ("märz", "maerz"), ("april",), ("mai",),
        ("juni",), ("juli",), ("august",), ("september",), ("oktober",),
        ("november",), ("dezember",),
    ]) for form in forms},
}

_UNITS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
          "seventeen", "eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_UNIT_ORD = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh",
             "eighth", "ninth"]
_TEEN_ORD = ["tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
             "sixteenth", "seventeenth", "eighteenth", "nineteenth"]
_TENS_ORD = ["twentieth", "thirtieth", "fortieth", "fiftieth", "sixtieth",
             "seventieth", "eightieth", "ninetieth"]


def _number_words() -> tuple[dict[str, int], dict[str, int]]:
    card: dict[str, int] = {"a": 1, "hundred": 100, "a hundred": 100, "one hundred": 100}
    ords: dict[str, int] = {"hundredth": 100, "one hundredth": 100}
    for i, w in enumerate(_UNITS):
        card[w] = i + 1
        ords[_UNIT_ORD[i]] = i + 1
    for i, w in enumerate(_TEENS):
        card[w] = 10 + i
        ords[_TEEN_ORD[i]] = 10 + i
    for t, w in enumerate(_TENS):
        base = 20 + 10 * t
        card[w] = base
        ords[_TENS_ORD[t]] = base
        for u in range(9):
            for sep in ("-", " "):
                card[f"{w}{sep}{_UNITS[u]}"] = base + u + 1
                ords[f"{w}{sep}{_UNIT_ORD[u]}"] = base + u + 1
    return card, ords


_CARDINALS, _ORDINALS = _number_words()


def _alt(words: Iterable[str]) -> str:
    """Regex alternation, longest first so "thirty-one" wins over "thirty".

    The words are grouped by first letter ("t(?:hirty-one|hirty|en)|f(?:...)"):
    the regex engine then tries one group per position instead of every word,
    which made the number-word rules the slowest in find_dates.  Same matches
    as the flat alternation (`_flat_alt`, kept for the tests): at most one
    group can match at a position, and inside it the order is unchanged.
    """
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    groups: dict[str, list[str]] = {}
    for w in ordered:
        groups.setdefault(w[:1], []).append(w[1:])
    firsts = list(groups)
    if any(_same_letter(a, b) for i, a in enumerate(firsts) for b in firsts[i + 1:]):
        return _flat_alt(words)     # e.g. "J" and "j" under (?i): both could match, order would matter
    return "|".join(_escape(first) + (f"(?:{'|'.join(map(_escape, rests))})" if rests != [""] else "")
                    for first, rests in groups.items())


def _flat_alt(words: Iterable[str]) -> str:
    return "|".join(map(_escape, sorted(set(words), key=lambda w: (-len(w), w))))


def _escape(word: str) -> str:
    return re.escape(word).replace(r"\ ", r"\s+")


def _same_letter(a: str, b: str) -> bool:
    """Could `a` and `b` match the same character when the pattern ignores case?
    (Case-insensitive matching puts characters in classes: "k", "K" and the
    Kelvin sign are one.)"""
    return bool(re.fullmatch(re.escape(a), b, re.IGNORECASE) or re.fullmatch(re.escape(b), a, re.IGNORECASE))


_CARD_RX = _alt(_CARDINALS)
_ORD_RX = _alt(_ORDINALS)

_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8,
          "IX": 9, "X": 10, "XI": 11, "XII": 12, "XIII": 13, "XIV": 14, "XV": 15,
          "XVI": 16, "XVII": 17, "XVIII": 18, "XIX": 19, "XX": 20, "XXI": 21}
_ROMAN_RX = _alt(_ROMAN)

_SEASONS = {"spring": 21, "summer": 22, "autumn": 23, "fall": 23, "winter": 24}
_SEASON_NAMES = {21: "spring", 22: "summer", 23: "autumn", 24: "winter"}

# --------------------------------------------------------------------------
# Regex building blocks
# --------------------------------------------------------------------------

# A year we believe in: 1000-2099.  Not glued to a word, a "/" (UN symbols such
# as "S/2021/42") or a thousands separator ("26,000").
_YRX = r"(?:1[0-9]{3}|20[0-9]{2})"
_BEFORE = r"(?<![\w/])(?<!\d[.,])"
_AFTER_YEAR = r"(?![0-9])(?!/\w)(?![.,]\d)"


def _year(name: str, *, allow_hyphen_digit: bool = False) -> str:
    # By default a year must not be followed by "-digit": "1990-01-20" is the
    # ISO rule's business and "1948-1953" the range rule's.
    tail = _AFTER_YEAR if allow_hyphen_digit else _AFTER_YEAR + r"(?!\s*[-–—]\s*\d)"
    return rf"{_BEFORE}(?P<{name}>{_YRX}){tail}"


def _day(name: str, suffix: str) -> str:
    # Unlike years, a day may follow "/" ("the night of 19/20 January").
    return rf"(?<![\w])(?<!\d[.,])(?P<{name}>3[01]|[12][0-9]|0?[1-9])(?:{suffix})?(?![0-9A-Za-z])"


def _en_month(name: str) -> str:
    forms = []
    for m in _EN_MONTHS:
        forms += [m.capitalize(), m.upper()]
        if m not in _EN_CAPITAL_ONLY:
            forms.append(m)
    abbr = []
    for a in _EN_ABBR:
        abbr += [a.capitalize(), a.upper()]
    # Abbreviations take an optional full stop ("Sept. 20, 1990").
    return rf"(?<![\w])(?:(?P<{name}>{_alt(forms)})\b|(?P<{name}a>{_alt(abbr)})\b\.?)"


def _other_month(name: str, lang: str) -> str:
    return rf"(?<![\w])(?i:(?P<{name}>{_alt(_MONTHS_OTHER[lang])}))(?!\w)"


# Between the two days of "19-20", "19–20", "19/20" (night of), "19 to 20".
_DAY_CONN = r"(?:\s*[-–—‐‑/]\s*|\s+(?:to|and|through|till|until)\s+)"
_DAY_CONN_OTHER = {
    "ru": r"(?:\s*[-–—‐‑/]\s*|\s+(?:на|и|по)\s+)",
    "az": r"(?:\s*[-–—‐‑/]\s*)",
    "fr": r"(?:\s*[-–—‐‑/]\s*|\s+(?:au|et)\s+)",
    "de": r"(?:\s*[-–—‐‑/]\s*|\s+(?:bis|und|auf)\s+)",
}

# Words that, right before a number, tell us it's a count, not a year.
_COUNT_GUARD = (
    r"(?!\s*(?:%|(?i:percent|per\s+cent|px|pt|km|kilomet|met(?:er|re)s?\b|miles?\b|"
    r"m\b|kg|tons?\b|tonnes?\b|hectares?\b|ha\b|people|persons?\b|civilians?\b|"
    r"troops|soldiers?\b|men\b|women\b|children|refugees?\b|victims?\b|famil|"
    r"households?\b|houses?\b|homes?\b|units?\b|dollars?\b|euros?\b|usd\b|eur\b|"
    r"manat|roubles?\b|rubles?\b|cases?\b|deaths?\b|dead\b|wounded|injured|"
    r"prisoners?\b|hostages?\b|residents?\b|inhabitants?\b|workers?\b|students?\b|"
    r"pages?\b|copies|signatures?\b|protesters?\b|demonstrators?\b|participants?\b|"
    r"members?\b|delegates?\b|vehicles?\b|tanks?\b|buildings?\b|more\b|others?\b|"
    r"человек|чел\.|жител|беженц|nəfər|personnes|habitants|menschen|einwohner)))"
)

def _by_first_letter(*alternatives: str) -> str:
    """``a|b|c`` (regex alternatives) grouped by their first letter
    ("k(?:illed)|m(?:urdered|assacred)|..."): the regex engine then tries one
    group per position instead of every alternative.  Same matches as the plain
    alternation: the order inside a group is kept, and two groups never match
    the same character (checked: under IGNORECASE "k" and "K" would)."""
    groups: dict[str, list[str]] = {}
    for alternative in alternatives:
        assert alternative[:1].isalpha(), alternative
        groups.setdefault(alternative[0], []).append(alternative[1:])
    letters = list(groups)
    assert not any(_same_letter(a, b) for i, a in enumerate(letters) for b in letters[i + 1:]), letters
    return "|".join(f"{letter}(?:{'|'.join(rests)})" for letter, rests in groups.items())


# Preceding words that make a bare 4-digit number a year.
_EN_CUES = _by_first_letter(
    "in", "since", "from", "to", "until", "till", "through", "by", "during", "before", "after", "of", "around",
    "circa", r"c\.", r"ca\.", "about", "early", "late", "year", r"as\s+of", r"end\s+of", r"beginning\s+of",
    r"start\s+of", r"middle\s+of", "between", r"summer\s+of", r"spring\s+of", r"autumn\s+of",
    r"winter\s+of", r"fall\s+of")
_REF_BEFORE = re.compile(r"(?i:\b(?:paras?|paragraphs?|pp?|pages?|items?|nos?|numbers?|"
                         r"art|articles?|sections?|§)\.?\s*)$")


# --------------------------------------------------------------------------
# Candidates and context
# --------------------------------------------------------------------------

class _Cand(NamedTuple):
    start: int
    end: int
    edtf: str
    kind: str = "stated"
    reasoning: str | None = None


@dataclass(frozen=True)
class _Ctx:
    text: str
    lang: str
    anchor: str | None
    anchor_years: tuple[int, int] | None
    default_year: int | None


Builder = Callable[[re.Match, _Ctx], "Iterable[_Cand] | None"]


@dataclass(frozen=True)
class _Rule:
    name: str
    pattern: re.Pattern
    build: Builder
    trigger: re.Pattern            # cheap pre-check: no trigger in the text, no scan
    needs: str | None = None       # "anchor" | "default_year": skip the rule without it
    # Where a match can begin: every match of `pattern` starts at a position
    # of `starts` (see _STARTS and _positions).  The rule is then tried only there instead of
    # being scanned over the whole text; None: scan the whole text.
    starts: re.Pattern | _BeforeNumber | _BeforeWord | None = None
    # The words, lower-cased, one of which every match of `trigger` holds (see
    # _TRIGGER_WORDS); () when not known.  The case-insensitive trigger can
    # match only where one of them is in the lower-cased text (see _lowered).
    words: tuple[str, ...] = ()


def _month_of(m: re.Match, group: str, lang: str) -> int:
    word = m.group(group) or m.groupdict().get(group + "a")
    word = word.lower().rstrip(".")
    if word in _EN_MONTH_NUM:
        return _EN_MONTH_NUM[word]
    if word in _EN_ABBR:
        return _EN_ABBR[word]
    return _MONTHS_OTHER.get(lang, {}).get(word, 0)


def _day_edtf(y: int, mo: int, d: int) -> str | None:
    """'YYYY-MM-DD' for a real calendar day, else None (no 'February 31')."""
    if not (1 <= mo <= 12) or not (1 <= d <= calendar.monthrange(y, mo)[1]):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _span(m: re.Match, group: int | str = 0) -> tuple[int, int]:
    return m.start(group), m.end(group)


# --------------------------------------------------------------------------
# Builders (match -> candidates).  Each returns None when the match is not a
# real date; the selection step then simply never sees it.
# --------------------------------------------------------------------------

def _b_day_range(m: re.Match, ctx: _Ctx) -> list[_Cand] | None:
    """'January 19-20, 1990', '30 January - 2 February 1990' (and year-less
    variants when the caller gave a default year)."""
    year, reasoning = _year_or_default(m, ctx)
    if year is None:
        return None
    m1 = _month_of(m, "m1", ctx.lang)
    m2 = _month_of(m, "m2", ctx.lang) if "m2" in m.groupdict() else m1
    a = _day_edtf(year, m1, int(m.group("d1")))
    b = _day_edtf(year, m2, int(m.group("d2")))
    if a is None or b is None or a >= b:
        return None
    return [_Cand(*_span(m), f"{a}/{b}", "stated", reasoning)]


def _b_day(m: re.Match, ctx: _Ctx) -> list[_Cand] | None:
    year, reasoning = _year_or_default(m, ctx)
    if year is None:
        return None
    e = _day_edtf(year, _month_of(m, "m1", ctx.lang), int(m.group("d1")))
    return [_Cand(*_span(m), e, "stated", reasoning)] if e else None


def _year_or_default(m: re.Match, ctx: _Ctx) -> tuple[int | None, str | None]:
    if "y" in m.groupdict() and m.group("y"):
        return int(m.group("y")), None
    if ctx.default_year is not None:
        return ctx.default_year, f"no year stated; year {ctx.default_year} supplied by the caller (default_year)"
    return None, None


def _b_numeric_day(m: re.Match, ctx: _Ctx) -> list[_Cand] | None:
    e = _day_edtf(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    return [_Cand(*_span(m), e)] if e else None


def _b_month(m: re.Match, ctx: _Ctx) -> list[_Cand] | None:
    mo = _month_of(m, "m1", ctx.lang)
    return [_Cand(*_span(m), f"{int(m.group('y')):04d}-{mo:02d}")] if mo else None


def _b_season(m: re.Match, ctx: _Ctx) -> list[_Cand]:
    code = _SEASONS[m.group("season").lower()]
    return [_Cand(*_span(m), f"{int(m.group('y')):04d}-{code}")]


# early / mid / late parts of a decade and of a century (see module docstring).
_DECADE_PARTS = {"early": (0, 4), "mid": (3, 7), "late": (5, 9)}
_CENTURY_PARTS = {"early": (0, 33), "mid": (33, 66), "late": (66, 99)}
_EDGE_TO_PART = {"beginning": "early", "start": "early", "middle": "mid",
                 "end": "late", "close": "late"}


def _part(m: re.Match) -> str:
    if m.group("part"):
        return m.group("part").lower()
    words = m.group("edge").lower().split()
    return _EDGE_TO_PART[words[1] if words[0] == "very" else words[0]]    # "the very end of the 1980s"


def _b_decade(m: re.Match, ctx: _Ctx) -> list[_Cand]:
    return [_Cand(*_span(m), m.group("dec")[:3] + "X")]


def _b_decade_part(m: re.Match, ctx: _Ctx) -> list[_Cand]:
    base = int(m.group("dec"))
    lo, hi = _DECADE_PARTS[_part(m)]
    return [_Cand(*_span(m), f"{base + lo:04d}~/{base + hi:04d}~")]


def _century_number(m: re.Match) -> int | None:
    if m.group("cn"):
        n = int(m.group("cn"))
    elif m.group("cw"):
        n = _ORDINALS.get(re.sub(r"\s+", " ", m.group("cw").lower()), 0)
        if n < 10:
            return None                   # "its first century" is rarely a date
    else:
        n = _ROMAN.get(m.group("cr"), 0)
    return n if 1 <= n <= 21 else None


def _b_century(m: re.Match, ctx: _Ctx) -> list[_Cand] | None:
    n = _century_number(m)
    return [_Cand(*_span(m), f"{n - 1:02d}XX")] if n else None


def _b_century_part(m: re.Match, ctx: _Ctx) -> list[_Cand] | None:
    n = _century_number(m)
    if not n:
        return None
    base = (n - 1) * 100
    lo, hi = _CENTURY_PARTS[_part(m)]
    return [_Cand(*_span(m), f"{base + lo:04d}~/{base + hi:04d}~")]


def _b_year_range(m: re.Match, ctx: _Ctx) -> list[_Cand] | None:
    if _REF_BEFORE.search(ctx.text, max(0, m.start() - 16), m.start()):
        return None                       # "pp. 1948-1953" are page numbers
    y1, raw2 = int(m.group("y1")), m.group("y2")
    y2 = int(raw2) if len(raw2) == 4 else (y1 // 100) * 100 + int(raw2)   # "1948-53"
    if not (y1 < y2 <= y1 + 200):
        return None
    return [_Cand(*_span(m), f"{y1:04d}/{y2:04d}")]


_LIST_YEAR = re.compile(rf"{_year('y')}{_COUNT_GUARD}")


def _b_cued_years(m: re.Match, ctx: _Ctx) -> list[_Cand] | None:
    """'in 2005', 'since 1990', 'in 1990, 1991 and 1993': the cue word is
    what makes a bare number a year; it is not part of the mention."""
    if _REF_BEFORE.search(ctx.text, max(0, m.start("y") - 16), m.start("y")):
        return None
    out = [_Cand(*_span(m, "y"), m.group("y"))]
    if m.group("more"):
        for ym in _LIST_YEAR.finditer(ctx.text, m.start("more"), m.end("more")):
            out.append(_Cand(*_span(ym, "y"), ym.group("y")))
    return out


def _b_suffixed_year(m: re.Match, ctx: _Ctx) -> list[_Cand]:
    """'1990 году', '1990-cı ildə', 'en 1990': year marked by the language."""
    return [_Cand(*_span(m), m.group("y"))]


def _b_paren_year(m: re.Match, ctx: _Ctx) -> list[_Cand]:
    return [_Cand(*_span(m, "y"), m.group("y"))]


# ---- relative expressions -------------------------------------------------

def _rel_number(m: re.Match) -> int | None:
    gd = m.groupdict()
    raw = gd.get("n") or gd.get("nw")
    if raw is None:
        return None
    raw = re.sub(r"\s+", " ", raw.lower())
    if raw.isdigit():
        return int(raw)
    return _CARDINALS.get(raw) or _ORDINALS.get(raw)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _b_relative(m: re.Match, ctx: _Ctx) -> list[_Cand] | None:
    n = _rel_number(m)
    if not n or ctx.anchor_years is None:
        return None                        # no anchor: nothing to count back from
    unit = (m.groupdict().get("unit") or "year").lower()
    years = n * 10 if unit.startswith(("decade", "десятил")) else n
    approx = "~" if years != n else ""
    lo, hi = ctx.anchor_years[0] - years, ctx.anchor_years[1] - years
    if lo < 1:
        return None
    edtf = f"{lo:04d}{approx}" if lo == hi else f"{lo:04d}{approx}/{hi:04d}{approx}"
    if m.groupdict().get("anniv"):
        why = f"{_ordinal(n)} anniversary: {n} years before {ctx.anchor} (document date)"
    elif approx:
        why = f"about {years} years ({n} {unit}) before {ctx.anchor} (document date)"
    else:
        why = f"{n} years before {ctx.anchor} (document date)"
    return [_Cand(*_span(m), edtf, "relative", why)]


# --------------------------------------------------------------------------
# The rule tables
# --------------------------------------------------------------------------

_EN_RELATIVE = [
    # "33 years ago", "thirty years ago", "three decades ago"
    ("rel_ago", rf"(?i:(?<![\w,.])(?P<n>\d{{1,3}}|{_CARD_RX})\s+(?P<unit>years?|decades?)\s+ago\b)"),
    # "31 years passed since", "33 years have passed", "a year has gone by"
    ("rel_passed", rf"(?i:(?<![\w,.])(?P<n>\d{{1,3}}|{_CARD_RX})\s+(?P<unit>years?|decades?)\s+"
                   r"(?:have\s+|has\s+|had\s+)?(?:now\s+)?(?:passed|elapsed|gone\s+by)(?:\s+since\b)?)"),
    # "it has been 31 years since"
    ("rel_been", rf"(?i:\bit(?:\s+has|'s|’s)\s+(?:now\s+)?been\s+(?P<n>\d{{1,3}}|{_CARD_RX})\s+"
                 r"(?P<unit>years?|decades?)\s+since\b)"),
    # "30th anniversary", "thirtieth anniversary", "30-year anniversary"
    ("rel_anniversary", rf"(?i:(?<![\w,.])(?P<anniv>(?:(?P<n>\d{{1,3}})(?:st|nd|rd|th)|(?P<nw>{_ORD_RX}))"
                        r"\s+anniversary)\b)"),
    ("rel_year_anniversary", rf"(?i:(?<![\w,.])(?P<anniv>(?P<n>\d{{1,3}}|{_CARD_RX})[-\s]year\s+anniversary)\b)"),
]

_OTHER_RELATIVE = {
    "ru": [("rel_ago_ru", r"(?i:(?<![\w,.])(?P<n>\d{1,3})\s+(?P<unit>год|года|лет)"
                          r"\s+(?:тому\s+)?назад(?!\w))"),
           ("rel_passed_ru", r"(?i:(?<![\w,.])(?:прошло|прошёл|прошел|исполнилось)\s+"
                             r"(?P<n>\d{1,3})\s+(?P<unit>год|года|лет)(?!\w))"),
           ("rel_anniversary_ru", r"(?i:(?<![\w,.])(?P<anniv>(?P<n>\d{1,3})-?"
                                  r"(?:я|й|ю|ой|ую|ая|летия|летие)?\s+годовщин\w*))")],
    "az": [("rel_ago_az", r"(?i:(?<![\w,.])(?P<n>\d{1,3})\s+(?P<unit>il)\s+(?:əvvəl|öncə)(?!\w))"),
           ("rel_anniversary_az", r"(?i:(?<![\w,.])(?P<anniv>(?P<n>\d{1,3})[-\s]?(?:ci|cı|cu|cü)?\s+ildönümü\w*))")],
    "fr": [("rel_ago_fr", r"(?i:\bil\s+y\s+a\s+(?P<n>\d{1,3})\s+(?P<unit>ans?)(?!\w))"),
           ("rel_anniversary_fr", r"(?i:(?<![\w,.])(?P<anniv>(?P<n>\d{1,3})(?:e|ème|eme)\s+anniversaire))")],
    "de": [("rel_ago_de", r"(?i:\bvor\s+(?P<n>\d{1,3})\s+(?P<unit>jahren?)(?!\w))"),
           ("rel_anniversary_de", r"(?i:(?<![\w,.])(?P<anniv>(?P<n>\d{1,3})\.\s+jahrestag\w*))")],
}

# Per-language stated-date vocabulary: day suffixes, year suffixes, cue words.
_LANG = {
    "en": dict(day_suffix=r"st|nd|rd|th", year_tail=r"", of=r"(?:of\s+|day\s+of\s+)?"),
    "ru": dict(day_suffix=r"-?го|-?е", year_tail=r"(?:\s*(?:г\.|года|году|год)(?!\w))?", of=r""),
    "az": dict(day_suffix=r"", year_tail=r"(?:-?(?:ci|cı|cu|cü)\s+il(?:in|də|dən)?(?!\w))?", of=r""),
    "fr": dict(day_suffix=r"er|e", year_tail=r"", of=r""),
    "de": dict(day_suffix=r"\.", year_tail=r"", of=r""),
}

_CENTURY_CORE = (rf"(?:(?<![\w])(?P<cn>[1-9]|1[0-9]|2[01])(?:st|nd|rd|th)|"
                 rf"(?<![\w])(?i:(?P<cw>{_ORD_RX}))|"
                 rf"(?<![\w])(?P<cr>{_ROMAN_RX})(?:st|nd|rd|th|-?th)?)[-\s]+(?i:century)(?!\w)")
_DECADE_CORE = rf"{_BEFORE}(?P<dec>1[0-9]{{2}}0|20[0-9]0)(?:'s|’s|s)(?![\w])"
_PART = (r"(?:(?i:(?P<part>early|mid|late))(?:-|\s+)?|"
         r"(?i:(?P<edge>(?:very\s+)?(?:end|beginning|start|middle|close)\s+of\s+the))\s+)")


def _date_rules(lang: str) -> list[tuple[str, str, Builder]]:
    """Day, month and year rules for one language (English month names are
    always on: quotations and UN headers are often English)."""
    if lang == "en":
        month, conn, suf, of, tail = _en_month, _DAY_CONN, _LANG["en"]["day_suffix"], _LANG["en"]["of"], ""
    else:
        month = (lambda name: _other_month(name, lang))
        conn = _DAY_CONN_OTHER[lang]
        cfg = _LANG[lang]
        suf, of, tail = cfg["day_suffix"], cfg["of"], cfg["year_tail"]
    M, D, Y = month, (lambda n: _day(n, suf)), _year
    no_year = r"(?!,?\s*\d)"              # "January 18" only if no year follows
    rules: list[tuple[str, str, Builder]] = [
        # Day ranges within one year: "January 19-20, 1990", "the night of
        # 19 to 20 January 1990", "30 January - 2 February 1990".
        ("md_range_y", rf"{M('m1')}\s+{D('d1')}{conn}{D('d2')},?\s+{Y('y')}{tail}", _b_day_range),
        ("dm_range_y", rf"{D('d1')}{conn}{D('d2')}\s+{of}{M('m1')},?\s+{Y('y')}{tail}", _b_day_range),
        ("md_md_y", rf"{M('m1')}\s+{D('d1')}{conn}{M('m2')}\s+{D('d2')},?\s+{Y('y')}{tail}", _b_day_range),
        ("dm_dm_y", rf"{D('d1')}\s+{of}{M('m1')}{conn}{D('d2')}\s+{of}{M('m2')},?\s+{Y('y')}{tail}", _b_day_range),
        # Single days: "January 20, 1990", "20 January 1990", "20th of January, 1990".
        ("mdy", rf"{M('m1')}\s+(?:the\s+)?{D('d1')},?\s+{Y('y')}{tail}", _b_day),
        ("dmy", rf"{D('d1')}\s+{of}{M('m1')},?\s+{Y('y')}{tail}", _b_day),
        # Months: "January 1990", "January of 1990".
        # (The count guard keeps "May 2000 people" out.)
        ("my", rf"{M('m1')},?\s+(?:of\s+)?{Y('y')}{tail}{_COUNT_GUARD}", _b_month),
        # No year: only used when the caller passes default_year.
        ("md_range_noyear", rf"{M('m1')}\s+{D('d1')}{conn}{D('d2')}{no_year}", _b_day_range),
        ("dm_range_noyear", rf"{D('d1')}{conn}{D('d2')}\s+{of}{M('m1')}{no_year}", _b_day_range),
        ("md_noyear", rf"{M('m1')}\s+(?:the\s+)?{D('d1')}{no_year}", _b_day),
        ("dm_noyear", rf"{D('d1')}\s+{of}{M('m1')}{no_year}", _b_day),
    ]
    return rules


def _neutral_rules() -> list[tuple[str, str, Builder]]:
    """Language-independent forms."""
    return [
        # ISO 8601 "1990-01-20" (guarded against being part of a longer code).
        ("iso_day", rf"(?<![\w/.-])(?P<y>{_YRX})-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12][0-9]|3[01])"
                    r"(?![\w/]|[.-]\d)", _b_numeric_day),
        # "20.01.1990": day-first is the only dotted order in use.
        ("dotted_day", rf"(?<![\w/.,-])(?P<d>0[1-9]|[12][0-9]|3[01])\.(?P<m>0[1-9]|1[0-2])\.(?P<y>{_YRX})"
                       r"(?![\w/]|[.,-]\d)", _b_numeric_day),
        # "1948-1953", "1948–53".
        ("year_range", rf"{_year('y1', allow_hyphen_digit=True)}\s*[-–—]\s*"
                       rf"(?P<y2>{_YRX}|[0-9]{{2}})(?![0-9])(?!/\w)(?![.,]\d)(?!\s*[-–—]\s*\d){_COUNT_GUARD}",
         _b_year_range),
        # "(1990)"
        ("paren_year", rf"\((?P<y>{_YRX})\)", _b_paren_year),
    ]


def _en_period_rules() -> list[tuple[str, str, Builder]]:
    year_list = (rf"(?P<more>(?:\s*,\s*{_YRX}{_AFTER_YEAR}{_COUNT_GUARD})*"
                 rf"(?:,?\s+(?:and|or|&)\s+{_YRX}{_AFTER_YEAR}(?!\s*[-–—]\s*\d){_COUNT_GUARD})?)")
    return [
        ("decade_part", rf"{_PART}{_DECADE_CORE}", _b_decade_part),
        ("decade", _DECADE_CORE, _b_decade),
        ("century_part", rf"{_PART}(?:the\s+)?{_CENTURY_CORE}", _b_century_part),
        ("century", _CENTURY_CORE, _b_century),
        ("season", rf"(?<![\w])(?i:(?P<season>spring|summer|autumn|fall|winter))\s+(?:of\s+)?{_year('y')}",
         _b_season),
        # "in 2005", "since 1990", "the year 1990"; a cue word makes it a year.
        ("cued_year", rf"(?<![\w])(?i:{_EN_CUES})\s+(?:the\s+(?i:year)\s+|(?i:the\s+)?(?i:years?)\s+)?"
                      rf"{_year('y')}{_COUNT_GUARD}{year_list}", _b_cued_years),
    ]


_OTHER_PERIOD = {
    "ru": [
        ("decade_ru", rf"{_BEFORE}(?P<dec>1[0-9]{{2}}0|20[0-9]0)-?(?i:х|е|ые|ых|ми)(?!\w)", _b_decade),
        ("century_ru", rf"(?<![\w])(?P<cr>{_ROMAN_RX})\s+(?i:век|века|веке|веков)(?!\w)",
         lambda m, c: _b_century_simple(m, c)),
        ("year_ru", rf"{_year('y')}\s*(?:г\.|гг\.|года|году|год)(?!\w)", _b_suffixed_year),
    ],
    "az": [
        ("year_az", rf"{_BEFORE}(?P<y>{_YRX})(?:-?(?:ci|cı|cu|cü)\s+il(?:in|də|dən|i)?|\s+il(?:in|də|dən)?)(?!\w)",
         _b_suffixed_year),
        ("century_az", rf"(?<![\w])(?P<cr>{_ROMAN_RX})\s+(?i:əsr\w*)", lambda m, c: _b_century_simple(m, c)),
    ],
    "fr": [
        ("decade_fr", rf"(?i:années)\s+{_BEFORE}(?P<dec>1[0-9]{{2}}0|20[0-9]0)(?![\w])", _b_decade),
        ("century_fr", rf"(?<![\w])(?P<cr>{_ROMAN_RX})(?:e|ème|eme)\s+(?i:siècle)(?!\w)",
         lambda m, c: _b_century_simple(m, c)),
        ("year_fr", rf"(?<![\w])(?i:en|depuis|dès|des|vers|avant|après|jusqu'en|jusqu’en|entre|de)\s+"
                    rf"{_year('y')}{_COUNT_GUARD}", _b_paren_year),
    ],
    "de": [
        ("decade_de", rf"{_BEFORE}(?P<dec>1[0-9]{{2}}0|20[0-9]0)er(?:\s+(?i:jahren?))?(?!\w)", _b_decade),
        ("century_de", r"(?<![\w])(?P<cn>[1-9]|1[0-9]|2[01])\.\s+(?i:jahrhundert\w*)",
         lambda m, c: _b_century_simple(m, c)),
        ("year_de", rf"(?<![\w])(?i:im\s+jahre?|seit|bis|von|ab|um|vor|nach|in|anfang|ende|mitte)\s+"
                    rf"{_year('y')}{_COUNT_GUARD}", _b_paren_year),
    ],
}


def _b_century_simple(m: re.Match, ctx: _Ctx) -> list[_Cand] | None:
    gd = m.groupdict()
    n = int(gd["cn"]) if gd.get("cn") else _ROMAN.get(gd.get("cr") or "", 0)
    return [_Cand(*_span(m), f"{n - 1:02d}XX")] if 1 <= n <= 21 else None


@lru_cache(maxsize=None)
def _rules(lang: str) -> tuple[_Rule, ...]:
    """The ordered rule table for one language, compiled once."""
    table: list[tuple[str, str, Builder]] = []
    table += [(name, pat, _b_relative) for name, pat in _EN_RELATIVE]
    table += [(name, pat, _b_relative) for name, pat in _OTHER_RELATIVE.get(lang, [])]
    if lang in _MONTHS_OTHER:
        table += [(f"{name}_{lang}", pat, b) for name, pat, b in _date_rules(lang)]
    table += _date_rules("en")
    table += _neutral_rules()
    table += _OTHER_PERIOD.get(lang, [])
    table += _en_period_rules()
    rules = []
    for name, pat, build in table:
        trigger = next((t for prefix, t in _TRIGGERS if name.startswith(prefix)), r"\d")
        needs = ("anchor" if build is _b_relative
                 else "default_year" if "_noyear" in name
                 else None)
        # "dmy_ru" is "dmy" with Russian month names (see the table above)
        own = name[:-len(lang) - 1] if lang != "en" and name.endswith(f"_{lang}") else None
        start = _STARTS.get(name) or _STARTS.get(own or "")
        starts = (_BEFORE_WORD.get(name) if start is None else _NUMBER_START if start == "number"
                  else _BEFORE_NUMBER[start] if start in _BEFORE_NUMBER
                  else _BeforeNumber(_month_start(lang if own and own in _STARTS else "en")))
        rules.append(_Rule(name, re.compile(pat), build, _trigger(trigger), needs, starts,
                           _TRIGGER_WORDS.get(trigger, ())))
    return tuple(rules)


# Rules whose every match begins with a day or year number ("number": a digit
# not glued to a word, as `_day`, `_year` and `_BEFORE` require), with a
# month name followed by a number ("month"), or with a word or two right
# before a year or decade ("part", "cue", "season": see _BEFORE_NUMBER).  Scanning a 4,000-character
# body once per rule was most of find_dates' cost; the numbers and month names
# are found once per text instead, and these rules are tried only there.
_STARTS = {
    "decade_part": "part", "cued_year": "cue", "season": "season",
    **{name: "number" for name in ("dm_range_y", "dm_dm_y", "dmy", "dm_range_noyear", "dm_noyear",
                                   "iso_day", "dotted_day", "year_range", "decade",
                                   "decade_ru", "decade_de", "year_ru", "year_az")},
    **{name: "month" for name in ("md_range_y", "md_md_y", "mdy", "my", "md_range_noyear", "md_noyear")},
}


@dataclass(frozen=True)
class _BeforeNumber:
    """Starts of a rule whose match holds a day, year or decade number with at
    most four words before it ("in the year 1990", "the very end of the 1980s",
    "January the 20th"): where `ahead` matches in those words, before each
    number.  Only the few words before the numbers are searched, not the whole
    text (the rules' words are common: "in", "of", "end" in "friend")."""

    ahead: re.Pattern       # where the rule's words begin (a match of it may be longer: see _month_start)


# A match's text before its number: at most four runs of word characters,
# "." ("c.", "Sept."), "," ("January, 1990") or "-" ("mid-"), between spaces.
# Read on the reversed text, backwards from the number; it may reach further
# back than the match (the whole run, the spaces before it), never less far.
_RUNS_BEFORE = re.compile(r"\s*(?:[\w.,\-]+\s*){0,4}")
_BEFORE_NUMBER = {
    # _PART ("early", "mid-", "the very end of the") right before the decade's digit
    "part": _BeforeNumber(re.compile(r"(?=(?i:(?:early|mid|late)(?:-|\s+)?\d"
                                     r"|(?:very\s+)?(?:end|beginning|start|middle|close)\s+of\s+the\s+\d))")),
    "cue": _BeforeNumber(re.compile(rf"(?<![\w])(?=(?i:{_EN_CUES})\s)")),
    "season": _BeforeNumber(re.compile(r"(?<![\w])(?=(?i:spring|summer|autumn|fall|winter)\s)")),
}


@dataclass(frozen=True)
class _BeforeWord:
    """Starts of a rule whose every match holds one of `words` (as (?i) reads
    them: lower-cased) after at most six runs of word characters and "-"
    between spaces ("thirty-one years have passed", "the 31st anniversary"):
    every position in those runs before each occurrence of the words.  The
    words are looked up in the lower-cased text; a text that cannot be (see
    _lower_case_as_regex) is scanned whole.  The rules' patterns begin with a
    look-behind, so a scan tries the long number-word alternation at every
    position (~160 µs per body)."""

    words: tuple[str, ...]


# The relative rules' words.  What may stand before them in a match: the
# number (two runs: "thirty one"), the unit, "have", "now" (see _EN_RELATIVE):
# at most five runs.
_BEFORE_WORD = {
    "rel_ago": _BeforeWord(("ago",)),
    "rel_passed": _BeforeWord(("passed", "elapsed", "gone")),
    "rel_anniversary": _BeforeWord(("anniversary",)),
    "rel_year_anniversary": _BeforeWord(("anniversary",)),
}
# Six runs before a word, read on the reversed text backwards from the word (as _RUNS_BEFORE)
_RUNS_BEFORE_WORD = re.compile(r"\s*(?:[\w\-]+\s*){0,6}")
# A digit with no word character before it (the lookbehind is checked after
# the digit so that the scan can skip ahead to the next digit quickly).
_NUMBER_START = re.compile(r"\d(?<!\w\d)")


@lru_cache(maxsize=None)
def _month_start(lang: str) -> re.Pattern:
    """Matches that start at every position where a month name of `lang` (as
    the rules spell it) begins, and at a few more (a month name glued to a word
    before it: "xJanuary"; the rules then fail there).

    The month name itself, without the rules' lookbehind, so that the pattern
    begins with a literal per alternative and the regex engine skips ahead to
    the next possible first letter (a look-ahead, "(?=January|…)", is tried at
    every position: three times slower).  Consuming the name hides no start: a
    match is all word characters, and a month name begins only after a non-word
    character."""
    if lang == "en":
        forms = [form for m in _EN_MONTHS
                 for form in (m.capitalize(), m.upper()) + (() if m in _EN_CAPITAL_ONLY else (m,))]
        forms += [form for a in _EN_ABBR for form in (a.capitalize(), a.upper())]
        # grouped by exact first letter ("J" and "j" apart: the pattern is case-sensitive)
        groups: dict[str, list[str]] = {}
        for form in sorted(set(forms), key=lambda w: (-len(w), w)):
            groups.setdefault(form[0], []).append(form[1:])
        return re.compile("(?:" + "|".join(f"{first}(?:{'|'.join(rests)})" for first, rests in groups.items()) + r")\b")
    return re.compile(rf"(?i:{_alt(_MONTHS_OTHER[lang])})(?!\w)")


def _rule_matches(rule: _Rule, text: str, starts: dict) -> Iterator[re.Match]:
    """The same matches as ``rule.pattern.finditer(text)``.

    With ``rule.starts``, finditer's scan is replayed over the start positions
    only: the leftmost match at or after the end of the previous one.  (The
    patterns' lookbehinds see the text before the position they are tried at.)
    `starts` caches the positions per text."""
    positions = None
    if rule.starts is not None:
        positions = starts.get(rule.starts)
        if positions is None:
            positions = starts[rule.starts] = _positions(rule.starts, text, starts)
    if positions is None:       # no starts, or a _BeforeWord in a text that cannot be lower-cased
        yield from rule.pattern.finditer(text)
        return
    match, end = rule.pattern.match, 0
    for position in positions:
        if position >= end and (m := match(text, position)):
            yield m
            end = m.end()


def _positions(kind: re.Pattern | _BeforeNumber | _BeforeWord, text: str, starts: dict) -> list[int] | None:
    """Where the rules of `kind` are tried, ascending (`starts` caches them per text).
    None: everywhere."""
    if isinstance(kind, _BeforeWord):
        return _positions_before_words(kind, text, starts)
    if not isinstance(kind, _BeforeNumber):
        return [m.start() for m in kind.finditer(text)]
    windows = starts.get(_RUNS_BEFORE)
    if windows is None:
        windows = starts[_RUNS_BEFORE] = _windows_before_numbers(text, starts)
    ahead = kind.ahead
    return [m.start() for start, end in windows for m in ahead.finditer(text, start, end)]


def _positions_before_words(kind: _BeforeWord, text: str, starts: dict) -> list[int] | None:
    lowered = _lowered(text, starts)
    if not lowered:
        return None
    reverse = starts.get(_REVERSED)
    if reverse is None:
        reverse = starts[_REVERSED] = text[::-1]
    runs, size = _RUNS_BEFORE_WORD, len(text)
    positions: set[int] = set()
    for word in kind.words:
        at = lowered.find(word)
        while at >= 0:
            back = runs.match(reverse, size - at)
            positions.update(range(at - (back.end() - back.start()), at))  # type: ignore[union-attr]
            at = lowered.find(word, at + 1)
    return sorted(positions)


# Keys of the per-text cache `starts` for the lower-cased and the reversed text
_LOWERED, _REVERSED = "lowered", "reversed"


def _lowered(text: str, starts: dict) -> str:
    """text.lower() if ASCII words can be looked up in it (see
    _lower_case_as_regex), else "" (cached in `starts`)."""
    lowered = starts.get(_LOWERED)
    if lowered is None:
        lowered = starts[_LOWERED] = text.lower() if _lower_case_as_regex(text) else ""
    return lowered


def _windows_before_numbers(text: str, starts: dict) -> list[tuple[int, int]]:
    """(start, end) of the words before each number, up to and with its first
    digit (which a look-ahead may need to see); overlapping ones joined, so they
    are disjoint and ascending."""
    numbers = starts.get(_NUMBER_START)
    if numbers is None:
        numbers = starts[_NUMBER_START] = _positions(_NUMBER_START, text, starts)
    windows: list[tuple[int, int]] = []
    if not numbers:
        return windows
    reverse, size = text[::-1], len(text)
    for number in numbers:
        back = _RUNS_BEFORE.match(reverse, size - number)
        start = number - (back.end() - back.start())  # type: ignore[union-attr]
        if windows and start <= windows[-1][1]:
            start = windows.pop()[0]
        windows.append((start, number + 1))
    return windows


# The rules are long alternations; most texts lack what they need.  A rule
# only runs if its trigger occurs in the text (default: any digit).
_TRIGGERS = [
    ("rel_ago_", r"\d"), ("rel_passed_", r"\d"), ("rel_anniversary_", r"\d"),
    ("rel_ago", r"(?i:\bago\b)"),
    ("rel_passed", r"(?i:passed|elapsed|gone)"),
    ("rel_been", r"(?i:been)"),
    ("rel_", r"(?i:anniversar)"),
    ("century_ru", r"(?i:век)"), ("century_az", r"(?i:əsr)"), ("century_fr", r"(?i:siècle)"),
    ("century", r"(?i:century)"),
    # "the 1980s", "the late 1980s": a decade ends in "0s" (the Russian, French
    # and German decade rules spell it otherwise)
    ("decade_part", r"0['’]?s"), ("decade_", r"\d"), ("decade", r"0['’]?s"),
]


# The words of the case-insensitive word triggers.  A regex search for one of
# them tries every position of the text (~50 µs per body); `in` on the text
# lower-cased once is a few µs for all of them.  Not in a text that holds one
# of the four non-ASCII letters that (?i) matches to ASCII letters (see
# _lower_case_as_regex).
_TRIGGER_WORDS = {
    r"(?i:\bago\b)": ("ago",),
    r"(?i:passed|elapsed|gone)": ("passed", "elapsed", "gone"),
    r"(?i:been)": ("been",),
    r"(?i:anniversar)": ("anniversar",),
    r"(?i:century)": ("century",),
}


# The re documentation (IGNORECASE): [a-z] with IGNORECASE matches the 52
# ASCII letters and these four.  "ſ" matches (?i:s) but "ſ".lower() is "ſ".
_FOLDING_TO_ASCII = ("\u0130", "\u0131", "\u017f", "\u212a")   # İ ı ſ K (Kelvin)


def _lower_case_as_regex(text: str) -> bool:
    """True when an ASCII word occurs in text.lower() wherever (?i) finds it
    in `text`: no letter of _FOLDING_TO_ASCII in it (no other non-ASCII
    character lower-cases to an ASCII letter or matches one under (?i))."""
    return text.isascii() or not any(letter in text for letter in _FOLDING_TO_ASCII)


@lru_cache(maxsize=None)
def _trigger(pattern: str) -> re.Pattern:
    return re.compile(pattern)


# --------------------------------------------------------------------------
# find_dates
# --------------------------------------------------------------------------

_SIMPLE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_RANGE_GAP = {
    "en": re.compile(r"^\s*(?:[-–—]|to|until|till|through|thru)\s*$"),
    "ru": re.compile(r"^\s*(?:[-–—]|по|до)\s*$"),
    "az": re.compile(r"^\s*[-–—]\s*$"),
    "fr": re.compile(r"^\s*(?:[-–—]|à|au|jusqu'au|jusqu’au|jusqu'en|jusqu’en)\s*$"),
    "de": re.compile(r"^\s*(?:[-–—]|bis(?:\s+zum)?)\s*$"),
}
_AND_GAP = re.compile(r"^\s+(?:and|и|et|und|və)\s+$")
_RANGE_PREFIX = re.compile(r"(?i:\b(?:from|between|с|со|от|между|du|de|entre|von|vom|zwischen)\s+)$")
_BETWEEN_PREFIX = re.compile(r"(?i:\b(?:between|между|entre|zwischen)\s+)$")
_OPEN_START_PREFIX = re.compile(
    r"(?i:(?<![\w])(?:since|ever\s+since|starting\s+(?:in|from|on)|beginning\s+(?:in|from|on)|as\s+of|"
    r"начиная\s+с|depuis|à\s+partir\s+de|dès|seit|ab)\s+)$")
_OPEN_END_PREFIX = re.compile(
    r"(?i:(?<![\w])(?:until|till|up\s+to|up\s+until|jusqu'en|jusqu’en|jusqu'au|jusqu’au|bis)\s+)$")
_FROM_PREFIX = re.compile(r"(?i:(?<![\w])from\s+)$")
_ONWARDS = re.compile(r"(?i:\s+(?:on|onwards?)\b)")
# "31 years passed since January 20, 1990" is a count, not an open interval.
_PASSED_BEFORE_SINCE = re.compile(
    r"(?i:(?:years?|months?|days?|decades?|passed|elapsed|gone\s+by|been)\s+$)")


def _select(cands: list[tuple[int, int, _Cand]]) -> list[_Cand]:
    """Longest first; ties by earlier start then table order.  Never overlap."""
    cands.sort(key=lambda t: (-(t[2].end - t[2].start), t[2].start, t[0]))
    starts: list[int] = []
    chosen: list[_Cand] = []
    for _, _, c in cands:
        i = bisect_left(starts, c.start)
        if i > 0 and chosen[i - 1].end > c.start:
            continue
        if i < len(chosen) and chosen[i].start < c.end:
            continue
        starts.insert(i, c.start)
        chosen.insert(i, c)
    return chosen


def _merge_ranges(text: str, ms: list[_Cand], lang: str) -> list[_Cand]:
    gap_rx = _RANGE_GAP.get(lang, _RANGE_GAP["en"])
    out: list[_Cand] = []
    i = 0
    while i < len(ms):
        a = ms[i]
        if i + 1 < len(ms):
            b = ms[i + 1]
            gap = text[a.end:b.start]
            head = text[max(0, a.start - 12):a.start]
            between = _BETWEEN_PREFIX.search(head)
            ok_gap = bool(gap_rx.match(gap) or _RANGE_GAP["en"].match(gap)) or (
                between is not None and _AND_GAP.match(gap) is not None)
            if (ok_gap and a.kind == b.kind == "stated" and _SIMPLE.match(a.edtf)
                    and _SIMPLE.match(b.edtf) and a.edtf[:len(b.edtf)] < b.edtf[:len(a.edtf)]):
                pre = _RANGE_PREFIX.search(head)
                start = a.start - (len(pre.group(0)) if pre else 0)
                if out and out[-1].end > start:
                    start = a.start
                reason = a.reasoning or b.reasoning
                out.append(_Cand(start, b.end, f"{a.edtf}/{b.edtf}", "stated", reason))
                i += 2
                continue
        out.append(a)
        i += 1
    return out


def _open_ends(text: str, ms: list[_Cand]) -> list[_Cand]:
    out: list[_Cand] = []
    for k, c in enumerate(ms):
        prev_end = out[-1].end if out else 0
        next_start = ms[k + 1].start if k + 1 < len(ms) else len(text)
        if c.kind == "stated" and _SIMPLE.match(c.edtf):
            head = text[max(prev_end, c.start - 24):c.start]
            pre = _OPEN_START_PREFIX.search(head)
            if pre and not _PASSED_BEFORE_SINCE.search(text, max(0, c.start - len(pre.group(0)) - 20),
                                                       c.start - len(pre.group(0))):
                c = c._replace(start=c.start - len(pre.group(0)), edtf=c.edtf + "/..")
            elif (pre := _OPEN_END_PREFIX.search(head)):
                c = c._replace(start=c.start - len(pre.group(0)), edtf="../" + c.edtf)
            elif (pre := _FROM_PREFIX.search(head)) and (post := _ONWARDS.match(text, c.end, next_start)):
                c = c._replace(start=c.start - len(pre.group(0)), end=post.end(), edtf=c.edtf + "/..")
        out.append(c)
    return out


def _norm_lang(language: str | None) -> str:
    return (language or "en").lower().replace("_", "-").split("-")[0] or "en"


def _anchor_years(anchor: str | None) -> tuple[int, int] | None:
    """Earliest and latest year the anchor can be; open ends use the known end."""
    if not anchor:
        return None
    raw = _raw_bounds(anchor.strip())
    if raw is None:
        return None
    lo, hi = raw
    if lo is None and hi is None:
        return None
    lo, hi = lo or hi, hi or lo
    return lo.year, hi.year


def find_dates(text: str, *, language: str = "en", anchor: str | None = None,
               default_year: int | None = None) -> list[DateMention]:
    """All date expressions in `text` (see _find_dates for the rules).

    Memoised on its arguments: the metadata and claims stages ask about the
    same body several times per capture, and a scan costs ~9 ms per body."""
    return list(_find_dates_cached(text, language, anchor, default_year))


@lru_cache(maxsize=64)
def _find_dates_cached(text: str, language: str, anchor: str | None,
                       default_year: int | None) -> tuple[DateMention, ...]:
    return tuple(_find_dates(text, language=language, anchor=anchor, default_year=default_year))


@lru_cache(maxsize=64)
def _plain_candidates(text: str, lang: str) -> tuple[tuple[int, int, _Cand], ...]:
    """The candidates of the rules that need neither an anchor nor a default
    year: the same whatever those are, so the metadata stage (no anchor) and
    the claims stage (the document's date as anchor) scan a body for them once."""
    return tuple(_candidates(_Ctx(text, lang, None, None, None), lambda rule: rule.needs is None))


def _candidates(ctx: _Ctx, wanted: Callable[[_Rule], bool]) -> list[tuple[int, int, _Cand]]:
    """(rule order, start, candidate) for the `wanted` rules of the table."""
    text = ctx.text
    cands: list[tuple[int, int, _Cand]] = []
    seen: dict[re.Pattern, bool] = {}
    starts: dict = {}          # positions per kind of start, the lower-cased text: see _rule_matches
    for order, rule in enumerate(_rules(ctx.lang)):
        if not wanted(rule):
            continue
        hit = seen.get(rule.trigger)
        if hit is None:
            hit = seen[rule.trigger] = _may_match(rule, text, starts)
        if not hit:
            continue
        for m in _rule_matches(rule, text, starts):
            built = rule.build(m, ctx)
            if built:
                for c in built:
                    if c.end > c.start:
                        cands.append((order, c.start, c))
    return cands


def _may_match(rule: _Rule, text: str, starts: dict) -> bool:
    """False when `rule` cannot match in `text`: its trigger does not occur
    (`starts` caches the lower-cased text, see _lowered)."""
    lowered = _lowered(text, starts) if rule.words else ""
    # the words are what the trigger matches, or less: with one of them in the
    # text the rule is scanned (whether the trigger matches or not)
    return any(word in lowered for word in rule.words) if lowered else rule.trigger.search(text) is not None


def _find_dates(text: str, *, language: str = "en", anchor: str | None = None,
               default_year: int | None = None) -> list[DateMention]:
    """All date expressions in ``text``, sorted by start, non-overlapping.

    ``anchor`` is the document's own date (EDTF; may be an interval or None).
    Relative expressions ("33 years ago", "the 30th anniversary") are resolved
    against it, and skipped when it is unknown.  ``default_year`` lets the
    caller supply the year for "On January 18" (e.g. the year of the previous
    dated paragraph); without it year-less dates are skipped.
    """
    if not text:
        return []
    lang = _norm_lang(language)
    ctx = _Ctx(text, lang, anchor, _anchor_years(anchor), default_year)
    more: list[tuple[int, int, _Cand]] = []
    if ctx.anchor_years is not None or default_year is not None:
        more = _candidates(ctx, lambda rule: (rule.needs == "anchor" and ctx.anchor_years is not None) or (
            rule.needs == "default_year" and default_year is not None))
    if not more:
        # The same candidates as without anchor and default year: the same
        # dates, already chosen when the metadata stage asked (the claims stage
        # asks again with the document's date as anchor).
        return list(_plain_dates(text, lang))
    return _chosen(text, lang, list(_plain_candidates(text, lang)) + more)


@lru_cache(maxsize=64)
def _plain_dates(text: str, lang: str) -> tuple[DateMention, ...]:
    """find_dates(text) without anchor and default year."""
    return tuple(_chosen(text, lang, list(_plain_candidates(text, lang))))


def _chosen(text: str, lang: str, cands: list[tuple[int, int, _Cand]]) -> list[DateMention]:
    """The dates of the candidates: the longest of overlapping ones, ranges joined, open ends added."""
    chosen = _select(cands)
    chosen = _merge_ranges(text, chosen, lang)
    chosen = _open_ends(text, chosen)
    return [DateMention(text[c.start:c.end], c.start, c.end, c.edtf, c.kind, c.reasoning)
            for c in chosen]


def find_anniversaries(text: str, *, language: str = "en") -> list[tuple[int, int, int, str]]:
    """'31st anniversary', 'thirtieth anniversary', '31 years passed since',
    '33 years ago', 'it has been 31 years since' -> (number, start, end, text).

    No anchor needed: the caller decides what to count from.  Decades are
    returned as years ("three decades ago" -> 30)."""
    found: list[tuple[int, int, int, str]] = []
    taken: list[tuple[int, int]] = []
    starts: dict = {}
    for rule in _rules(_norm_lang(language)):
        # same cheap pre-check and scan as find_dates: the long alternations
        # are only tried where their trigger word occurs
        if rule.build is not _b_relative or not _may_match(rule, text, starts):
            continue
        for m in _rule_matches(rule, text, starts):
            n = _rel_number(m)
            if not n:
                continue
            unit = (m.groupdict().get("unit") or "").lower()
            if unit.startswith("decade"):
                n *= 10
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append((n, m.start(), m.end(), m.group(0)))
    return sorted(found, key=lambda t: (t[1], t[2]))


# --------------------------------------------------------------------------
# parse_stated_date
# --------------------------------------------------------------------------

_ONLY_YEAR = re.compile(rf"^\s*(?P<y>{_YRX})\s*(?:г\.|года|год|-?(?:ci|cı|cu|cü)\s+il)?\s*\.?\s*$")


@lru_cache(maxsize=32)
def _dateparser_for(lang: str):
    from dateparser.date import DateDataParser   # only loaded for non-English fallbacks

    settings = {
        # Fixed base: dateparser must never see "now".  With REQUIRE_PARTS
        # ['year'] it refuses strings without a year instead of filling one in;
        # the day it fills in for month-only strings is discarded via `period`.
        "RELATIVE_BASE": datetime.datetime(2000, 1, 1),
        "PREFER_DAY_OF_MONTH": "first",
        "PREFER_DATES_FROM": "past",
        "REQUIRE_PARTS": ["year"],
        "PARSERS": ["absolute-time"],     # no "3 days ago", no timestamps
        "DATE_ORDER": "DMY",
        "STRICT_PARSING": False,
    }
    return DateDataParser(languages=[lang], settings=settings)


def parse_stated_date(text: str, language: str = "en") -> str | None:
    """One stated date in a short string -> EDTF (day, month or year), or None.

    Our own rules first (they know "Distr.: General 9 February 2021");
    dateparser (``languages=[language]``) is the fallback for languages other
    than English.  Nothing missing is ever invented.
    """
    if not text or not text.strip():
        return None
    lang = _norm_lang(language)
    for mention in find_dates(text, language=lang):
        if mention.kind == "stated":
            return mention.edtf
    only = _ONLY_YEAR.match(text)
    if only:
        return only.group("y")
    if lang == "en" or len(text) > 200:
        return None
    try:
        data = _dateparser_for(lang).get_date_data(text)
    except Exception:            # unknown language code, odd input: no date
        return None
    d, period = getattr(data, "date_obj", None), getattr(data, "period", None)
    if d is None or not (1000 <= d.year <= 2099):
        return None
    if period == "year":
        return f"{d.year:04d}"
    if period == "month":
        return f"{d.year:04d}-{d.month:02d}"
    if period == "day":
        return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
    return None


# --------------------------------------------------------------------------
# EDTF helpers: bounds, sort key, year, labels
# --------------------------------------------------------------------------

_SINGLE = re.compile(r"^(?P<y>\d{4}|\d{3}X|\d{2}XX|\dXXX)(?:-(?P<m>\d{2}|XX)(?:-(?P<d>\d{2}|XX))?)?(?P<q>[?~%])?$")
# Month ranges for seasons.  Winter is ambiguous ("winter 1990" = Jan-Feb 1990
# or Dec 1990): it covers the whole year, earliest and latest reading.
_SEASON_MONTHS = {21: (3, 5), 22: (6, 8), 23: (9, 11), 24: (1, 12)}


def _single_bounds(s: str) -> tuple[datetime.date, datetime.date] | None:
    m = _SINGLE.match(s)
    if not m:
        return _lib_bounds(s)
    ylo, yhi = int(m.group("y").replace("X", "0")), int(m.group("y").replace("X", "9"))
    if yhi < 1:
        return None
    ylo = max(ylo, 1)                     # "00XX": date has no year 0
    mon, day = m.group("m"), m.group("d")
    if mon is None or mon == "XX":
        if day not in (None, "XX"):
            return None
        return datetime.date(ylo, 1, 1), datetime.date(yhi, 12, 31)
    mo = int(mon)
    if 21 <= mo <= 24 and day is None:
        a, b = _SEASON_MONTHS[mo]
        return datetime.date(ylo, a, 1), datetime.date(yhi, b, calendar.monthrange(yhi, b)[1])
    if not 1 <= mo <= 12:
        return _lib_bounds(s)
    if day is None or day == "XX":
        return datetime.date(ylo, mo, 1), datetime.date(yhi, mo, calendar.monthrange(yhi, mo)[1])
    try:
        return datetime.date(ylo, mo, int(day)), datetime.date(yhi, mo, int(day))
    except ValueError:
        return None


def _lib_bounds(s: str) -> tuple[datetime.date, datetime.date] | None:
    """Anything beyond our own subset: ask the edtf package."""
    try:
        from edtf import parse_edtf

        parsed = parse_edtf(s)
        lo, hi = parsed.lower_strict(), parsed.upper_strict()
        return (datetime.date(lo.tm_year, lo.tm_mon, lo.tm_mday),
                datetime.date(hi.tm_year, hi.tm_mon, hi.tm_mday))
    except Exception:
        return None


@lru_cache(maxsize=4096)
def _raw_bounds(edtf: str) -> tuple[datetime.date | None, datetime.date | None] | None:
    """(earliest, latest) day; None for an open/unknown end; None if unparseable."""
    s = edtf.strip()
    if "/" not in s:
        b = _single_bounds(s)
        return b
    parts = s.split("/")
    if len(parts) != 2:
        return None
    a, b = parts
    lo = hi = None
    if a not in ("..", ""):
        ab = _single_bounds(a)
        if ab is None:
            return None
        lo = ab[0]
    if b not in ("..", ""):
        bb = _single_bounds(b)
        if bb is None:
            return None
        hi = bb[1]
    if lo is None and hi is None:
        return None
    if lo is not None and hi is not None and lo > hi:
        return None
    return lo, hi


def edtf_bounds(edtf: str | None) -> tuple[datetime.date, datetime.date] | None:
    """Earliest and latest day covered.  Open or unknown ends become
    ``date.min`` / ``date.max`` (an open interval really is unbounded); None
    for None or an EDTF we cannot read."""
    if not edtf:
        return None
    raw = _raw_bounds(edtf)
    if raw is None:
        return None
    lo, hi = raw
    return lo or datetime.date.min, hi or datetime.date.max


def edtf_sort_key(edtf: str | None) -> tuple:
    """Orders by earliest day, then latest day, then the string itself.

    "../1953" (open start) sorts at its known end rather than before
    everything.  Unreadable strings come after all dates, None last."""
    if edtf is None:
        return (2, 0, 0, "")
    raw = _raw_bounds(edtf)
    if raw is None:
        return (1, 0, 0, edtf)
    lo, hi = raw
    lo = lo or hi
    hi = hi or datetime.date.max
    return (0, lo.toordinal(), hi.toordinal(), edtf)


def edtf_year(edtf: str | None) -> int | None:
    """The year for filters: the start year (an open start uses the known end)."""
    if not edtf:
        return None
    raw = _raw_bounds(edtf)
    if raw is None:
        return None
    lo, hi = raw
    return (lo or hi).year


_EN_MONTH_LABEL = [m.capitalize() for m in _EN_MONTHS]


def _century_label(c: int) -> str:
    return f"the {_ordinal(c + 1)} century"


def _label_single(s: str) -> str | None:
    m = _SINGLE.match(s)
    if not m:
        return None
    y, mon, day, q = m.group("y"), m.group("m"), m.group("d"), m.group("q")
    if y.endswith("XX"):
        base = _century_label(int(y[:-2].replace("X", "0")))
        if y.startswith(("X",)) or "X" in y[:-2]:
            base = f"the years {y}"
    elif y.endswith("X"):
        base = f"the {y[:3]}0s"
    else:
        year = str(int(y))
        if mon is None or mon == "XX":
            base = year
        elif 21 <= int(mon) <= 24 and day is None:
            base = f"{_SEASON_NAMES[int(mon)]} {year}"
        elif 1 <= int(mon) <= 12:
            month = _EN_MONTH_LABEL[int(mon) - 1]
            base = f"{month} {year}" if day in (None, "XX") else f"{int(day)} {month} {year}"
        else:
            return None
    if q == "~":
        return f"about {base}"
    if q == "?":
        return f"{base} (uncertain)"
    if q == "%":
        return f"about {base} (uncertain)"
    return base


def _label_part(a: str, b: str) -> str | None:
    """'1985~/1989~' -> 'the late 1980s' (the forms find_dates produces)."""
    ma, mb = re.fullmatch(r"(\d{4})~", a), re.fullmatch(r"(\d{4})~", b)
    if not (ma and mb):
        return None
    ya, yb = int(ma.group(1)), int(mb.group(1))
    for part, (lo, hi) in _DECADE_PARTS.items():
        if ya % 10 == lo and yb - ya == hi - lo and ya // 10 == yb // 10:
            return f"the {part} {ya // 10 * 10}s"
    for part, (lo, hi) in _CENTURY_PARTS.items():
        if ya % 100 == lo and yb - ya == hi - lo and ya // 100 == yb // 100:
            return f"the {part} {_ordinal(ya // 100 + 1)} century"
    return None


def _label_interval(a: str, b: str) -> str | None:
    if a == ".." and b not in ("..", ""):
        lb = _label_single(b)
        return f"on or before {lb}" if lb else None
    if b == ".." and a not in ("..", ""):
        la = _label_single(a)
        return f"on or after {la}" if la else None
    if a == "" and b:
        lb = _label_single(b)
        return f"unknown start – {lb}" if lb else None
    if b == "" and a:
        la = _label_single(a)
        return f"{la} – unknown end" if la else None
    part = _label_part(a, b)
    if part:
        return part
    ma, mb = _SINGLE.match(a), _SINGLE.match(b)
    if not (ma and mb):
        return None
    plain = not (ma.group("q") or mb.group("q")) and "X" not in a + b
    if plain:
        ya, yb = ma.group("y"), mb.group("y")
        moa, mob, da, db = ma.group("m"), mb.group("m"), ma.group("d"), mb.group("d")
        if da and db and 1 <= int(moa) <= 12 and 1 <= int(mob) <= 12:
            na, nb = _EN_MONTH_LABEL[int(moa) - 1], _EN_MONTH_LABEL[int(mob) - 1]
            if ya == yb and moa == mob:
                return f"{int(da)}–{int(db)} {na} {int(ya)}"
            if ya == yb:
                return f"{int(da)} {na} – {int(db)} {nb} {int(ya)}"
        elif moa and mob and not da and not db and ya == yb and int(moa) <= 12 and int(mob) <= 12:
            return f"{_EN_MONTH_LABEL[int(moa) - 1]}–{_EN_MONTH_LABEL[int(mob) - 1]} {int(ya)}"
    la, lb = _label_single(a), _label_single(b)
    if la is None or lb is None:
        return None
    return f"{la}–{lb}" if " " not in la + lb else f"{la} – {lb}"


def format_edtf(edtf: str | None, *, lang: str = "en") -> str:
    """A neutral human label: '20 January 2021', '19–20 January 1990',
    '1948–1953', 'the late 1980s', 'on or after 13 January 2021',
    'about 1990', '1990 (uncertain)', 'unknown date' for None.

    Only English labels exist so far; other ``lang`` values get English.
    Never raises: an EDTF it cannot describe is returned as it is."""
    if edtf is None or not str(edtf).strip():
        return "unknown date"
    s = str(edtf).strip()
    try:
        if "/" in s:
            parts = s.split("/")
            label = _label_interval(*parts) if len(parts) == 2 else None
        else:
            label = _label_single(s)
    except Exception:
        label = None
    return label or s
