"""The configuration: lookup order, validation messages, and keys refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncd.config import load_config, parse_config, resolve_config_path
from syncd.errors import ConfigError

GOOD = """
[zotero]
library_type = "group"
library_id = 42
base_url = "http://127.0.0.1:9999/"

[state]
path = "state/db.sqlite"

[sync]
policy = "fill-empty"

[[watch]]
path = "inbox"
collection = "Imports/Scopus"
tags = ["a", "b"]

[daemon]
settle = 0.5
"""


def write(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def test_good_config_is_read_with_paths_relative_to_the_file(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert config.library == "groups/42"
    assert config.base_url == "http://127.0.0.1:9999"
    assert config.state_path == tmp_path / "state" / "db.sqlite"
    assert config.policy == "fill-empty"
    (watch,) = config.watches
    assert (watch.path, watch.collection, watch.tags) == (
        tmp_path / "inbox",
        "Imports/Scopus",
        ("a", "b"),
    )
    assert config.daemon.settle == 0.5
    assert config.daemon.incomplete == 60.0  # the default bound for a file left open


def test_the_bound_for_a_file_left_without_its_last_er_is_configurable(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD + "incomplete = 5\n"))
    assert config.daemon.incomplete == 5.0


def test_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCD_CONFIG", "/from/env.toml")
    assert resolve_config_path("/explicit.toml") == Path("/explicit.toml")
    assert resolve_config_path(None) == Path("/from/env.toml")
    monkeypatch.delenv("SYNCD_CONFIG")
    assert resolve_config_path(None).name == "config.toml"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "[zotero] section is missing"),
        (
            '[zotero]\nlibrary_type = "users"\nlibrary_id = 1',
            'library_type is invalid; it must be "user" or "group"',
        ),
        ('[zotero]\nlibrary_type = "user"\nlibrary_id = "abc"', "library_id is invalid"),
        (
            '[zotero]\nlibrary_type = "user"\nlibrary_id = 1\nbase_url = "ftp://x"',
            "base_url is invalid",
        ),
        (
            '[zotero]\nlibrary_type = "user"\nlibrary_id = 1\n[sync]\npolicy = "overwrite"',
            '[sync] policy is invalid; allowed values are "merge", "fill-empty", "never-update"',
        ),
        (
            '[zotero]\nlibrary_type = "user"\nlibrary_id = 1\n[[watch]]\ncollection = "x"',
            "[[watch]] #1 path is invalid",
        ),
        (
            '[zotero]\nlibrary_type = "user"\nlibrary_id = 1\n[[watch]]\npath = "x"\ntags = "a"',
            "tags is invalid",
        ),
        (
            '[zotero]\nlibrary_type = "user"\nlibrary_id = 1\ncolour = "red"',
            "unknown key 'colour' in zotero",
        ),
        (
            '[zotero]\nlibrary_type = "user"\nlibrary_id = 1\n[daemon]\nsettle = -1',
            "[daemon] settle is invalid",
        ),
        (
            '[zotero]\nlibrary_type = "user"\nlibrary_id = 1\n[extras]\n',
            "extras is invalid; known sections are",
        ),
        ("[zotero\n", "is not valid TOML"),
    ],
)
def test_bad_config_is_one_clear_message(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    assert message in str(err.value)
    assert err.value.exit_code == 2


def test_missing_config_says_where_to_put_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no configuration file at .*syncd\.example\.toml"):
        load_config(tmp_path / "nope.toml")


def test_a_key_in_the_config_is_refused_and_exposure_is_said(tmp_path: Path) -> None:
    text = '[zotero]\nlibrary_type = "user"\nlibrary_id = 1\napi_key = "abcdefghijklmnopqrstuvwx"\n'
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text, 0o600))
    assert "syncd key set" in str(err.value)
    assert "readable by other users" not in str(err.value)
    assert "abcdefghijklmnopqrstuvwx" not in str(err.value)
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text, 0o644))
    assert "readable by other users" in str(err.value)
    assert "revoke it" in str(err.value)


def test_parse_config_without_a_file() -> None:
    config = parse_config({"zotero": {"library_type": "user", "library_id": "7"}})
    assert config.library == "users/7"
    assert config.watches == ()
