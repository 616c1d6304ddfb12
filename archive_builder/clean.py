"""Stage 2: separate the author's text from page chrome, losing nothing.

(Walking skeleton: the rule table is filled in by the cleaning work.)
Each capture line goes to exactly one of: the body, `removed` (with the
rule that removed it and why), or a reader comment.
"""

from __future__ import annotations

from .model import Capture, Cleaned, RemovedLine


def clean(capture: Capture) -> Cleaned:
    body: list[str] = []
    body_lines: list[int] = []
    removed: list[RemovedLine] = []
    for number, text in enumerate(capture.lines, start=1):
        if number <= capture.front_matter_end:
            removed.append(RemovedLine(number, text, "front-matter", "Markdown front matter: read as metadata"))
            continue
        body.append(text)
        body_lines.append(number)
    return Cleaned("\n".join(body), tuple(body_lines), tuple(removed), ())


def reconstruct(lines_total: int, body_lines, body: str, removed, comments) -> list[str]:
    """Put every line back at its place; the inverse of clean()."""
    out: list[str | None] = [None] * lines_total
    for number, text in zip(body_lines, body.split("\n") if body_lines else []):
        out[number - 1] = text
    for r in removed:
        out[r.line - 1] = r.text
    for c in comments:
        for i, text in enumerate(c.lines):
            out[c.first_line - 1 + i] = text
    missing = [i + 1 for i, t in enumerate(out) if t is None]
    if missing:
        raise ValueError(f"lines not accounted for: {missing[:10]}")
    return out  # type: ignore[return-value]
