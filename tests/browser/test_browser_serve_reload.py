"""serve's live reload in a real browser: a page open in the preview reloads after a rebuild."""

from __future__ import annotations

import threading
from pathlib import Path

from archive_builder.config import Config
from archive_builder.serve import BuildCounter, make_server


def test_the_open_page_reloads_when_the_build_counter_moves(browser, tmp_path: Path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><html lang=en><title>t</title><link rel=icon href='data:,'><body><p>before</p></body></html>")
    builds = BuildCounter()
    server = make_server(Config(out=str(site), base_url="/archive/"), "127.0.0.1", 0, builds)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context()
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/archive/")
        page.wait_for_timeout(1500)                    # a poll or two: nothing changed, no reload
        page.evaluate("window.notReloaded = true")
        (site / "index.html").write_text(
            "<!doctype html><html lang=en><title>t</title><link rel=icon href='data:,'><body><p>after</p></body></html>")
        page.wait_for_timeout(1500)
        assert page.evaluate("window.notReloaded === true")     # a changed file alone does not reload
        builds.bump()
        page.wait_for_function("window.notReloaded === undefined", timeout=10_000)
        assert page.locator("p").first.inner_text() == "after"
        assert errors == []
    finally:
        context.close()
        server.shutdown()
        server.server_close()
