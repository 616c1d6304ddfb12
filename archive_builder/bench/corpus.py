"""Generated statement-like captures for the benchmark, deterministic from a seed.

The captures imitate the ones the archive is made for (see `seeds/`): two
invented states issue statements, press comments, letters to the United
Nations and news pieces about a shared set of invented events (a town and a
day or two, e.g. "Velmora, 3–4 March 1987").  The sides disagree on figures
(212 vs 215 killed, or "between 150 and 300"), and each side has its own name
for an event.  Passages are reused across years with small edits, many pieces
are written on an anniversary, and a share carries page chrome: font-size
controls, "Search in archive", an image file name with its caption twice, an
outlet signature, a discussion policy with reader comments, UN headers.

Every capture is a function of (seed, index, size) alone, through its own
random.Random seeded with a string (seeding from a string does not depend on
PYTHONHASHSEED), so a capture can be generated, or generated again with an
edit, without generating the others.  Events are weighted so that a few are
written about much more than the rest, as real anniversaries are.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Iterator

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
ORDINALS = {1: "st", 2: "nd", 3: "rd"}

_ONSETS = ("V", "K", "D", "M", "S", "T", "B", "R", "Z", "N", "L", "Gr", "Br", "Tr", "Str", "Kh")
_NUCLEI = ("a", "e", "o", "i", "u", "ai", "ei")
_CODAS = ("lmora", "rdan", "stova", "vik", "nsk", "rovo", "ltz", "mara", "dinsk", "zhan", "rabad", "ntia")


@dataclass(frozen=True)
class Side:
    country: str          # "Norvesta"
    adjective: str        # "Norvestan"
    capital: str
    outlets: tuple[str, ...]
    envoy: str            # the permanent representative to the United Nations
    event_word: str       # what this side calls the events: "massacre", "pogroms"


SIDES = (
    Side("Norvesta", "Norvestan", "Aldmar", ("Norvesta Today", "News.Nv", "Aldmar Herald"),
         "Tomas Erdal", "tragedy"),
    Side("Kaldoria", "Kaldorian", "Vessin", ("Kaldoria Weekly", "Vessin Daily Post", "KLD Press"),
         "Anri Velasko", "pogroms"),
)
ISSUER_KINDS = ("Ministry of Foreign Affairs", "Press Service Department of the Ministry of Foreign Affairs",
                "Office of the Ombudsman", "Ministry of Defence")


@dataclass(frozen=True)
class Event:
    place: str
    region: str            # the country the place lies in
    start: dt.date
    end: dt.date
    killed: int            # the figure one side states; the other differs
    injured: int
    names: tuple[str, str]  # what each side calls it

    @property
    def label(self) -> str:
        """Neutral label, as the archive writes it: place and date."""
        return f"{self.place}, {date_span(self.start, self.end)}"


@dataclass(frozen=True)
class GeneratedCapture:
    """One capture's file name and text, with what Hugo is told in front matter."""

    name: str
    text: str
    title: str
    date: dt.date
    author: str
    places: tuple[str, ...]
    events: tuple[str, ...]
    kind: str


def date_text(d: dt.date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def date_span(start: dt.date, end: dt.date) -> str:
    if start == end:
        return date_text(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{date_text(end)}"
    return f"{start.day} {MONTHS[start.month - 1]} – {date_text(end)}"


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else ORDINALS.get(n % 10, 'th')}"


def _place_name(rng: random.Random) -> str:
    return rng.choice(_ONSETS) + rng.choice(_NUCLEI) + rng.choice(_CODAS)


def event_count(size: int) -> int:
    """Events grow with the archive: about one per 40 captures."""
    return max(8, size // 40)


def events_for(seed: int, size: int) -> tuple[Event, ...]:
    rng = random.Random(f"events:{seed}:{size}")
    events, used = [], set()
    for _ in range(event_count(size)):
        place = _place_name(rng)
        while place in used:   # a place is unique so that its label names one event
            place = _place_name(rng) + rng.choice(("", "-Novo", " Stari", "abad"))
        used.add(place)
        start = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(60 * 365))
        end = start + dt.timedelta(days=rng.choice((0, 0, 1, 1, 2)))
        killed = rng.randrange(12, 640)
        region = rng.choice(SIDES).country
        names = (f"{rng.choice(('Black', 'Bloody', 'Tragic'))} {MONTHS[start.month - 1]}",
                 f"{place} {rng.choice(('pogroms', 'massacre', 'events'))}")
        events.append(Event(place, region, start, end, killed, killed * rng.randrange(2, 6), names))
    return tuple(events)


@lru_cache(maxsize=4)
def _cum_weights(n: int) -> tuple[float, ...]:
    # A few events are written about far more often than the rest; cumulated
    # once, as random.choices would on every call.
    return tuple(accumulate(1.0 / (k + 1) ** 0.7 for k in range(n)))


# ---- text -------------------------------------------------------------------------------

_SUBJECTS = ("The international community", "The leadership of the former Union", "The army command",
             "The local administration", "An independent observer mission", "The population of the region",
             "The government", "Every human rights organisation", "The parliament", "The diplomatic corps")
_VERBS = ("has repeatedly condemned", "failed to prevent", "continues to ignore", "called for an assessment of",
          "documented in detail", "must recognise", "has never investigated", "openly denied",
          "expressed deep concern about", "demanded accountability for")
_OBJECTS = ("the policy of ethnic cleansing", "the deportation of hundreds of thousands of civilians",
            "the violations of international humanitarian law", "the crimes committed against peaceful residents",
            "the destruction of property and cultural heritage", "the propaganda of hatred and enmity",
            "the rights of refugees and internally displaced persons", "the fundamental norms of international law",
            "the territorial integrity of the state", "the memory of the innocent victims")
_TAILS = ("in the late 1980s", "for more than three decades", "despite numerous appeals",
          "in gross violation of the Constitution", "before the eyes of the whole world",
          "under the pretext of restoring order", "without any legal assessment", "to this day")


def _sentence(rng: random.Random) -> str:
    return f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_TAILS)}."


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng) for _ in range(sentences))


def shared_passages(seed: int, side: int) -> tuple[str, ...]:
    """Paragraphs a side reuses in statement after statement, year after year."""
    rng = random.Random(f"passages:{seed}:{side}")
    return tuple(_paragraph(rng, rng.randrange(3, 6)) for _ in range(24))


def _figures(rng: random.Random, event: Event, side: int) -> str:
    # Sides differ on the count; one side sometimes gives a range.
    killed = event.killed + (0 if side == 0 else rng.choice((3, 2, -4, 11)))
    if side == 1 and rng.random() < 0.25:
        return (f"According to various sources, {event.killed - event.killed // 4} to {event.killed * 2} "
                f"people died as a result of the {SIDES[side].event_word}.")
    return (f"As a result, {killed} civilians were killed and {event.injured} were seriously injured"
            f"{rng.choice(('', ', and 4 people went missing', ', among them women and children'))}.")


def _event_paragraph(rng: random.Random, event: Event, side: int) -> str:
    s = SIDES[side]
    when = date_span(event.start, event.end)
    opener = rng.choice((f"On the night of {when}", f"On {when}", f"Over the night from {when}"))
    actors = rng.choice(("armed units", "troops", "organised crowds", "special forces"))
    return (f"{opener}, {actors} attacked the residents of {event.place}. {_figures(rng, event, side)} "
            f"These events went down in history as \"{event.names[side]}\". "
            f"The {s.adjective} side holds that {_lower_first(_sentence(rng))}")


def _reuse(rng: random.Random, passage: str, year: int) -> str:
    """A reused passage with the small edits statements of different years make."""
    edits = (("for more than three decades", f"for {year % 50 + 3} years"),
             ("the whole world", "the entire international community"),
             ("has repeatedly", "has once again"))
    for old, new in edits:
        if rng.random() < 0.4:
            passage = passage.replace(old, new)
    return passage


def _comments(rng: random.Random, outlet: str) -> list[str]:
    names = ("Ararat", "Gev", "Samvel", "Elchin", "Tural", "Mariam", "Observer", "Concerned reader")
    lines = ["Discussion Policy",
             "Comments are welcomed and encouraged. Though you are fully responsible for the content you post, "
             f"comments that include profanity, personal attacks or other inappropriate material will not be "
             f"permitted. {outlet} reserves the right to block users who violate any of our posting standards "
             "and policies."]
    for n in range(1, rng.randrange(2, 5)):
        lines.append(f"  {n}. {rng.choice(names)} said:\n\n    {_paragraph(rng, rng.randrange(2, 5))}")
    return lines


def _un_header(rng: random.Random, written: dt.date) -> list[str]:
    session = written.year - 1945
    return ["United Nations", "", "", f"Distr.: General {date_text(written)}", "Original: English",
            f"**General Assembly {_ordinal(session).capitalize()} session** Agenda items "
            f"{rng.randrange(20, 40)}, {rng.randrange(40, 90)} and {rng.randrange(90, 140)} "
            f"Security Council {_ordinal(session + 1).capitalize()} year",
            "Prevention of armed conflict", "Promotion and protection of human rights"]


def generate_capture(seed: int, index: int, size: int, *, revision: int = 0,
                     events: tuple[Event, ...] | None = None) -> GeneratedCapture:
    """Capture `index` of an archive of `size`; `revision` > 0 gives the same capture edited."""
    events = events if events is not None else events_for(seed, size)
    rng = random.Random(f"capture:{seed}:{size}:{index}")
    side = rng.randrange(2)
    s, other = SIDES[side], SIDES[1 - side]
    weights = _cum_weights(len(events))
    main = rng.choices(events, cum_weights=weights)[0]
    also = [e for e in rng.choices(events, cum_weights=weights, k=rng.choice((0, 0, 1, 2))) if e != main]
    anniversary = rng.choice((10, 15, 20, 25, 30, 31, 33, 35))
    written = min(dt.date(main.start.year + anniversary, main.start.month, min(main.start.day, 28))
                  + dt.timedelta(days=rng.randrange(-3, 20)), dt.date(2025, 12, 31))
    years = written.year - main.start.year
    kind = rng.choices(("statement", "comment", "un_letter", "news"), weights=(4, 2, 1, 3))[0]
    issuer = f"{rng.choice(ISSUER_KINDS)} of the Republic of {s.country}"
    head: list[str] = []
    tail: list[str] = []
    chrome = rng.random() < 0.45
    if kind == "statement":
        title = f"Statement by the {issuer} on the {_ordinal(years)} anniversary of the {main.place} {s.event_word}"
        author = issuer
        body = [f"{date_text(written)}",
                f"{years} years have passed since the tragic events in {main.place}, {date_span(main.start, main.end)}."]
    elif kind == "comment":
        title = (f"Comment of the {issuer} on the statement of the Ministry of Foreign Affairs of "
                 f"{other.country} dated {date_text(written - dt.timedelta(days=rng.randrange(1, 5)))}")
        author = issuer
        body = [f"The groundless statement of the Foreign Ministry of {other.country} on the alleged events in "
                f"{main.place} in {MONTHS[main.start.month - 1]} {main.start.year} shows that the country has not "
                "yet given up fabricated propaganda."]
    elif kind == "un_letter":
        author = f"Permanent Representative of {s.country} to the United Nations"
        title = (f"Letter dated {date_text(written)} from the {author} addressed to the Secretary-General")
        head = _un_header(rng, written + dt.timedelta(days=1))
        body = [f"## {title}",
                f"I have the honour to draw your attention to the events in {main.place} on {date_text(main.start)}."]
        tail = [f"I should be grateful if you would have the present letter circulated as a document of the "
                "General Assembly and of the Security Council.",
                f"(Signed) {s.envoy} Ambassador Permanent Representative"]
    else:
        outlet = rng.choice(s.outlets)
        author = outlet
        title = f"{s.capital} marks {_ordinal(years)} anniversary of the {main.place} {s.event_word}"
        body = [f"On the {_ordinal(years)} anniversary of the {main.names[side]}, the {issuer} issued a statement.",
                "Below is the statement."]
        if chrome:
            head = ["+ ↺ − 16 px", "Search in archive"]
            caption = f"Residents of {main.place} in {main.start.year} (Source: {outlet})"
            head += [f"{main.place}-{main.start.year}-{rng.randrange(1, 40)} (1)a", caption, caption]
            tail = _comments(rng, outlet)
        body.append(f"{outlet}")   # outlet signature glued at the end, as in captures
    body.append(_event_paragraph(rng, main, side))
    for e in also:
        body.append(f"The events in {e.place} in {MONTHS[e.start.month - 1]} {e.start.year} "
                    f"are remembered as well. {_figures(rng, e, side)}")
    passages = shared_passages(seed, side)
    target = rng.randrange(300, 800)   # the last paragraph adds up to ~100 words
    words = sum(len(p.split()) for p in body) + sum(len(t.split()) for t in tail)
    while words < target:
        paragraph = (_reuse(rng, rng.choice(passages), written.year) if rng.random() < 0.5
                     else _paragraph(rng, rng.randrange(2, 6)))
        body.append(paragraph)
        words += len(paragraph.split())
    if revision:
        body.append(f"Correction {revision}: {_sentence(random.Random(f'revision:{seed}:{index}:{revision}'))}")
    top = [] if kind == "un_letter" else [title, ""]   # a UN letter opens with its header
    text = "\n\n".join(top + head + body + [""] + tail).rstrip() + "\n"
    digest = hashlib.sha256(f"{seed}:{size}:{index}".encode()).hexdigest()[:16]
    places = tuple(sorted({main.place, *(e.place for e in also)}))
    labels = tuple(sorted({main.label, *(e.label for e in also)}))
    return GeneratedCapture(f"{index:06d}_{digest}.txt", text, title, written, author, places, labels, kind)


def generate(size: int, seed: int = 1) -> Iterator[GeneratedCapture]:
    events = events_for(seed, size)
    for index in range(size):
        yield generate_capture(seed, index, size, events=events)


def write_corpus(folder: Path, size: int, seed: int = 1) -> list[GeneratedCapture]:
    """Write `size` captures into `folder` (created); returns them without their text."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for capture in generate(size, seed):
        (folder / capture.name).write_text(capture.text, encoding="utf-8")
        written.append(GeneratedCapture(capture.name, "", capture.title, capture.date, capture.author,
                                        capture.places, capture.events, capture.kind))
    return written


def edit_capture(folder: Path, size: int, seed: int, index: int, revision: int) -> Path:
    """Rewrite one capture of a written corpus as its `revision`-th edit; returns its path."""
    capture = generate_capture(seed, index, size, revision=revision)
    path = folder / capture.name
    path.write_text(capture.text, encoding="utf-8")
    return path
