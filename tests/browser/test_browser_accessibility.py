"""Accessibility: axe-core (WCAG 2.2 AA rule tags) on every page type, and the keyboard."""

from __future__ import annotations

import pytest

from archive_builder.check import AXE_WCAG_AA_TAGS, axe_violations, describe_violation

MAX_TABS = 400
LINK_INDEX = "data-keyboard-test"


def assert_no_violations(page) -> None:
    violations = axe_violations(page)
    assert not violations, f"{page.url}:\n" + "\n".join(describe_violation(v) for v in violations)


def test_axe_runs_the_wcag_22_aa_rules():
    assert {"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"} == set(AXE_WCAG_AA_TAGS)


def test_axe_finds_a_violation(open_page, site_server):
    """The harness can fail: a page with an unlabelled image and no lang has violations."""
    page, _ = open_page()
    page.goto(site_server)
    page.set_content("<html><head><title>t</title></head><body><main><img src='data:,'></main></body></html>")
    assert {v["id"] for v in axe_violations(page)} >= {"image-alt", "html-has-lang"}


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_no_axe_violations(open_page, url_of, every_page_type, color_scheme):
    page, watch = open_page(color_scheme=color_scheme)
    page.goto(url_of(every_page_type))
    page.wait_for_load_state("networkidle")
    assert_no_violations(page)


def test_no_axe_violations_on_any_page_type_of_the_build(open_page, page_urls, page_types):
    """Page types added after the list above are checked too (one page each, both colour schemes)."""
    others = {kind: url for kind, url in page_urls.items() if kind not in page_types}
    page, _ = open_page()
    found = []
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for kind, url in others.items():
            page.goto(url)
            page.wait_for_load_state("networkidle")
            found += [f"{kind} ({scheme}): {describe_violation(v)}" for v in axe_violations(page)]
    assert not found, "\n".join(found)


def test_no_axe_violations_on_search_results(open_page, url_of):
    page, watch = open_page()
    page.goto(url_of("search/"))
    box = page.locator(".pagefind-ui__search-input")
    box.fill("Baku January")
    page.locator(".pagefind-ui__result-link").first.wait_for(timeout=15_000)
    page.wait_for_load_state("networkidle")
    assert_no_violations(page)
    watch.assert_clean()


def focused(page) -> dict:
    """The focused element; `seen` numbers each element the first time it gets focus."""
    return page.evaluate(f"""() => {{ const e = document.activeElement;
        if (!e.hasAttribute('data-focus-order')) e.setAttribute('data-focus-order', String(window.__focusCount = (window.__focusCount || 0) + 1));
        return {{seen: e.getAttribute('data-focus-order'), tag: e.tagName.toLowerCase(), type: e.getAttribute('type') || '', role: e.getAttribute('role') || '',
                 text: (e.innerText || e.value || '').trim(), href: e.getAttribute('href') || '',
                 index: e.getAttribute('{LINK_INDEX}')}}; }}""")


def tab_through(page) -> list[dict]:
    """Press Tab until focus leaves the page or comes round again; what got focus, in order."""
    seen, order = set(), []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        f = focused(page)
        if f["tag"] == "body" or f["seen"] in seen:
            break
        seen.add(f["seen"])
        order.append(f)
    return order


def is_search_box(f: dict) -> bool:
    return f["tag"] == "input" and (f["type"] == "search" or f["role"] in ("searchbox", "combobox"))


@pytest.mark.parametrize("kind", ["/", "documents/*/", "events/*/"])
def test_the_first_tab_reaches_a_skip_link_to_the_main_content(open_page, url_of, kind):
    page, _ = open_page()
    page.goto(url_of(kind))
    page.keyboard.press("Tab")
    f = focused(page)
    assert f["tag"] == "a" and "skip" in f["text"].lower() and f["href"].startswith("#"), \
        f"the first Tab should focus a skip link, got {f}"
    target = f["href"][1:]
    assert page.locator(f"[id='{target}']").count() == 1, f"the skip link's target #{target} is missing"
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == f"#{target}"


@pytest.mark.parametrize("kind", ["/", "documents/*/", "events/*/", "search/"])
def test_the_keyboard_reaches_the_search_box_and_every_link(open_page, url_of, kind):
    page, _ = open_page()
    page.goto(url_of(kind))
    page.wait_for_load_state("networkidle")
    visible = page.evaluate(f"""() => {{ let n = 0;
        for (const a of document.querySelectorAll('a[href]')) {{
          const r = a.getBoundingClientRect(), s = getComputedStyle(a);
          if (r.width > 0 && r.height > 0 && s.visibility !== 'hidden') a.setAttribute('{LINK_INDEX}', String(n++));
        }} return n; }}""")
    order = tab_through(page)
    assert any(is_search_box(f) for f in order), f"Tab never reached a search box on {page.url}"
    reached = {f["index"] for f in order if f["index"] is not None}
    missing = [i for i in map(str, range(visible)) if i not in reached]
    labels = page.eval_on_selector_all(f"a[{LINK_INDEX}]", "els => els.map(e => e.innerText.trim() || e.href)")
    assert not missing, f"links the keyboard never reaches on {page.url}: {[labels[int(i)] for i in missing]}"
