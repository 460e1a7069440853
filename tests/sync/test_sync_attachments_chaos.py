"""Issue 20: attachments under faults on every request, upload steps included (resets
after the server committed, 429, 500, 503): 0 duplicate attachments, 0 missing."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from attachment_helpers import pdf, record
from conftest import TEST_KEY
from sync_helpers import LIBRARY, session_for, sync_file

from syncd.attachments.outcome import AttachmentResult
from syncd.errors import ApiUnavailableError
from syncd.sandbox import FaultPlan

FINE = {AttachmentResult.UPLOADED, AttachmentResult.LINKED, AttachmentResult.PRESENT}


def run_until_done(sandbox: Any, state: Path, export: Path, attempts: int = 15) -> None:
    for _ in range(attempts):
        try:
            with session_for(sandbox, state, TEST_KEY) as session:
                report = sync_file(session, export)
        except ApiUnavailableError:
            continue
        results = {a.result for o in report.outcomes for a in o.attachments}
        if report.counts()["failed"] == 0 and results <= FINE:
            return
    raise AssertionError("the sync never finished")


@pytest.mark.parametrize("seed", range(4))
def test_faults_on_upload_requests_leave_no_duplicate_and_no_missing_file(
    sandbox: Any, tmp_path: Path, seed: int
) -> None:
    folder = tmp_path / "inbox"
    expected: dict[str, set[str]] = {}
    blocks = []
    for r in range(8):
        names = [f"r{r}-{n}.pdf" for n in range(2)]
        expected[f"10.5555/c{r}"] = {
            hashlib.md5(pdf(folder / name, f"{seed}-{name}")).hexdigest() for name in names
        }
        links = [f"L1  - {name}" for name in names] + [f"L2  - https://example.org/c{r}"]
        blocks.append(record(f"10.5555/c{r}", *links))
    export = folder / "chaos.ris"
    export.write_text("\n".join(blocks), encoding="utf-8")
    sandbox.faults = FaultPlan(
        seed=seed,
        rate_reset_after_commit=0.10,
        rate_reset_before=0.05,
        rate_429=0.05,
        rate_500=0.05,
        rate_503=0.05,
        retry_after=0,
    )
    run_until_done(sandbox, tmp_path / "state.sqlite", export)
    sandbox.faults = FaultPlan()
    upload_faults = [
        r.fault
        for r in sandbox.log
        if r.fault and (r.path.endswith("/file") or r.path.startswith("/sandbox-upload/"))
    ]
    assert len(upload_faults) >= 3, upload_faults
    items = sandbox.all_items(LIBRARY)
    parents = {i["key"]: i["DOI"] for i in items if i["itemType"] == "journalArticle"}
    assert sorted(parents.values()) == sorted(expected)
    files = Counter(
        (parents[i["parentItem"]], i["md5"])
        for i in items
        if i["itemType"] == "attachment" and i["linkMode"] == "imported_file"
    )
    assert all(c == 1 for c in files.values()), "duplicated"
    assert set(files) == {(doi, md5) for doi, md5s in expected.items() for md5 in md5s}
    linked = Counter(
        parents[i["parentItem"]]
        for i in items
        if i["itemType"] == "attachment" and i["linkMode"] == "linked_url"
    )
    assert linked == Counter(set(expected))
    # Every stored attachment holds its file: no item left behind without one.
    assert sum(files.values()) == sum(
        1 for i in items if i["itemType"] == "attachment" and i["linkMode"] == "imported_file"
    )
