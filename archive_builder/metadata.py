"""Stage 2b: metadata from the cleaned capture, each value with its provenance.

Every field is a `Sourced(value, basis, evidence, line)`:

* "stated"   the capture says it; `evidence` is the exact text, `line` its line;
* "inferred" `evidence` is the reasoning in a sentence, quoting what it rests on;
* "unknown"  value None.  Unknown stays unknown: nothing is ever invented.

Each field is decided by an ordered table of small named rules (the first rule
that answers wins), so a reader can see in one place what is tried and in
which order.  The rules are generic: they key on the wording documents of
this kind use ("Comment of X on …", "X has issued a statement …",
"(Signed) NAME ROLE", "the 31st anniversary of …"), never on a particular
capture.  English phrasings are regexes that simply do not fire on other
languages; there the title comes from the cleaner's header, the date from
`parse_stated_date(…, language)`, and the rest stays unknown unless stated.

Fields, and the rules tried in order (see the *_RULES tables below):

title          header "title" (stated) · "X has issued a statement on Y" +
               "The statement reads:" -> "Statement by X on Y" · the lead sentence
document_type  first noun of the title ("Comment of …", "Letter dated …") · a
               statement carried by an outlet / a news report about one
author         UN signature "(Signed) NAME ROLE" completed by the title's
               "from the ROLE of STATE to the United Nations" · header byline ·
               "Statement by X on …" in the title · the issuer a lead names
publisher      UN header (organs as title) · outlet signature · the site a
               comment policy names (inferred) · for an official statement
               or comment with no outlet at all, its issuing body (inferred,
               as catalogues of government documents do) · else unknown
date           dateline · "Letter dated D" (the document's own date, before the
               UN distribution date) · distribution date · "Nth anniversary" /
               "N years passed since" / "N years ago" + the body's most
               mentioned date · a reply: "D/.." after what it answers
language       py3langid on the body (not the UN "Original:" language)
references     UN symbols; "the statement of X dated D", "the trilateral
               statements of D1 and D2", "decision “T”", "a resolution titled
               “T”", in title, body and footnotes; "answers" for what a comment
               or reply responds to

Canonical names of authors are editorial (editorial/authors.yaml) and are
applied by records.py, not here.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from functools import cached_property
from collections import Counter
import copy
import itertools
from itertools import islice
from typing import Callable, Iterable, Iterator

import py3langid

from .dates import DateMention, _by_first_letter, find_anniversaries, find_dates, format_edtf, parse_stated_date
from .model import Agent, Capture, Cleaned, Reference, Sourced


@dataclass(frozen=True)
class Metadata:
    title: Sourced
    document_type: Sourced
    author: Sourced
    publisher: Sourced
    date: Sourced
    language: Sourced
    references: tuple[Reference, ...] = ()


DOCUMENT_TYPES = ("statement", "comment", "letter", "note verbale", "news report",
                  "press release", "interview", "article", "resolution", "other")

# How many leading paragraphs count as the "lead" of a news item, and at
# most how many characters (one huge paragraph is not all lead).
LEAD_PARAGRAPHS = 4
LEAD_CHARS = 3000
# An inferred title longer than this is cut at a word boundary.
TITLE_MAX = 160
# How far before a document phrase we look for its issuer or "in connection with".
LOOK_BEHIND = 200
# Anniversary phrases weighed for the date (the first decides; the others
# only confirm it in the evidence).
MAX_CUES = 12
# Fewer letters than this and a language guess is noise.
LANGUAGE_MIN_LETTERS = 20
# The language is read from the body's first characters: enough to be sure,
# and a multi-megabyte capture costs no more than a short one.  (1,000
# characters, ~150 words: the same decisions as 20,000 on the seeds, the tests
# and 2,000 generated captures, at a third of the cost; classify is linear in
# the sample and was the largest part of reading a capture.)
LANGUAGE_SAMPLE = 1_000


# ---------------------------------------------------------------------------
# The text we look at: segments with their capture line numbers
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """A piece of capture text (title, body, a footnote) that knows the
    capture line of every offset, so evidence can point at file:line."""

    text: str
    line_starts: tuple[int, ...]          # offset where each of its lines starts
    lines: tuple[int | None, ...]         # capture line number of each of its lines

    @classmethod
    def of(cls, text: str, lines: Iterable[int | None]) -> "Segment":
        starts, pos = [], 0
        for part in text.split("\n"):
            starts.append(pos)
            pos += len(part) + 1
        numbers = tuple(lines)
        numbers = numbers + (numbers[-1] if numbers else None,) * (len(starts) - len(numbers))
        return cls(text, tuple(starts), numbers[: len(starts)])

    def line_at(self, offset: int) -> int | None:
        if not self.line_starts:
            return None
        return self.lines[max(0, bisect_right(self.line_starts, offset) - 1)]


_LETTER = re.compile(r"[^\W\d_]")
_MARKUP = re.compile(r"[#*_`>]+|<[^>]*>")
_SPACES = re.compile(r"\s+")


def _plain(text: str) -> str:
    return _SPACES.sub(" ", _MARKUP.sub(" ", text)).strip()


def _header_line(cleaned: Cleaned, value: str) -> tuple[int | None, str]:
    """The removed line a header value came from, and its exact text (stripped);
    for a value joined from several lines, the first line and the value."""
    wanted = _plain(value)
    if not wanted:
        return None, value
    plain = []          # filled as we go: the value is usually in one of the first removed lines
    for removed in cleaned.removed:
        text = _plain(removed.text)
        if wanted in text:
            return removed.line, removed.text.strip()
        plain.append((removed, text))
    # a value the cleaner joined from several lines (a title over two lines)
    for removed, text in plain:
        if len(text) >= 10 and wanted.startswith(text):
            return removed.line, value
    return None, value


@dataclass(frozen=True)
class Facts:
    """Everything the rules may look at, computed once per capture."""

    capture: Capture
    cleaned: Cleaned

    @cached_property
    def header(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, list[str]] = {}
        for key, value in self.cleaned.header:
            if isinstance(value, str) and value.strip():
                out.setdefault(key, []).append(value.strip())
        return {k: tuple(v) for k, v in out.items()}

    def first(self, key: str) -> str | None:
        values = self.header.get(key)
        return values[0] if values else None

    @cached_property
    def body(self) -> Segment:
        return Segment.of(self.cleaned.body, self.cleaned.body_lines)

    @cached_property
    def title(self) -> tuple[Segment, str] | None:
        """The stated title (from the cleaner's header) and its exact capture text."""
        value = self.first("title")
        if not value:
            return None
        text = _plain(value)
        line, exact = _header_line(self.cleaned, value)
        return Segment.of(text, (line,)), exact

    @cached_property
    def footnotes(self) -> tuple[Segment, ...]:
        return tuple(Segment.of(f.text, (f.line,)) for f in self.cleaned.footnotes)

    @cached_property
    def language(self) -> str | None:
        sample = self.cleaned.body[:LANGUAGE_SAMPLE]
        letters = sum(1 for _ in islice(_LETTER.finditer(sample), LANGUAGE_MIN_LETTERS))
        if letters < LANGUAGE_MIN_LETTERS:
            return None
        return _identify_language(sample)

    @property
    def lang(self) -> str:
        """The language to read dates in: the body's, else English."""
        return self.language or "en"

    @cached_property
    def body_dates(self) -> tuple[DateMention, ...]:
        return tuple(find_dates(self.cleaned.body, language=self.lang))

    @cached_property
    def most_mentioned(self) -> "MostMentioned | None":
        return most_mentioned(self.body_dates)

    @cached_property
    def lead(self) -> tuple[tuple[str, int | None], ...]:
        """The first paragraphs of the body (up to LEAD_CHARS), with their capture lines."""
        out = []
        for i, text in enumerate(self.cleaned.body[:LEAD_CHARS].split("\n")):
            if text.strip():
                out.append((text.strip(), self.body.lines[i] if i < len(self.body.lines) else None))
            if len(out) == LEAD_PARAGRAPHS:
                break
        return tuple(out)

    @cached_property
    def lead_end(self) -> int:
        """Offset in the body where the lead paragraphs end."""
        seen, pos = 0, 0
        for text in self.cleaned.body[:LEAD_CHARS].split("\n"):
            pos += len(text) + 1
            seen += bool(text.strip())
            if seen == LEAD_PARAGRAPHS:
                break
        return min(pos, LEAD_CHARS)

    @cached_property
    def issued(self) -> "Issued | None":
        issued = _find_issued(self.lead)
        if issued is None:
            return None
        presents = next((m.group(0) for p, _ in self.lead if (m := _PRESENTS.search(p))), None)
        return replace(issued, presents=presents)

    @cached_property
    def carried(self) -> "Issued | None":
        """The lead names who issued the document *and* hands over to its text:
        the capture carries that body's document (author = that body)."""
        return self.issued if self.issued is not None and self.issued.presents else None

    # Later fields depend on earlier ones (the date of a reply on the document
    # it answers; what it answers on the document type): computed once, here.
    @cached_property
    def document_type(self) -> Sourced:
        return first_answer(TYPE_RULES, self)

    @cached_property
    def references(self) -> "tuple[Reference, ...]":
        return extract_references(self)


# ---------------------------------------------------------------------------
# Language identification: py3langid, its byte walk remembered per word
# ---------------------------------------------------------------------------

# py3langid walks a finite automaton over every byte of the sample, in Python:
# most of the cost of identifying a language.  The walk from a given state
# over a given word always ends in the same state with the same features, and
# words recur, so each (state, word) is walked once and remembered; the
# features come out in the same order, so the scores and the decision are
# py3langid's own (test_metadata compares them).  Bounded: forgotten when full.
_WALKS_MAX = 20_000       # (state, word) pairs: about 12 MB at most
_WORD_BYTES = re.compile(rb"[^ ]* ?")


def _remembering_identifier():
    """py3langid's identifier with its byte walk replaced by a remembering one;
    None if this version of py3langid is not built as expected (then
    py3langid.classify is used as it is)."""
    try:
        from py3langid import langid

        plain = langid._get_identifier()
        nextmove, rowbase, output = plain.tk_nextmove, plain._rowbase, plain.tk_output
        base_class = type(plain)
        base_class._raw_score, base_class._sparse_score, base_class._decide   # noqa: B018  (they must exist)
    except (ImportError, AttributeError):
        return None
    walks: dict[tuple[int, bytes], tuple[int, tuple[int, ...]]] = {}

    def walk(state: int, word: bytes) -> tuple[int, tuple[int, ...]]:
        features = []
        for byte in word:
            state = nextmove[rowbase[state] + byte]
            feature = output[state]
            if feature >= 0:
                features.append(feature)
        return state, tuple(features)

    class Remembering(base_class):  # type: ignore[misc, valid-type]
        __slots__ = ()

        def _raw_score(self, text):
            state, features = 0, []
            for word in _WORD_BYTES.findall(text):
                done = walks.get((state, word))
                if done is None:
                    if len(walks) >= _WALKS_MAX:
                        walks.clear()
                    done = walks[(state, word)] = walk(state, word)
                state = done[0]
                features.extend(done[1])
            if not features:
                return super()._raw_score(text)
            return self._sparse_score(Counter(features), self.nb_ptc)

    identifier = copy.copy(plain)       # the same model, not a second one
    identifier.__class__ = Remembering
    return identifier


_IDENTIFIER: list = []      # filled on first use: loading the model takes a while


def _identify_language(sample: str) -> str:
    """py3langid.classify(sample)'s language."""
    if not _IDENTIFIER:
        _IDENTIFIER.append(_remembering_identifier())
    identifier = _IDENTIFIER[0]
    code, _score = (identifier or py3langid).classify(sample)
    return code


def _quote(text: str, limit: int = 200) -> str:
    text = _SPACES.sub(" ", text[: limit * 2]).strip()
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    return f"“{text}”"


# ---------------------------------------------------------------------------
# Shared English patterns
# ---------------------------------------------------------------------------

# A run of capitalised words, the way bodies and offices are named:
# "Ministry of Foreign Affairs of the Republic of Armenia",
# "Permanent Representative of Azerbaijan to the United Nations".
_WORD = r"[A-Z](?:[\w’'\-]|\.(?=\w))*"
_NAME = (rf"{_WORD}(?:\s+(?:(?:of|for|and|de|du|des|la)\s+(?:the\s+)?)?{_WORD})*"
         r"(?:\s+to\s+the\s+United\s+Nations(?:\s+(?:Office\s+)?at\s+[A-Z]\w+)?)?")

# "X has issued a statement on Y", "the Artsakh foreign ministry issued a statement".
_ISSUED = re.compile(
    r"\s+(?:has\s+|have\s+|had\s+)?"
    r"(?:issued|released|published|made|circulated|disseminated|adopted)\s+(?:a|an)\s+"
    r"(?P<noun>(?:(?:joint|special|official)\s+)?(?:statement|press\s+release|comment|declaration|appeal))\b"
    r"(?P<rest>[^.!?]*)")
_TOPIC = re.compile(r"^\s*(?:on|about|regarding|concerning|in\s+connection\s+with)\s+(?P<topic>.+?)\s*$")
# Sentences that hand over to the statement's own text.
_PRESENTS = re.compile(
    r"(?i:\b(?:the\s+(?:full\s+)?(?:text\s+of\s+the\s+)?(?:statement|declaration|comment|appeal)\s+(?:reads|says|states)\b"
    r"|below\s+is\s+the\s+(?:full\s+)?(?:text\s+of\s+the\s+)?(?:statement|declaration|comment|appeal)\b"
    r"|here\s+is\s+the\s+(?:full\s+)?(?:text\s+of\s+the\s+)?(?:statement|declaration|comment|appeal)\b"
    r"|(?:full\s+)?text\s+of\s+the\s+(?:statement|declaration|comment|appeal)\s*:))")


@dataclass(frozen=True)
class Issued:
    """A lead sentence saying who issued the document: "X has issued a statement on Y"."""

    sentence: str
    issuer: str
    noun: str
    topic: str | None
    line: int | None
    presents: str | None = None     # "The statement reads:": the text that follows is the document itself


_STOP_SPACE = re.compile(r"[.!?]\s+")
_CLAUSE_HEAD = re.compile(r"^.*(?:[.!?]\s|,)", re.S)
_THE = re.compile(r"^(?i:the)\s+")


def _find_issued(lead: Iterable[tuple[str, int | None]]) -> Issued | None:
    for paragraph, line in lead:
        for m in _ISSUED.finditer(paragraph):
            # The sentence up to the verb, at most LOOK_BEHIND characters back.
            sentence_start = max(0, m.start() - LOOK_BEHIND)
            head = paragraph[sentence_start:m.start()]
            stop = list(_STOP_SPACE.finditer(head))
            if stop:
                sentence_start += stop[-1].end()
                head = head[stop[-1].end():]
            # The issuer is what follows the last comma: "On the 30th anniversary
            # of X, the Artsakh foreign ministry issued …".
            issuer = _THE.sub("", _CLAUSE_HEAD.sub("", head).strip())
            if not issuer or not issuer[0].isupper() or len(issuer.split()) > 10:
                continue
            topic = _TOPIC.match(m.group("rest"))
            return Issued(paragraph[sentence_start:m.end()].strip(), issuer, _SPACES.sub(" ", m.group("noun")),
                          topic.group("topic").rstrip(" .") if topic else None, line)
    return None


# ---------------------------------------------------------------------------
# title
# ---------------------------------------------------------------------------

_SENTENCE_STOP = re.compile(r"[.!?؟。](?=\s|$)")


def _sentences(paragraph: str) -> list[str]:
    """Split at . ! ? ؟ followed by a space and a word that does not start in
    lower case (so "Mr. smith" stays whole, and caseless scripts split too)."""
    out, start = [], 0
    for m in _SENTENCE_STOP.finditer(paragraph):
        rest = paragraph[m.end():m.end() + 8].lstrip()
        first = rest.lstrip("\"“‘'([«")[:1]
        if rest and first and not first.islower():
            out.append(paragraph[start:m.end()].strip())
            start = m.end()
    tail = paragraph[start:].strip()
    return out + ([tail] if tail else [])

Rule = Callable[[Facts], "Sourced | None"]


def title_from_header(facts: Facts) -> Sourced | None:
    if facts.title is None:
        return None
    segment, exact = facts.title
    return Sourced(segment.text, "stated", exact, segment.lines[0])


def title_from_issued(facts: Facts) -> Sourced | None:
    issued = facts.carried
    if issued is None:
        return None
    title = f"{issued.noun[0].upper()}{issued.noun[1:]} by {issued.issuer}"
    if issued.topic:
        title += f" on {issued.topic}"
    return Sourced(title, "inferred",
                   f"the capture has no title line; the lead sentence {_quote(issued.sentence)} "
                   f"says who issued the {issued.noun} and on what", issued.line)


def title_from_lead_sentence(facts: Facts) -> Sourced | None:
    if not facts.lead:
        return None
    paragraph, line = facts.lead[0]
    sentence = _sentences(paragraph)[0]
    title = sentence.rstrip(" .")
    if len(title) > TITLE_MAX:
        title = title[:TITLE_MAX].rsplit(" ", 1)[0] + " …"
    if not title:
        return None
    return Sourced(title, "inferred",
                   f"the capture has no title line; its lead sentence is used: {_quote(sentence)}", line)


TITLE_RULES: tuple[tuple[str, Rule], ...] = (
    ("header title", title_from_header),
    ("lead sentence naming who issued it", title_from_issued),
    ("lead sentence", title_from_lead_sentence),
)


# ---------------------------------------------------------------------------
# document_type
# ---------------------------------------------------------------------------

# The first noun of a title -> controlled vocabulary.  Other languages too,
# since a title is stated whatever its language.  An English noun must be
# followed by the word that makes it a document's name ("Statement by",
# "Letter dated", "Comment of"), so a headline such as "Statements galore: …"
# is not taken for a statement.
_EN_NAMING = (r"(?=\s+(?:of|by|from|on|dated|to|with|in|regarding|concerning|about|adopted|issued|made|"
              r"addressed|following)\b|\s*$)")
_TITLE_NOUNS: tuple[tuple[re.Pattern, str], ...] = tuple((re.compile(p, re.I), t) for p, t in (
    (rf"notes?\s+verbales?{_EN_NAMING}|нот[аы]\s+вербальн\w*|note\s+verbale", "note verbale"),
    (rf"press\s+releases?{_EN_NAMING}|пресс-релиз\w*|communiqué\s+de\s+presse|pressemitteilung|بيان\s+صحفي",
     "press release"),
    (rf"(?:comments?|commentary){_EN_NAMING}|комментари\w*|şərh\w*|commentaire|تعليق", "comment"),
    (rf"(?:statements?|declarations?){_EN_NAMING}|заявлени\w*|bəyanat\w*|déclaration|erklärung|بيان", "statement"),
    (rf"letters?{_EN_NAMING}|письм\w*|məktub\w*|lettre|رسالة", "letter"),
    (rf"interviews?{_EN_NAMING}|интервью|müsahibə\w*|entretien|مقابلة", "interview"),
    (rf"resolutions?{_EN_NAMING}|резолюци\w*|qətnamə\w*|résolution|قرار", "resolution"),
))
_TITLE_LEAD = re.compile(r"^\s*(?:(?:joint|identical|official|special|совместное|совместн\w+)\s+)*", re.I)


def _title_noun(title: str) -> str | None:
    start = _TITLE_LEAD.match(title).end()  # type: ignore[union-attr]
    for pattern, kind in _TITLE_NOUNS:
        m = pattern.match(title, start)
        if m and (m.end() == len(title) or not title[m.end()].isalnum()):
            return kind
    return None


def type_from_title(facts: Facts) -> Sourced | None:
    if facts.title is None:
        return None
    segment, exact = facts.title
    kind = _title_noun(segment.text)
    return Sourced(kind, "stated", exact, segment.lines[0]) if kind else None


def type_from_carried_statement(facts: Facts) -> Sourced | None:
    """"X has issued a statement … The statement reads:" -> the statement, as an outlet carries it.
    Without a sentence handing over to the text, the page reports on the statement."""
    issued = facts.issued
    if issued is None:
        return None
    kind = _title_noun(issued.noun) or "statement"
    if issued.presents is None:
        return Sourced("news report", "inferred",
                       f"the lead sentence {_quote(issued.sentence)} reports that a {issued.noun} was issued, "
                       "and no sentence introduces its text", issued.line)
    return Sourced(kind, "inferred",
                   f"the lead sentence {_quote(issued.sentence)} and {_quote(issued.presents)} "
                   f"introduce the text that follows: a {kind} as carried by an outlet", issued.line)


TYPE_RULES: tuple[tuple[str, Rule], ...] = (
    ("first noun of the title", type_from_title),
    ("a statement carried by an outlet", type_from_carried_statement),
)


# ---------------------------------------------------------------------------
# author
# ---------------------------------------------------------------------------

# "(Signed) Yashar Aliyev Ambassador Permanent Representative"
_SIGNED = re.compile(r"^\s*\((?:Signed|Sgd\.?|Подпись|Подписал[аи]?|Signé|İmza)\)\s*(?P<rest>\S.*?)\s*$", re.I)
_ROLE_WORDS = frozenset("""ambassador permanent representative minister deputy chargé charge acting
    counsellor counselor secretary president vice chair chairman chairperson head director
    spokesperson spokesman envoy special under-secretary-general secretary-general prime first
    second third attaché attache consul consul-general senior officer member""".split())
# "… from the Permanent Representative of Azerbaijan to the United Nations addressed to …"
_FROM_ROLE = re.compile(r"\bfrom\s+the\s+(?P<role>.+?)(?=\s+addressed\s+to\b|\s*$)")
_ROLE_OF = re.compile(r"^(?P<head>.+?)\s+of\s+(?:the\s+)?(?P<affiliation>.+?)(?:\s+to\s+the\s+.*)?$")
# "Comment of X on …", "Statement by the Ministry … on …", "Letter dated … from the X addressed to …"
_TITLE_ISSUER = re.compile(
    r"^(?:(?:joint|identical|official|special)\s+)*"
    r"(?:comments?|statements?|letters?|notes?\s+verbales?|press\s+releases?|declarations?|appeals?|address|message)\s+"
    r"(?:dated\s+.+?\s+)?(?:of|by|from)\s+(?:the\s+)?(?P<name>.+?)"
    r"(?=\s+(?:on|dated|regarding|concerning|about|in\s+connection\s+with|in\s+(?:response|reply)\s+to|"
    r"addressed\s+to|to\s+the\s+(?!United\s+Nations))\b|\s*[:,(–—]|\s*$)", re.I)


def _signature_lines(facts: Facts) -> Iterable[tuple[str, int | None]]:
    for i, text in enumerate(facts.cleaned.body.split("\n")):
        yield text, facts.body.lines[i] if i < len(facts.body.lines) else None
    for removed in facts.cleaned.removed:
        yield removed.text, removed.line


def author_from_signature(facts: Facts) -> Sourced | None:
    for text, line in _signature_lines(facts):
        if "(" not in text:
            continue        # _plain only removes characters: no "(", no "(Signed)"
        m = _SIGNED.match(_plain(text))
        if not m:
            continue
        words = m.group("rest").split()
        cut = next((i for i, w in enumerate(words) if w.lower().strip(",") in _ROLE_WORDS), len(words))
        name = " ".join(words[:cut]).strip(" ,")
        if not name:
            continue
        signed_role = " ".join(words[cut:]).strip(" ,") or None
        title, affiliation, evidence = signed_role, None, _quote(text.strip())
        role = _FROM_ROLE.search(facts.title[0].text) if facts.title else None
        if role:
            full = role.group("role")
            of = _ROLE_OF.match(full)
            head = of.group("head") if of else full
            affiliation = of.group("affiliation") if of else None
            if signed_role is None or signed_role.lower().endswith(head.lower()):
                prefix = signed_role[: len(signed_role) - len(head)].strip(" ,") if signed_role else ""
                title = f"{prefix}, {full}" if prefix else full
                evidence += f" (signature) and “from the {full}” (title)"
        return Sourced(Agent(name=name, title=title, affiliation=affiliation), "stated", evidence, line)
    return None


def author_from_header(facts: Facts) -> Sourced | None:
    for key in ("author", "byline"):
        value = facts.first(key)
        if value:
            line, exact = _header_line(facts.cleaned, value)
            return Sourced(Agent(name=_plain(value)), "stated", exact, line)
    return None


def author_from_title(facts: Facts) -> Sourced | None:
    if facts.title is None:
        return None
    segment, exact = facts.title
    m = _TITLE_ISSUER.match(segment.text)
    if not m:
        return None
    return Sourced(Agent(name=m.group("name").strip()), "stated", exact, segment.lines[0])


def author_from_issued(facts: Facts) -> Sourced | None:
    issued = facts.carried
    if issued is None:
        return None
    return Sourced(Agent(name=issued.issuer), "inferred",
                   f"the lead sentence {_quote(issued.sentence)} names who issued the {issued.noun} "
                   "whose text the capture carries", issued.line)


AUTHOR_RULES: tuple[tuple[str, Rule], ...] = (
    ("signature", author_from_signature),
    ("byline in the header", author_from_header),
    ("issuer named in the title", author_from_title),
    ("issuer named in the lead", author_from_issued),
)


# ---------------------------------------------------------------------------
# publisher
# ---------------------------------------------------------------------------


def publisher_from_un_header(facts: Facts) -> Sourced | None:
    organisation = facts.first("un_organisation")
    if not organisation:
        return None
    bodies = "; ".join(facts.header.get("un_bodies", ())) or None
    line, exact = _header_line(facts.cleaned, organisation)
    return Sourced(Agent(name=organisation, title=bodies), "stated", exact, line)


def publisher_from_outlet(facts: Facts) -> Sourced | None:
    outlet = facts.first("outlet")
    if not outlet:
        return None
    line, exact = _header_line(facts.cleaned, outlet)
    return Sourced(Agent(name=outlet), "stated", exact, line)


def publisher_from_comment_policy(facts: Facts) -> Sourced | None:
    site = facts.first("comment_policy_site")
    if not site:
        return None
    line, sentence = None, None
    for removed in facts.cleaned.removed:
        if site in removed.text:
            line = removed.line
            sentence = next((s for s in _sentences(removed.text.strip()) if site in s), removed.text)
            break
    quoted = _quote(sentence) if sentence else f"“{site}”"
    return Sourced(Agent(name=site), "inferred",
                   f"the page's comment policy names the site that runs it: {quoted}", line)


# "Press Service Department of the Ministry of X" is published by "the Ministry of X"
_PARENT_BODY = re.compile(
    r"^(?:the\s+)?(?:[\w’'\- ]+?\s+)?(?:Department|Service|Office|Division|Directorate|Bureau|Section|Unit)"
    r"\s+of\s+(?:the\s+)?(?P<parent>\S.+)$")
_SELF_PUBLISHED_TYPES = ("statement", "comment", "press release")


def publisher_from_issuer(facts: Facts) -> Sourced | None:
    """An official statement or comment that names no outlet, carries no comment
    policy and no UN header was issued on its issuer's own channels: catalogues
    of government documents give the issuing body as publisher.  Only for a
    body the capture states as author (never a person, never a guess), and
    said as an inference an archivist can override in a sidecar."""
    if facts.document_type.value not in _SELF_PUBLISHED_TYPES or facts.document_type.basis != "stated":
        return None
    author = first_answer(AUTHOR_RULES, facts)
    agent = author.value
    if author.basis != "stated" or not isinstance(agent, Agent) or agent.title or agent.affiliation:
        return None
    m = _PARENT_BODY.match(agent.name)
    body = m.group("parent") if m else agent.name
    return Sourced(Agent(name=body), "inferred",
                   f"the capture names no outlet or other publisher; an official {facts.document_type.value} "
                   f"is taken as published by its issuing body ({body}), as catalogues of government "
                   "documents do", author.line)


PUBLISHER_RULES: tuple[tuple[str, Rule], ...] = (
    ("UN document header", publisher_from_un_header),
    ("outlet signature", publisher_from_outlet),
    ("site named by the comment policy", publisher_from_comment_policy),
    ("issuing body of an official statement", publisher_from_issuer),
)


# ---------------------------------------------------------------------------
# references
# ---------------------------------------------------------------------------

# UN document symbols: "A/75/710-S/2021/42", "S/2021/42", "E/CN.4/1998/53/Add.2".
_SYMBOL_PART = r"(?:A|S|E|ST|CERD|CCPR|CAT|CRC|CEDAW|CRPD|DP|TD|UNEP|HRC)(?:/[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*)+"
_SYMBOL_SPLIT = re.compile(r"-(?=[A-Z]+/)|\s+")
_SYMBOL = re.compile(rf"(?<![\w/.])(?:{_SYMBOL_PART})(?:-{_SYMBOL_PART})*(?![\w/])")
_NOUNS = {
    "statement": "statement", "letter": "letter", "note verbale": "note verbale", "decision": "decision",
    "resolution": "resolution", "declaration": "declaration", "communiqué": "communiqué",
    "agreement": "agreement", "decree": "decree", "appeal": "appeal",
}
# Words that cannot stand between an article and the noun it governs
# ("the parliament adopted decision …" is not "the … decision").
_FUNCTION_WORDS = (r"(?:of|the|a|an|in|on|to|and|or|by|for|with|from|its|their|this|that|which|as|"
                   r"is|are|was|were|be|been|has|have|had|adopted|issued|passed|released|signed|sent|"
                   r"published|circulated|made|said|says|reads)")
# "the trilateral statement", "the identical letters", "decision" (then a quoted title is required).
_DOC = re.compile(
    r"(?P<article>\b(?:[Tt]he|[Aa]n?|[Ii]ts|[Tt]heir|[Tt]his|[Tt]hat)\s+)?(?<![\w\-])"
    rf"(?P<adjectives>(?:(?!{_FUNCTION_WORDS}\s)[a-z][\w\-]*\s+){{0,3}})"
    r"(?P<noun>statements?|letters?|notes?\s+verbales?|decisions?|resolutions?|declarations?"
    r"|communiqués?|agreements?|decrees?|appeals?)\b")
# Where a _DOC match's noun can begin: every _DOC match holds one (its noun
# follows whitespace or starts the match, where (?<![\w\-]) holds).
_DOC_NOUN = re.compile(
    r"(?<![\w\-])(?:statements?|letters?|notes?\s+verbales?|decisions?|resolutions?|declarations?"
    r"|communiqués?|agreements?|decrees?|appeals?)\b")
# Read on the reversed text from a noun backwards: the at most four words
# (article and three adjectives) a _DOC match can hold before it.
_WORDS_BEFORE = re.compile(r"(?:\s+[\w\-]+){0,4}")
_Q_TITLE = re.compile(r"\s*,?\s*(?:(?:titled|entitled|called|named)\s+)?[“\"«](?P<title>[^”\"»\n]{3,300})[”\"»]")
_Q_DATE = re.compile(r",?\s+(?:dated|of|on|adopted\s+on|signed\s+on|issued\s+on)\s+(?:the\s+)?")
_Q_AND_DATE = re.compile(r",?\s+and\s+(?:of\s+|on\s+)?")
_Q_ISSUER = re.compile(rf"\s+(?:of|by|from)\s+(?:the\s+)?(?P<issuer>{_NAME})")
_Q_SUBJECT = re.compile(r"\s+(?:on|regarding|concerning)\s+[^,;.“”\"()\n]{3,150}")
_SUBJECT_STOP = re.compile(r"\s+(?:on|dated|of)\s+")
# "… decision “…” was adopted" after a phrase, and the date right before it.
_ADOPTED = re.compile(r"\s+(?:was|were|has\s+been|had\s+been|have\s+been)\s+(?:adopted|signed|passed|issued|approved)\b")
_DATE_BEFORE = re.compile(r"(?:\b(?:in|on)\s+)(?P<date>\S(?:.{0,30}[^\s,])?)\s*,?\s*$")
_PRE_ISSUER = re.compile(
    rf"(?:\bthe\s+)?(?P<issuer>{_NAME})\s+(?:has\s+|had\s+|have\s+)?"
    r"(?:adopted|issued|passed|released|signed|sent|published|circulated)\s+$")
_ANSWERING = re.compile(r"(?i:\b(?:in\s+connection\s+with|in\s+(?:response|reply)\s+to|responding\s+to|replying\s+to)\s+$)")
_TITLE_ON = re.compile(r"(?i:\b(?:on|to|regarding|concerning)\s+$)")
_CLAUSE_END = re.compile(r";|[.!?](?=\s+[A-Z“\"(]|\s*$)")
_SYMBOL_DATE = re.compile(r"\s*\(")


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    kind: str
    dates: tuple[str, ...]
    issuer: str | None
    title: str | None
    answers: bool
    symbol: str | None = None


def _date_at(mentions: dict[int, DateMention], pos: int) -> DateMention | None:
    mention = mentions.get(pos)
    return mention if mention is not None and mention.kind == "stated" else None


def _qualify(text: str, pos: int, limit: int, mentions: dict[int, DateMention]):
    """Extend a document phrase with what names it: a quoted title, a date,
    an issuer, or a subject followed by a date.  Returns (end, dates, issuer, title)."""
    dates: list[str] = []
    issuer = title = None
    progress = True
    while progress:
        progress = False
        if title is None and (m := _Q_TITLE.match(text, pos, limit)):
            title, pos, progress = m.group("title").strip(), m.end(), True
            continue
        if not dates and (m := _Q_DATE.match(text, pos, limit)) and (d := _date_at(mentions, m.end())):
            dates.append(d.edtf)
            pos, progress = d.end, True
            while (m2 := _Q_AND_DATE.match(text, pos, limit)) and (d2 := _date_at(mentions, m2.end())):
                dates.append(d2.edtf)
                pos = d2.end
            continue
        if issuer is None and (m := _Q_ISSUER.match(text, pos, limit)):
            issuer, pos, progress = m.group("issuer"), m.end(), True
            continue
        if not dates and (m := _Q_SUBJECT.match(text, pos, limit)):
            for stop in _SUBJECT_STOP.finditer(text, pos + 1, m.end() + 1):
                d = _date_at(mentions, stop.end())
                if d:
                    dates.append(d.edtf)
                    pos, progress = d.end, True
                    break
    return pos, tuple(dates), issuer, title


def _doc_matches(text: str) -> Iterator[re.Match]:
    """The same matches as ``_DOC.finditer(text)``, found faster.

    _DOC tries its optional article and adjectives at every position of the
    text, which made it the costliest pattern of the metadata stage.  Every
    match holds a document noun; the nouns are found with one cheap pattern,
    and _DOC is searched for only from four words before each noun (no match
    can start earlier and still hold that noun or cover it), replaying
    finditer's scan: the leftmost match at or after the end of the previous
    one.  (The patterns' lookbehinds see the text before the search start.)"""
    nouns = [m.start() for m in _DOC_NOUN.finditer(text)]
    if not nouns:
        return
    reverse = text[::-1]
    size, end = len(text), 0
    for noun in nouns:
        while noun >= end:
            back = _WORDS_BEFORE.match(reverse, size - noun)
            m = _DOC.search(text, max(end, noun - (back.end() - back.start())))  # type: ignore[union-attr]
            if m is None:       # cannot happen: _DOC matches at the noun itself
                return
            yield m
            end = m.end()


def _clause_bounds(text: str) -> list[int]:
    return [m.end() for m in _CLAUSE_END.finditer(text)] + [len(text)]


def _clause_of(ends: list[int], offset: int) -> tuple[int, int]:
    """(start, end) of the clause holding `offset`, given the sorted clause ends."""
    i = bisect_right(ends, offset)
    return (ends[i - 1] if i else 0), (ends[i] if i < len(ends) else ends[-1])


def _scan(segment: Segment, language: str, in_title: bool, is_comment: bool,
          mentions: Iterable[DateMention] | None = None) -> list[tuple[_Found, Segment]]:
    text = segment.text
    if not text:
        return []
    mentions = tuple(mentions if mentions is not None else find_dates(text, language=language))
    by_start = {m.start: m for m in mentions}
    by_end = {m.end: m for m in mentions if m.kind == "stated"}
    clause_ends = _clause_bounds(text)
    found: list[_Found] = []
    for m in _doc_matches(text):
        clause_start, clause = _clause_of(clause_ends, m.start())
        end, dates, issuer, title = _qualify(text, m.end(), clause, by_start)
        if not m.group("article") and title is None:
            continue          # a bare noun ("decision") names a document only with its title
        if not (dates or issuer or title):
            continue          # "the statement reads": the document itself, not a citation
        before = text[max(clause_start, m.start() - LOOK_BEHIND):m.start()]
        if not dates and _ADOPTED.match(text, end) and (lead := _DATE_BEFORE.search(before)):
            # "in March 1994, decision “…” was adopted": the date the document was adopted
            adopted = by_end.get(m.start() - len(before) + lead.end("date"))
            if adopted is not None:
                dates = (adopted.edtf,)
        if issuer is None and (pre := _PRE_ISSUER.search(before)):
            issuer = pre.group("issuer")
        answers = bool(_ANSWERING.search(before) or (in_title and is_comment and _TITLE_ON.search(before)))
        noun = _SPACES.sub(" ", m.group("noun"))
        kind = _NOUNS.get(noun.rstrip("s") if not noun.startswith("note") else "note verbale", noun)
        found.append(_Found(m.start(), end, kind, dates, issuer, title, answers))
    # A UN symbol belongs to the first document phrase of its clause that precedes it.
    out: list[_Found] = []
    starts = [f.start for f in found]       # ascending: finditer order
    for sm in _SYMBOL.finditer(text) if "/" in text else ():     # every symbol has a "/"
        if not any(ch.isdigit() for ch in sm.group(0)):
            continue
        cstart, _end = _clause_of(clause_ends, sm.start())
        owner = None
        for i in range(bisect_left(starts, cstart), bisect_left(starts, sm.start())):
            if found[i].symbol is None:
                owner = i
                break
        if owner is not None:
            found[owner] = replace(found[owner], symbol=sm.group(0))
            continue
        date = None
        if (paren := _SYMBOL_DATE.match(text, sm.end())) and (d := _date_at(by_start, paren.end())):
            date = (d.edtf,)
        out.append(_Found(sm.start(), sm.end(), "un-symbol", date or (), None, None,
                          bool(_ANSWERING.search(text[max(cstart, sm.start() - LOOK_BEHIND):sm.start()])),
                          sm.group(0)))
    return [(f, segment) for f in sorted(found + out, key=lambda f: (f.start, f.end))]


def _same_state(a: str | None, b: str | None) -> bool:
    """Two issuers that end in the same name ("Foreign Ministry of Armenia",
    "Ministry of Foreign Affairs of Armenia") speak for the same state."""
    return bool(a and b and a.split()[-1] == b.split()[-1])


def extract_references(facts: Facts) -> tuple[Reference, ...]:
    """Documents named in the title, body and footnotes, in that order;
    deduplicated; "answers" for the one a comment or reply responds to."""
    is_comment = facts.document_type.value == "comment"
    scanned: list[tuple[_Found, Segment]] = []
    if facts.title is not None:
        scanned += _scan(facts.title[0], facts.lang, True, is_comment)
    scanned += _scan(facts.body, facts.lang, False, is_comment, facts.body_dates)
    for footnote in facts.footnotes:
        scanned += _scan(footnote, facts.lang, False, is_comment)
    own = set(_SYMBOL_SPLIT.split(facts.first("un_symbol") or "")) - {""}
    refs: list[Reference] = []
    answered: list[Reference] = []
    seen: set[tuple] = set()
    for f, segment in scanned:
        if f.kind == "un-symbol" and own & set(_SYMBOL_SPLIT.split(f.symbol or "")):
            continue   # the document's own symbol (in a running header or footer), not a citation
        if (not f.dates and f.symbol is None and f.title is None
                and any(r.kind == f.kind and _same_state(r.issuer, f.issuer) for r in answered)):
            continue   # an undated mention of the document this one answers: the same document
        for date in f.dates or (None,):
            key = (f.kind, f.issuer, date, f.symbol, f.title)
            if key in seen:
                continue
            seen.add(key)
            refs.append(Reference(text=segment.text[f.start:f.end], kind=f.kind, line=segment.line_at(f.start),
                                  symbol=f.symbol, date=date, issuer=f.issuer,
                                  relation="answers" if f.answers else "cites"))
            if f.answers:
                answered.append(refs[-1])
    return tuple(refs)


# ---------------------------------------------------------------------------
# date
# ---------------------------------------------------------------------------

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^\d{4}-(?:0[1-9]|1[0-2])$")
_YEAR = re.compile(r"^\d{4}$")
# "Letter dated 8 February 2021 from …": the document's own date.
_OWN_DATE = re.compile(
    r"^(?:(?:identical|joint)\s+)?(?P<noun>letters?|notes?\s+verbales?|note|statements?|comments?|memorandum|"
    r"press\s+releases?)\s+dated\s+", re.I)


def date_from_dateline(facts: Facts) -> Sourced | None:
    dateline = facts.first("dateline")
    if not dateline:
        return None
    edtf = parse_stated_date(dateline, facts.lang) or parse_stated_date(dateline, "en")
    if not edtf:
        return None
    line, exact = _header_line(facts.cleaned, dateline)
    return Sourced(edtf, "stated", exact, line)


def date_from_title(facts: Facts) -> Sourced | None:
    if facts.title is None:
        return None
    segment, _exact = facts.title
    m = _OWN_DATE.match(segment.text)
    if not m:
        return None
    mention = next((d for d in find_dates(segment.text, language=facts.lang)
                    if d.start == m.end() and d.kind == "stated"), None)
    if mention is None:
        return None
    noun = _SPACES.sub(" ", m.group("noun")).lower()
    evidence = f"“{segment.text[:mention.end]}” in the title: the {noun}'s own date"
    distribution = facts.first("un_distribution")
    if distribution:
        evidence += f" (the UN distribution date, “{distribution}”, is when it was circulated)"
    return Sourced(mention.edtf, "stated", evidence, segment.lines[0])


def date_from_un_distribution(facts: Facts) -> Sourced | None:
    distribution = facts.first("un_distribution")
    if not distribution:
        return None
    edtf = parse_stated_date(distribution, "en") or parse_stated_date(distribution, facts.lang)
    if not edtf:
        return None
    line, _exact = _header_line(facts.cleaned, distribution)
    return Sourced(edtf, "stated",
                   f"“{distribution}”: the UN distribution date (the document states no date of its own)", line)


@dataclass(frozen=True)
class MostMentioned:
    """The date the body is about: the day-precision date it mentions most
    (an interval counts for its end day); without any day, the same at month,
    then year precision.  Several dates may tie."""

    times: int
    dates: tuple[tuple[str, tuple[int, ...]], ...]    # each tied date and where it is mentioned

    @property
    def tied(self) -> bool:
        return len(self.dates) > 1

    def pick(self, after: int) -> str:
        """Ties -> the first one mentioned after offset `after` (else the first one)."""
        def first_after(item: tuple[str, tuple[int, ...]]) -> tuple[int, int]:
            starts = item[1]
            i = bisect_left(starts, after)
            return (0, starts[i]) if i < len(starts) else (1, starts[0])

        return min(self.dates, key=first_after)[0]


def most_mentioned(mentions: Iterable[DateMention]) -> MostMentioned | None:
    stated = [m for m in mentions if m.kind == "stated" and not m.edtf.endswith("..")]
    for pattern in (_DAY, _MONTH, _YEAR):
        where: dict[str, list[int]] = {}
        for m in stated:
            point = m.edtf.rsplit("/", 1)[-1]
            if pattern.match(point):
                where.setdefault(point, []).append(m.start)
        if where:
            times = max(len(v) for v in where.values())
            return MostMentioned(times, tuple(sorted((p, tuple(v)) for p, v in where.items() if len(v) == times)))
    return None


def _add_years(edtf: str, years: int) -> str | None:
    y = int(edtf[:4]) + years
    rest = edtf[4:]
    if rest == "-02-29" or rest.endswith("-02-29"):
        leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
        if not leap:
            return f"{y:04d}-02"    # no 29 February that year: only the month is certain
    return f"{y:04d}{rest}" if 1000 <= y <= 2999 else None


# Words that tie an anniversary to the time of writing ("Today marks the 30th
# anniversary", "31 years have passed", "33 years ago").
# (Grouped by first letter, and the first letters looked at before anything
# else, so that most positions fail at once: the body after the lead is
# searched with it.)
_NOW_WORDS = (r"today", r"now", r"this\s+year", r"marks?", r"marking", r"marked", r"commemorat\w*", r"ago", r"passed",
              r"elapsed", r"gone\s+by", r"сегодня", r"ныне", r"исполня\w*", r"прошл\w*", r"bu\s+gün", r"aujourd'hui",
              r"heute")
_NOW = re.compile(rf"(?i)(?=[{''.join(sorted({w[0] for w in _NOW_WORDS}))}])\b(?:{_by_first_letter(*_NOW_WORDS)})\b")


_THE_GAP = re.compile(r"\s*(?:the\s+)?")


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """(left, right) of the sentence of `text` that holds text[start:end]
    (at most 400 characters back; never across a line break)."""
    before = [m.end() for m in _SENTENCE_STOP.finditer(text, max(0, start - 400), start)]
    left = max(before[-1] if before else max(0, start - 400), text.rfind("\n", 0, start) + 1)
    after = _SENTENCE_STOP.search(text, end, end + 2000)
    right = after.end() if after else min(len(text), end + 2000)
    newline = text.find("\n", end, right)
    return left, (newline if newline != -1 else right)


def _sentence_around(text: str, start: int, end: int) -> str:
    left, right = _sentence_bounds(text, start, end)
    return text[left:right].strip()


def _anniversary_cues(facts: Facts) -> Iterator[tuple[int, int, int, str]]:
    """Anniversary phrases that speak of the time of writing: those in the lead,
    and those in a sentence with a word such as "today", "marks", "ago".
    ("In 2016, on the 25th anniversary of …" deep in the body is not the
    document's day.)  Only those parts of the body are searched: long bodies
    stay cheap."""
    text = facts.cleaned.body
    lead_end = min(facts.lead_end, len(text))
    windows = itertools.chain([(0, lead_end)], (_sentence_bounds(text, m.start(), m.end())
                                                for m in _NOW.finditer(text, lead_end)))
    done = 0
    for left, right in windows:
        left = max(left, done)
        if left >= right:
            continue
        done = right
        for years, start, end, cue in find_anniversaries(text[left:right], language=facts.lang):
            if left + start < lead_end or _NOW.search(_sentence_around(text, left + start, left + end)):
                yield years, left + start, left + end, cue


def _cue_phrase(cue: str, years: int) -> str:
    """"31st anniversary" stays as it is; "33 years ago" becomes "33 years after"."""
    return cue if "anniversary" in cue.lower() else f"{years} years after"


def date_from_anniversary(facts: Facts) -> Sourced | None:
    """"the 31st anniversary of …" + the date the body is about -> that date plus 31 years.
    "31 years passed since <date>" and "33 years ago" support it the same way."""
    text = facts.cleaned.body
    mentions = facts.body_dates
    starts = [m.start for m in mentions]
    results: list[tuple[str, str, int]] = []     # (edtf, reasoning, offset)
    for years, start, end, cue in islice(_anniversary_cues(facts), MAX_CUES):
        # "31 years passed since the January 20, 1990 events": the date is right there.
        near = next((m for m in mentions[bisect_left(starts, end):bisect_right(starts, end + 12)]
                     if m.kind == "stated" and _THE_GAP.fullmatch(text, end, m.start)), None)
        if near is not None and "/" not in near.edtf:
            event, why = near.edtf, _quote(text[start:near.end])
        else:
            found = facts.most_mentioned
            if found is None:
                continue
            event, times, tied = found.pick(end), found.times, found.tied
            counted = f"{times} time{'s' if times != 1 else ''}"
            why = _quote(_sentence_around(text, start, end)) + (
                f", and {format_edtf(event)} is the first date after it among those the body mentions most "
                f"({counted} each)" if tied else
                f", and {format_edtf(event)} is the date the body mentions most ({counted})")
        edtf = _add_years(event, years)
        if edtf:
            results.append((edtf, f"{_cue_phrase(cue, years)} of events dated {format_edtf(event)}: {why}", start))
    if not results:
        return None
    edtf, evidence, offset = results[0]
    agreeing = sorted({_quote(_sentence_around(text, o, o + 1)) for e, _r, o in results[1:] if e == edtf})
    disagreeing = [f"{r} (would give {format_edtf(e)})" for e, r, _ in results[1:] if e != edtf]
    if agreeing:
        evidence += "; also " + ", ".join(agreeing)
    if disagreeing:
        evidence += "; but " + "; ".join(disagreeing)
    return Sourced(edtf, "inferred", evidence, facts.body.line_at(offset))


def _latest_day(facts: Facts) -> str | None:
    days = [m.edtf.split("/")[-1] for m in facts.body_dates if m.kind == "stated"]
    days = [d for d in days if _DAY.match(d)]
    return max(days) if days else None


def date_from_reply(facts: Facts) -> Sourced | None:
    """A reply is written on or after the day of what it answers, and never
    before the latest full date it mentions itself: an open interval "D/..". """
    answered = next((r for r in facts.references if r.relation == "answers" and r.date and _DAY.match(r.date)), None)
    if answered is None:
        return None
    lower, reasoning = answered.date, (f"a document answering {_quote(answered.text)} was written on or "
                                       f"after {format_edtf(answered.date)}")
    latest = _latest_day(facts)
    if latest and latest > lower:
        lower = latest
        reasoning += f", and it mentions {format_edtf(latest)} itself"
    return Sourced(f"{lower}/..", "inferred", reasoning, answered.line)


DATE_RULES: tuple[tuple[str, Rule], ...] = (
    ("dateline", date_from_dateline),
    ("the document's own date in its title", date_from_title),
    ("UN distribution date", date_from_un_distribution),
    ("anniversary counted from the body's event date", date_from_anniversary),
    ("on or after the document it answers", date_from_reply),
)


# ---------------------------------------------------------------------------
# language
# ---------------------------------------------------------------------------


def language_from_body(facts: Facts) -> Sourced | None:
    if facts.language is None:
        return None
    return Sourced(facts.language, "inferred", "detected from the body text", None)


LANGUAGE_RULES: tuple[tuple[str, Rule], ...] = (
    ("detected from the body", language_from_body),
)


# ---------------------------------------------------------------------------


def first_answer(rules: Iterable[tuple[str, Rule]], facts: Facts) -> Sourced:
    for _name, rule in rules:
        found = rule(facts)
        if found is not None:
            return found
    return Sourced.unknown()


def extract_metadata(capture: Capture, cleaned: Cleaned) -> Metadata:
    facts = Facts(capture, cleaned)
    return Metadata(
        title=first_answer(TITLE_RULES, facts),
        document_type=facts.document_type,
        author=first_answer(AUTHOR_RULES, facts),
        publisher=first_answer(PUBLISHER_RULES, facts),
        date=first_answer(DATE_RULES, facts),
        language=first_answer(LANGUAGE_RULES, facts),
        references=facts.references,
    )
