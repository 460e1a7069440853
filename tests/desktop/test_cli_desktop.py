"""`syncd key authorize`, `status`, `plan`/`sync --library` for a Zotero desktop library."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from click.testing import CliRunner
from sync_helpers import make_records, write_export
from test_credentials import BrokenKeyring, MemoryKeyring

from syncd.cli import main
from syncd.credentials import find_api_key
from syncd.demo import run_demo
from syncd.desktop import bound_server
from syncd.errors import DESKTOP_UNREACHABLE
from syncd.sandbox import Sandbox
from syncd.state import StateDB


@pytest.fixture
def desk() -> Iterator[Sandbox]:
    sb = Sandbox(local=True, server_id="SERVERID0001")
    sb.start()
    try:
        yield sb
    finally:
        sb.stop()


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def config(tmp_path: Path, desk: Sandbox) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[[library]]\nname = "desktop"\napi = "local"\ntype = "user"\nid = 0\n'
        f'base_url = "{desk.local_url}"\n'
        f'[state]\npath = "{tmp_path / "state.sqlite"}"\n',
        encoding="utf-8",
    )
    return path


def run(cfg: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(cfg), *args])
    return result.exit_code, result.output


def test_always_allow_stores_a_key_and_binds_the_server(
    desk: Sandbox, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    cfg = config(tmp_path, desk)
    code, out = run(cfg, "key", "authorize", "--library", "desktop")
    assert code == 0, out
    assert out.index("Always Allow") < out.index("stored")
    stored = memory_keyring.store[("syncd", "zotero-api-key-desktop")]
    assert len(stored) == 32
    with StateDB.open(tmp_path / "state.sqlite") as db:
        assert bound_server(db, "desktop") == "SERVERID0001"


def test_a_one_time_key_is_not_stored_and_says_why(
    desk: Sandbox, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    assert desk.local is not None
    desk.local.answer = "allow"
    code, out = run(config(tmp_path, desk), "key", "authorize", "--library", "desktop")
    assert code == 2
    assert "one-time" in out and "Always Allow" in out
    assert memory_keyring.store == {}


def test_deny_is_a_clear_message(
    desk: Sandbox, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    assert desk.local is not None
    desk.local.answer = "deny"
    code, out = run(config(tmp_path, desk), "key", "authorize", "--library", "desktop")
    assert code == 2
    assert "denied in Zotero" in out


def test_status_says_when_zotero_desktop_is_not_reachable(desk: Sandbox, tmp_path: Path) -> None:
    cfg = config(tmp_path, desk)
    StateDB.open(tmp_path / "state.sqlite").close()
    desk.stop()
    code, out = run(cfg, "status", "--library", "desktop")
    assert code == 0, out
    assert DESKTOP_UNREACHABLE in out


def test_sync_with_library_writes_into_the_desktop(
    desk: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert desk.local is not None
    desk.local.add_key("k" * 32)
    monkeypatch.setenv("ZOTERO_API_KEY_DESKTOP", "k" * 32)
    export = write_export(tmp_path / "a.ris", make_records(3))
    code, out = run(config(tmp_path, desk), "sync", "--library", "desktop", str(export))
    assert code == 0, out
    assert len(desk.all_items(desk.local_library)) == 3


def test_sync_with_zotero_closed_exits_75(
    desk: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZOTERO_API_KEY_DESKTOP", "k" * 32)
    cfg = config(tmp_path, desk)
    desk.stop()
    export = write_export(tmp_path / "a.ris", make_records(1))
    code, out = run(cfg, "sync", "--library", "desktop", str(export))
    assert code == 75
    assert DESKTOP_UNREACHABLE in out


def test_status_without_a_library_shows_each_one(
    desk: Sandbox, sandbox: Sandbox, tmp_path: Path
) -> None:
    cfg = config(tmp_path, desk)
    cfg.write_text(
        f'[zotero]\nlibrary_type = "user"\nlibrary_id = 1\nbase_url = "{sandbox.url}"\n'
        + cfg.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    StateDB.open(tmp_path / "state.sqlite").close()
    code, out = run(cfg, "status")
    assert code == 0, out
    libraries = [line for line in out.splitlines() if line.startswith("library:")]
    assert len(libraries) == 2
    assert "desktop (local:desktop/users/0)" in libraries[1]
    assert "reachable (server ID SERVERID0001)" in out


def test_the_desktop_demo_creates_then_updates_without_duplicates() -> None:
    lines: list[str] = []
    assert run_demo(lines.append, local=True) == 0
    text = "\n".join(lines)
    assert "Always Allow" in text
    assert "4 items, 0 duplicates" in text


def test_too_many_prompts_say_to_wait_a_minute(
    desk: Sandbox, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    assert desk.local is not None
    desk.local.answer = "deny"
    cfg = config(tmp_path, desk)
    for _ in range(5):
        assert run(cfg, "key", "authorize", "--library", "desktop")[0] == 2
    desk.local.answer = "always"
    code, out = run(cfg, "key", "authorize", "--library", "desktop")
    assert code == 2
    assert "wait a minute" in out
    assert memory_keyring.store == {}


def test_authorize_for_a_web_library_points_to_key_set(sandbox: Sandbox, tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'[zotero]\nlibrary_type = "user"\nlibrary_id = 1\nbase_url = "{sandbox.url}"\n',
        encoding="utf-8",
    )
    code, out = run(cfg, "key", "authorize")
    assert code == 2
    assert "syncd key set" in out


def test_without_a_keyring_the_key_goes_to_a_private_credential_file(
    desk: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring())
    try:
        code, out = run(config(tmp_path, desk), "key", "authorize", "--library", "desktop")
    finally:
        keyring.set_keyring(previous)
    assert code == 0, out
    stored = tmp_path / "xdg" / "syncd" / "credentials" / "zotero-api-key-desktop"
    assert stored.stat().st_mode & 0o777 == 0o600
    assert str(stored) in out
    env = {"CREDENTIALS_DIRECTORY": str(stored.parent)}
    assert find_api_key(env, library="desktop") == stored.read_text()
    assert stored.read_text() not in out


def test_key_check_for_the_desktop_says_what_it_can_and_cannot_check(
    desk: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZOTERO_API_KEY_DESKTOP", "k" * 32)
    code, out = run(config(tmp_path, desk), "key", "check", "--library", "desktop")
    assert code == 0, out
    assert "SERVERID0001" in out and "without writing" in out
    assert desk.count(kind="write") == 0


def test_an_unknown_library_on_the_command_line_is_exit_2_naming_the_known_ones(
    desk: Sandbox, tmp_path: Path
) -> None:
    export = write_export(tmp_path / "a.ris", make_records(1))
    code, out = run(config(tmp_path, desk), "plan", "--library", "laptop", str(export))
    assert code == 2
    assert "'laptop'" in out and "desktop" in out


def test_key_set_and_delete_take_a_library(
    desk: Sandbox, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    cfg = config(tmp_path, desk)
    result = CliRunner().invoke(
        main, ["--config", str(cfg), "key", "set", "--library", "lab"], input="abc123\n"
    )
    assert result.exit_code == 0, result.output
    assert memory_keyring.store == {("syncd", "zotero-api-key-lab"): "abc123"}
    assert run(cfg, "key", "delete", "--library", "lab")[0] == 0
    assert memory_keyring.store == {}
