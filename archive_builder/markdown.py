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

Most bodies are plain prose: paragraphs of lines with no character that
markdown gives a meaning to.  Those skip the parser (`plain_body`): their
HTML is written directly, the same bytes markdown-it writes for them (a
tested property), at a tenth of the cost.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Iterator, Sequence

from markdown_it import MarkdownIt
from markdown_it.common.utils import MD_TRIM_CHARS, escapeHtml
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
    for claim, k in _claims_in_blocks(claims, starts, blocks):
        block = blocks[k]
        inline = tokens[block[2]]
        if not _wrap_quote(inline, claim):
            empty = Token("html_inline", "", 0, content=f'<span class="claim-anchor" id="claim-{_attr(claim.id)}"></span>')
            inline.children = [empty, *(inline.children or [])]


def _claims_in_blocks(claims: Sequence[ClaimSpan], line_starts: Sequence[int],
                      blocks: Sequence[tuple[int, ...]]) -> Iterator[tuple[ClaimSpan, int]]:
    """(claim, index of the block holding the line of its start), in anchoring order;
    `blocks` are (first line, end line, …) in document order."""
    block_starts = [b[0] for b in blocks]
    for claim in sorted(claims, key=lambda c: (c.start, c.id)):
        line = bisect_right(line_starts, claim.start) - 1
        k = bisect_right(block_starts, line) - 1
        if k >= 0 and blocks[k][0] <= line < blocks[k][1]:
            yield claim, k


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
    lines = None if footnotes else _plain_lines(body)
    if lines is not None:
        return _render_plain(lines, claims)
    return render_markdown_body(body, footnotes, claims)


def render_markdown_body(body: str, footnotes: Sequence[Footnote] = (), claims: Sequence[ClaimSpan] = ()) -> str:
    """render_body through markdown-it, for any body."""
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


# --- plain bodies ---------------------------------------------------------------

# What makes a body not plain, so that markdown-it must read it.  Anywhere: the
# characters of inline syntax (escapes, code, emphasis, strikethrough, links,
# footnotes, autolinks and HTML, entities), table pipes, and what the parser
# rewrites (CR, NUL, tabs).  At a line's start: headings, setext underlines,
# list and rule markers (block quotes and fences are covered above), ordered
# list numbers.  At a line's start or end: any whitespace, since markdown-it
# strips it (indented code, hard breaks, trimmed paragraphs); a blank line must
# be empty.  What is left is paragraphs of lines, each line one text token.
_NOT_PLAIN_ANYWHERE = re.compile(r"[\\`*_~\[\]^<>&|\r\0\t]")
_NOT_PLAIN_FIRST = frozenset("#=+-0123456789")
_ORDERED_LIST = re.compile(r"[0-9]+[.)]")
_TRIMMED = frozenset(MD_TRIM_CHARS)


def plain_body(body: str) -> bool:
    """True when markdown-it would read `body` as nothing but paragraphs of plain text lines."""
    return _plain_lines(body) is not None


def _plain_lines(body: str) -> list[str] | None:
    """The body's lines when it is plain, else None."""
    if _NOT_PLAIN_ANYWHERE.search(body):
        return None
    lines = body.split("\n")
    for line in lines:
        if line and (line[0].isspace() or line[-1].isspace() or line[0] in _TRIMMED or line[-1] in _TRIMMED or (
                line[0] in _NOT_PLAIN_FIRST and (line[0] in "#=+-" or _ORDERED_LIST.match(line)))):
            return None
    return lines


def render_plain_body(body: str, claims: Sequence[ClaimSpan] = ()) -> str:
    """render_markdown_body for a plain body (`plain_body`), without the parser:
    a paragraph per run of non-empty lines, its lines joined by newlines (the
    soft breaks), claims anchored as `_anchor_claims` does."""
    lines = _plain_lines(body)
    if lines is None:
        raise ValueError("not a plain body")
    return _render_plain(lines, claims)


def _render_plain(lines: list[str], claims: Sequence[ClaimSpan]) -> str:
    paragraphs: list[tuple[int, int]] = []       # (first line, end line) of each paragraph
    first = None
    for n, line in enumerate(lines):
        if line:
            if first is None:
                first = n
        elif first is not None:
            paragraphs.append((first, n))
            first = None
    if first is not None:
        paragraphs.append((first, len(lines)))
    if not claims:
        return "".join(f'<p id="p-{k}">' + escapeHtml("\n".join(lines[a:b])) + "</p>\n"
                       for k, (a, b) in enumerate(paragraphs, start=1))
    # a paragraph's inline children as markdown-it has them: ("text", line) and
    # ("softbreak", "\n") in turn; claims add ("html", markup) and split texts
    children = [[("softbreak", "\n") if i % 2 else ("text", lines[a + i // 2]) for i in range(2 * (b - a) - 1)]
                for a, b in paragraphs]
    starts = list(accumulate((len(line) + 1 for line in lines[:-1]), initial=0))   # as _line_offsets
    for claim, k in _claims_in_blocks(claims, starts, paragraphs):
        kids = children[k]
        for i, (kind, content) in enumerate(kids):
            if kind == "text" and claim.quote in content:
                before, _, after = content.partition(claim.quote)
                kids[i:i + 1] = [("text", before), ("html", f'<mark class="claim" id="claim-{_attr(claim.id)}">'),
                                 ("text", claim.quote), ("html", "</mark>"), ("text", after)]
                break
        else:
            kids.insert(0, ("html", f'<span class="claim-anchor" id="claim-{_attr(claim.id)}"></span>'))
    return "".join(f'<p id="p-{k}">' + "".join(escapeHtml(c) if kind == "text" else c for kind, c in kids) + "</p>\n"
                   for k, kids in enumerate(children, start=1))
