"""`archive_builder check`: clean on the seed build, and it catches what it must."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from archive_builder.check import (
    check_site, link_problems, page_type, page_types, page_url, pages_by_type, read_base_url, srcset_urls, target_file,
)

PROJECT = Path(__file__).resolve().parent.parent
HREF = re.compile(r'href="(?P<url>/archive/documents/[^"#]+/)"')


@pytest.fixture
def site_copy(seed_site: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "site"
    shutil.copytree(seed_site, copy)
    return copy


def run_check(site: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "archive_builder", "check", str(site), *options],
                          cwd=PROJECT, capture_output=True, text=True, check=False)


def test_the_seed_build_passes_every_check(seed_site, base_url):
    run = run_check(seed_site)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no problems" in run.stderr


def test_the_site_declares_its_base_url(seed_site, base_url):
    assert read_base_url(seed_site) == base_url


def test_a_broken_link_is_found(site_copy, base_url, capsys):
    home = site_copy / "index.html"
    html = home.read_text(encoding="utf-8")
    m = HREF.search(html)
    assert m, "the home page links no document"
    home.write_text(html.replace(m["url"], m["url"].rstrip("/") + "-gone/", 1), encoding="utf-8")
    assert check_site(site_copy, base_url=base_url, html=False, a11y=False) == 1
    out = capsys.readouterr().out
    assert f"index.html:" in out and "-gone/" in out and "broken link" in out


def test_a_missing_anchor_is_found(site_copy, base_url):
    home = site_copy / "index.html"
    html = home.read_text(encoding="utf-8")
    m = HREF.search(html)
    home.write_text(html.replace(f'href="{m["url"]}"', f'href="{m["url"]}#no-such-paragraph"', 1), encoding="utf-8")
    problems = link_problems(site_copy, base_url)
    assert [p for p in problems if "no-such-paragraph" in p.message]


def test_a_resource_from_another_host_is_found(site_copy, base_url):
    home = site_copy / "index.html"
    html = home.read_text(encoding="utf-8")
    home.write_text(html.replace("</head>", '<link rel="stylesheet" href="https://fonts.example.com/x.css"></head>', 1),
                    encoding="utf-8")
    problems = link_problems(site_copy, base_url)
    assert [p for p in problems if "another host" in p.message and p.file == "index.html"]


def test_a_link_outside_the_base_url_is_found(site_copy, base_url):
    home = site_copy / "index.html"
    html = home.read_text(encoding="utf-8")
    m = HREF.search(html)
    home.write_text(html.replace(m["url"], m["url"][len(base_url) - 1:], 1), encoding="utf-8")
    assert [p for p in link_problems(site_copy, base_url) if "outside the base URL" in p.message]


@pytest.mark.parametrize("injection", [
    '<div id="dup"></div><div id="dup"></div>',     # duplicate id
    "<div><span>unclosed</div>",                    # unclosed element, end tag with open elements
])
def test_invalid_html_is_found(site_copy, injection):
    document = sorted(site_copy.glob("documents/*/index.html"))[0]
    html = document.read_text(encoding="utf-8")
    assert "</body>" in html
    line = html[: html.index("</body>")].count("\n") + 1
    document.write_text(html.replace("</body>", injection + "</body>", 1), encoding="utf-8")
    run = run_check(site_copy, "--no-a11y")
    assert run.returncode == 1, run.stdout + run.stderr
    rel = document.relative_to(site_copy).as_posix()
    assert any(out.startswith(f"{rel}:{line}: HTML:") for out in run.stdout.splitlines()), run.stdout


def test_a_folder_that_is_not_a_site_is_a_usage_error(tmp_path):
    assert run_check(tmp_path).returncode == 2


def test_page_types():
    assert page_type("index.html") == "/"
    assert page_type("404.html") == "404.html"
    assert page_type("events/index.html") == "events/"
    assert page_type("documents/abc/index.html") == "documents/*/"
    assert page_type("documents/abc/original/index.html") == "documents/*/original/"
    kinds = page_types(["claims/index.html", "claims/source/a/index.html", "claims/event/b/index.html",
                        "documents/a/original/index.html", "documents/b/original/index.html", "documents/a/index.html"])
    assert kinds["claims/source/a/index.html"] == kinds["claims/event/b/index.html"] == "claims/*/*/"
    assert kinds["documents/b/original/index.html"] == "documents/*/original/"
    assert kinds["claims/index.html"] == "claims/"
    kinds = page_types(["documents/a/original.html", "documents/b/original.html", "documents/a/index.html"])
    assert kinds["documents/b/original.html"] == "documents/*/original.html"
    assert kinds["documents/a/index.html"] == "documents/*/"


def test_pages_by_type_picks_one_page_per_type(seed_site):
    chosen = pages_by_type(seed_site)
    assert chosen["/"] == "index.html"
    assert chosen["documents/*/"].startswith("documents/")
    assert len(set(chosen.values())) == len(chosen)


def test_urls_resolve_to_files():
    files = frozenset({"index.html", "a/index.html", "static/s.css"})
    assert target_file("/b/", "/b/", files) == "index.html"
    assert target_file("/b/a/", "/b/", files) == "a/index.html"
    assert target_file("/b/a", "/b/", files) == "a/index.html"
    assert target_file("/b/static/s.css", "/b/", files) == "static/s.css"
    assert target_file("/b/static/t.css", "/b/", files) is None
    assert target_file("/a/", "/b/", files) is None
    assert page_url("a/index.html", "/b/") == "/b/a/"
    assert srcset_urls("a.png 1x, b.png 2x") == ["a.png", "b.png"]


def write_site(root: Path, pages: dict[str, str], records: str | None = None) -> Path:
    for rel, body in pages.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(body, encoding="utf-8")
    if records is not None:
        (root / "data").mkdir(exist_ok=True)
        (root / "data" / "records.json").write_text(records, encoding="utf-8")
    return root


HEAD = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title>'
        '<meta name="archive-builder:base-url" content="/b/">{extra}</head><body>{body}</body></html>')


def test_outbound_links_must_be_cited_and_nothing_is_fetched_from_elsewhere(tmp_path):
    site = write_site(tmp_path, {
        "index.html": HEAD.format(
            extra='<link rel="canonical" href="https://example.org/b/"><link rel="alternate" href="https://feeds.example.net/x">',
            body='<p id="p1">x</p><a href="https://cited.example.com/statement">cited</a>'
                 '<a href="https://uncited.example.com/">uncited</a><a href="https://example.org/b/#p1">permalink</a>'
                 '<a href="https://example.org/b/gone/">broken permalink</a><img alt="" src="//cdn.example.com/i.png">'
                 '<a href="javascript:void(0)">js</a><a href="mailto:a@example.com">mail</a>'),
    }, records='{"records": [{"body": "See https://cited.example.com/statement."}]}')
    assert read_base_url(site) == "/b/"
    messages = sorted(p.message for p in link_problems(site, "/b/"))
    assert len(messages) == 4, messages
    assert any("uncited.example.com" in m and "no document cites" in m for m in messages)
    assert any("/b/gone/" in m and "broken link" in m for m in messages)
    assert any("cdn.example.com" in m and "another host" in m for m in messages)
    assert any("javascript:" in m for m in messages)


def test_relative_links_srcset_and_css_urls_resolve(tmp_path):
    site = write_site(tmp_path, {
        "index.html": HEAD.format(extra='<link rel="stylesheet" href="static/s.css">',
                                  body='<a href="docs/">d</a><img alt="" src="static/a.png" srcset="static/a.png 1x, static/missing.png 2x">'),
        "docs/index.html": HEAD.format(extra="", body='<a href="../">home</a><a href="../#nowhere">x</a><h1 id="top">d</h1><a href="#top">top</a>'),
        "static/s.css": "body { background: url('a.png'); }\n@import 'gone.css';\n",
        "static/a.png": "png",
    })
    messages = sorted(f"{p.file}:{p.line}: {p.message}" for p in link_problems(site, "/b/"))
    assert len(messages) == 3, messages
    assert any(m.startswith("index.html:1:") and "missing.png" in m for m in messages)
    assert any(m.startswith("docs/index.html:1:") and "nowhere" in m for m in messages)
    assert any(m.startswith("static/s.css:2:") and "gone.css" in m for m in messages)


def test_a_base_url_other_than_the_sites_is_a_problem(seed_site, capsys):
    assert check_site(seed_site, base_url="/elsewhere/", html=False, a11y=False) == 1
    assert "built for base URL /archive/, not /elsewhere/" in capsys.readouterr().out


def test_an_accessibility_violation_is_found(site_copy):
    home = site_copy / "index.html"
    html = home.read_text(encoding="utf-8")
    home.write_text(html.replace("</main>", '<img src="data:,">' + "</main>", 1), encoding="utf-8")   # no alt text
    run = run_check(site_copy, "--no-html")
    assert run.returncode == 1, run.stdout + run.stderr
    assert any(line.startswith("index.html: axe image-alt") for line in run.stdout.splitlines()), run.stdout
