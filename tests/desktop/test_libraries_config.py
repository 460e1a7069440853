"""Named libraries in the configuration, and where each one's key is looked for."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncd.config import ApiKind, parse_config
from syncd.credentials import find_api_key, key_names
from syncd.errors import ConfigError, CredentialError

TWO = {
    "zotero": {"library_type": "group", "library_id": 42},
    "library": [
        {"name": "desktop", "api": "local", "type": "user", "id": 0},
        {"name": "mine", "api": "web", "type": "user", "id": 7},
    ],
    "watch": [
        {"path": "/tmp/lab"},
        {"path": "/tmp/desk", "library": "desktop"},
    ],
}


def test_zotero_stays_the_default_library_beside_named_ones() -> None:
    config = parse_config(TWO)
    names = [lib.name for lib in config.all_libraries()]
    assert names == ["default", "desktop", "mine"]
    assert config.library_named(None).prefix == "groups/42"
    assert [w.library for w in config.watches] == ["default", "desktop"]


def test_a_local_library_defaults_to_zotero_desktops_address() -> None:
    desk = parse_config(TWO).library_named("desktop")
    assert desk.api is ApiKind.LOCAL
    assert (desk.base_url, desk.prefix) == ("http://127.0.0.1:23119/api", "users/0")


def test_a_config_without_libraries_keeps_its_old_meaning() -> None:
    config = parse_config({"zotero": {"library_type": "user", "library_id": 5}})
    (only,) = config.all_libraries()
    assert (only.name, only.api, only.partition) == ("default", ApiKind.WEB, "users/5")


def test_libraries_alone_make_the_first_one_the_default() -> None:
    config = parse_config({"library": [{"name": "desk", "api": "local", "type": "user"}]})
    assert config.library_named(None).name == "desk"
    assert config.library == "users/0"


def test_a_watch_naming_an_unknown_library_names_the_allowed_ones() -> None:
    doc = {**TWO, "watch": [{"path": "/tmp/x", "library": "desktp"}]}
    with pytest.raises(ConfigError, match='"default", "desktop", "mine"'):
        parse_config(doc)


def test_an_unknown_library_on_the_command_line_names_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="default, desktop, mine"):
        parse_config(TWO).library_named("nope")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"name": "x", "api": "cloud"}, "api is invalid"),
        ({"name": "x", "type": "team", "id": 1}, "type is invalid"),
        ({"name": "x", "api": "web", "type": "user", "id": 0}, "id is invalid"),
        ({"name": "a b", "type": "user", "id": 1}, "name is invalid"),
        ({"name": "default", "type": "user", "id": 1}, 'named "default"'),
        ({"name": "x", "type": "user", "id": 1, "api_key": "k"}, "API key"),
    ],
)
def test_bad_library_tables_are_refused(entry: dict[str, object], message: str) -> None:
    doc = {"zotero": {"library_type": "user", "library_id": 1}, "library": [entry]}
    with pytest.raises(ConfigError, match=message):
        parse_config(doc)


def test_two_libraries_with_one_name_are_refused() -> None:
    lib = {"name": "x", "type": "user", "id": 1}
    with pytest.raises(ConfigError, match="two"):
        parse_config({"library": [lib, lib]})


def test_partitions_of_distinct_libraries_differ() -> None:
    config = parse_config(
        {
            "zotero": {"library_type": "user", "library_id": 1, "base_url": "http://a:1"},
            "library": [
                {"name": "other", "type": "user", "id": 1, "base_url": "http://b:2"},
                {"name": "desk", "api": "local", "type": "user", "id": 0},
            ],
        }
    )
    parts = [lib.partition for lib in config.all_libraries()]
    assert len(set(parts)) == 3
    desk = config.library_named("desk")
    assert desk.local_partition("A") != desk.local_partition("B")


def test_a_named_librarys_key_names_follow_the_interface() -> None:
    assert key_names("my-desk.1") == (
        "zotero-api-key-my-desk.1",
        "ZOTERO_API_KEY_MY_DESK_1",
        "zotero-api-key-my-desk.1",
    )
    assert (
        key_names(None)
        == key_names("default")
        == (
            "zotero-api-key",
            "ZOTERO_API_KEY",
            "zotero-api-key",
        )
    )


def test_a_named_librarys_key_comes_from_its_credential_before_its_variable(
    tmp_path: Path,
) -> None:
    (tmp_path / "zotero-api-key-desk").write_text("from-credential\n", encoding="utf-8")
    env = {
        "CREDENTIALS_DIRECTORY": str(tmp_path),
        "ZOTERO_API_KEY_DESK": "from-env",
        "ZOTERO_API_KEY": "the-default-key",
    }
    assert find_api_key(env, library="desk") == "from-credential"
    assert find_api_key({"ZOTERO_API_KEY_DESK": "from-env"}, library="desk") == "from-env"


def test_the_default_key_is_never_taken_for_a_named_library(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import keyring

    monkeypatch.setattr(keyring, "get_password", lambda service, user: None)
    with pytest.raises(CredentialError, match="ZOTERO_API_KEY_DESK"):
        find_api_key({"ZOTERO_API_KEY": "the-default-key"}, library="desk")


def test_the_same_library_twice_is_refused() -> None:
    doc = {
        "zotero": {"library_type": "user", "library_id": 7},
        "library": [{"name": "again", "api": "web", "type": "user", "id": 7}],
    }
    with pytest.raises(ConfigError, match="'default' and 'again' are the same library"):
        parse_config(doc)
