"""Exactly-once into Zotero desktop under faults: connections reset after Zotero
committed a write, before it read one, and 500s (no 429: the local API has no rate
limit), then Zotero restarted between runs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from chaos import run_chaos
from sync_helpers import FAST_RETRY, make_records, write_export

from syncd.app import open_session
from syncd.config import ApiKind, Config, LibraryConfig
from syncd.errors import ApiUnavailableError
from syncd.sandbox import FaultPlan, Sandbox
from syncd.sync.session import SyncInput

KEY = "c" * 32


def faults(seed: int) -> FaultPlan:
    return FaultPlan(seed=seed, rate_reset_after_commit=0.10, rate_reset_before=0.05, rate_500=0.05)


def run_until_done(sb: Sandbox, cfg: Config, export: Path, attempts: int = 10) -> None:
    for n in range(attempts):
        try:
            with open_session(cfg, library="desk", api_key=KEY, policy=FAST_RETRY) as session:
                report = session.sync([SyncInput(export)])
            if report.counts()["failed"] == 0:
                return
        except ApiUnavailableError:
            pass
        if n % 2:
            sb.restart()  # and Zotero restarted: write tokens in its memory are gone
    raise AssertionError("the sync never finished")


def items(sb: Sandbox, kind: str | None = None) -> list[dict[str, object]]:
    return [
        i
        for i in sb.all_items(sb.local_library)
        if (i.get("itemType") == kind if kind else i.get("itemType") not in ("note", "attachment"))
    ]


# Seeds whose draws include resets after a commit (the case that duplicates).
@pytest.mark.parametrize("seed", [1, 2, 4, 6])
def test_chaos_on_the_local_api_loses_and_duplicates_nothing(seed: int, tmp_path: Path) -> None:
    sb = Sandbox(local=True, server_id="CHAOSSERVER1")
    assert sb.local is not None
    sb.local.add_key(KEY)
    sb.start()
    try:
        lib = LibraryConfig("desk", ApiKind.LOCAL, "user", 0, sb.local_url)
        cfg = Config("user", 0, lib.base_url, state_path=tmp_path / "s.sqlite", libraries=(lib,))
        n = 300
        sb.faults = faults(seed)
        run_until_done(sb, cfg, write_export(tmp_path / "a.ris", make_records(n)))
        corrected = [
            dict(r, pages=f"e{i}", notes=("Checked.",)) for i, r in enumerate(make_records(n))
        ]
        sb.faults = faults(seed + 1000)
        export = write_export(tmp_path / "b.ris", corrected)
        run_until_done(sb, cfg, export)
        sb.faults = FaultPlan()
        assert any(r.fault == "reset_after_commit" for r in sb.log)
        counts = Counter(str(i.get("DOI")) for i in items(sb))
        assert set(counts) == {f"10.5555/r{i}" for i in range(n)}
        assert set(counts.values()) == {1}
        assert all(i["pages"] == f"e{str(i['DOI']).rsplit('r', 1)[1]}" for i in items(sb))
        notes = items(sb, "note")
        assert len({note["parentItem"] for note in notes}) == len(notes) == n
        sb.clear_log()
        with open_session(cfg, library="desk", api_key=KEY, policy=FAST_RETRY) as session:
            session.sync([SyncInput(export)])
        assert sb.count(kind="write") == 0
    finally:
        sb.stop()


@pytest.mark.parametrize("seed", [21])
def test_the_daemon_chaos_run_on_the_local_api_is_exact(tmp_path: Path, seed: int) -> None:
    result = run_chaos(
        seed,
        records=300,
        files=6,
        kills=3,
        retry_after=0,
        timeout=240,
        workdir=tmp_path,
        local=True,
    )
    assert result.ok, result.line()
    assert sum(v for k, v in result.requests.items() if not k.startswith("2")) > 0
