"""Exactly-once under faults: resets after the server committed, 429s and 503s.

The acceptance configuration (1,000 records, 20 seeds) is fast enough for the
default suite: about half a second per seed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY
from sync_helpers import (
    doi_counts,
    make_records,
    regular_items,
    session_for,
    sync_file,
    write_export,
)

from syncd.errors import ApiUnavailableError
from syncd.sandbox import FaultPlan


def faults(seed: int) -> FaultPlan:
    return FaultPlan(
        seed=seed,
        rate_reset_after_commit=0.10,
        rate_429=0.05,
        retry_after=0,
        rate_503=0.05,
    )


def run_until_done(sandbox: Any, state: Path, export: Path, attempts: int = 10) -> None:
    """Sync until a run finishes; a run that gives up (exit 75) is simply run again."""
    for _ in range(attempts):
        try:
            with session_for(sandbox, state, TEST_KEY) as session:
                report = sync_file(session, export)
            if report.counts()["failed"] == 0:
                return
        except ApiUnavailableError:
            continue
    raise AssertionError("the sync never finished")


def check_exact(sandbox: Any, n: int) -> None:
    counts = doi_counts(sandbox)
    duplicates = {doi: c for doi, c in counts.items() if c > 1}
    missing = {f"10.5555/r{i}" for i in range(n)} - set(counts)
    assert not duplicates, f"{len(duplicates)} duplicated"
    assert not missing, f"{len(missing)} missing"


def chaos(sandbox: Any, tmp_path: Path, seed: int, n: int) -> None:
    export = write_export(tmp_path / "a.ris", make_records(n))
    sandbox.faults = faults(seed)
    run_until_done(sandbox, tmp_path / "state.sqlite", export)
    sandbox.faults = FaultPlan()
    check_exact(sandbox, n)
    # Then corrections and a new note for every record, under the same faults: updates
    # land once, notes are not duplicated.
    corrected = [dict(r, pages=f"e{i}", notes=("Checked.",)) for i, r in enumerate(make_records(n))]
    export = write_export(tmp_path / "b.ris", corrected)
    sandbox.faults = faults(seed + 1000)
    run_until_done(sandbox, tmp_path / "state.sqlite", export)
    sandbox.faults = FaultPlan()
    check_exact(sandbox, n)
    items = regular_items(sandbox)
    assert all(i["pages"] == f"e{i['DOI'].rsplit('r', 1)[1]}" for i in items)
    notes = [i for i in sandbox.all_items("users/1") if i.get("itemType") == "note"]
    assert len(notes) == n
    assert len({note["parentItem"] for note in notes}) == n
    # And a clean re-run changes nothing.
    sandbox.clear_log()
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        report = sync_file(session, export)
    assert report.counts()["unchanged"] == n
    assert sandbox.count(kind="write") == 0


@pytest.mark.parametrize("seed", range(20))
def test_chaos_acceptance_1000_records(sandbox: Any, tmp_path: Path, seed: int) -> None:
    chaos(sandbox, tmp_path, seed, 1000)
