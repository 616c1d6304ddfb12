"""What the build does for its memory (see build.release_free_memory)."""

from __future__ import annotations

import ctypes

from archive_builder import build


def test_free_memory_is_released_where_the_c_library_can():
    build.release_free_memory()     # glibc here: malloc_trim runs and returns


def test_no_malloc_trim_is_no_error(monkeypatch):
    def no_library(*args, **kwargs):
        raise OSError("no C library")

    monkeypatch.setattr(ctypes, "CDLL", no_library)
    assert build.release_free_memory() is None


def test_a_library_without_malloc_trim_is_no_error(monkeypatch):
    class Library:      # e.g. musl: no malloc_trim
        def __init__(self, *args, **kwargs):
            pass

        def __getattr__(self, name):
            raise AttributeError(name)

    monkeypatch.setattr(ctypes, "CDLL", Library)
    assert build.release_free_memory() is None
