"""Syncing into Zotero desktop (the sandbox's local mode) through `open_session`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY
from sync_helpers import FAST_RETRY, make_records, write_export

from syncd.app import open_session
from syncd.config import ApiKind, Config, LibraryConfig
from syncd.errors import DesktopUnreachableError, LocalKeyRefusedError, ServerChangedError
from syncd.sandbox import Sandbox
from syncd.state import StateDB
from syncd.sync.outcome import RecordKind
from syncd.sync.session import SyncInput
from syncd.zotero.retry import RetryPolicy

KEY = "lasting-local-key"
SHORT = RetryPolicy(max_elapsed=0.5, max_attempts=3, base_delay=0.01, max_delay=0.05)


@pytest.fixture
def desk() -> Iterator[Sandbox]:
    sb = Sandbox(local=True, server_id="SERVERID0001")
    assert sb.local is not None
    sb.local.add_key(KEY, lasting=True)
    sb.start()
    try:
        yield sb
    finally:
        sb.stop()


def desktop(sb: Sandbox) -> LibraryConfig:
    return LibraryConfig("desktop", ApiKind.LOCAL, "user", 0, sb.local_url)


def config(tmp: Path, *libraries: LibraryConfig) -> Config:
    first = libraries[0]
    return Config(
        library_type=first.library_type,
        library_id=first.library_id,
        base_url=first.base_url,
        state_path=tmp / "state.sqlite",
        libraries=libraries,
    )


def dois(sb: Sandbox, library: str) -> Counter[str]:
    return Counter(
        str(i.get("DOI", "")).lower()
        for i in sb.all_items(library)
        if i.get("itemType") not in ("note", "attachment")
    )


def sync(cfg: Config, path: Path, key: str = KEY, name: str = "desktop", **kw: Any) -> Any:
    policy = kw.pop("policy", FAST_RETRY)
    with open_session(cfg, library=name, api_key=key, policy=policy) as session:
        return session.sync([SyncInput(path)], **kw)


def test_a_first_sync_creates_and_an_unchanged_resync_writes_nothing(
    desk: Sandbox, tmp_path: Path
) -> None:
    cfg = config(tmp_path, desktop(desk))
    export = write_export(tmp_path / "a.ris", make_records(120))
    first = sync(cfg, export)
    assert Counter(o.kind for o in first.outcomes) == {"created": 120}
    assert set(dois(desk, desk.local_library).values()) == {1}
    desk.clear_log()
    again = sync(cfg, export)
    assert {o.kind for o in again.outcomes} == {"unchanged"}
    assert desk.count(kind="write") == 0


def test_no_write_is_ever_sent_without_the_server_id(desk: Sandbox, tmp_path: Path) -> None:
    cfg = config(tmp_path, desktop(desk))
    sync(cfg, write_export(tmp_path / "a.ris", make_records(60)))
    assert desk.count(kind="write", status=200) >= 2
    assert desk.count(status=428) == 0


def test_deletions_in_the_desktop_are_seen_without_a_deleted_endpoint(
    desk: Sandbox, tmp_path: Path
) -> None:
    cfg = config(tmp_path, desktop(desk))
    sync(cfg, write_export(tmp_path / "a.ris", make_records(3)))
    gone = sorted(i["key"] for i in desk.all_items(desk.local_library))[0]
    desk.user_delete(desk.local_library, gone)
    with open_session(cfg, library="desktop", api_key=KEY, policy=FAST_RETRY) as session:
        session.refresh()
        assert session.db.mirror_item(session.library, gone) is None
    assert desk.count(path_prefix="/api/users/0/deleted") == 0


def test_a_spent_one_time_key_stops_the_import_and_a_new_key_finishes_it_once(
    desk: Sandbox, tmp_path: Path
) -> None:
    assert desk.local is not None
    desk.local.add_key("one-time", lasting=False)
    cfg = config(tmp_path, desktop(desk))
    export = write_export(tmp_path / "a.ris", make_records(120))
    with pytest.raises(LocalKeyRefusedError, match="Always Allow"):
        sync(cfg, export, key="one-time")
    assert 0 < sum(dois(desk, desk.local_library).values()) < 120
    sync(cfg, export)
    counts = dois(desk, desk.local_library)
    assert len(counts) == 120 and set(counts.values()) == {1}


def test_zotero_restarted_mid_import_with_the_same_server_id_finishes_without_duplicates(
    desk: Sandbox, tmp_path: Path
) -> None:
    cfg = config(tmp_path, desktop(desk))
    export = write_export(tmp_path / "a.ris", make_records(120))
    port = desk.port
    closed: list[int] = []

    def close_once(n: int) -> None:
        # Once: the engine books a batch while the next is in flight, so progress can
        # be reported again before the request to the closed port fails.
        if not closed:
            closed.append(n)
            desk.restart(down=True)

    with pytest.raises(DesktopUnreachableError, match="not reachable"):
        sync(cfg, export, policy=SHORT, progress=close_once)
    desk.start(port)
    sync(cfg, export)
    counts = dois(desk, desk.local_library)
    assert len(counts) == 120 and set(counts.values()) == {1}


def test_another_server_id_mid_import_stops_and_writes_nothing_more(
    desk: Sandbox, tmp_path: Path
) -> None:
    cfg = config(tmp_path, desktop(desk))
    export = write_export(tmp_path / "a.ris", make_records(120))

    held: list[int] = []

    def switch(_n: int) -> None:
        if not held:
            held.append(len(desk.all_items(desk.local_library)))
            desk.restart(server_id="SERVERID0002")
            desk.clear_log()

    with pytest.raises(ServerChangedError, match="another Zotero profile"):
        sync(cfg, export, progress=switch)
    with pytest.raises(ServerChangedError):
        sync(cfg, export)
    # The one write in flight was refused by Zotero itself (412), and nothing followed.
    assert desk.count(kind="write", status=200) == 0
    assert desk.count(kind="write") == desk.count(kind="write", status=412) <= 1
    assert len(desk.all_items(desk.local_library)) == held[0]


def test_zotero_not_running_is_exit_75_with_what_to_do(desk: Sandbox, tmp_path: Path) -> None:
    cfg = config(tmp_path, desktop(desk))
    desk.stop()
    with pytest.raises(DesktopUnreachableError) as caught:
        sync(cfg, write_export(tmp_path / "a.ris", make_records(1)), policy=SHORT)
    assert caught.value.exit_code == 75
    assert "Settings → Advanced" in str(caught.value)


def test_two_libraries_in_one_state_database_share_nothing(
    desk: Sandbox, sandbox: Sandbox, tmp_path: Path
) -> None:
    web = LibraryConfig("lab", ApiKind.WEB, "user", 1, sandbox.url)
    cfg = config(tmp_path, web, desktop(desk))
    export = write_export(tmp_path / "a.ris", make_records(5))
    sync(cfg, export, key=TEST_KEY, name="lab")
    sync(cfg, export, name="desktop")
    assert set(dois(sandbox, "users/1").values()) == {1}
    assert set(dois(desk, desk.local_library).values()) == {1}
    with StateDB.open(cfg.state_path) as db:
        web_keys = set(db.mirror_versions(web.partition))
        desk_keys = set(db.mirror_versions(desktop(desk).local_partition("SERVERID0001")))
        links = dict(
            db.conn.execute("SELECT library, COUNT(*) FROM sync_links GROUP BY library").fetchall()
        )
    assert web_keys == {i["key"] for i in sandbox.all_items("users/1")}
    assert desk_keys == {i["key"] for i in desk.all_items(desk.local_library)}
    assert not web_keys & desk_keys
    assert set(links) == {web.partition, desktop(desk).local_partition("SERVERID0001")}


def test_the_mirror_reads_the_desktop_in_one_page(desk: Sandbox, tmp_path: Path) -> None:
    for n in range(1200):
        desk.user_create(desk.local_library, {"itemType": "book", "title": f"B{n}"})
    cfg = config(tmp_path, desktop(desk))
    desk.clear_log()
    with open_session(cfg, library="desktop", api_key=KEY, policy=FAST_RETRY) as session:
        stats = session.refresh()
    assert stats.items == 1200
    assert desk.count(method="GET", path_prefix="/api/users/0/items") == 1


def test_a_group_held_by_the_desktop_is_a_library_of_its_own(desk: Sandbox, tmp_path: Path) -> None:
    desk.add_group_library(9)
    group = LibraryConfig("labgroup", ApiKind.LOCAL, "group", 9, desk.local_url)
    cfg = config(tmp_path, desktop(desk), group)
    export = write_export(tmp_path / "a.ris", make_records(4))
    sync(cfg, export, name="labgroup")
    assert len(dois(desk, "groups/9")) == 4
    assert not dois(desk, desk.local_library)


def test_a_desktop_group_without_library_versions_is_read_whole_and_resyncs_cleanly(
    desk: Sandbox, tmp_path: Path
) -> None:
    desk.add_group_library(9)
    group = LibraryConfig("labgroup", ApiKind.LOCAL, "group", 9, desk.local_url)
    cfg = config(tmp_path, group)
    export = write_export(tmp_path / "a.ris", make_records(4))
    sync(cfg, export, name="labgroup")
    gone = sorted(i["key"] for i in desk.all_items("groups/9"))[0]
    desk.user_delete("groups/9", gone)
    desk.clear_log()
    with open_session(cfg, library="labgroup", api_key=KEY, policy=FAST_RETRY) as session:
        session.refresh()
        assert session.db.mirror_item(session.library, gone) is None
        report = session.sync([SyncInput(export)])
    # The deleted one is not made again (syncd made it; recreate_deleted is off).
    assert Counter(o.kind for o in report.outcomes)[RecordKind.UNCHANGED] == 3
    assert desk.count(kind="write") == 0
