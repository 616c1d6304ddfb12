"""archive.yaml's search_shard_size: a whole number of documents, at least 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive_builder.config import Config, ConfigError, load_config


def config_from(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "archive.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_shard_size_has_a_default_and_can_be_set(tmp_path: Path):
    assert Config().search_shard_size >= 1
    assert config_from(tmp_path, "title: T\nsearch_shard_size: 500\n").search_shard_size == 500


@pytest.mark.parametrize("value, message", [
    ("0", "'search_shard_size' must be a whole number of at least 1, not 0"),
    ("-3", "'search_shard_size' must be a whole number of at least 1, not -3"),
    ("true", "'search_shard_size' must be a whole number of at least 1, not True"),
    ("'500'", "'search_shard_size' must be a int, not str"),
    ("2.5", "'search_shard_size' must be a int, not float"),
])
def test_a_bad_shard_size_is_an_error_on_its_line(tmp_path: Path, value: str, message: str):
    with pytest.raises(ConfigError) as caught:
        config_from(tmp_path, f"title: T\nsearch_shard_size: {value}\n")
    assert caught.value.problem.line == 2
    assert caught.value.problem.message == message


def test_a_misspelt_shard_size_suggests_the_key(tmp_path: Path):
    with pytest.raises(ConfigError, match="did you mean 'search_shard_size'"):
        config_from(tmp_path, "search_shards_size: 10\n")
