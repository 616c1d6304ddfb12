"""Per-capture cache: a rebuild re-reads and re-cleans only what changed.

An entry is the outcome of reading one capture (its Record, or why it was
skipped, with its warnings), stored under a key that changes whenever
anything the outcome depends on changes:

    the capture's path (its id and URL come from it) and bytes,
    its sidecar's name and bytes,
    the editorial canonical names applied to it,
    the gazetteer its claims were extracted with (package places.yaml plus
    the editorial one),
    the code version: a hash of every source file of the package.

So a correction, an edited capture or any code change gives a new key, and a
stale entry is never used.  The cache lives in `.cache/` beside the output
folder (gitignored); deleting it is always safe.  Entries are written to a
temporary file and renamed, so a killed build never leaves half an entry; each
carries a checksum, so a damaged one is a miss.  At the end of a build the
entries it used are packed into one file (see PACK_FILE), which the next build
reads in one pass instead of opening a file per capture.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import keyword
import os
import pickle
import struct
import tempfile
import zlib
from functools import lru_cache
from pathlib import Path
from types import FunctionType
from typing import Any, Iterable, Mapping

PACKAGE = Path(__file__).resolve().parent
FORMAT = b"archive_builder-cache-2"


@lru_cache(maxsize=1)
def code_version() -> str:
    """Hash of the package's own source and data files, in a fixed order."""
    h = hashlib.sha256(FORMAT)
    for path in sorted(p for p in PACKAGE.rglob("*") if p.is_file() and p.suffix in (".py", ".json", ".yaml")
                       and "__pycache__" not in p.parts):
        h.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def settings_version(canonical_names: Mapping[str, str], gazetteer: Any = None) -> str:
    """Code version plus the editorial input every record depends on: the
    canonical names and the gazetteer's places and actors (its repr lists
    exactly those, as tuples of strings in a fixed order)."""
    names = json.dumps(sorted(canonical_names.items()), ensure_ascii=False).encode()
    places = repr((gazetteer.places, gazetteer.actors)).encode() if gazetteer is not None else b""
    return hashlib.sha256(code_version().encode() + b"\0" + names + b"\0" + places).hexdigest()


def capture_key(salt: str, source_file: str, raw: bytes, sidecar_file: str | None, sidecar_raw: bytes | None) -> str:
    h = hashlib.sha256(salt.encode())
    for part in (source_file.encode(), raw, (sidecar_file or "").encode(), sidecar_raw or b""):
        h.update(len(part).to_bytes(8, "big"))   # length-prefixed: no two inputs hash alike
        h.update(part)
    return h.hexdigest()


# Frozen slotted dataclasses (every record type in model.py) unpickle through
# dataclasses' generic __setstate__, which looks up the fields of the class again
# for every object and sets each through object.__setattr__: on a warm cache
# that was most of the cost of loading an entry.  Entries store such an object
# as a call to its class's restorer with the field values, in order.  A
# restorer is made once per class.  It fills an instance of a plain twin of
# the class (the same slots, nothing else, so attribute stores are the
# interpreter's fastest) and then makes it an instance of the class itself:
# Python allows `__class__` assignment between classes of the same layout, and
# checks it, and the frozen class's __setattr__ is never asked.  Only classes
# made of their fields' slots on `object` qualify (every class in model.py):
# the twin then has the very same layout, and every attribute is a field and is
# kept.
_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _slotted_fields(cls: type) -> tuple[str, ...] | None:
    try:
        return _FIELDS[cls]
    except KeyError:
        names = None
        if dataclasses.is_dataclass(cls) and cls.__bases__ == (object,) and "__dict__" not in dir(cls):
            fields = tuple(f.name for f in dataclasses.fields(cls))
            if fields and cls.__dict__.get("__slots__") == fields and all(
                    name.isidentifier() and not keyword.iskeyword(name) and not name.startswith("__")
                    for name in fields):
                names = fields
        _FIELDS[cls] = names
        return names


_RESTORER_TEMPLATE = """
def make(new, cls, twin):
    def restore({values}):
        obj = new(twin)
{stores}
        obj.__class__ = cls
        return obj
    return restore
"""
_RESTORERS: dict[type, FunctionType] = {}
_RESTORED_CLASS: dict[FunctionType, type] = {}


def _restorer(cls: type) -> FunctionType:
    """The function that makes an instance of the slotted dataclass `cls`
    from its field values, in field order.  Entries name it by its class."""
    try:
        return _RESTORERS[cls]
    except KeyError:
        pass
    names = _slotted_fields(cls) if isinstance(cls, type) else None
    if names is None:   # a foreign entry: the cache reads it as a miss
        raise pickle.UnpicklingError(f"not a record class made of slots: {cls!r}")
    twin = type(cls.__name__, (), {"__slots__": names, "__module__": __name__})
    namespace: dict[str, Any] = {}
    # the names are identifiers (checked above): the source is only stores of arguments
    exec(_RESTORER_TEMPLATE.format(values=", ".join(f"value{i}" for i in range(len(names))),
                                   stores="\n".join(f"        obj.{name} = value{i}" for i, name in enumerate(names))),
         namespace)
    restore = namespace["make"](object.__new__, cls, twin)
    restore.__qualname__ = restore.__name__ = f"restore_{cls.__name__}"
    _RESTORERS[cls], _RESTORED_CLASS[restore] = restore, cls
    return restore


class _EntryPickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        cls = type(obj)
        if cls is FunctionType and obj in _RESTORED_CLASS:
            # a restorer is stored as the call that makes it again, once per entry
            return _restorer, (_RESTORED_CLASS[obj],)
        names = _slotted_fields(cls)
        if names is None:
            return NotImplemented
        return _restorer(cls), tuple([getattr(obj, name) for name in names])


# An entry is its pickle behind a CRC-32 of it: a damaged entry (a flipped
# bit, a truncated copy) is a miss, never a record with a wrong character.
_CHECKSUM = struct.Struct(">I")


def dumps(value: Any) -> bytes:
    """An entry: the checksum, then the pickle."""
    buffer = io.BytesIO()
    buffer.write(bytes(_CHECKSUM.size))
    _EntryPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    entry = buffer.getbuffer()
    _CHECKSUM.pack_into(entry, 0, zlib.crc32(entry[_CHECKSUM.size:]))
    del entry
    return buffer.getvalue()


def _intact(entry: bytes) -> bool:
    return len(entry) > _CHECKSUM.size and _CHECKSUM.unpack_from(entry)[0] == zlib.crc32(
        memoryview(entry)[_CHECKSUM.size:])


def loads(entry: bytes) -> Any:
    """The value of an entry; raises ValueError when it is damaged."""
    if not _intact(entry):
        raise ValueError("damaged cache entry")
    return pickle.loads(memoryview(entry)[_CHECKSUM.size:])


# The pack: every entry of the last build that packed, in one file, so a warm
# rebuild opens one file instead of one per capture.
#
#     PACK_MAGIC, entries, index (JSON: key -> [offset, length]), footer
#     footer: index offset (8 bytes), CRC-32 of the index (4), PACK_MAGIC
#
# A build writes what it reads afresh as loose files (`xx/<key>.pickle`, each
# written to a temporary file and renamed, by whichever process read it); at
# its end `prune` writes a new pack of the entries the build used, under a
# temporary name renamed over the old pack, and only then deletes the loose
# files: a build killed at any point leaves the old pack or the new one, and
# every loose file not yet packed.  The pack is rewritten only when the loose
# entries and the entries no build uses any more come to a share of the
# whole (REPACK_SHARE), so a rebuild after a few edits writes a few files,
# not the whole cache again.
PACK_FILE = "captures.pack"
PACK_MAGIC = b"archive_builder-pack-1\n"
_FOOTER = struct.Struct(">QI")
_TMP_PACK = ".tmp-pack-"
REPACK_SHARE = 8     # repack when loose + unused entries exceed 1/REPACK_SHARE of the used ones

_Index = dict[str, tuple[int, int]]


def _read_index(pack: io.RawIOBase) -> _Index:
    """The pack's index, or an empty one when the pack is damaged."""
    try:
        size = os.fstat(pack.fileno()).st_size
        footer_size = _FOOTER.size + len(PACK_MAGIC)
        if size < len(PACK_MAGIC) + footer_size:
            return {}
        pack.seek(size - footer_size)
        footer = pack.read(footer_size)
        if footer[_FOOTER.size:] != PACK_MAGIC:
            return {}
        index_at, checksum = _FOOTER.unpack_from(footer)
        if not len(PACK_MAGIC) <= index_at <= size - footer_size:
            return {}
        pack.seek(index_at)
        raw = pack.read(size - footer_size - index_at)
        if zlib.crc32(raw) != checksum:
            return {}
        index = json.loads(raw)
        return {key: (offset, length) for key, (offset, length) in index.items()
                if len(PACK_MAGIC) <= offset and offset + length <= index_at}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def _read_at(pack: io.RawIOBase, offset: int, length: int) -> bytes:
    pack.seek(offset)
    return pack.read(length)


class CaptureCache:
    """Entries on disk: one pack and loose files (two-level fan-out by key)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pickle"

    def _open_pack(self) -> io.RawIOBase | None:
        try:
            return open(self.folder / PACK_FILE, "rb", buffering=0)
        except OSError:
            return None

    def _get_loose(self, key: str) -> Any | None:
        try:
            with open(self._path(key), "rb") as f:
                return loads(f.read())
        except Exception:   # missing, or damaged: a miss (a fresh read rewrites it)
            return None

    def get(self, key: str) -> Any | None:
        return self.get_many([key]).get(key)

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        """The stored value of each of `keys` that has an intact entry; the
        pack is opened once and read in file order."""
        found: dict[str, Any] = {}
        wanted = list(keys)
        pack = self._open_pack()
        if pack is not None:
            with pack:
                index = _read_index(pack)
                in_pack = sorted((index[key], key) for key in set(wanted) if key in index)
                for (offset, length), key in in_pack:
                    try:
                        found[key] = loads(_read_at(pack, offset, length))
                    except Exception:   # damaged: the loose file, if a build has rewritten it since
                        pass
        for key in wanted:
            if key not in found:
                value = self._get_loose(key)
                if value is not None:
                    found[key] = value
        return found

    def put(self, key: str, value: Any) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
            with os.fdopen(fd, "wb") as f:
                f.write(dumps(value))
            os.replace(tmp, path)
        except OSError:
            pass    # a read-only or full disk costs speed, never the build

    def _loose(self) -> dict[str, str]:
        """Loose entries: key -> path, one directory listing per fan-out folder."""
        loose: dict[str, str] = {}
        try:
            subs = [e.path for e in os.scandir(self.folder) if e.is_dir()]
        except OSError:
            return loose
        for sub in subs:
            try:
                loose.update((e.name[:-7], e.path) for e in os.scandir(sub) if e.name.endswith(".pickle"))
            except OSError:
                pass
        return loose

    def _pack_index(self) -> _Index:
        pack = self._open_pack()
        if pack is None:
            return {}
        with pack:
            return _read_index(pack)

    def stored_keys(self) -> set[str]:
        """Keys of every entry on disk, packed or loose: the pack's index and
        one directory listing per fan-out folder, instead of one failed open
        per missing capture."""
        return set(self._pack_index()) | set(self._loose())

    def prune(self, keep: Iterable[str]) -> int:
        """Remove entries this build did not use, packing the used ones when
        enough are loose or unused; returns how many entries are gone."""
        keep = set(keep)
        loose = self._loose()
        index = self._pack_index()
        unused_packed = index.keys() - keep
        if len((loose.keys() & keep) - index.keys()) + len(unused_packed) > len(keep) // REPACK_SHARE:
            packed = self._repack(keep, index, loose)
            if packed is not None:
                removed = len((index.keys() | loose.keys()) - packed)
                for path in loose.values():
                    _unlink(path)
                for folder in {os.path.dirname(path) for path in loose.values()}:
                    try:
                        os.rmdir(folder)    # emptied: the next build lists one folder less
                    except OSError:
                        pass    # a concurrent build's entry arrived since
                return removed
        removed = 0
        for key, path in loose.items():
            if key not in keep and _unlink(path):
                removed += 1
        return removed

    def _repack(self, keep: set[str], index: _Index, loose: Mapping[str, str]) -> set[str] | None:
        """Write a new pack of the intact entries of `keep`; their keys, or
        None when it could not be written (the old pack stays)."""
        packed: _Index = {}
        tmp = None
        # A build killed while packing left its temporary pack: removed here.  A
        # concurrent build writing one then fails to rename it and keeps the old.
        for left in self.folder.glob(f"{_TMP_PACK}*"):
            _unlink(str(left))
        try:
            pack = self._open_pack() if index else None
            try:
                fd, tmp = tempfile.mkstemp(prefix=_TMP_PACK, dir=self.folder)
                with os.fdopen(fd, "wb") as out:
                    out.write(PACK_MAGIC)
                    offset = len(PACK_MAGIC)
                    for key in sorted(keep):
                        entry = None
                        if key in loose:    # the newer copy, when a damaged packed one was read again
                            entry = _read_file(loose[key])
                        if (entry is None or not _intact(entry)) and key in index and pack is not None:
                            entry = _read_at(pack, *index[key])
                        if entry is None or not _intact(entry):
                            continue
                        out.write(entry)
                        packed[key] = (offset, len(entry))
                        offset += len(entry)
                    raw = json.dumps(packed, separators=(",", ":")).encode()
                    out.write(raw)
                    out.write(_FOOTER.pack(offset, zlib.crc32(raw)) + PACK_MAGIC)
            finally:
                if pack is not None:
                    pack.close()
            os.replace(tmp, self.folder / PACK_FILE)
            return set(packed)
        except OSError:
            if tmp is not None:
                _unlink(tmp)
            return None


def _read_file(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def _unlink(path: str) -> bool:
    try:
        os.unlink(path)
        return True
    except OSError:
        return False
