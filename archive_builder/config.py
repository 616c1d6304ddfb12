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


def parse_yaml(text: str, name: str, first_line: int = 1) -> tuple[Any, dict[str, int]]:
    """YAML text -> (data, line of each top-level key), or a located Problem.

    Raises YamlProblem for bad syntax and for values YAML cannot construct
    (a date such as 1990-02-31), always with the file and line; never a
    bare traceback.  `first_line` is the file line the text starts on."""
    # an error found at the end of the stream belongs to the last line, not the one after it
    last = max(0, len(text.splitlines()) - 1)
    node = None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.SafeLoader(text).construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlProblem(Problem(name, min(mark.line if mark else 0, last) + first_line,
                                  f"not valid YAML: {problem}", "error")) from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        line = _unconstructible_line(node) if node is not None else None
        message = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise YamlProblem(Problem(name, min(line or 0, last) + first_line,
                                  f"not valid YAML: {message}", "error")) from None
    if node is None:
        return None, {}
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            key, line = str(key_node.value), key_node.start_mark.line + first_line
            if key in lines:    # YAML keeps the last silently; the archivist meant one of them
                raise YamlProblem(Problem(name, line, f"'{key}' is set twice (first on line {lines[key]})", "error"))
            lines[key] = line
    return data, lines


def _unconstructible_line(node: yaml.Node) -> int | None:
    """0-based line of the first scalar YAML fails to construct (e.g. 1990-02-31)."""
    stack = [node]
    while stack:
        n = stack.pop(0)
        if isinstance(n, yaml.ScalarNode):
            try:
                yaml.SafeLoader("").construct_object(n, deep=True)
            except Exception:
                return n.start_mark.line
        elif isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                stack.extend((k, v))
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
    return None


class YamlProblem(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


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
    # documents per Pagefind index: Pagefind's memory grows with the pages of
    # one index, so a larger archive is indexed in shards the search page merges.
    # Measured ~0.22 GB per 1,000 document pages (445 MB for 2,000, 117 MB for
    # 500): 10,000 peaks near 2.2 GB, well under 8 GB, and keeps up to 10,000
    # captures in one bundle (no merging cost for the browser)
    search_shard_size: int = 10_000
    root: str = "."                 # folder the relative paths above are resolved against

    def path(self, value: str) -> Path:
        p = Path(value)
        return p if p.is_absolute() else Path(self.root) / p


KEYS = tuple(f.name for f in fields(Config) if f.name != "root")


def suggest(key: str, valid: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.5)
    return f" (did you mean '{close[0]}'?)" if close else f" (valid keys: {', '.join(valid)})"


# keys whose values must also be at least this (a bool is not a count)
MINIMUM = {"search_shard_size": 1}


def value_problem(key: str, value: Any) -> str | None:
    """What is wrong with a value of the right type for `key`, or None."""
    if key in MINIMUM and (isinstance(value, bool) or value < MINIMUM[key]):
        return f"'{key}' must be a whole number of at least {MINIMUM[key]}, not {value!r}"
    return None


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
            data, key_lines = parse_yaml(text, name)
        except YamlProblem as exc:
            raise ConfigError(exc.problem) from None
        data = {} if data is None else data
        if not isinstance(data, dict):
            raise ConfigError(Problem(name, 1, "config must be a mapping of key: value", "error"))
        values: dict[str, Any] = {}
        for key, value in data.items():
            key = str(key)
            if key not in KEYS:
                raise ConfigError(Problem(name, key_lines.get(key), f"unknown key '{key}'{suggest(key, KEYS)}", "error"))
            expected = type(getattr(config, key))
            if not isinstance(value, expected):
                raise ConfigError(Problem(name, key_lines.get(key),
                                          f"'{key}' must be a {expected.__name__}, not {type(value).__name__}", "error"))
            problem = value_problem(key, value)
            if problem:
                raise ConfigError(Problem(name, key_lines.get(key), problem, "error"))
            values[key] = value
        config = replace(config, root=str(path.parent), **values)
    return replace(config, **{k: v for k, v in overrides.items() if v is not None})
