"""The cache's entry format and pack: what is stored comes back equal and of
the same types (a property, over generated model objects), and whatever
damages an entry or the pack makes a miss, never a wrong record."""

from __future__ import annotations

import dataclasses
import os
import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

import archive_builder.build as build_module
import archive_builder.cache as cache_module
from archive_builder.build import Outcome, read_outcomes
from archive_builder.cache import PACK_FILE, CaptureCache, dumps, loads
from archive_builder.model import (Agent, Analysis, Claim, Comment, Figure, Footnote, Image, Problem, Record, Reference,
                                   RemovedLine, Sourced)

TEXT = st.text(max_size=12)      # any code point: non-ASCII, surrogates, NUL
OPTIONAL_TEXT = st.none() | TEXT
NUMBERS = st.integers(min_value=-2**70, max_value=2**70)
OPTIONAL_NUMBER = st.none() | NUMBERS
FLOATS = st.none() | st.floats(allow_nan=False)


def tuples(of, max_size: int = 3):
    return st.lists(of, max_size=max_size).map(tuple)


PROBLEMS = st.builds(Problem, TEXT, OPTIONAL_NUMBER, TEXT, st.sampled_from(["error", "warning"]))
AGENTS = st.builds(Agent, TEXT, OPTIONAL_TEXT, OPTIONAL_TEXT, OPTIONAL_TEXT)
SOURCED = st.builds(Sourced, st.none() | TEXT | AGENTS | st.booleans() | NUMBERS,
                    st.sampled_from(["stated", "inferred", "sidecar", "unknown"]), OPTIONAL_TEXT, OPTIONAL_NUMBER)
FIGURES = st.builds(Figure, TEXT, FLOATS, FLOATS, FLOATS, TEXT, OPTIONAL_TEXT, TEXT, NUMBERS, NUMBERS)
CLAIMS = st.builds(Claim, TEXT, TEXT, TEXT, TEXT, NUMBERS, NUMBERS, tuples(FIGURES),
                   tuples(st.tuples(TEXT, TEXT, TEXT)), tuples(st.tuples(TEXT, TEXT)), tuples(TEXT), OPTIONAL_TEXT)
RECORDS = st.builds(
    Record, TEXT, TEXT, TEXT, TEXT, SOURCED, SOURCED, SOURCED, SOURCED, SOURCED, SOURCED, st.text(max_size=200),
    tuples(NUMBERS), tuples(st.builds(RemovedLine, NUMBERS, TEXT, TEXT, TEXT)),
    tuples(st.builds(Comment, OPTIONAL_TEXT, TEXT, NUMBERS, tuples(TEXT))),
    tuples(st.builds(Reference, TEXT, TEXT, OPTIONAL_NUMBER, OPTIONAL_TEXT, OPTIONAL_TEXT, OPTIONAL_TEXT, TEXT)),
    tuples(st.builds(Image, OPTIONAL_TEXT, OPTIONAL_TEXT, NUMBERS)), tuples(st.builds(Footnote, TEXT, TEXT, NUMBERS)),
    tuples(st.tuples(TEXT, TEXT)), tuples(TEXT), tuples(st.tuples(TEXT, st.none() | TEXT | NUMBERS | st.booleans())),
    tuples(PROBLEMS))
OUTCOMES = st.builds(Outcome, TEXT, st.none() | RECORDS, tuples(PROBLEMS), st.booleans(), OPTIONAL_TEXT, st.booleans(),
                     tuples(CLAIMS), tuples(st.tuples(TEXT, NUMBERS, NUMBERS)))


def same(a: object, b: object) -> bool:
    """Equal, and of the same type all the way down (1 == 1.0 == True would pass ==)."""
    if type(a) is not type(b):
        return False
    if dataclasses.is_dataclass(a):
        return all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


@settings(max_examples=150, deadline=None)
@given(OUTCOMES)
def test_an_entry_gives_back_an_equal_outcome_of_the_same_types(outcome):
    back = loads(dumps(outcome))
    assert back == outcome and same(back, outcome)
    # and the same as the plain pickle this format replaces
    assert same(back, pickle.loads(pickle.dumps(outcome)))


@settings(max_examples=50, deadline=None)
@given(tuples(CLAIMS, max_size=4), tuples(RECORDS, max_size=2))
def test_a_pack_gives_back_what_loose_entries_gave(tmp_path_factory, claims, records):
    folder = tmp_path_factory.mktemp("c")
    cache = CaptureCache(folder)
    values = {f"{n:02x}" + "0" * 62: value for n, value in enumerate((*claims, *records, Analysis(claims=claims)))}
    for key, value in values.items():
        cache.put(key, value)
    loose = cache.get_many(values)
    cache.prune(values)
    assert (folder / PACK_FILE).is_file() and not list(folder.glob("*/*.pickle"))
    packed = cache.get_many(values)
    assert same(packed, loose) and same(tuple(packed.values()), tuple(values.values()))


def test_restored_records_are_frozen_and_keep_their_slots():
    figure = Figure("killed", 41.0, None, None, "exact", "Zivilisten ü", "41 Zivilisten", 3, 12)
    back = loads(dumps(figure))
    assert type(back) is Figure and back == figure and not hasattr(back, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        back.value = 1.0
    assert dataclasses.replace(back, value=2.0).value == 2.0


def test_an_entry_naming_a_class_that_is_not_a_slotted_record_is_a_miss(tmp_path):
    class Foreign(pickle.Pickler):
        def reducer_override(self, obj):
            return (cache_module._restorer, (Path,)) if obj is print else NotImplemented

    import io
    import struct
    import zlib
    raw = io.BytesIO()
    Foreign(raw, protocol=5).dump(print)
    body = raw.getvalue()
    entry = struct.pack(">I", zlib.crc32(body)) + body
    with pytest.raises(pickle.UnpicklingError):
        loads(entry)
    cache = CaptureCache(tmp_path)
    key = "ab" + "1" * 62
    cache._path(key).parent.mkdir(parents=True)
    cache._path(key).write_bytes(entry)
    assert cache.get(key) is None


def test_a_changed_byte_anywhere_in_an_entry_is_a_miss(tmp_path):
    record_like = Sourced("Déclaration du ministère", "stated", "Déclaration du ministère", 1)
    entry = dumps(record_like)
    cache = CaptureCache(tmp_path)
    key = "cd" + "2" * 62
    cache.put(key, record_like)
    for at in range(len(entry)):
        damaged = bytearray(entry)
        damaged[at] ^= 0x20      # a letter's case, a digit: still a loadable pickle, often
        cache._path(key).write_bytes(bytes(damaged))
        assert cache.get(key) is None, at
    cache._path(key).write_bytes(entry[:-1])
    assert cache.get(key) is None


def pack_some(tmp_path: Path, count: int = 16) -> tuple[CaptureCache, dict[str, object]]:
    cache = CaptureCache(tmp_path / "c")
    values = {f"{n:02x}" + "3" * 62: (f"value {n} ü", n, None) for n in range(count)}
    for key, value in values.items():
        cache.put(key, value)
    cache.prune(values)
    assert (tmp_path / "c" / PACK_FILE).is_file()
    return cache, values


def test_a_few_changes_are_kept_loose_and_the_pack_is_not_rewritten(tmp_path):
    cache, values = pack_some(tmp_path)
    pack = tmp_path / "c" / PACK_FILE
    before = pack.stat()
    changed = dict(values)
    del changed[next(iter(values))]
    changed["ff" + "4" * 62] = "a new entry"
    cache.put("ff" + "4" * 62, "a new entry")
    assert cache.stored_keys() == set(values) | set(changed)
    cache.prune(changed)
    after = pack.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert cache.get_many(changed) == changed
    assert [p.name for p in (tmp_path / "c").glob("*/*.pickle")] == ["ff" + "4" * 62 + ".pickle"]


def test_many_changes_repack_and_drop_what_the_build_did_not_use(tmp_path):
    cache, values = pack_some(tmp_path)
    kept = dict(list(values.items())[:4])
    assert cache.prune(kept) == 12
    assert cache.stored_keys() == set(kept) and cache.get_many(values) == kept
    assert not list((tmp_path / "c").glob("*/*.pickle")) and not list((tmp_path / "c").glob(".tmp-*"))
    assert [p.name for p in (tmp_path / "c").iterdir()] == [PACK_FILE], "emptied fan-out folders are removed"


@pytest.mark.parametrize("damage", ["truncated", "empty", "index", "footer"])
def test_a_damaged_pack_is_a_miss_for_every_entry(tmp_path, damage):
    cache, values = pack_some(tmp_path)
    pack = tmp_path / "c" / PACK_FILE
    raw = pack.read_bytes()
    index_at = raw.rindex(b'{"')
    pack.write_bytes({"truncated": raw[:len(raw) // 2], "empty": b"",
                      "index": raw[:index_at + 3] + b"X" + raw[index_at + 4:],
                      "footer": raw[:-1] + b"?"}[damage])
    assert cache.get_many(values) == {} and cache.stored_keys() == set()
    for key, value in values.items():   # the build reads them again
        cache.put(key, value)
    cache.prune(values)
    assert cache.get_many(values) == values


def test_a_damaged_packed_entry_is_read_from_its_rewritten_loose_file(tmp_path):
    cache, values = pack_some(tmp_path)
    pack = tmp_path / "c" / PACK_FILE
    raw = bytearray(pack.read_bytes())
    at = raw.index("value 3".encode())
    raw[at] ^= 1
    pack.write_bytes(bytes(raw))
    key3 = "03" + "3" * 62
    found = cache.get_many(values)
    assert key3 not in found and len(found) == len(values) - 1
    cache.put(key3, values[key3])
    assert cache.get_many(values) == values


def test_a_pack_that_cannot_be_written_leaves_the_cache_as_it_was(tmp_path, monkeypatch):
    cache = CaptureCache(tmp_path / "c")
    values = {f"{n:02x}" + "5" * 62: n for n in range(10)}
    for key, value in values.items():
        cache.put(key, value)

    def killed(*args):
        raise OSError("no space left")
    monkeypatch.setattr(cache_module.os, "replace", killed)
    cache.prune(values)
    monkeypatch.undo()
    assert not (tmp_path / "c" / PACK_FILE).exists() and not list((tmp_path / "c").glob(".tmp-*"))
    assert cache.get_many(values) == values


def test_a_warm_read_from_the_pack_equals_the_cold_one(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for n in range(12):
        (src / f"doc{n:02d}.txt").write_text(
            f"Statement {n} of the Office\n\nOn {n + 1} January 1990, {100 + n} people were killed in Baku.\n",
            encoding="utf-8")
    cache = CaptureCache(tmp_path / "c")
    paths = sorted(src.glob("*.txt"))
    cold = list(read_outcomes(paths, src, {}, cache, jobs=1))
    cache.prune(o.key for o in cold)
    assert (tmp_path / "c" / PACK_FILE).is_file()
    warm = list(read_outcomes(paths, src, {}, cache, jobs=1))
    assert all(o.from_cache for o in warm) and not any(o.from_cache for o in cold)
    assert [dataclasses.replace(o, from_cache=False) for o in warm] == cold
    assert same(tuple(o.record for o in warm), tuple(o.record for o in cold))
    assert same(tuple(o.claims for o in warm), tuple(o.claims for o in cold))


def test_an_entry_filed_under_another_capture_is_a_miss(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("A statement\n\nText.\n", encoding="utf-8")
    cache = CaptureCache(tmp_path / "c")
    outcome = build_module.read_one(src / "a.txt", src, {}, cache, "s")
    entry = cache.get(outcome.key)
    assert build_module.cached_outcome("a.txt", entry) is not None
    assert build_module.cached_outcome("b.txt", entry) is None
    assert build_module.cached_outcome("a.txt", dataclasses.replace(entry, from_cache=False)) is None
    assert build_module.cached_outcome("a.txt", ("a.txt",)) is None
    os.unlink(cache._path(outcome.key))
    assert cache.get(outcome.key) is None


def test_a_build_killed_while_packing_leaves_a_temporary_pack_that_is_ignored_then_removed(tmp_path):
    cache, values = pack_some(tmp_path)
    left = tmp_path / "c" / ".tmp-pack-killed"
    left.write_bytes((tmp_path / "c" / PACK_FILE).read_bytes()[:100])
    assert cache.get_many(values) == values
    kept = dict(list(values.items())[:3])
    cache.prune(kept)
    assert not left.exists() and cache.get_many(values) == kept


@dataclasses.dataclass(frozen=True, slots=True)
class _Base:
    a: int


@dataclasses.dataclass(frozen=True, slots=True)
class _Derived(_Base):
    b: str


@dataclasses.dataclass(frozen=True, slots=True, weakref_slot=True)
class _WithWeakref:
    a: int


@pytest.mark.parametrize("value", [_Derived(1, "x"), _WithWeakref(2), _Base(3)])
def test_classes_of_other_layouts_round_trip_too(value):
    # only classes made of their own fields' slots on object get a restorer
    # (their twin has the same layout); the others pickle as Python does
    assert (cache_module._slotted_fields(type(value)) is None) == (type(value) is not _Base)
    back = loads(dumps((value, value)))
    assert back == (value, value) and type(back[0]) is type(value) and back[0] is back[1]
