"""Search in a real browser: the Pagefind UI on the search page, under the base path."""

from __future__ import annotations

import re
from collections import Counter

SEARCH_INPUT = ".pagefind-ui__search-input"
RESULT_LINK = ".pagefind-ui__result-link"
FILTER_CHECKBOX = "input.pagefind-ui__filter-checkbox"
COUNT_IN_LABEL = re.compile(r"^(?P<value>.*?)\s*\((?P<count>\d+)\)\s*$")
WORD = re.compile(r"[^\W\d_]{5,}")


def record_from_source(records: list[dict], prefix: str) -> dict:
    matches = [r for r in records if r["source_file"].startswith(prefix)]
    assert len(matches) == 1, f"expected one record from {prefix}*, got {[r['source_file'] for r in matches]}"
    return matches[0]


def search(page, url: str, query: str) -> None:
    page.goto(url)
    box = page.locator(SEARCH_INPUT)
    box.wait_for(state="visible")
    box.fill(query)


def result_documents(page, site_server: str) -> list[str]:
    """Ids of the documents in the result list, in order."""
    hrefs = page.eval_on_selector_all(RESULT_LINK, "els => els.map(e => e.href)")
    prefix = f"{site_server}documents/"
    return [h[len(prefix):].split("/")[0] for h in hrefs if h.startswith(prefix)]


def wait_for_results(page) -> None:
    page.locator(RESULT_LINK).first.wait_for(state="visible", timeout=15_000)
    page.wait_for_load_state("networkidle")


def test_searching_krasnovodsk_finds_the_artsakh_statement(open_page, url_of, seed_records, site_server):
    expected = record_from_source(seed_records, "003_")
    page, watch = open_page()
    search(page, url_of("search/"), "Krasnovodsk")
    page.locator(f'{RESULT_LINK}[href*="/documents/{expected["id"]}/"]').first.wait_for(timeout=15_000)
    found = result_documents(page, site_server)
    assert expected["id"] in found, found
    page.wait_for_load_state("networkidle")
    watch.assert_clean()


def common_word(records: list[dict]) -> str:
    """A word that appears in the bodies of the most documents (ties: alphabetical)."""
    counts = Counter(w for r in records for w in {m.lower() for m in WORD.findall(r["body"])})
    return min(counts, key=lambda w: (-counts[w], w))


def metadata_strings(record: dict) -> str:
    """Every metadata value of a record, flattened to one lower-case string."""
    def flat(value) -> list[str]:
        if isinstance(value, dict):
            return [s for v in value.values() for s in flat(v)]
        if isinstance(value, list):
            return [s for v in value for s in flat(v)]
        return [str(value)] if value is not None else []
    fields = ("author", "publisher", "document_type", "date", "language", "events", "year")
    return " | ".join(flat([record.get(f) for f in fields])).lower()


def narrow_by_a_filter(page, site_server: str, records: list[dict], before: list[str]) -> list[str]:
    """Tick the first filter value that would narrow the results `before`; check that
    the results left are fewer, among `before`, and all have that value; return them."""
    page.eval_on_selector_all("details", "els => els.forEach(d => d.open = true)")  # filter groups start closed
    options = []
    for box in page.locator(FILTER_CHECKBOX).all():
        label = page.locator(f'label[for="{box.get_attribute("id")}"]').inner_text()
        m = COUNT_IN_LABEL.match(label.strip())
        if m and 0 < int(m["count"]) < len(before):
            options.append((box, m["value"]))
    assert options, "no filter value would narrow the results"
    box, value = options[0]
    box.check()
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length > 0 && document.querySelectorAll(sel).length < n",
        arg=[RESULT_LINK, len(before)], timeout=15_000)
    page.wait_for_load_state("networkidle")
    after = result_documents(page, site_server)
    assert 0 < len(after) < len(before)
    assert set(after) <= set(before)
    by_id = {r["id"]: r for r in records}
    for doc in after:
        assert value.lower() in metadata_strings(by_id[doc]), f"{doc} does not have the filter value {value!r}"
    return after


def test_a_filter_narrows_the_results(open_page, url_of, seed_records, site_server):
    query = common_word(seed_records)
    page, watch = open_page()
    search(page, url_of("search/"), query)
    wait_for_results(page)
    before = result_documents(page, site_server)
    assert len(before) >= 2, f"{query!r} should match several documents, got {before}"

    narrow_by_a_filter(page, site_server, seed_records, before)
    watch.assert_clean()


def test_search_results_link_under_the_base_path(open_page, url_of, site_server):
    page, watch = open_page()
    search(page, url_of("search/"), "Krasnovodsk")
    wait_for_results(page)
    hrefs = page.eval_on_selector_all(f"{RESULT_LINK}, .pagefind-ui__result a", "els => els.map(e => e.href)")
    assert hrefs and all(h.startswith(f"{site_server}documents/") for h in hrefs), hrefs
    watch.assert_clean()


def test_a_result_jumps_to_the_paragraph_holding_the_word(open_page, url_of, seed_records, site_server):
    """processResult (static/search.js) points results at the paragraph anchor before the match."""
    expected = record_from_source(seed_records, "003_")
    page, watch = open_page()
    search(page, url_of("search/"), "Krasnovodsk")
    link = page.locator(f'{RESULT_LINK}[href*="/documents/{expected["id"]}/"]').first
    link.wait_for(timeout=15_000)
    page.wait_for_load_state("networkidle")
    hrefs = page.eval_on_selector_all(f'a[href*="/documents/{expected["id"]}/"]', "els => els.map(e => e.href)")
    href = link.get_attribute("href")
    assert re.search(r"/documents/[^/]+/#p-\d+$", href), href
    fragments = {h.rsplit("#", 1)[1] for h in hrefs if "#" in h}
    link.click()
    page.wait_for_url(re.compile(f"#{href.rsplit('#', 1)[1]}$"))
    assert page.evaluate("document.querySelector(':target').id") == href.rsplit("#", 1)[1]
    for fragment in sorted(fragments):      # the result and every sub-result
        assert "krasnovodsk" in page.locator(f"#{fragment}").inner_text().lower(), fragment
    watch.assert_clean()
