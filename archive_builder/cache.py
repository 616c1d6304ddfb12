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
temporary file and renamed, so a killed build never leaves half an entry.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import pickle
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

PACKAGE = Path(__file__).resolve().parent
FORMAT = b"archive_builder-cache-1"


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
# for every object: on a warm cache that was half the cost of loading an entry.
# Entries store them as (class, field values) and restore them with the field
# names looked up once per class.  Only classes whose instances have no
# __dict__ qualify, so every attribute of the object is a field and is kept.
_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _slotted_fields(cls: type) -> tuple[str, ...] | None:
    try:
        return _FIELDS[cls]
    except KeyError:
        names = None
        if dataclasses.is_dataclass(cls) and "__slots__" in cls.__dict__ and "__dict__" not in dir(cls):
            names = tuple(f.name for f in dataclasses.fields(cls))
        _FIELDS[cls] = names
        return names


def _restore(cls: type, values: tuple) -> Any:
    obj = object.__new__(cls)
    for name, value in zip(_FIELDS.get(cls) or _slotted_fields(cls) or (), values):
        object.__setattr__(obj, name, value)    # frozen: the class's own __setattr__ refuses
    return obj


class _EntryPickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        names = _slotted_fields(type(obj))
        if names is None:
            return NotImplemented
        return _restore, (type(obj), tuple([getattr(obj, name) for name in names]))


def dumps(value: Any) -> bytes:
    buffer = io.BytesIO()
    _EntryPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


class CaptureCache:
    """Pickled outcomes on disk, two-level fan-out by key."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pickle"

    def get(self, key: str) -> Any | None:
        try:
            with open(self._path(key), "rb") as f:
                return pickle.load(f)
        except FileNotFoundError:
            return None
        except Exception:   # a damaged entry is a miss; it is rewritten below
            return None

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

    def stored_keys(self) -> set[str]:
        """Keys of every entry on disk: one directory listing per fan-out
        folder, instead of one failed open per missing capture."""
        keys: set[str] = set()
        try:
            subs = [e for e in os.scandir(self.folder) if e.is_dir()]
        except OSError:
            return keys
        for sub in subs:
            try:
                keys.update(e.name[:-7] for e in os.scandir(sub.path) if e.name.endswith(".pickle"))
            except OSError:
                pass
        return keys

    def prune(self, keep: Iterable[str]) -> int:
        """Remove entries this build did not use; returns how many."""
        keep = set(keep)
        removed = 0
        if not self.folder.is_dir():
            return 0
        for sub in self.folder.iterdir():
            if not sub.is_dir():
                continue
            for entry in sub.iterdir():
                if entry.name.endswith(".pickle") and entry.name[:-7] in keep:
                    continue
                try:
                    entry.unlink()
                    removed += 1
                except OSError:
                    pass
        return removed
