"""Place names and actors, unified across spellings by an editorial gazetteer.

The gazetteer is data (`places.yaml` beside this module, extended by an
archive's `editorial/places.yaml`); this module only matches it.  Every match
keeps the spelling the source used: "Sumgayit" and "Sumgait" share the key
"sumgait", and a contested name ("Artsakh", "Daghlyq Qarabagh",
"Nagorno-Karabakh") shares its key with the other sides' names so claims meet,
but is always shown as the source wrote it.

Beyond the gazetteer only one guess is made, because it is precise: a
capitalised name introduced by a place word, "the village of Vell", "the town
of Nor Marash", "Vell village".  A bare capitalised word after "in" is too
often a person, a month or an organisation to be taken for a place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

import yaml

from ..editorial import EditorialError
from ..model import Problem
from .sentences import Spans

__all__ = ["Place", "Gazetteer", "make_gazetteer", "default_gazetteer", "load_gazetteer",
           "extract_places", "extract_actors", "guessed_names", "may_guess", "place_key"]

DEFAULT_FILE = Path(__file__).with_name("places.yaml")


@dataclass(frozen=True)
class Place:
    key: str
    names: tuple[str, ...]
    kind: str = "place"              # city | town | village | region | country | republic | sea | port | guessed
    contested: bool = False


@dataclass(frozen=True)
class Gazetteer:
    places: tuple[Place, ...]
    actors: tuple[tuple[str, tuple[str, ...]], ...]       # (label, patterns)
    _by_name: Mapping[str, Place] = field(repr=False, compare=False, default_factory=dict)
    _actor_by_pattern: Mapping[str, str] = field(repr=False, compare=False, default_factory=dict)
    _place_re: re.Pattern | None = field(repr=False, compare=False, default=None)
    _actor_re: re.Pattern | None = field(repr=False, compare=False, default=None)
    _by_key: Mapping[str, Place] = field(repr=False, compare=False, default_factory=dict)

    def place(self, key: str) -> Place | None:
        return self._by_key.get(key)

    def kind_of(self, key: str) -> str:
        place = self.place(key)
        return place.kind if place else "guessed"


def place_key(name: str) -> str:
    """The key of a guessed place: its name, lower-cased, words joined by '-'."""
    return _NON_WORD.sub("-", name.casefold()).strip("-")


_NON_WORD = re.compile(r"[\W_]+")


def _words_pattern(names: Iterable[str], *, ignore_case: bool) -> str:
    alternatives = []
    for name in sorted(set(names), key=lambda n: (-len(n), n)):    # longest first: "Nagorno-Karabakh" before "Karabakh"
        body = r"[\s\u00a0]+".join(re.escape(w) for w in name.split())
        alternatives.append(f"(?i:{body})" if ignore_case and not name.isupper() else body)
    if not alternatives:
        return r"(?!x)x"
    # a class of first letters fails most positions at once: the alternation is long
    firsts = sorted({c for n in names for c in ({n[0], n[0].lower(), n[0].upper()} if ignore_case else {n[0]})})
    first = "[" + "".join(re.escape(c) for c in firsts) + "]"
    return rf"(?<![\w\-])(?={first})(?:" + "|".join(alternatives) + r")(?!\w)"


def make_gazetteer(*sources: Mapping[str, Any], files: Iterable[str] = (),
                   lines: Iterable[Mapping[tuple[str, str], int]] = ()) -> Gazetteer:
    """Merge gazetteer mappings in order: later sources add places, spellings and actors.

    `files` and `lines` ((section, key) -> line) only serve error messages."""
    files = list(files) or ["places.yaml"] * len(sources)
    key_lines = list(lines) or [{}] * len(sources)
    places: dict[str, dict[str, Any]] = {}
    actors: dict[str, list[str]] = {}
    for data, file, where in zip(sources, files, key_lines):
        _check(data, file, where)
        for key, entry in (data.get("places") or {}).items():
            entry = entry or {}
            merged = places.setdefault(str(key), {"names": [], "kind": "place", "contested": False})
            merged["names"] += [str(n) for n in entry.get("names", []) if str(n) not in merged["names"]]
            merged["kind"] = str(entry.get("kind", merged["kind"]))
            merged["contested"] = bool(entry.get("contested", merged["contested"]))
        for label, patterns in (data.get("actors") or {}).items():
            known = actors.setdefault(str(label), [])
            known += [str(p) for p in patterns or [] if str(p) not in known]
    place_list = tuple(Place(k, tuple(v["names"]), v["kind"], v["contested"]) for k, v in sorted(places.items()))
    by_name: dict[str, Place] = {}
    for place in place_list:
        for name in place.names:
            by_name.setdefault(_fold(name), place)
    actor_list = tuple((label, tuple(p)) for label, p in sorted(actors.items()))
    by_pattern = {_fold(p): label for label, patterns in actor_list for p in patterns}
    return Gazetteer(place_list, actor_list, by_name, by_pattern,
                     re.compile(_words_pattern([n for p in place_list for n in p.names], ignore_case=False)),
                     re.compile(_words_pattern(by_pattern, ignore_case=True) if by_pattern else r"(?!x)x"),
                     {p.key: p for p in place_list})


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _check(data: Any, file: str, lines: Mapping[tuple[str, str], int]) -> None:
    def fail(message: str, section: str = "", key: Any = "") -> None:
        raise EditorialError(Problem(file, lines.get((section, str(key))) or (1 if not section else None), message, "error"))

    if not isinstance(data, Mapping) or set(data) - {"places", "actors"}:
        fail("places.yaml has two sections: 'places' (key: {names: [...], kind, contested}) and 'actors' (label: [patterns])")
    for key, entry in (data.get("places") or {}).items():
        if not isinstance(entry, Mapping) or not isinstance(entry.get("names", []), list):
            fail(f"place '{key}' needs 'names: [spelling, ...]'", "places", key)
        if any(not str(n).strip() for n in entry.get("names", [])):
            fail(f"place '{key}' has an empty name", "places", key)
    for label, patterns in (data.get("actors") or {}).items():
        if not isinstance(patterns, list) or any(not str(p).strip() for p in patterns):
            fail(f"actor '{label}' needs a list of patterns", "actors", label)


def _read(path: Path) -> tuple[Any, dict[tuple[str, str], int]]:
    """The YAML data and the line of each (section, key), for error messages."""
    try:
        text = path.read_text(encoding="utf-8-sig")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        lines: dict[tuple[str, str], int] = {}
        if isinstance(node, yaml.MappingNode):
            for section, entries in node.value:
                if isinstance(entries, yaml.MappingNode):
                    lines.update(((str(section.value), str(k.value)), k.start_mark.line + 1) for k, _ in entries.value)
        return yaml.safe_load(text) or {}, lines
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        raise EditorialError(Problem(str(path), mark.line + 1 if mark else None,
                                     f"not a readable gazetteer: {getattr(exc, 'problem', exc)}", "error")) from None


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    data, lines = _read(DEFAULT_FILE)
    return make_gazetteer(data, files=[str(DEFAULT_FILE)], lines=[lines])


def load_gazetteer(editorial_folder: Path | None) -> Gazetteer:
    """The default gazetteer extended by `editorial_folder`/places.yaml when there is one."""
    if editorial_folder is not None:
        for suffix in (".yaml", ".yml"):
            path = Path(editorial_folder) / f"places{suffix}"
            if path.is_file():
                (default, default_lines), (extra, extra_lines) = _read(DEFAULT_FILE), _read(path)
                return make_gazetteer(default, extra, files=[str(DEFAULT_FILE), str(path)],
                                      lines=[default_lines, extra_lines])
    return default_gazetteer()


_PLACE_WORD_LIST = ("city", "town", "village", "settlement", "port", "district", "region", "province",
                    "raion", "municipality")
_PLACE_WORDS = "|".join(_PLACE_WORD_LIST)
_PLACE_WORD = re.compile(_PLACE_WORDS)       # anywhere, even inside a word ("report"): a cheap test
_NAME_AFTER_CAPITAL = r"[\w’'\-]*[a-z](?:\s+[A-Z][\w’'\-]*[a-z]){0,2}"
_NAME = rf"[A-Z]{_NAME_AFTER_CAPITAL}"
# "the town of Vell" | "Vell village": two regexes whose matches `_guess_matches`
# merges as the alternation of the two would find them.  Apart, the second runs
# only where one of its words occurs: tried at every capital letter, it cost
# most of the guessing, and "report" is enough to pass `may_guess`.
# Each begins with what it matches ("the", a capital), the look-behind for the
# character before it checked after it ("\bthe" is "the(?<!\wthe)"): a regex
# that begins with a look-behind (or \b) is tried at every position, one that
# begins with a literal or a class skips ahead to where it occurs (5x, 2x faster).
_GUESS_OF = re.compile(rf"the(?<!\wthe)\s+(?:{_PLACE_WORDS})\s+of\s+(?P<a>{_NAME})(?![\w’'\-])")
_NAME_BEFORE = "city|town|village|settlement"
_GUESS_BEFORE = re.compile(rf"(?P<b>[A-Z](?<![\w’'\-][A-Z]){_NAME_AFTER_CAPITAL})\s+(?:{_NAME_BEFORE})\b")
_NAME_BEFORE_WORD = re.compile(_NAME_BEFORE)
# a people or an adjective, not a place: "the city of Armenians", "the Soviet town"
_NOT_NAMES = re.compile(r"(?:ians?|anis?|ans|ish|ese|ic|al|ern|ous|Soviet|The|This|That)$")


def extract_places(text: str, offset: int = 0, gazetteer: Gazetteer | None = None, *,
                   guess: bool = True, known_names: tuple[str, ...] = ()) -> list[tuple[str, str, int, int]]:
    """(spelling as written, place key, start, end) in text order; spans are offset.

    `known_names` are places the same document introduced elsewhere ("the
    village of Oakfield" earlier makes a later bare "in Oakfield" a place);
    see `guessed_names`."""
    gazetteer = gazetteer or default_gazetteer()
    found: list[tuple[str, str, int, int]] = []
    for m in gazetteer._place_re.finditer(text):
        place = gazetteer._by_name.get(_fold(m.group()))
        if place is not None:
            found.append((m.group(), place.key, m.start() + offset, m.end() + offset))
    known = Spans((s - offset, e - offset) for _, _, s, e in found)
    if known_names:
        for m in _names_pattern(known_names).finditer(text):
            if not known.overlaps(m.start(), m.end()):
                found.append((m.group(), place_key(m.group()), m.start() + offset, m.end() + offset))
        known = Spans((s - offset, e - offset) for _, _, s, e in found)
    if guess:
        found += [(name, place_key(name), start + offset, end + offset)
                  for name, start, end in _guesses(text) if not known.overlaps(start, end)]
    return sorted(found, key=lambda f: (f[2], f[3]))


def guessed_names(text: str, gazetteer: Gazetteer | None = None) -> tuple[str, ...]:
    """Names `text` introduces as places with a place word and the gazetteer does not know."""
    gazetteer = gazetteer or default_gazetteer()
    return tuple(dict.fromkeys(name for name, start, end in _guesses(text)
                               if gazetteer._by_name.get(_fold(name)) is None))


def may_guess(text: str) -> bool:
    """False when `text` has no place word: then neither it nor any part of it
    (a sentence of a body) has a name to guess, and `extract_places` can be
    told `guess=False`."""
    return _PLACE_WORD.search(text) is not None


def _guesses(text: str) -> list[tuple[str, int, int]]:
    if not may_guess(text):      # cheap test before the regex
        return []
    found = []
    for m in _guess_matches(text):
        group = "a" if m.re is _GUESS_OF else "b"
        name = m.group(group)
        if not (_NOT_NAMES.search(name.split()[-1]) or name.split()[0] in ("The", "This")):
            found.append((name, *m.span(group)))
    return found


def _guess_matches(text: str) -> Iterator[re.Match]:
    """The matches of `_GUESS_OF|_GUESS_BEFORE`, as finditer would find them:
    the leftmost next, the first regex when both start at the same place, and
    the next search after the end of the last match."""
    of = _GUESS_OF.search(text)
    before = _GUESS_BEFORE.search(text) if _NAME_BEFORE_WORD.search(text) else None
    while of is not None or before is not None:
        m = of if before is None or (of is not None and of.start() <= before.start()) else before
        yield m
        if of is not None and of.start() < m.end():
            of = _GUESS_OF.search(text, m.end())
        if before is not None and before.start() < m.end():
            before = _GUESS_BEFORE.search(text, m.end())


@lru_cache(maxsize=1024)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern:
    return re.compile(_words_pattern(names, ignore_case=False))


def extract_actors(text: str, offset: int = 0, gazetteer: Gazetteer | None = None) -> list[tuple[str, int, int]]:
    """(actor label, start, end) in text order, for the gazetteer's actor patterns."""
    gazetteer = gazetteer or default_gazetteer()
    return [(gazetteer._actor_by_pattern[_fold(m.group())], m.start() + offset, m.end() + offset)
            for m in gazetteer._actor_re.finditer(text) if _fold(m.group()) in gazetteer._actor_by_pattern]
