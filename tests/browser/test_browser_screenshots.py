"""Screenshots of home, a document and an event page, desktop and phone.

They are always taken (so this can fail when a page cannot be shown); with
UPDATE_SCREENSHOTS=1 they are also written to docs/screenshots/ for the README.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def pages_to_show(site_server: str, seed_site: Path, records: list[dict]) -> dict[str, str]:
    """Home, the document with the most claims (it shows quotes best) and the event
    told by the most documents (it shows sources side by side best)."""
    document = min(records, key=lambda r: (-len(r.get("claims") or []), r["id"]))
    events = json.loads((seed_site / "data" / "events.json").read_text(encoding="utf-8"))["events"]
    assert events, "the seed build has no events"
    event = min(events, key=lambda e: (-len(e.get("documents") or []), e["id"]))
    return {"home": site_server, "document": f"{site_server}documents/{document['id']}/",
            "event": f"{site_server}events/{event['id']}/"}


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


@pytest.mark.parametrize("device", sorted(VIEWPORTS))
def test_screenshots(open_page, site_server, seed_site, seed_records, device, tmp_path):
    viewport = VIEWPORTS[device]
    page, watch = open_page(viewport=viewport, device_scale_factor=1, color_scheme="light", reduced_motion="reduce")
    for name, url in pages_to_show(site_server, seed_site, seed_records).items():
        page.goto(url)
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
