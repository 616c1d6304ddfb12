"""archive.yaml: the archive's settings, checked strictly.

An unknown key is an error that suggests the closest valid key: a typo in
`base_url` would otherwise publish a site whose links all break.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import yaml

from .model import Problem


class ConfigError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class Config:
    title: str = "Documentary archive"
    description: str = "Captured statements, letters and news reports, attributed and searchable."
    language: str = "en"
    source: str = "seeds"
    out: str = "site"
    base_url: str = "/"
    site_url: str = ""              # absolute URL of the deployed site, for feeds and citations
    editorial: str = "editorial"    # folder with authors.yaml, events.yaml, related.yaml
    templates: str = ""             # default: the project's templates/
    static: str = ""                # default: the project's static/
    search: bool = True             # build the Pagefind index
    root: str = "."                 # folder the relative paths above are resolved against

    def path(self, value: str) -> Path:
        p = Path(value)
        return p if p.is_absolute() else Path(self.root) / p


KEYS = tuple(f.name for f in fields(Config) if f.name != "root")


def suggest(key: str, valid: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.5)
    return f" (did you mean '{close[0]}'?)" if close else f" (valid keys: {', '.join(valid)})"


def load_config(path: Path | None, **overrides: Any) -> Config:
    """Read archive.yaml (if given or present) and apply command-line overrides."""
    config = Config()
    if path is not None:
        name = str(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise ConfigError(Problem(name, None, "config file not found", "error")) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(Problem(name, None, f"cannot read config: {exc}", "error")) from None
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise ConfigError(Problem(name, mark.line + 1 if mark else 1,
                                      f"not valid YAML: {getattr(exc, 'problem', exc)}", "error")) from None
        if not isinstance(data, dict):
            raise ConfigError(Problem(name, 1, "config must be a mapping of key: value", "error"))
        key_lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value} if isinstance(node, yaml.MappingNode) else {}
        values: dict[str, Any] = {}
        for key, value in data.items():
            key = str(key)
            if key not in KEYS:
                raise ConfigError(Problem(name, key_lines.get(key), f"unknown key '{key}'{suggest(key, KEYS)}", "error"))
            expected = type(getattr(config, key))
            if not isinstance(value, expected):
                raise ConfigError(Problem(name, key_lines.get(key),
                                          f"'{key}' must be a {expected.__name__}, not {type(value).__name__}", "error"))
            values[key] = value
        config = replace(config, root=str(path.parent), **values)
    return replace(config, **{k: v for k, v in overrides.items() if v is not None})
