"""A hypothesis state machine over exports, user edits in Zotero and syncs.

After every step: no record is in the library twice, no user edit was lost, and
after every sync the library holds every record of every export so far.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from conftest import TEST_KEY
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sync_helpers import LIBRARY, doi_counts, regular_items, session_for, write_export

from syncd.sandbox import Sandbox
from syncd.sync.session import SyncInput

DOIS = [f"10.7777/w{i}" for i in range(8)]


class SyncMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="syncd-sm-"))
        self.sandbox = Sandbox()
        self.sandbox.start()
        self.sandbox.add_user_library(1)
        self.sandbox.add_key(TEST_KEY, user_id=1, user_write=True)
        self.exported: set[str] = set()
        self.pending: list[dict[str, Any]] = []
        self.user_edits: dict[str, str] = {}  # key -> the "rights" value the user set
        self.exports = 0

    def teardown(self) -> None:
        self.sandbox.stop()

    @rule(
        works=st.lists(st.sampled_from(DOIS), min_size=1, max_size=5, unique=True),
        pages=st.sampled_from(["1-10", "11-20", "e42"]),
        note=st.sampled_from([(), ("Read this.",), ("Read this.", "And this.")]),
    )
    def export(self, works: list[str], pages: str, note: tuple[str, ...]) -> None:
        for doi in works:
            self.pending.append({"title": f"Work {doi}", "doi": doi, "pages": pages, "notes": note})

    @precondition(lambda self: bool(self.pending))
    @rule(edit_during=st.booleans())
    def sync(self, edit_during: bool) -> None:
        self.exports += 1
        path = write_export(self.dir / f"e{self.exports}.ris", self.pending)

        def meanwhile(_plan: Any) -> None:
            # The user edits an item after syncd planned and before it writes: the
            # update meets a 412 and must merge again without losing the edit.
            items = sorted(regular_items(self.sandbox), key=lambda i: i["key"])
            if edit_during and items:
                self.sandbox.user_edit(LIBRARY, items[0]["key"], {"rights": "edited mid-sync"})
                self.user_edits[items[0]["key"]] = "edited mid-sync"

        with session_for(self.sandbox, self.dir / "state.sqlite", TEST_KEY) as session:
            report = session.sync([SyncInput(path)], on_plan=meanwhile)
        assert report.counts()["failed"] == 0
        self.exported |= {r["doi"] for r in self.pending}
        self.pending = []
        assert set(doi_counts(self.sandbox)) >= self.exported

    @precondition(lambda self: bool(regular_items(self.sandbox)))
    @rule(data=st.data())
    def user_edits_an_item(self, data: st.DataObject) -> None:
        items = regular_items(self.sandbox)
        item = data.draw(st.sampled_from(sorted(items, key=lambda i: i["key"])))
        value = data.draw(st.sampled_from(["mine", "also mine", "CC-BY"]))
        # "rights" is a field the exports never carry: a pure user edit.
        self.sandbox.user_edit(LIBRARY, item["key"], {"rights": value})
        self.user_edits[item["key"]] = value

    @precondition(lambda self: bool(regular_items(self.sandbox)))
    @rule(data=st.data())
    def user_edits_pages(self, data: st.DataObject) -> None:
        items = regular_items(self.sandbox)
        item = data.draw(st.sampled_from(sorted(items, key=lambda i: i["key"])))
        self.sandbox.user_edit(LIBRARY, item["key"], {"pages": "user-pages"})
        self.user_edits[item["key"] + ":pages"] = "user-pages"

    @invariant()
    def no_duplicates(self) -> None:
        assert all(c == 1 for c in doi_counts(self.sandbox).values())
        notes = [i for i in self.sandbox.all_items(LIBRARY) if i.get("itemType") == "note"]
        seen = [(n["parentItem"], n["note"]) for n in notes]
        assert len(seen) == len(set(seen)), "a note was written twice"

    @invariant()
    def no_lost_user_edit(self) -> None:
        items = {i["key"]: i for i in regular_items(self.sandbox)}
        for key, value in self.user_edits.items():
            if key.endswith(":pages"):
                assert items[key[:-6]]["pages"] == value
            else:
                assert items[key]["rights"] == value


TestSyncMachine = SyncMachine.TestCase
TestSyncMachine.settings = settings(
    max_examples=40,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
