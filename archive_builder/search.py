"""Stage 5: the Pagefind search index.  (Walking skeleton.)"""

from __future__ import annotations

from pathlib import Path

from .config import Config


def index_site(site: Path, config: Config) -> int:
    """Index the built pages in `site`; returns the number of pages indexed."""
    return 0
