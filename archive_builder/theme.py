"""Where the default templates and static files are.

In a checkout (or an editable install) they are the top-level templates/ and
static/ folders; a wheel carries the same files as archive_builder/_templates
and archive_builder/_static (see pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def theme_dir(name: str) -> Path:
    """`name` is "templates" or "static"."""
    checkout = PACKAGE.parent / name
    if checkout.is_dir():
        return checkout
    return PACKAGE / f"_{name}"
