"""Stage 2b: metadata from the cleaned capture, each value with its provenance.

(Walking skeleton: extraction rules are filled in by the metadata work.)
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Capture, Cleaned, Reference, Sourced


@dataclass(frozen=True)
class Metadata:
    title: Sourced
    document_type: Sourced
    author: Sourced
    publisher: Sourced
    date: Sourced
    language: Sourced
    references: tuple[Reference, ...] = ()


def extract_metadata(capture: Capture, cleaned: Cleaned) -> Metadata:
    first = next((l.strip() for l in cleaned.body.split("\n") if l.strip()), "")
    return Metadata(
        title=Sourced(first[:200] or capture.source_file, "inferred", "first line of the capture"),
        document_type=Sourced.unknown(),
        author=Sourced.unknown(),
        publisher=Sourced.unknown(),
        date=Sourced.unknown(),
        language=Sourced.unknown(),
    )
