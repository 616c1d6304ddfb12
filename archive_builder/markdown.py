"""A document body as safe HTML: paragraphs with stable anchors, real footnotes.

Document text is never markup: markdown-it-py's "js-default" preset escapes
raw HTML (CommonMark would pass it through) and refuses javascript:/data:
links.  Images are switched off because an image in a body would make the
reader's browser fetch from another host.  Body headings are moved down two
levels, so the page's own <h1> (the title) and <h2> sections stay the outline.

The capture's footnote markers (`<sup>1</sup>`) become markdown-it footnote
references, and the cleaner's Footnote values become their definitions; a
marker without a matching Footnote stays visible text.

Anchors: every paragraph/heading of the body gets `p-1`, `p-2`… by position
(stable for a given body), and a claim quote found inside one text run is
wrapped in `<mark id="claim-ID">`; a quote that spans formatting gets an
empty anchor at the start of its paragraph instead.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from .model import Footnote

HEADING_SHIFT = 2          # body "#" becomes <h3>: h1 is the title, h2 the page's sections
_SUP_MARKER = re.compile(r"<sup>[ \t]*([0-9A-Za-z*†‡§]{1,8})[ \t]*</sup>")
_LABEL_SAFE = re.compile(r"[^0-9A-Za-z]")
_BLOCKS_WITH_ANCHOR = ("paragraph_open", "heading_open")


@dataclass(frozen=True)
class ClaimSpan:
    """Where a claim sits in the body: the quote and its offsets (model.Claim has more)."""

    id: str
    quote: str
    start: int


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    md = MarkdownIt("js-default").use(footnote_plugin)
    md.disable("image")
    md.add_render_rule("footnote_block_open", _footnote_block_open)
    md.add_render_rule("footnote_anchor", _footnote_backref)
    return md


def _footnote_backref(self, tokens, idx, options, env) -> str:
    # the plugin's bare "↩" link has no accessible name; ids are the plugin's own
    ident = self.rules["footnote_anchor_name"](tokens, idx, options, env)
    if tokens[idx].meta["subId"] > 0:
        ident += ":" + str(tokens[idx].meta["subId"])
    return f' <a href="#fnref{ident}" class="footnote-backref" aria-label="Back to the text">\u21a9\ufe0e</a>'


def _footnote_block_open(self, tokens, idx, options, env) -> str:
    # a labelled section, so the notes are reachable from the page outline
    return ('<section class="footnotes" aria-labelledby="footnotes-heading">\n'
            '<h2 id="footnotes-heading">Notes in the document</h2>\n<ol class="footnotes-list">\n')


def footnote_label(label: str) -> str:
    """A label markdown-it accepts in `[^label]` (no spaces or brackets)."""
    return _LABEL_SAFE.sub("-", label) or "n"


def with_footnotes(body: str, footnotes: Sequence[Footnote]) -> str:
    """The body with `<sup>N</sup>` markers as `[^N]` and definitions appended."""
    if not footnotes:
        return body
    known = {f.label.strip(): footnote_label(f.label.strip()) for f in footnotes}

    def marker(m: re.Match) -> str:
        label = m.group(1)
        return f"[^{known[label]}]" if label in known else m.group(0)

    text = _SUP_MARKER.sub(marker, body)
    # a definition whose text spans lines keeps them as one paragraph (indented continuation)
    definitions = "\n\n".join(f"[^{known[f.label.strip()]}]: " + "\n    ".join(f.text.splitlines() or [""])
                              for f in footnotes)
    return f"{text}\n\n{definitions}\n"


def _line_offsets(text: str) -> list[int]:
    offsets, pos = [0], 0
    for line in text.split("\n")[:-1]:
        pos += len(line) + 1
        offsets.append(pos)
    return offsets


def _anchor_claims(tokens: list[Token], claims: Sequence[ClaimSpan], body: str) -> None:
    """Wrap each claim quote in <mark id=claim-…> inside the paragraph holding its start."""
    if not claims:
        return
    starts = _line_offsets(body)
    blocks: list[tuple[int, int, int]] = []      # (first line, end line, index of the inline token)
    for i, tok in enumerate(tokens):
        if tok.type in _BLOCKS_WITH_ANCHOR and tok.map and i + 1 < len(tokens) and tokens[i + 1].type == "inline":
            blocks.append((tok.map[0], tok.map[1], i + 1))
    block_starts = [b[0] for b in blocks]      # blocks come in document order
    for claim in sorted(claims, key=lambda c: (c.start, c.id)):
        line = bisect_right(starts, claim.start) - 1
        k = bisect_right(block_starts, line) - 1
        if k < 0 or not blocks[k][0] <= line < blocks[k][1]:
            continue
        block = blocks[k]
        inline = tokens[block[2]]
        if not _wrap_quote(inline, claim):
            empty = Token("html_inline", "", 0, content=f'<span class="claim-anchor" id="claim-{_attr(claim.id)}"></span>')
            inline.children = [empty, *(inline.children or [])]


def _wrap_quote(inline: Token, claim: ClaimSpan) -> bool:
    children = inline.children or []
    for k, child in enumerate(children):
        if child.type != "text" or claim.quote not in child.content:
            continue
        before, _, after = child.content.partition(claim.quote)
        opening = Token("html_inline", "", 0, content=f'<mark class="claim" id="claim-{_attr(claim.id)}">')
        closing = Token("html_inline", "", 0, content="</mark>")
        parts = [Token("text", "", 0, content=before), opening,
                 Token("text", "", 0, content=claim.quote), closing,
                 Token("text", "", 0, content=after)]
        inline.children = children[:k] + parts + children[k + 1:]
        return True
    return False


def _attr(value: str) -> str:
    """Claim ids are ours (document id + counter), but never trusted as markup."""
    return re.sub(r"[^\w.-]", "-", value)


def render_body(body: str, footnotes: Sequence[Footnote] = (), claims: Sequence[ClaimSpan] = ()) -> str:
    """Safe HTML for a record body; paragraphs anchored p-1, p-2, … by position."""
    md = parser()
    source = with_footnotes(body, footnotes)
    env: dict = {}
    tokens = md.parse(source, env)
    number, in_footnotes = 0, False
    for i, tok in enumerate(tokens):
        if tok.type == "footnote_block_open":
            in_footnotes = True
        elif tok.type == "footnote_block_close":
            in_footnotes = False
        elif tok.type in _BLOCKS_WITH_ANCHOR and not in_footnotes:
            number += 1
            # a tight list hides its paragraphs: the anchor goes on the list item
            target = tokens[i - 1] if tok.hidden and i and tokens[i - 1].type == "list_item_open" else tok
            target.attrSet("id", f"p-{number}")
        if tok.type in ("heading_open", "heading_close"):
            tok.tag = f"h{min(6, int(tok.tag[1]) + HEADING_SHIFT)}"
    _anchor_claims(tokens, claims, body)
    return md.renderer.render(tokens, md.options, env)
