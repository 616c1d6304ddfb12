"""The cleaner's cheap first tests must decide as the scans they spare."""

from __future__ import annotations

from hypothesis import example, given, settings, strategies as st

from archive_builder import clean

_CHROME_PIECES = ["+", "-", "−", "–", "—", "16 px", "A+", "a-", "A", "aa", "Reset", "Font size", "↺", "🔍", "Search",
                  "search in archive", "Go", "OK", "Share", "on", "Facebook", "Print", "Back to top", "←", "»", "In",
                  "and", "&", "Home", "About us", "RSS", "|", "•", "/", ",", ":", ".", "…", "_", "*", "#", "(", ")",
                  "[", "]", "\u200b", " ", "  ", "\t", "The", "killed", "x", "1", "shared", "searching", "ana səhifə"]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_CHROME_PIECES), max_size=10).map(" ".join)
       | st.lists(st.sampled_from(_CHROME_PIECES), max_size=10).map("".join))
@example("+ ↺ − 16 px")
@example("— In the town of Vell, 12 people died.")
@example("| • Share on Facebook | Print")
@example("-A")
def test_a_line_that_does_not_begin_with_a_control_is_one_the_scan_rejects(text):
    """_chrome_kind gives up on a line whose first control does not start within its leading separators."""
    if len(text) > clean._CHROME_LINE_MAX or clean.is_blank(text):
        return
    assert clean._chrome_kind.__wrapped__(text) == clean._chrome_tokens_kind(text)
