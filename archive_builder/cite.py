"""Citations of one document: Chicago, APA, BibTeX and CSL-JSON.

Pure functions from a Record (and its permalink) to text; no I/O.  Every
citation carries the permalink and the SHA-256 of the capture, so a reader
can prove later that the text they cited is the text the archive holds.

Conventions (the same input gives the same citation, whatever the style):

* Authors.  A person is an author the document signs with a title or an
  affiliation and whose name has no word of a body's name ("Ministry",
  "Nations", …): persons are split into family name (the last word) and
  given names; everything else is a body, cited under its full name (CSL
  `literal`, BibTeX double braces so that "and" or a comma never splits it).
  The name cited is the archivist's canonical name when there is one.
* Dates.  Only what the date says is cited: a year stays a year, a month a
  month; no day is ever made up.  EDTF intervals are cited as ranges
  ("January 19–20, 1990"); open intervals as "on or after …"; approximate
  dates ("~") get "ca.", uncertain ones ("?") a question mark.
  A date the archive *inferred* (from an anniversary, a reply, …) is put in
  square brackets in Chicago and APA — Chicago's convention for a date
  supplied by the cataloguer ("[January 20, 2021]"); APA has no rule of its
  own for supplied dates, so it borrows the same brackets.  BibTeX and
  CSL-JSON keep the date machine-readable and say "date inferred" in `note`.
  No date at all is "n.d." (both styles); CSL-JSON then has no `issued`.
* The publisher is left out when it is the author (a ministry on its own
  site), as both styles ask.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from .data import indented_json
from .model import Agent, Record

MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")
BIBTEX_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
SEASONS = {21: 1, 22: 2, 23: 3, 24: 4}     # EDTF season codes -> CSL season (spring = 1)

# Words that make a name a body's, not a person's (checked as whole words, any case).
_BODY_WORDS = re.compile(
    r"\b(?:ministry|ministries|department|office|service|council|committee|assembly|nations|government|"
    r"embassy|mission|agency|press|news|radio|television|foundation|institute|university|party|"
    r"parliament|union|association|organi[sz]ation|bureau|commission|court|administration|republic|"
    r"centre|center|society|company|corporation|inc|ltd|media|times|post|journal|daily)\b",
    re.IGNORECASE)

# document type -> CSL type; any other type is CSL's generic "document".
CSL_TYPES: dict[str, str] = {
    "news report": "article-newspaper",
    "article": "article",
    "interview": "interview",
}


# --- names -------------------------------------------------------------------


def is_person(agent: Agent) -> bool:
    """A signatory (title or affiliation given) whose name is not a body's."""
    return bool(agent.title or agent.affiliation) and not _BODY_WORDS.search(agent.display)


def person_name(agent: Agent) -> tuple[str, str]:
    """(family, given): the last word is taken as the family name."""
    words = agent.display.split()
    return (words[-1], " ".join(words[:-1])) if len(words) > 1 else (agent.display, "")


def initials(given: str) -> str:
    """'Yashar' -> 'Y.'; 'Jean-Paul' -> 'J.-P.' (APA)."""
    out = []
    for word in given.split():
        out.append("-".join(part[:1] + "." for part in word.split("-") if part))
    return " ".join(out)


# --- dates -------------------------------------------------------------------

_EDTF_POINT = re.compile(
    r"^(?P<year>-?\d{4}|\d{3}X|\d{2}XX)(?:-(?P<month>\d{2}|XX)(?:-(?P<day>\d{2}|XX))?)?(?P<q>[?~%]?)$")


@dataclass(frozen=True)
class DatePoint:
    """One end of an EDTF date, with only the parts the date states."""

    year: int | None            # None when digits are unspecified (199X)
    month: int | None
    day: int | None
    season: int | None          # CSL season 1-4
    approximate: bool
    uncertain: bool
    decade: str | None = None   # "1990s" for 199X, "1900s" for 19XX

    @property
    def parts(self) -> list[int]:
        return [p for p in (self.year, self.month, self.day) if p is not None]


@dataclass(frozen=True)
class CitedDate:
    """An EDTF date as citations need it. kind: none | single | range | after | before | raw."""

    kind: str
    start: DatePoint | None = None
    end: DatePoint | None = None
    edtf: str | None = None
    inferred: bool = False


def parse_point(text: str) -> DatePoint | None:
    m = _EDTF_POINT.match(text.strip())
    if not m:
        return None
    year_text, q = m["year"], m["q"]
    year = int(year_text) if "X" not in year_text else None
    decade = None
    if year is None:
        decade = f"{year_text[:3]}0s" if year_text.endswith("X") and not year_text.endswith("XX") else f"{year_text[:2]}00s"
    month = season = None
    if year is not None and m["month"] and m["month"] != "XX":
        number = int(m["month"])
        if 1 <= number <= 12:
            month = number
        season = SEASONS.get(number)
    day = int(m["day"]) if month and m["day"] and m["day"] != "XX" else None
    return DatePoint(year, month, day, season, approximate=q in "~%" and q != "",
                     uncertain=q in "?%" and q != "", decade=decade)


def cited_date(edtf: str | None, basis: str = "stated") -> CitedDate:
    inferred = basis == "inferred"
    if not edtf:
        return CitedDate("none")
    if "/" not in edtf:
        point = parse_point(edtf)
        return CitedDate("single", point, edtf=edtf, inferred=inferred) if point else CitedDate("raw", edtf=edtf, inferred=inferred)
    first, _, last = edtf.partition("/")
    start = parse_point(first) if first not in ("", "..") else None
    end = parse_point(last) if last not in ("", "..") else None
    if start and end:
        return CitedDate("range", start, end, edtf=edtf, inferred=inferred)
    if start and last in ("", ".."):
        return CitedDate("after", start, edtf=edtf, inferred=inferred)
    if end and first in ("", ".."):
        return CitedDate("before", None, end, edtf=edtf, inferred=inferred)
    return CitedDate("raw", edtf=edtf, inferred=inferred)


def _qualified(text: str, p: DatePoint) -> str:
    if p.approximate:
        text = f"ca. {text}"
    return f"{text}?" if p.uncertain else text


_SEASON_NAMES = {1: "Spring", 2: "Summer", 3: "Autumn", 4: "Winter"}


# how each style writes a date of each precision
POINT_FORMATS: dict[str, dict[str, str]] = {
    "chicago": {"day": "{month} {day}, {year}", "month": "{month} {year}", "season": "{season} {year}"},
    "apa": {"day": "{year}, {month} {day}", "month": "{year}, {month}", "season": "{year}, {season}"},
}


def point_text(p: DatePoint, style: str) -> str:
    if p.year is None:
        return _qualified(p.decade or "n.d.", p)
    precision = "day" if p.day else "month" if p.month else "season" if p.season else None
    text = str(p.year) if precision is None else POINT_FORMATS[style][precision].format(
        year=p.year, month=MONTHS[p.month - 1] if p.month else "", day=p.day,
        season=_SEASON_NAMES.get(p.season or 0, ""))
    return _qualified(text, p)


def _plain(p: DatePoint) -> bool:
    return not (p.approximate or p.uncertain) and p.year is not None


def _same_month_range(d: CitedDate) -> bool:
    a, b = d.start, d.end
    return bool(a and b and _plain(a) and _plain(b) and a.year == b.year and a.month and a.month == b.month
                and a.day and b.day)


def date_text(d: CitedDate, style: str) -> str:
    """The date as the style writes it ("chicago" or "apa"), brackets when inferred."""
    def point(p: DatePoint) -> str:
        return point_text(p, style)

    if d.kind == "none":
        return "n.d."
    if d.kind == "single":
        text = point(d.start)
    elif d.kind == "range" and _same_month_range(d):
        a, b = d.start, d.end
        text = (f"{MONTHS[a.month - 1]} {a.day}–{b.day}, {a.year}" if style == "chicago"
                else f"{a.year}, {MONTHS[a.month - 1]} {a.day}–{b.day}")
    elif d.kind == "range":
        a, b = d.start, d.end
        if _plain(a) and _plain(b) and not (a.month or b.month):
            text = f"{a.year}–{b.year}"
        else:
            text = f"{point(a)}–{point(b)}"
    elif d.kind == "after":
        text = f"on or after {point(d.start)}"
    elif d.kind == "before":
        text = f"on or before {point(d.end)}"
    else:
        text = d.edtf or "n.d."
    return f"[{text}]" if d.inferred else text


def csl_issued(d: CitedDate) -> dict[str, Any] | None:
    """CSL-JSON `issued`: date-parts of what is known; `circa` for ~ and ?;
    `literal` (with the EDTF as `raw`) when date-parts cannot say it."""
    if d.kind == "none":
        return None
    points = [d.start] if d.kind == "single" else [d.start, d.end] if d.kind == "range" else []
    if points and all(p.year is not None for p in points):
        if d.kind == "range":   # both ends to the same precision: a range never gains a day
            depth = min(len(p.parts) for p in points)
            parts = [p.parts[:depth] for p in points]
        else:
            parts = [points[0].parts]
        issued: dict[str, Any] = {"date-parts": parts}
        if d.kind == "single" and points[0].season and not points[0].month:
            issued["season"] = points[0].season
        if any(p.approximate or p.uncertain for p in points):
            issued["circa"] = True
        if d.kind == "range" or issued.get("circa") or any(p.season for p in points):
            issued["raw"] = d.edtf
        return issued
    return {"literal": date_text(CitedDate(d.kind, d.start, d.end, d.edtf), "chicago"), "raw": d.edtf}


# --- the citations ----------------------------------------------------------------


@dataclass(frozen=True)
class Citations:
    chicago: str            # bibliography entry
    chicago_note: str       # first (full) note
    apa: str
    bibtex: str
    csl: dict[str, Any]

    @property
    def csl_json(self) -> str:
        # json.dumps([self.csl], ensure_ascii=False, indent=2), without its pure-Python indenting encoder
        return indented_json([self.csl], indent=2)


def _sentence(text: str) -> str:
    """Text ending with a full stop, unless it already ends a sentence."""
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def _quoted_title(title: str, closing: str) -> str:
    """Chicago: “Title.” — quotes inside the title become single quotes, and the
    punctuation goes inside every closing quote, unless the title ends with its own."""
    title = title.strip().replace("“", "‘").replace("”", "’")
    inner = len(title) - len(title.rstrip("’"))
    core, quotes = title[:len(title) - inner], title[len(title) - inner:]
    if core.endswith((".", "?", "!")):
        closing = ""
    return f"“{core}{closing}{quotes}”"


def _publisher_to_cite(record: Record) -> Agent | None:
    author, publisher = record.author.value, record.publisher.value
    if not isinstance(publisher, Agent):
        return None
    if isinstance(author, Agent) and author.display == publisher.display:
        return None
    return publisher


def capture_note(record: Record) -> str:
    return f"Capture SHA-256: {record.sha256}"


def date_note(record: Record) -> str | None:
    """Why a date is in brackets: said once, in the note of the machine-readable formats."""
    if record.date.basis != "inferred" or not record.date.value:
        return None
    return f"Date inferred by the archive: {record.date.evidence}" if record.date.evidence else "Date inferred by the archive"


def chicago(record: Record, permalink: str, site_title: str = "") -> str:
    """Chicago notes-bibliography, bibliography entry for a web document."""
    author = record.author.value
    parts = []
    if isinstance(author, Agent):
        if is_person(author):
            family, given = person_name(author)
            parts.append(_sentence(f"{family}, {given}" if given else family))
        else:
            parts.append(_sentence(author.display))
    title = record.title.value or record.id
    publisher = _publisher_to_cite(record)
    parts.append(_quoted_title(title, "."))
    where = [publisher.display] if publisher else []
    where.append(date_text(cited_date(record.date.value, record.date.basis), "chicago"))
    where_text = ", ".join(where)   # "1990?." keeps its stop: the "?" belongs to the date
    parts.append(where_text if where_text.endswith(".") else where_text + ".")
    if site_title:
        parts.append(f"{site_title}, {permalink}.")
    else:
        parts.append(f"{permalink}.")
    parts.append(_sentence(capture_note(record)))
    return " ".join(parts)


def chicago_note(record: Record, permalink: str, site_title: str = "") -> str:
    """Chicago notes-bibliography, first note: names in reading order, commas between parts."""
    author = record.author.value
    parts = [author.display] if isinstance(author, Agent) else []
    title = record.title.value or record.id
    parts.append(_quoted_title(title, ","))
    publisher = _publisher_to_cite(record)
    if publisher:
        parts.append(publisher.display)
    parts.append(date_text(cited_date(record.date.value, record.date.basis), "chicago"))
    if site_title:
        parts.append(site_title)
    # a quoted title already ends with its comma (“Title,”), so what follows it takes a space
    text = ""
    for i, part in enumerate(parts):
        if i == 0:
            text = part
        elif parts[i - 1].endswith("”"):
            text += " " + part
        else:
            text += ", " + part
    return f"{text}, {permalink}. {_sentence(capture_note(record))}"


def apa(record: Record, permalink: str, site_title: str = "") -> str:
    """APA 7, a web page: Author. (Date). Title [Type]. Publisher. URL"""
    author = record.author.value
    title = (record.title.value or record.id).strip()
    kind = record.document_type.value
    described = f"{title} [{kind[:1].upper() + kind[1:]}]" if kind and kind != "other" else title
    date = f"({date_text(cited_date(record.date.value, record.date.basis), 'apa')})."
    if isinstance(author, Agent):
        if is_person(author):
            family, given = person_name(author)
            who = f"{family}, {initials(given)}" if given else family
        else:
            who = author.display
        parts = [_sentence(who), date, _sentence(described)]
    else:   # APA: with no author, the title moves to the author's place
        parts = [_sentence(described), date]
    publisher = _publisher_to_cite(record)
    if publisher:
        parts.append(_sentence(publisher.display))
    if site_title and not (publisher and publisher.display == site_title):
        parts.append(_sentence(site_title))
    parts.append(permalink)
    parts.append(_sentence(capture_note(record)))
    return " ".join(parts)


# --- BibTeX ----------------------------------------------------------------------

_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "$": r"\$",
    "#": r"\#", "_": r"\_", "^": r"\^{}", "~": r"\~{}",
}
_BIBTEX_SPECIAL_RE = re.compile("|".join(re.escape(c) for c in _BIBTEX_SPECIAL))
_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_:.\-]+")
_URL_UNSAFE = re.compile(r"[{}\\%\s]")


def bibtex_escape(text: str) -> str:
    """TeX's special characters escaped, in one pass (so no escape is escaped again)."""
    return _BIBTEX_SPECIAL_RE.sub(lambda m: _BIBTEX_SPECIAL[m.group(0)], text)


def bibtex_key(record_id: str) -> str:
    """A BibTeX key from the record id: ASCII letters, digits and -_:. only; an id
    that had to change gets a short hash of itself, so two ids never share a key."""
    key = _KEY_UNSAFE.sub("-", record_id).strip("-")
    if key != record_id or not key:
        key = f"{key or 'doc'}-{hashlib.sha256(record_id.encode('utf-8')).hexdigest()[:8]}"
    return key


def _bibtex_url(url: str) -> str:
    return _URL_UNSAFE.sub(lambda m: "%{:02X}".format(ord(m.group(0))), url)


def bibtex(record: Record, permalink: str, site_title: str = "") -> str:
    """A biblatex/BibTeX @misc entry. `date` holds the EDTF for biblatex (which reads
    EDTF intervals and qualifiers); `year`/`month` only what is certain, for BibTeX."""
    fields: list[tuple[str, str]] = []
    author = record.author.value
    if isinstance(author, Agent):
        if is_person(author):
            family, given = person_name(author)
            fields.append(("author", "{" + bibtex_escape(f"{family}, {given}" if given else family) + "}"))
        else:
            fields.append(("author", "{{" + bibtex_escape(author.display) + "}}"))
    fields.append(("title", "{{" + bibtex_escape(record.title.value or record.id) + "}}"))
    publisher = _publisher_to_cite(record)
    if publisher:
        # @misc has no publisher field in BibTeX or biblatex: who made it public goes in howpublished
        fields.append(("howpublished", "{" + bibtex_escape(publisher.display) + "}"))
    d = cited_date(record.date.value, record.date.basis)
    common = _common_point(d)
    if common and common.year is not None:
        fields.append(("year", "{" + str(common.year) + "}"))
        if common.month:
            fields.append(("month", BIBTEX_MONTHS[common.month - 1]))
    if record.date.value and d.kind != "raw":
        fields.append(("date", "{" + bibtex_escape(record.date.value) + "}"))
    if record.document_type.value:
        fields.append(("type", "{" + bibtex_escape(record.document_type.value) + "}"))
    if record.language.value:
        fields.append(("langid", "{" + bibtex_escape(record.language.value) + "}"))
    if site_title:
        fields.append(("organization", "{" + bibtex_escape(site_title) + "}"))
    fields.append(("url", "{" + _bibtex_url(permalink) + "}"))
    notes = [n for n in (date_note(record), capture_note(record)) if n]
    fields.append(("note", "{" + bibtex_escape(". ".join(notes)) + "}"))
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@misc{{{bibtex_key(record.id)},\n{body}\n}}"


def _common_point(d: CitedDate) -> DatePoint | None:
    """What a date states for sure, as year and month: a single date as it is; a
    range by what both ends share; open intervals and unspecified digits nothing."""
    if d.kind == "single" and d.start and not d.start.uncertain:
        return d.start
    if d.kind == "range" and d.start and d.end and d.start.year == d.end.year and not (d.start.uncertain or d.end.uncertain):
        month = d.start.month if d.start.month == d.end.month else None
        return DatePoint(d.start.year, month, None, None, False, False)
    return None


# --- CSL-JSON ---------------------------------------------------------------------


def csl_name(agent: Agent) -> dict[str, str]:
    if is_person(agent):
        family, given = person_name(agent)
        return {"family": family, "given": given} if given else {"family": family}
    return {"literal": agent.display}


def csl(record: Record, permalink: str, site_title: str = "") -> dict[str, Any]:
    """A CSL-JSON item (the format Zotero, Pandoc and citeproc read)."""
    item: dict[str, Any] = {"id": record.id, "type": CSL_TYPES.get(record.document_type.value or "", "document"),
                            "title": record.title.value or record.id}
    author = record.author.value
    if isinstance(author, Agent):
        item["author"] = [csl_name(author)]
    publisher = _publisher_to_cite(record)
    if publisher:
        item["publisher"] = publisher.display
    issued = csl_issued(cited_date(record.date.value, record.date.basis))
    if issued:
        item["issued"] = issued
    if record.document_type.value:
        item["genre"] = record.document_type.value
    if record.language.value:
        item["language"] = record.language.value
    if site_title:
        item["archive"] = site_title
    item["URL"] = permalink
    item["note"] = ". ".join(n for n in (date_note(record), capture_note(record)) if n)
    return item


def citations(record: Record, permalink: str, site_title: str = "") -> Citations:
    return Citations(chicago=chicago(record, permalink, site_title),
                     chicago_note=chicago_note(record, permalink, site_title),
                     apa=apa(record, permalink, site_title),
                     bibtex=bibtex(record, permalink, site_title),
                     csl=csl(record, permalink, site_title))
