"""The records that flow between stages.

Every stage takes frozen values and returns frozen values; nothing here does
I/O.  The data flow, top to bottom:

    Capture   (capture.py)  the file as read: exact lines, line endings, hash
    Cleaned   (clean.py)    each line assigned to body / removed / comment
    Record    (records.py)  metadata with provenance + the cleaned parts
    Analysis  (analyse/)    claims, events, relations, shared passages
    pages     (render.py)   HTML, then search index, then the site folder

Provenance is the point of the archive: every metadata value says whether it
was *stated* in the capture, *inferred* (with the reasoning), or set by an
archivist in a *sidecar*, and quotes the evidence it came from.

Every class is `@dataclass(frozen=True, slots=True)`: the build holds all
records and their analysis in memory from reading to rendering, and slots
spare each of the millions of small objects a per-object `__dict__`.  They
still pickle (the per-capture cache, the process pool), `replace()` and
`asdict()` as before; a model class must not use `cached_property` or
`vars()` (there is no `__dict__`).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Literal

Basis = Literal["stated", "inferred", "sidecar", "unknown"]


def _interned(obj: object, *names: str) -> None:
    """Replace the named str fields of a frozen `obj` by their interned copy.

    Analysis repeats the same short strings across documents: reasons ("both
    describe Baku, 20 January 1990"), dates, places, actors, figure phrases,
    passages quoted word for word by several sources.  One shared copy each
    keeps memory growing with the distinct text, not with the number of times
    it is said.  Values are unchanged, so equality, hashing and output are."""
    for name in names:
        value = getattr(obj, name)
        if type(value) is str:
            object.__setattr__(obj, name, sys.intern(value))


def _interned_tuples(rows: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(sys.intern(v) if type(v) is str else v for v in row) for row in rows)


def _restored(obj: object, state: list, *names: str) -> None:
    """Unpickling (as dataclasses' own __setstate__: the field values in field
    order): the fields set, then the named str fields interned.  Records and
    claims come from the read pool pickled by batches of captures, each batch
    with its own copy of every repeated string (publishers, the evidence of
    titles and dates, quotes said by several sources): 20 MB of copies at
    10,000 captures, where one copy each will do."""
    for name, value in zip(type(obj).__slots__, state):
        object.__setattr__(obj, name, value)
    _interned(obj, *names)


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with an input, located at file:line.

    Stages return these; only the CLI prints them (so tests can assert on
    them and nothing is printed twice)."""

    file: str
    line: int | None
    message: str
    severity: Literal["error", "warning"] = "warning"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.severity}: {self.message}"


@dataclass(frozen=True, slots=True)
class Capture:
    """One input file, decoded, with everything needed to give back its bytes.

    `lines` hold the text without line endings; `endings[i]` is the ending that
    followed `lines[i]` ("" for the last line when the file does not end with a
    newline).  Reassembling them (plus the BOM) gives the decoded file exactly.
    """

    source_file: str            # posix path relative to the source folder
    sha256: str                 # of the raw bytes on disk
    size: int                   # bytes
    encoding: str               # "utf-8" or "utf-8-sig"
    format: Literal["txt", "md"]
    lines: tuple[str, ...]
    endings: tuple[str, ...]
    front_matter: tuple[tuple[str, Any], ...] = ()   # Markdown YAML front matter, in order
    front_matter_end: int = 0   # number of leading lines that are front matter
    sidecar: tuple[tuple[str, Any], ...] = ()         # NAME.yaml beside the capture
    sidecar_file: str | None = None
    sidecar_lines: tuple[tuple[str, int], ...] = ()   # field -> line in the sidecar

    @property
    def text(self) -> str:
        return "".join(l + e for l, e in zip(self.lines, self.endings))


@dataclass(frozen=True, slots=True)
class RemovedLine:
    """A capture line that is not the author's text, and why it was set aside."""

    line: int       # 1-based line number in the capture
    text: str       # exactly as in the capture
    rule: str       # name of the cleaning rule, e.g. "font-size-widget"
    reason: str     # a sentence a reader understands

    def __setstate__(self, state: list) -> None:
        _restored(self, state, "text", "rule", "reason")


@dataclass(frozen=True, slots=True)
class Comment:
    """A reader comment found under a capture: third-party text, not the statement."""

    author: str | None
    text: str                       # cleaned text of the comment
    first_line: int
    lines: tuple[str, ...]          # the capture's lines, verbatim


@dataclass(frozen=True, slots=True)
class Image:
    file: str | None
    caption: str | None
    line: int


@dataclass(frozen=True, slots=True)
class Footnote:
    label: str
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Cleaned:
    """The capture's lines split into the author's text and everything else.

    Invariant (tested as a property): every capture line is in exactly one of
    body_lines / removed / comments, so the capture can be rebuilt exactly.
    """

    body: str                       # body lines joined with "\n"
    body_lines: tuple[int, ...]     # capture line number of each body line
    removed: tuple[RemovedLine, ...]
    comments: tuple[Comment, ...]
    images: tuple[Image, ...] = ()
    footnotes: tuple[Footnote, ...] = ()
    # what the removed metadata lines said, e.g. ("un_distribution", "General 9 February 2021")
    header: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Sourced:
    """A metadata value with its provenance."""

    value: Any
    basis: Basis
    evidence: str | None = None     # the text it came from, or the reasoning
    line: int | None = None         # capture line of the evidence, when there is one

    @classmethod
    def unknown(cls) -> "Sourced":
        return cls(None, "unknown", None, None)

    def __setstate__(self, state: list) -> None:
        _restored(self, state, "value", "evidence")


@dataclass(frozen=True, slots=True)
class Agent:
    """An author or publisher: a body or a person, as the document names it."""

    name: str                        # as the document names it
    title: str | None = None         # a person's title from the signature
    affiliation: str | None = None   # whom a person speaks for
    canonical: str | None = None     # an archivist's canonical name (authors.yaml)

    @property
    def display(self) -> str:
        return self.canonical or self.name

    def __setstate__(self, state: list) -> None:
        _restored(self, state, "name", "title", "affiliation", "canonical")


@dataclass(frozen=True, slots=True)
class Reference:
    """Another document this one cites or answers."""

    text: str                  # the citing phrase, verbatim from the body
    kind: str                  # "un-symbol" | "statement" | "letter" | "resolution" | "decision" | "agreement" | ...
    line: int | None
    symbol: str | None = None  # e.g. "A/75/710-S/2021/42"
    date: str | None = None    # EDTF of the cited document, when stated
    issuer: str | None = None  # who issued the cited document, when stated
    relation: str = "cites"    # "cites" | "answers"


@dataclass(frozen=True, slots=True)
class Record:
    id: str                         # stable: from the file path (or a sidecar `id`)
    source_file: str
    sha256: str
    format: str
    title: Sourced
    document_type: Sourced
    author: Sourced                 # value: Agent | None
    publisher: Sourced              # value: Agent | None
    date: Sourced                   # value: EDTF string | None
    language: Sourced
    body: str
    body_lines: tuple[int, ...]
    removed: tuple[RemovedLine, ...]
    comments: tuple[Comment, ...]
    references: tuple[Reference, ...]
    images: tuple[Image, ...] = ()
    footnotes: tuple[Footnote, ...] = ()
    header: tuple[tuple[str, str], ...] = ()
    sidecar_fields: tuple[str, ...] = ()   # which fields an archivist set
    layout: tuple[tuple[str, Any], ...] = ()  # encoding, line endings: enough to rebuild the bytes
    warnings: tuple[Problem, ...] = ()

    def __setstate__(self, state: list) -> None:
        _restored(self, state)
        object.__setattr__(self, "header", _interned_tuples(self.header))


# --- analysis (issue: events, claims and cross-links) -----------------------


@dataclass(frozen=True, slots=True)
class Figure:
    """A number a claim states, normalised: '147 civilians were killed'."""

    measure: str                     # "killed" | "injured" | "missing" | "troops" | "displaced" | ...
    value: float | None              # exact or approximate value
    low: float | None                # range or bound
    high: float | None
    qualifier: str                   # "exact" | "approximate" | "at least" | "more than" | "range" | "order of magnitude"
    subject: str | None              # "civilians", "Azerbaijanis", ...
    text: str                        # the figure phrase, verbatim
    start: int                       # offsets into the record body
    end: int

    def __post_init__(self) -> None:
        _interned(self, "subject", "text")

    def __setstate__(self, state: list) -> None:
        _restored(self, state, "subject", "text")


@dataclass(frozen=True, slots=True)
class Claim:
    id: str                          # f"{document_id}-c{n}", stable for a given body
    document_id: str
    kind: str                        # "casualties" | "displacement" | "forces" | "official act" | "event" | ...
    quote: str                       # exact substring of the body
    start: int
    end: int
    figures: tuple[Figure, ...] = ()
    dates: tuple[tuple[str, str, str], ...] = ()     # (text, edtf, how: stated|relative|context)
    places: tuple[tuple[str, str], ...] = ()         # (spelling in this source, place key)
    actors: tuple[str, ...] = ()
    event_id: str | None = None

    def __post_init__(self) -> None:
        _interned(self, "quote")
        object.__setattr__(self, "dates", _interned_tuples(self.dates))
        object.__setattr__(self, "places", _interned_tuples(self.places))
        object.__setattr__(self, "actors", tuple(sys.intern(a) if type(a) is str else a for a in self.actors))

    def __setstate__(self, state: list) -> None:
        # the quote only: most of the copies, and no tuples made again
        _restored(self, state, "quote")


@dataclass(frozen=True, slots=True)
class EventFigure:
    measure: str
    value: float | None
    low: float | None
    high: float | None
    qualifier: str
    documents: tuple[str, ...]
    claims: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    label: str                       # neutral: place and date
    label_basis: Literal["generated", "curated"]
    edtf: str
    places: tuple[str, ...]
    names_used: tuple[tuple[str, tuple[str, ...]], ...]   # (name, document ids using it)
    documents: tuple[str, ...]       # documents that describe it
    mentioned_by: tuple[str, ...]    # documents that only refer to it
    claims: tuple[str, ...]
    figures: tuple[EventFigure, ...]


@dataclass(frozen=True, slots=True)
class Reason:
    kind: str          # "shared event" | "shared passage" | "shared places" | "reference" | "reply" | "pinned"
    detail: str
    weight: float

    def __post_init__(self) -> None:
        _interned(self, "detail")


@dataclass(frozen=True, slots=True)
class Relation:
    source: str
    target: str
    score: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class SharedPassage:
    id: str
    a: str            # document id
    a_start: int
    a_end: int
    b: str
    b_start: int
    b_end: int
    similarity: float


@dataclass(frozen=True, slots=True)
class Analysis:
    claims: tuple[Claim, ...] = ()
    events: tuple[Event, ...] = ()
    relations: tuple[Relation, ...] = ()
    passages: tuple[SharedPassage, ...] = ()
    problems: tuple[Problem, ...] = ()
