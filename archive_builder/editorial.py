"""Editorial knowledge an archivist keeps in YAML (never in code).

    editorial/authors.yaml   canonical names:  "Artsakh foreign ministry": "Ministry of Foreign Affairs of the Republic of Artsakh"
    editorial/events.yaml    neutral event labels, merges and splits
    editorial/related.yaml   pinned and blocked cross-links

Every file is optional: the build works without any of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import YamlProblem, parse_yaml
from .model import Problem


class EditorialError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class Editorial:
    canonical_names: dict[str, str] = field(default_factory=dict)
    events: Any = None      # parsed events.yaml (validated by the analysis stage)
    related: Any = None     # parsed related.yaml
    files: dict[str, str] = field(default_factory=dict)   # kind -> file, for error messages
    lines: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> top-level key -> line
    folder: str | None = None   # where other editorial files (places.yaml) are looked for


def _load(path: Path) -> tuple[Any, dict[str, int]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise EditorialError(Problem(str(path), None, f"cannot read: {exc.strerror or exc}", "error")) from None
    except UnicodeDecodeError as exc:
        raise EditorialError(Problem(str(path), None, f"not valid UTF-8: {exc.reason}", "error")) from None
    try:
        return parse_yaml(text, str(path))
    except YamlProblem as exc:
        raise EditorialError(exc.problem) from None


def load_editorial(folder: Path) -> Editorial:
    canonical: dict[str, str] = {}
    files: dict[str, str] = {}
    lines: dict[str, dict[str, int]] = {}
    loaded: dict[str, Any] = {}
    for kind in ("authors", "events", "related"):
        path = next((folder / f"{kind}{s}" for s in (".yaml", ".yml") if (folder / f"{kind}{s}").is_file()), None)
        if path is None:
            continue
        data, key_lines = _load(path)
        files[kind], lines[kind], loaded[kind] = str(path), key_lines, data
    authors = loaded.get("authors")
    if authors is not None:
        if not isinstance(authors, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in authors.items()):
            raise EditorialError(Problem(files["authors"], 1,
                                         "authors.yaml maps a name as documents write it to a canonical name: 'name: canonical'", "error"))
        canonical = dict(authors)
    return Editorial(canonical, loaded.get("events"), loaded.get("related"), files, lines, str(folder))
