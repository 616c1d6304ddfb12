"""Stage 4: pages.  (Walking skeleton: templates come with the site work.)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

from markupsafe import escape

from .config import Config
from .editorial import Editorial
from .model import Analysis, Record
from .urls import Urls, page_file


@dataclass(frozen=True)
class SiteContext:
    records: Sequence[Record]
    analysis: Analysis
    config: Config
    urls: Urls
    editorial: Editorial


def render_site(ctx: SiteContext) -> Iterator[tuple[str, bytes]]:
    u = ctx.urls
    items = "".join(f'<li><a href="{escape(u.document(r.id))}">{escape(r.title.value)}</a></li>' for r in ctx.records)
    yield page_file(u.home(), u.base), f"<!doctype html><title>{escape(ctx.config.title)}</title><ul>{items}</ul>".encode()
    for r in ctx.records:
        yield page_file(u.document(r.id), u.base), f"<!doctype html><title>{escape(r.title.value)}</title><pre>{escape(r.body)}</pre>".encode()
