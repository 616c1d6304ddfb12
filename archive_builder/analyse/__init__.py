"""Stage 3: analyse records together: claims, events, relations, shared passages.

(Walking skeleton: filled in by the events-and-claims work.)
"""

from __future__ import annotations

from typing import Sequence

from ..editorial import Editorial
from ..model import Analysis, Record


def analyse(records: Sequence[Record], editorial: Editorial) -> Analysis:
    return Analysis()
