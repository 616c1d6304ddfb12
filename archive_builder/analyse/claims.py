"""Claims: the sentences of a record that assert something checkable.

A sentence is a claim when it states a figure, an official act (adopted,
declared, condemned, a resolution or decision...), a date, or an event verb
with a place (`CLAIM_RULES`, first match wins).  Opinions without a figure
("We condemn ...", "It is unfortunate that ...", "... must be punished") are
not claims: the archive shows what each source states, and a stance has
nothing to check.

Every claim quotes its sentence exactly (`quote == body[start:end]`) and is
numbered in body order (`{record.id}-c{n}`), so its id is stable for a given
body.  Dates come from `archive_builder.dates.find_dates` over the whole body:

    stated    the sentence states the date ("On 22 January 1990, ...")
    relative  resolved against the record's date ("31 years passed since ...")
    context   taken from elsewhere, because the sentence relies on it:
              - a day without a year ("On January 18, ...") gets the year of
                the last full date before it;
              - a sentence without a date ("As a result, 147 civilians were
                killed") takes the dates of the nearest earlier sentence that
                names the same event noun ("... as a result of the massacre"
                -> the sentence that dated "a widespread and organized
                massacre"), skipping official acts (their date is the act's,
                not the event's); failing that, of the nearest earlier dated
                sentence in its paragraph.  Open intervals ("since February
                1988"), decades, centuries and vague periods ("the late
                1980s") are background, never context.

Places come from the gazetteer (`places.py`), plus the names the document
itself introduces with a place word ("the village of Oakfield"), which then
count as places in all its sentences.  A name inside an actor's name ("the
USSR leadership") is the actor, not a place mention.

`names_for_events(body)` lists the names a source gives an event ("Black
January", "the Baku pogroms", "20 January tragedy"): the events stage shows
them as names used by that source, never as the event's label.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterator

from ..dates import DateMention, _by_first_letter, edtf_year, find_dates
from ..model import Claim, Figure, Record
from .figures import ASCII_LETTER_RUNS, MONTH_NAMES as _MONTHS_RE, extract_figures, for_lower_ascii as _for_lower_ascii
from .places import Gazetteer, default_gazetteer, extract_actors, extract_places, guessed_names, may_guess
from .sentences import Spans, split_sentences

__all__ = ["extract_claims", "names_for_events", "CLAIM_RULES", "KIND_RULES"]

_I = re.IGNORECASE

# Grouped by first letter (dates._by_first_letter): these run on every sentence,
# and as flat case-insensitive alternations they were a third of extract_claims.
_OFFICIAL_ACT_WORDS = (
    "adopted", "adopts", "adopt", "declared", "declares", "proclaimed", "condemned", "condemns", "resolutions?",
    "decisions?", "decrees?", "ratified", "enacted", "approved", "signed (?:a|an|the)", "signing",
    "issued (?:a|an|the) (?:statement|decree|order)", "passed (?:a|the) (?:law|bill)", "qualified as",
    "recognized as", "recognised as",
    r"принял[аио]?", r"постановлени\w+", r"резолюци\w+", r"указ\w*", r"объявлен\w*", r"осудил\w*",
    r"qəbul edil\w*", r"qəbul et\w*", r"elan edil\w*", r"qərar\w*", r"qətnamə\w*", r"fərman\w*", r"pislə\w*")
_OFFICIAL_ACT = re.compile(rf"\b(?:{_by_first_letter(*_OFFICIAL_ACT_WORDS)})\b", _I)
_EVENT_VERB_WORDS = (
    "killed", "murdered", "massacred", "massacres?", "pogroms?", "invaded", "attacked", "entered", "deployed",
    "deported", "expelled", "stormed", "shelled", "bombed", "occupied", "liberated", "fled", "evacuated",
    "protested", "went into the streets", "gathered", "attended", "crushed", "fired", "shot", "arrested",
    "began", "started", "continued", "stopped", "took place", "broke out", "happened", "occurred", "committed",
    "restored", "brought to", "sent to", "turned into", "died", "destroyed", "burned", "burnt", "flooded",
    "floods?", "hit", "struck", "erupted", "collapsed", "exploded", "clashed", "besieged", "captured", "withdrew",
    r"погиб\w*", r"убит\w*", r"вошл\w*", r"введен\w*", r"напал\w*", r"произош\w*", r"разруш\w*",
    r"həlak\w*", r"öldürül\w*", r"daxil ol\w*", r"hücum\w*", r"qırğın\w*", r"deportasiya\w*", r"sürgün\w*")
_EVENT_VERB = re.compile(rf"\b(?:{_by_first_letter(*_EVENT_VERB_WORDS)})\b", _I)
_OPINION = re.compile(
    r"^\W*(?:[^,.;:]{1,40},\s+)?(?:"     # "In that context, I would like ..."
    r"(?:We|I)\s+(?:\w+\s+){0,3}?(?:condemn|call|urge|demand|believe|hope|regret|reject|express|remind|"
    r"commemorate|welcome|support|stress|emphasi[sz]e|reiterate|note|consider|think|need|must|should|"
    r"would like|deplore|insist|appeal|am|are)\b"
    r"|It\s+is\s+(?:\w+\s+)?(?:unfortunate|regrettable|unacceptable|deplorable|obvious|clear|surprising|"
    r"important|necessary|sad|shameful|outrageous|noteworthy|time|high time|essential|vital)\b"
    r"|(?:No doubt|Clearly|Obviously|Undoubtedly|Unfortunately|Regrettably),)", _I)
# duty or conjecture, not a statement of fact: "... must be punished", "could be the recognition"
# ("would be" is left out: "..., which would be remembered as ..." narrates)
_NORMATIVE_WORDS = ("must", "should", "ought to", "needs? to", "has to", "have to", "could", "might")
_NORMATIVE = re.compile(rf"\b(?:{_by_first_letter(*_NORMATIVE_WORDS)})\s+(?:\w+\s+)?(?:be|not)\b", _I)
# the nouns by which a sentence refers back to an event told earlier
_EVENT_NOUN_WORDS = (
    "massacre", "pogrom", "intervention", "assault", "attack", "aggression", "invasion", "killing", "deportation",
    "expulsion", "flood", "earthquake", "explosion", "bombing", "riot", "clash", "siege", "shelling", "blockade",
    "storm", "fire", "uprising", "hurricane", "landslide", "crash")
_EVENT_NOUN = re.compile(rf"\b({_by_first_letter(*_EVENT_NOUN_WORDS)})(?:e?s)?\b", _I)


_OFFICIAL_ACT_ASCII = _for_lower_ascii(_OFFICIAL_ACT)
_EVENT_VERB_ASCII = _for_lower_ascii(_EVENT_VERB)
_NORMATIVE_ASCII = _for_lower_ascii(_NORMATIVE)

_REGEX_SIGNS = re.compile(r"[\\\[\](){}?*+|^$. ]")


def _first_words(alternatives: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    """(words, stems): what a match of ``\\b(?:alternatives)`` (IGNORECASE) in an
    ASCII text begins with, in the text lower-cased: a run of letters that is
    one of `words`, or that begins with one of `stems` (an alternative's first
    word ending in "\\w*").  A match begins and ends at a word boundary, so its
    first word is a whole run of letters.  Alternatives that hold a letter no
    ASCII letter matches ("qəbul", "указ") cannot match an ASCII text."""
    words: set[str] = set()
    stems: list[str] = []
    for alternative in alternatives:
        literal = alternative[:m.start()] if (m := _REGEX_SIGNS.search(alternative)) else alternative
        if not literal.isascii():
            assert any(not c.isascii() and not any(re.fullmatch(re.escape(c), a, _I) for a in "abcdefghijklmnopqrstuvwxyz")
                       for c in literal), alternative
            continue
        rest = alternative[len(literal):]
        assert literal.isalpha() and literal.islower(), alternative
        if rest.startswith(r"\w*"):
            stems.append(literal)
        elif rest.startswith("?"):             # "resolutions?": its last letter may be left out
            assert rest[1:2] in ("", " "), alternative
            words.update((literal[:-1], literal))
        else:
            assert rest[:1] in ("", " "), alternative     # the literal is the whole first word
            words.add(literal)
    return frozenset(words), tuple(stems)


# Before a sentence's ASCII text is searched with one of these patterns, its
# runs of letters are looked up (see _first_words): most sentences hold none
# of the words, and a set lookup is cheaper than a regex scan of the sentence.
_OFFICIAL_ACT_FIRST = _first_words(_OFFICIAL_ACT_WORDS)
_EVENT_VERB_FIRST = _first_words(_EVENT_VERB_WORDS)
_NORMATIVE_FIRST = _first_words(_NORMATIVE_WORDS)


def _search(pattern: re.Pattern, text: str, ascii_pattern: re.Pattern, lower: str | None,
            first: tuple[frozenset[str], tuple[str, ...]], words: frozenset[str] | None) -> bool:
    """pattern.search(text) is not None; `lower`: the text lower-cased when it
    is ASCII (else None), searched with `ascii_pattern` (see _for_lower_ascii)
    when its runs of letters `words` hold one of `first` (see _first_words)."""
    if lower is None:
        return pattern.search(text) is not None
    first_words, stems = first
    if first_words.isdisjoint(words) and not any(stem in lower for stem in stems):   # type: ignore[arg-type]
        return False
    return ascii_pattern.search(lower) is not None
_EVENT_NOUN_ASCII = _for_lower_ascii(_EVENT_NOUN)
# a day and a month side by side: worth a second look for a yearless date
_DAY_AND_MONTH = re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS_RE}\b|\b{_MONTHS_RE}\.?\s+\d{{1,2}}\b")
_DIGIT = re.compile(r"\d")
_TERMINATED = re.compile(r"[.!?…։؟।。！？][\"'”’»)\]]*$|[\"”»]$")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v\u00a0]*\n")
_PEOPLE_MEASURES = {
    "casualties": ("killed", "injured", "missing", "casualties"),
    "displacement": ("deported", "displaced"),
    "detentions": ("detained",),
    "forces": ("troops",),
    "attendance": ("attendance", "crowd"),
}


class _lazy:
    """functools.cached_property without the lock it takes on every first
    access in Python 3.11 (a sentence has several, most never asked for)."""

    def __init__(self, compute: Callable):
        self.compute, self.name = compute, compute.__name__

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.compute(instance)
        return value


@dataclass(frozen=True)
class _Sentence:
    """What one sentence states, before it is judged a claim.

    The properties are worked out when first asked for: the rules decide most
    sentences on their figures or their opinion marks, and only claims need
    their places and actors, so most sentences never pay for the rest (it was
    most of extract_claims)."""

    start: int
    end: int
    paragraph: int
    text: str
    dates: tuple[tuple[str, str, str], ...]      # own dates: (text, edtf, how)
    context: tuple[tuple[str, str, str], ...]     # own dates fit to date other sentences, as they lend them
    date_spans: tuple[tuple[int, int], ...]       # where its own dates are: not counts
    gazetteer: Gazetteer = field(repr=False, compare=False)
    introduced: tuple[str, ...] = field(repr=False, compare=False)   # see places.guessed_names
    guess_places: bool = field(repr=False, compare=False)            # see places.may_guess

    @_lazy
    def figures(self) -> tuple[Figure, ...]:
        return tuple(extract_figures(self.text, self.start, exclude=self.date_spans))

    @_lazy
    def actors(self) -> tuple[str, ...]:
        return self._marks.actors(self.gazetteer)

    @_lazy
    def places(self) -> tuple[tuple[str, str], ...]:
        return self._marks.places(self.gazetteer, self.guess_places, self.introduced)

    @_lazy
    def country_only(self) -> bool:
        return all(self.gazetteer.kind_of(key) == "country" for _, key in self.places)

    @_lazy
    def _marks(self) -> "_Text":
        return _text(self.text)

    @_lazy
    def official_act(self) -> bool:
        return self._marks.official_act

    @_lazy
    def event_verb(self) -> bool:
        return self._marks.event_verb

    @_lazy
    def opinion(self) -> bool:
        return self._marks.opinion

    @_lazy
    def event_nouns(self) -> frozenset[str]:
        return self._marks.event_nouns


class _Text:
    """What a sentence's text alone says, worked out when first asked for and
    shared by every sentence with the same text (see _text): an archive
    repeats its sentences, four in five in the benchmark's corpus."""

    def __init__(self, text: str):
        self.text = text

    @_lazy
    def _lower_ascii(self) -> str | None:
        """The text lower-cased when it is ASCII, for the _..._ASCII patterns."""
        return self.text.lower() if self.text.isascii() else None

    @_lazy
    def _letter_runs(self) -> frozenset[str] | None:
        """The runs of letters of the lower-cased ASCII text (see _first_words)."""
        lower = self._lower_ascii
        return None if lower is None else frozenset(lower.translate(ASCII_LETTER_RUNS).split())

    def _search(self, pattern: re.Pattern, ascii_pattern: re.Pattern,
                first: tuple[frozenset[str], tuple[str, ...]]) -> bool:
        lower = self._lower_ascii
        return _search(pattern, self.text, ascii_pattern, lower, first, None if lower is None else self._letter_runs)

    @_lazy
    def official_act(self) -> bool:
        return self._search(_OFFICIAL_ACT, _OFFICIAL_ACT_ASCII, _OFFICIAL_ACT_FIRST)

    @_lazy
    def event_verb(self) -> bool:
        return self._search(_EVENT_VERB, _EVENT_VERB_ASCII, _EVENT_VERB_FIRST)

    @_lazy
    def opinion(self) -> bool:
        return _OPINION.search(self.text) is not None or self._search(_NORMATIVE, _NORMATIVE_ASCII, _NORMATIVE_FIRST)

    @_lazy
    def event_nouns(self) -> frozenset[str]:
        lower = self._lower_ascii
        if lower is None:
            return frozenset(m.group(1).lower() for m in _EVENT_NOUN.finditer(self.text))
        return frozenset(m.group(1) for m in _EVENT_NOUN_ASCII.finditer(lower))


    # Places and actors depend on the gazetteer too (and places on the names the
    # document introduced): remembered per gazetteer, held here so that its id
    # names no other gazetteer while remembered.
    def _actor_spans(self, gazetteer: Gazetteer) -> list[tuple[str, int, int]]:
        memo = self.__dict__.setdefault("_actor_spans_by", {})
        hit = memo.get(id(gazetteer))
        if hit is None or hit[0] is not gazetteer:
            hit = memo[id(gazetteer)] = (gazetteer, extract_actors(self.text, 0, gazetteer))
        return hit[1]

    def actors(self, gazetteer: Gazetteer) -> tuple[str, ...]:
        return _unique(label for label, _, _ in self._actor_spans(gazetteer))

    def places(self, gazetteer: Gazetteer, guess: bool, introduced: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        memo = self.__dict__.setdefault("_places_by", {})
        hit = memo.get((id(gazetteer), guess, introduced))
        if hit is None or hit[0] is not gazetteer:
            # "the USSR leadership", "Popular Front of Azerbaijan": a name inside an actor is not a place mention
            in_actors = Spans((a, b) for _, a, b in self._actor_spans(gazetteer))
            hit = memo[(id(gazetteer), guess, introduced)] = (gazetteer, _unique(
                (spelling, key) for spelling, key, a, b in extract_places(
                    self.text, 0, gazetteer, guess=guess, known_names=introduced)
                if not in_actors.overlaps(a, b)))
        return hit[1]


@lru_cache(maxsize=16384)
def _text(text: str) -> _Text:
    """The _Text of `text`, the same object while remembered."""
    return _Text(text)


# --- rules -------------------------------------------------------------------
# (name, test) in order; the first that answers decides.  True: a claim,
# False: not a claim, None: ask the next rule.

def _rule_figures(s: _Sentence) -> bool | None:
    return True if s.figures else None


def _rule_opinion(s: _Sentence) -> bool | None:
    return False if s.opinion else None


def _rule_official_act(s: _Sentence) -> bool | None:
    return True if s.official_act else None


def _rule_dated(s: _Sentence) -> bool | None:
    # a heading or dateline ("Distr.: General 9 February 2021") is not an assertion
    return True if s.dates and _TERMINATED.search(s.text) and len(s.text.split()) >= 5 else None


def _rule_event_at_place(s: _Sentence) -> bool | None:
    return True if s.event_verb and s.places and not s.country_only else None


CLAIM_RULES: tuple[tuple[str, Callable[[_Sentence], bool | None]], ...] = (
    ("figures", _rule_figures),
    ("opinion", _rule_opinion),
    ("official act", _rule_official_act),
    ("dated", _rule_dated),
    ("event at a place", _rule_event_at_place),
)


def _states(measures: tuple[str, ...]) -> Callable[[_Sentence], bool]:
    return lambda s: any(f.measure in measures for f in s.figures)


KIND_RULES: tuple[tuple[str, Callable[[_Sentence], bool]], ...] = (
    *((kind, _states(measures)) for kind, measures in _PEOPLE_MEASURES.items()),
    ("count", lambda s: bool(s.figures)),
    ("official act", lambda s: s.official_act),
    ("event", lambda s: True),
)


# --- extraction --------------------------------------------------------------

def extract_claims(record: Record, *, gazetteer: Gazetteer | None = None,
                   anchor_date: str | None = None) -> list[Claim]:
    """The claims of `record.body`, in body order."""
    body = record.body
    gazetteer = gazetteer or default_gazetteer()
    language = record.language.value if isinstance(record.language.value, str) else "en"
    sentences = _sentences(body, language, anchor_date, gazetteer)
    claimed = [_is_claim(s) for s in sentences]
    claims: list[Claim] = []
    for s, is_claim, context in zip(sentences, claimed, _context_dates(sentences, claimed)):
        if not is_claim:
            continue
        dates = s.dates or context
        quote = body[s.start:s.end]
        assert quote == s.text, "a claim quotes its sentence exactly"
        claims.append(Claim(
            id=f"{record.id}-c{len(claims) + 1}", document_id=record.id, kind=_kind(s), quote=quote,
            start=s.start, end=s.end, figures=s.figures, dates=dates, places=s.places, actors=s.actors))
    return claims


def _is_claim(s: _Sentence) -> bool:
    for _, rule in CLAIM_RULES:
        verdict = rule(s)
        if verdict is not None:
            return verdict
    return False


def _kind(s: _Sentence) -> str:
    return next(kind for kind, test in KIND_RULES if test(s))


def _sentences(body: str, language: str, anchor: str | None, gazetteer: Gazetteer) -> list[_Sentence]:
    mentions = find_dates(body, language=language, anchor=anchor)
    starts = [m.start for m in mentions]
    year_before = _years_before(mentions)
    introduced = guessed_names(body, gazetteer)      # "the village of Oakfield" ... "in Oakfield"
    guess_places = may_guess(body)
    result: list[_Sentence] = []
    paragraph, previous_end = 0, 0
    for start, end in split_sentences(body):
        if _PARAGRAPH_BREAK.search(body, previous_end, start):
            paragraph += 1
        previous_end = end
        text = body[start:end]
        own = mentions[bisect_left(starts, start):bisect_left(starts, end)]
        dates = _unique((m.text, m.edtf, "relative" if m.kind == "relative" else "stated") for m in own) if own else ()
        if not own and _DIGIT.search(text) and _DAY_AND_MONTH.search(text):     # (a day needs a digit)
            own, dates = _with_context_year(text, start, language, year_before[bisect_left(starts, start)])
        result.append(_Sentence(
            start=start, end=end, paragraph=paragraph, text=text, dates=dates,
            context=_unique((m.text, m.edtf, "context") for m in own if _dates_an_event(m)) if own else (),
            date_spans=tuple((m.start, m.end) for m in own), gazetteer=gazetteer, introduced=introduced,
            guess_places=guess_places))
    return result


def _years_before(mentions: list[DateMention]) -> list[int | None]:
    """years[k]: the year of the last full stated date among mentions[:k]."""
    years: list[int | None] = [None]
    for m in mentions:
        years.append(edtf_year(m.edtf) if m.kind == "stated" and _dates_an_event(m) else years[-1])
    return years


def _with_context_year(text: str, start: int, language: str, year: int | None
                       ) -> tuple[list[DateMention], tuple[tuple[str, str, str], ...]]:
    """Days without a year ("On January 18, ...") in the year of the last full date before them."""
    if year is None:
        return [], ()
    found = [DateMention(m.text, m.start + start, m.end + start, m.edtf, m.kind, m.reasoning)
             for m in find_dates(text, language=language, default_year=year)]
    return found, _unique((m.text, m.edtf, "context") for m in found)


def _dates_an_event(m: DateMention) -> bool:
    """Open intervals, decades, centuries and vague periods ("the late 1980s")
    are background, not an event's date."""
    return not any(mark in m.edtf for mark in ("..", "X", "~"))


def _context_dates(sentences: list[_Sentence], claimed: list[bool]) -> list[tuple[tuple[str, str, str], ...]]:
    """For each claim without dates of its own, the dates earlier sentences
    lend it (see the module notes); () for the other sentences, which need none.

    One pass, remembering the last dated sentence per event noun and in the
    current paragraph, so long documents stay linear."""
    by_noun: dict[str, tuple[int, tuple[tuple[str, str, str], ...]]] = {}
    paragraph, paragraph_dates = -1, ()
    result = []
    for i, (s, is_claim) in enumerate(zip(sentences, claimed)):
        if s.paragraph != paragraph:
            paragraph, paragraph_dates = s.paragraph, ()
        if not is_claim or s.dates:
            result.append(())
        else:
            lent = [by_noun[n] for n in s.event_nouns if n in by_noun] if by_noun else []
            result.append(max(lent)[1] if lent else paragraph_dates)     # the nearest earlier sentence
        if s.context:
            paragraph_dates = s.context
            if not s.official_act:
                by_noun.update((n, (i, s.context)) for n in s.event_nouns)
    return result


def _unique(items) -> tuple:
    return tuple(dict.fromkeys(items))


# --- names sources give events -----------------------------------------------

_EVENT_WORDS = (r"tragedy|tragedies|pogroms?|massacres?|genocide|events|carnage|bloodshed|catastrophe|"
                r"uprising|revolution|war|siege|day|mourning|floods?|earthquake|fire|riots?|bombing|attacks?|"
                r"disaster|трагеди\w*|погром\w*|резн\w*|геноцид\w*|faciə\w*|qırğın\w*|soyqırım\w*")
_CAP = r"[A-ZА-ЯЁ][\w’'\-]*"


def _top_level_alternatives(group: str) -> list[str]:
    """'(?:a|b(?:c|d))' -> ['a', 'b(?:c|d)']"""
    assert group.startswith("(?:") and group.endswith(")"), group
    alternatives, depth, current = [], 0, ""
    for c in group[3:-1]:
        depth += (c == "(") - (c == ")")
        if c == "|" and depth == 0:
            alternatives.append(current)
            current = ""
        else:
            current += c
    return alternatives + [current]


# The letters a month name starts with ("J", "я", ...): a "date tragedy" match
# starts with one of them or a digit, and sre skips every other position at
# once when the pattern says so up front (the rule was 5x slower without).
_MONTH_FIRST_LETTERS = "".join(sorted({a[0] for a in _top_level_alternatives(_MONTHS_RE)}))
assert _MONTH_FIRST_LETTERS.isalpha(), _MONTH_FIRST_LETTERS
# The words that end the names of the "date tragedy" and "named" rules (case-sensitive)
_DATE_TRAGEDY_WORDS = ("tragedy", "massacre", "pogroms?", "events", "genocide", r"трагеди\w*")
_NAMED_WORDS = (
    "Pogroms?", "Massacres?", "Tragedy", "Genocide", "Day", "Disaster", "Catastrophe", "Flood", "Earthquake",
    "Landslide", "Fire", "Attacks?", "Bombings?", "Riots?", "Uprising", "War", "Siege", "Events",
    "pogroms?", "massacres?", "tragedy", "genocide", "disaster", "floods?", "earthquake", "landslide", "bombings?",
    "riots")
_NAME_RULES: tuple[tuple[str, re.Pattern], ...] = (
    # “Black January”, "Black January tragedy": a short quoted phrase with an event or month word
    ("quoted", re.compile(
        rf"[“\"«„](?P<name>[^“”\"«»„\n]{{3,60}}?)[”\"»“]")),
    # "20 January tragedy", "the January 20 events"
    ("date tragedy", re.compile(
        rf"(?=[\d{_MONTH_FIRST_LETTERS}])"      # see _MONTH_FIRST_LETTERS
        rf"(?P<name>(?:\d{{1,2}}\s+(?:{_MONTHS_RE})|(?:{_MONTHS_RE})\s+\d{{1,2}})(?:,?\s+\d{{4}})?\s+"
        rf"(?:{'|'.join(_DATE_TRAGEDY_WORDS)}))\b")),
    # "Baku Pogroms", "Khojaly genocide", "Armenian pogroms in Baku", "National Mourning Day"
    # (a name starts with _CAP's capital: said up front, sre skips other positions at once)
    ("named", re.compile(
        rf"(?=[A-ZА-ЯЁ])(?<![\w’'\-])(?P<name>(?:{_CAP}\s+){{0,3}}{_CAP}\s+(?:{'|'.join(_NAMED_WORDS)})"
        rf"(?:\s+in\s+{_CAP})?)\b")),
)


def _literal_stem(word: str) -> str:
    """'pogroms?' -> 'pogrom', 'трагеди\\w*' -> 'трагеди': what every match of `word` begins with."""
    stem = word.removesuffix("s?").removesuffix(r"\w*")
    assert re.escape(stem) == stem, word
    return stem


# Where the "date tragedy" and "named" rules can match: their every match ends
# in one of these words, with at most four runs of word characters (and ,.’'-)
# between spaces before it ("20 January, 1990 tragedy", "National Mourning Day").
# Found with str.find, the rules are tried only in those few words instead of
# scanning a whole body twice (most of names_for_events' cost).
_NAME_STEMS = {
    "date tragedy": tuple(dict.fromkeys(map(_literal_stem, _DATE_TRAGEDY_WORDS))),
    "named": tuple(dict.fromkeys(map(_literal_stem, _NAMED_WORDS))),
}
_RUNS_BEFORE_NAME_WORD = re.compile(r"\s*(?:[\w’'\-,.]+\s*){0,4}")      # read on the reversed text


def _name_matches(rule: str, pattern: re.Pattern, body: str, reverse: str) -> Iterator[re.Match]:
    """``pattern.finditer(body)``'s matches, `pattern` tried only where `rule`
    can match (see _NAME_STEMS): finditer's scan replayed over those positions."""
    stems = _NAME_STEMS.get(rule)
    if stems is None:
        yield from pattern.finditer(body)
        return
    positions: set[int] = set()
    size = len(body)
    for stem in stems:
        at = body.find(stem)
        while at >= 0:
            back = _RUNS_BEFORE_NAME_WORD.match(reverse, size - at)
            positions.update(range(at - (back.end() - back.start()), at))  # type: ignore[union-attr]
            at = body.find(stem, at + 1)
    match, end = pattern.match, 0
    for position in sorted(positions):
        if position >= end and (m := match(body, position)):
            yield m
            end = m.end()
_QUOTED_EVENT = re.compile(rf"\b(?:{_EVENT_WORDS}|{_MONTHS_RE}|Black|Bloody)\b", _I)
_LEADING_FILLER = re.compile(r"^(?:(?:The|This|These|That|Those|On|In|At|Of|A|An|Today|Before|After|During|Since|"
                             r"According|Although|Despite|Under|By|For|And|But)\s+)+")


def names_for_events(body: str) -> list[tuple[str, int, int]]:
    """(name as written, start, end) of the names the body gives events, in body order."""
    found: dict[tuple[int, int], str] = {}
    reverse = body[::-1]
    for rule, pattern in _NAME_RULES:
        earlier_rules = Spans(found)            # a rule's own matches never overlap
        for m in _name_matches(rule, pattern, body, reverse):
            start, end = m.span("name")
            name = m.group("name")
            if rule == "quoted" and (not _QUOTED_EVENT.search(name) or len(name.split()) > 6
                                     or _LEADING_FILLER.match(name) or name[:1].islower()):
                continue
            filler = _LEADING_FILLER.match(name)
            if filler and rule != "quoted":
                start += filler.end()
                name = body[start:end]
                if rule == "named" and not name[:1].isupper():
                    continue                  # "The massacres": a noun, not a name
            if not name.strip() or earlier_rules.overlaps(start, end):
                continue
            found[(start, end)] = name
    return sorted(((n, s, e) for (s, e), n in found.items()), key=lambda t: (t[1], t[2]))
