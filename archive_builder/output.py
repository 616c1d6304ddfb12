"""The last stage: write the site into a staging folder, then swap it in.

(The habit is Lektor's.)  A build that fails or is killed at any point
leaves the previous site exactly as it was: nothing is written into the
live folder, and the swap is one atomic rename where the OS offers it.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

_RENAME_EXCHANGE = 2  # renameat2 flag (Linux >= 3.15): swap two paths atomically
_AT_FDCWD = -100


@dataclass(frozen=True)
class PageSpec:
    """A page still to render: its file, its template and what the template gets.

    `values` may be a function, called only when the page is rendered (an
    incremental build reuses the previous page instead); `inputs` are then what
    the values are computed from, for the page's fingerprint."""
    rel: str
    template: str
    values: Mapping[str, Any] | Callable[[], Mapping[str, Any]]
    inputs: Any = None

    def render(self, env) -> bytes:
        values = self.values() if callable(self.values) else self.values
        return env.get_template(self.template).render(**values).encode("utf-8")


def staging_dir(out: Path) -> Path:
    """A fresh folder beside `out` (same file system, so renames are atomic)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out.name}-staging-", dir=out.parent))


def _target(root: Path, rel: str) -> str:
    """The file's path under `root`.  Checked on the string (no system calls): the
    staging folder is fresh and holds no symbolic links, so a path stays inside it
    exactly when its normalised form is relative and does not climb out."""
    norm = os.path.normpath(rel)
    if os.path.isabs(norm) or norm == "." or norm == ".." or norm.startswith("../"):
        # every path comes from urls.py, but a path that escapes the site is never written
        raise ValueError(f"refusing to write outside the site: {rel}")
    return os.path.join(root, norm)


def _with_folder(target: str, write: Callable[[], None]) -> None:
    """Run `write`, making the file's folder first if it is missing (one failed
    open per new folder is cheaper than a mkdir per file)."""
    try:
        write()
    except FileNotFoundError:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        write()


def _create(target: str):
    """A new file at `target`, open for writing.  Never opened over an existing file:
    a recycled staging folder (take_recycled) holds hard links to the live site's
    files, and writing into one would change the live site.  An existing file is
    unlinked first (the live site keeps its own link)."""
    try:
        return open(target, "xb")
    except FileExistsError:
        os.unlink(target)
        return open(target, "xb")


def write_file(root: Path, rel: str, data: bytes) -> None:
    target = _target(root, rel)

    def write() -> None:
        with _create(target) as handle:
            handle.write(data)
    _with_folder(target, write)


def write_pieces(root: Path, rel: str, pieces: Iterable[bytes | tuple[int, int]], source: Any = None) -> None:
    """Write a file from pieces: bytes, or (offset, length) of the open binary file
    `source`, copied by the kernel (copy_file_range) without passing through
    Python; ranges that follow each other in `source` are copied in one call."""
    target = _target(root, rel)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with _create(target) as handle:
        pending: list[int] | None = None      # [offset, length] of the range being gathered

        def copy(offset: int, length: int) -> None:
            handle.flush()
            out = handle.fileno()
            while length > 0:
                try:
                    done = os.copy_file_range(source.fileno(), out, length, offset)
                except (AttributeError, OSError):     # no such call here (or across these files)
                    done = 0
                if done <= 0:       # fall back to reading and writing
                    data = os.pread(source.fileno(), length, offset)
                    if len(data) != length:
                        raise OSError(f"{getattr(source, 'name', 'the previous file')} is shorter than noted")
                    handle.write(data)
                    handle.flush()
                    done = length
                offset, length = offset + done, length - done

        for piece in pieces:
            if isinstance(piece, tuple):
                if pending is not None and pending[0] + pending[1] == piece[0]:
                    pending[1] += piece[1]
                    continue
                if pending is not None:
                    copy(*pending)
                pending = [piece[0], piece[1]]
                continue
            if pending is not None:
                copy(*pending)
                pending = None
            handle.write(piece)
        if pending is not None:
            copy(*pending)


def copy_file(root: Path, rel: str, source: Path) -> None:
    """Copy a file into the site without holding it in memory."""
    target = _target(root, rel)

    def copy() -> None:
        with open(source, "rb") as original:    # a vanished capture fails as before, not as a missing folder
            with _create(target) as handle:
                shutil.copyfileobj(original, handle, 1 << 20)
    _with_folder(target, copy)


def link_file(root: Path, rel: str, source: Path | str, folders: set[str] | None = None) -> bool:
    """Put an unchanged file of the previous site into the new one: a hard link
    where the file system allows it (no bytes copied), else a copy.  True when
    linked (the file is then the very file `source` is).

    `folders`, when given, holds the folders already made under `root` by
    earlier calls: their files are linked without trying first (a page has a
    folder of its own, so most links would otherwise fail once)."""
    target = _target(root, rel)
    linked = True

    def link() -> None:
        nonlocal linked
        try:
            os.link(source, target)
        except FileExistsError:     # a recycled staging folder's file: replaced, never written into
            os.unlink(target)
            link()
        except OSError as exc:
            if isinstance(exc, FileNotFoundError) and not os.path.isdir(os.path.dirname(target)):
                raise
            with open(source, "rb") as original, _create(target) as handle:
                shutil.copyfileobj(original, handle, 1 << 20)
            linked = False
    if folders is None:
        _with_folder(target, link)
        return linked
    folder = os.path.dirname(target)
    if folder not in folders:
        os.makedirs(folder, exist_ok=True)
        folders.add(folder)
    link()
    return linked


def _exchange(a: Path, b: Path) -> bool:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


# Above this many pages the previous site is removed by a detached process
# after the swap: the new site is live already, and unlinking the old one
# (a folder per document) took 12 s of a no-change rebuild at 10,000
# captures, 95 s on a busy disk.  If the remover is killed, what it leaves is
# a stale staging folder, swept by the next build.
BACKGROUND_REMOVAL_PAGES = 5000
# A trash folder set aside this long ago has lost its remover (killed): it gets another.
TRASH_GRACE_S = 600


def set_aside(folder: Path, out: Path, kind: str = "trash") -> Path:
    """Move a finished-with site to a fresh `.NAME-trash-*` folder beside `out`
    (`.NAME-recycle-*` with kind RECYCLE), stamped now (the grace period counts
    from here, not from when it was built)."""
    trash = Path(tempfile.mkdtemp(prefix=f".{out.name}-{kind}-", dir=out.parent))
    os.replace(folder, trash)      # onto the empty folder just made: POSIX allows it
    os.utime(trash)
    return trash


def remove_tree(path: Path, background: bool = False) -> None:
    """Remove a finished-with folder, now or (`background`) in a detached process."""
    if background:
        try:
            # at the lowest priority: the next build, often started at once, comes first
            subprocess.Popen([sys.executable, "-c", "import os, shutil, sys; os.nice(19); "
                              "shutil.rmtree(sys.argv[1], ignore_errors=True)", os.fspath(path)],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
            return
        except OSError:   # no process to spare: remove it here
            pass
    shutil.rmtree(path)


def swap_in(staging: Path, out: Path, background_removal: bool = False, keep_previous: bool = False) -> None:
    """Make `staging` the live site; the previous site is removed afterwards
    (by a detached process with `background_removal`), or with `keep_previous`
    set aside as `.NAME-recycle-*` for the next build to recycle (take_recycled)."""
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"{out} exists and is not a folder")
    if out.exists():
        if _exchange(staging, out):
            # `staging` now holds the previous site.  Removed in the background, it is
            # renamed first: the next build sweeps stale staging folders (a killed
            # build's) itself, and it would wait for this one (a fifth of a rebuild)
            previous = staging
        else:
            previous = out.with_name(f".{out.name}-previous")
            if previous.exists():
                shutil.rmtree(previous)
            os.replace(out, previous)
            os.replace(staging, out)
        if keep_previous:
            for older in _recycle_folders(out):     # one generation is kept, no more
                remove_tree(set_aside(older, out), background=True)
            set_aside(previous, out, RECYCLE)
        else:
            remove_tree(set_aside(previous, out) if background_removal else previous, background_removal)
    else:
        os.replace(staging, out)


# --- recycling the previous generation -------------------------------------------
#
# A rebuild of a large site makes a fresh staging folder, then a folder per page
# and a hard link per unchanged file: at 10,000 captures 23,000 folders (a mkdir
# costs some 80 microseconds here, six times a link) and 33,000 links, most of a
# one-change rebuild's render stage.  Instead, the site a swap replaces is kept
# as `.NAME-recycle-*`; the next build renames it into its staging folder, where
# the folders are already made and most files are already the very files the
# live site has (hard links of two builds ago): those are kept where they are,
# the others replaced.  Nothing is ever written into an existing file (`_create`
# unlinks it first): such a file may be a link of the live site's.  The files of
# each generation are noted in the cache (GENERATIONS, with the folder's inode),
# so what the new build does not write again is removed, and a folder the notes
# do not describe is never recycled.

RECYCLE = "recycle"
GENERATIONS = "site-generations.json"    # in the cache folder
# Regenerated whole by every build that writes them (Pagefind's bundles): removed from a
# recycled folder before the build starts.
REGENERATED_FOLDERS = ("pagefind",)


def _recycle_folders(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}-{RECYCLE}-*")) if out.parent.is_dir() else []


def _folder_id(folder: Path) -> list[int]:
    st = os.stat(folder)
    return [st.st_dev, st.st_ino]


def note_generation(cache: Path, staging: Path, files: Iterable[str], salt: str = "") -> None:
    """Note the files of the site being built in `staging`, and the salt of its
    pages' fingerprints (the two newest generations are kept)."""
    import json

    path = cache / GENERATIONS
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))["generations"][-1:]
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        kept = []
    kept.append({"folder": _folder_id(staging), "salt": salt, "files": sorted(set(files))})
    cache.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps({"generations": kept}, separators=(",", ":")), encoding="utf-8")
    os.replace(temporary, path)


def _noted_files(cache: Path, folder: Path, live: Path, salt: str) -> list[str] | None:
    """The files noted for the generation in `folder`, if it and the live site were
    both built with `salt`; else None (not worth recycling: after a change of
    code, theme or settings the live site shares no file with it, and replacing
    every file would delete each one, here, during the build)."""
    import json

    try:
        generations = json.loads((cache / GENERATIONS).read_text(encoding="utf-8"))["generations"]
        identity, live_identity = _folder_id(folder), _folder_id(live)
        if not any(g["folder"] == live_identity and g.get("salt") == salt for g in generations):
            return None
        for generation in generations:
            if generation["folder"] == identity and generation.get("salt") == salt:
                files = generation["files"]
                if isinstance(files, list) and all(isinstance(f, str) for f in files):
                    return files
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


@dataclass(frozen=True)
class Staging:
    """The folder a build writes into; `recycled`: the files it already holds (a
    previous generation's, see take_recycled), None for a fresh folder; `trash`:
    what was set aside to be removed once the build is over (remove_trash), not
    during it, when its removal would compete with the build."""
    path: Path
    recycled: frozenset[str] | None = None
    trash: tuple[Path, ...] = ()

    def remove_trash(self) -> None:
        for folder in self.trash:
            remove_tree(folder, background=True)


def take_recycled(out: Path, cache: Path | None, salt: str = "") -> Staging:
    """A staging folder for a build of `out`: the newest recycled generation,
    renamed, when the cache notes its files and it and the live site were built
    with `salt` (the salt of this build's page fingerprints); else a fresh folder.
    What is not recycled is removed in the background once the build is over."""
    folders = _recycle_folders(out)
    newest = max(folders, key=lambda f: f.stat().st_mtime_ns, default=None) if folders else None
    trash = [set_aside(folder, out) for folder in folders if folder != newest]
    files = _noted_files(cache, newest, out, salt) if cache is not None and newest is not None and out.is_dir() else None
    if files is None:
        if newest is not None:
            trash.append(set_aside(newest, out))
        return Staging(staging_dir(out), None, tuple(trash))
    staging = staging_dir(out)
    os.replace(newest, staging)     # onto the empty folder just made
    trash += [set_aside(stale, out) for name in REGENERATED_FOLDERS for stale in sorted(staging.glob(f"{name}*"))
              if stale.is_dir() and not stale.is_symlink()]
    return Staging(staging, frozenset(files), tuple(trash))


def remove_stale(staging: Path, recycled: Iterable[str], written: set[str]) -> int:
    """Remove from a recycled staging folder the files of its generation that this
    build did not write, and the folders that leaves empty; returns how many files."""
    removed = 0
    folders: set[str] = set()
    for rel in recycled:
        if rel in written:
            continue
        try:
            os.unlink(_target(staging, rel))
        except FileNotFoundError:
            continue
        except IsADirectoryError:
            shutil.rmtree(_target(staging, rel), ignore_errors=True)
        removed += 1
        folders.add(os.path.dirname(rel))
    # deepest first: a folder emptied of its last file, then its parents if they are empty too
    for folder in sorted(folders, key=lambda f: -f.count("/")):
        while folder:
            try:
                os.rmdir(_target(staging, folder))
            except OSError:
                break
            folder = os.path.dirname(folder)
    return removed


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)


def clean_stale_staging(out: Path) -> None:
    """Staging folders left by killed builds are removed at the next build.

    Where renameat2 is missing the swap takes two renames; a build killed
    between them leaves the previous site as `.NAME-previous` and no `NAME`:
    it is put back first.  A previous site set aside for removal (`.NAME-trash-*`)
    is left to the process removing it; one whose remover was killed (set
    aside over ten minutes ago) gets a new remover, in the background too."""
    previous = out.with_name(f".{out.name}-previous")
    if previous.is_dir() and not out.exists():
        os.replace(previous, out)
    if out.parent.is_dir():
        for p in out.parent.glob(f".{out.name}-staging-*"):
            shutil.rmtree(p, ignore_errors=True)
        for p in out.parent.glob(f".{out.name}-trash-*"):
            try:
                abandoned = time.time() - p.stat().st_mtime > TRASH_GRACE_S
            except OSError:
                continue        # removed meanwhile
            if abandoned:
                remove_tree(p, background=True)


@contextlib.contextmanager
def build_lock(out: Path, progress: Callable[[str], None] = lambda s: None) -> Iterator[None]:
    """One build at a time writes a given site (a preview server rebuilding
    while the archivist runs a build would otherwise sweep away the other's
    staging folder).  The kernel drops the lock when the process dies, so a
    killed build never leaves a stale lock behind."""
    lock_dir = out.parent / ".cache" / "archive_builder"
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / f"{out.name}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            progress(f"waiting for another build of {out} to finish…")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
