"""A quote linked from an event page opens at the quote, highlighted."""

from __future__ import annotations

import re

CLAIM_LINK = re.compile(r"^documents/(?P<doc>[^/]+)/#(?P<anchor>claim-.+)$")
EVENT_PAGE = re.compile(r"^events/[^/]+/$")
# What a highlight may change: any of these differing between targeted and not.
HIGHLIGHT_STYLE = """e => { const s = getComputedStyle(e);
  return [s.backgroundColor, s.outlineStyle, s.outlineColor, s.boxShadow, s.borderLeftColor,
          s.borderLeftWidth, s.color, s.textDecorationLine].join('|'); }"""
WS = re.compile(r"\s+")


def claim_links(page, site_server) -> list[tuple[str, re.Match]]:
    out = []
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
        m = CLAIM_LINK.match(href[len(site_server):]) if href.startswith(site_server) else None
        if m:
            out.append((href, m))
    return out


def test_a_quote_linked_from_an_event_opens_highlighted(open_page, url_of, site_server, seed_records):
    page, watch = open_page(viewport={"width": 1280, "height": 800})
    page.goto(url_of("events/"))
    events = [h for h in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
              if h.startswith(site_server) and EVENT_PAGE.match(h[len(site_server):])]
    assert events, "the events page links no event"
    for event in sorted(set(events)):
        page.goto(event)
        links = claim_links(page, site_server)
        if links:
            break
    assert links, "no event page links a quote (documents/<id>/#claim-…)"
    href, m = links[0]
    page.locator(f'a[href$="#{m["anchor"]}"]').first.click()
    page.wait_for_load_state("load")

    assert page.url == href
    target = page.locator(":target")
    assert target.count() == 1, "the quote is not the page's :target"
    assert target.get_attribute("id") == m["anchor"]
    assert target.is_visible() and target.evaluate(
        "e => { const r = e.getBoundingClientRect(); return r.top > -1 && r.top < window.innerHeight / 2; }"), \
        "the page did not open at the quote"

    claims = [c for r in seed_records if r["id"] == m["doc"] for c in r.get("claims", [])]
    quoted = [c for c in claims if m["anchor"] in (c["id"], f"claim-{c['id']}")]
    assert quoted, f"#{m['anchor']} is not a claim of {m['doc']} in records.json"
    shown = WS.sub(" ", target.inner_text()).strip()
    assert WS.sub(" ", quoted[0]["quote"]).strip() in shown, "the highlighted element does not hold the quote"

    page.wait_for_timeout(600)   # let any highlight transition finish
    highlighted = target.evaluate(HIGHLIGHT_STYLE)
    handle = target.element_handle()
    page.evaluate("() => { location.hash = '#'; }")
    page.wait_for_timeout(600)
    assert page.locator(":target").count() == 0
    assert handle.evaluate(HIGHLIGHT_STYLE) != highlighted, "the quote looks the same when it is not the target"
    watch.assert_clean()
