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


def write_file(root: Path, rel: str, data: bytes) -> None:
    target = _target(root, rel)

    def write() -> None:
        with open(target, "wb") as handle:
            handle.write(data)
    _with_folder(target, write)


def write_chunks(root: Path, rel: str, chunks: Iterable[bytes]) -> None:
    """Write a file as it is made, piece by piece (records.json is never whole in memory)."""
    target = _target(root, rel)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as handle:
        for chunk in chunks:
            handle.write(chunk)


def copy_file(root: Path, rel: str, source: Path) -> None:
    """Copy a file into the site without holding it in memory (the kernel copies it)."""
    target = _target(root, rel)
    if not os.path.exists(source):   # a vanished capture fails as before, not as a missing folder
        raise FileNotFoundError(source)
    _with_folder(target, lambda: shutil.copyfile(source, target))


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
        except OSError as exc:
            if isinstance(exc, FileNotFoundError) and not os.path.isdir(os.path.dirname(target)):
                raise
            shutil.copyfile(source, target)
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


def set_aside(folder: Path, out: Path) -> Path:
    """Move a finished-with site to a fresh `.NAME-trash-*` folder beside `out`,
    stamped now (the grace period counts from here, not from when it was built)."""
    trash = Path(tempfile.mkdtemp(prefix=f".{out.name}-trash-", dir=out.parent))
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


def swap_in(staging: Path, out: Path, background_removal: bool = False) -> None:
    """Make `staging` the live site; the previous site is removed afterwards
    (by a detached process with `background_removal`)."""
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"{out} exists and is not a folder")
    if out.exists():
        if _exchange(staging, out):
            # `staging` now holds the previous site.  Removed in the background, it is
            # renamed first: the next build sweeps stale staging folders (a killed
            # build's) itself, and it would wait for this one (a fifth of a rebuild)
            remove_tree(set_aside(staging, out) if background_removal else staging, background_removal)
            return
        old = out.with_name(f".{out.name}-previous")
        if old.exists():
            shutil.rmtree(old)
        os.replace(out, old)
        os.replace(staging, out)
        remove_tree(set_aside(old, out) if background_removal else old, background_removal)
    else:
        os.replace(staging, out)


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
