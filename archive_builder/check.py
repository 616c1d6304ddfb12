"""`archive_builder check`: validate a built site (walking skeleton)."""
from pathlib import Path


def check_site(site: Path, base_url: str | None = None, html: bool = True, a11y: bool = True) -> int:
    raise NotImplementedError
