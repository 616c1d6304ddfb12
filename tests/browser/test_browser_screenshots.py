"""Screenshots of home, a document and an event page, desktop and phone.

They are always taken (so this can fail when a page cannot be shown); with
UPDATE_SCREENSHOTS=1 they are also written to docs/screenshots/ for the README.
"""

from __future__ import annotations

import os
import shutil
import struct
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
PAGES = {"home": "/", "document": "documents/*/", "event": "events/*/"}


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


@pytest.mark.parametrize("device", sorted(VIEWPORTS))
def test_screenshots(open_page, url_of, device, tmp_path):
    viewport = VIEWPORTS[device]
    page, watch = open_page(viewport=viewport, device_scale_factor=1, color_scheme="light", reduced_motion="reduce")
    for name, kind in PAGES.items():
        page.goto(url_of(kind))
        page.wait_for_load_state("networkidle")
        shot = tmp_path / f"{name}-{device}.png"
        page.screenshot(path=str(shot), animations="disabled")
        assert png_size(shot) == (viewport["width"], viewport["height"])
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {viewport['width']}px wide"
        if os.environ.get("UPDATE_SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(shot, SCREENSHOTS / shot.name)
    watch.assert_clean()
