from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from syncd.errors import ConfigError
from syncd.watch import FolderWatcher, StabilityTracker, is_candidate_name, tail_is_complete

RIS = b"TY  - JOUR\nTI  - A title\nER  - \n"

# --- names -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("scopus.ris", True),
        ("export.txt", True),
        ("pubmed.nbib", True),
        ("savedrecs", True),
        ("Export.RIS", True),
        ("report about.ris", True),
        ("scopus.ris.part", False),
        ("scopus.ris.PART", False),
        ("scopus.ris.crdownload", False),
        ("scopus.ris.tmp", False),
        ("scopus.ris.download", False),
        ("scopus.ris.partial", False),
        ("scopus.ris~", False),
        ("~$scopus.ris", False),
        (".scopus.ris", False),
        (".scopus.ris.swp", False),
        ("scopus.ris.swp", False),
        ("#scopus.ris#", False),
        ("#", True),
        ("processed", False),
        ("failed", False),
        ("scopus.ris.syncd-report.json", False),
        ("", False),
    ],
)
def test_is_candidate_name(name: str, expected: bool) -> None:
    assert is_candidate_name(name) is expected


@pytest.mark.parametrize(
    ("tail", "whole", "expected"),
    [
        (RIS, True, True),
        (RIS + RIS, True, True),
        (b"TY  - JOUR\nTI  - Export of nitroge", True, False),
        (b"TY  - JOUR\nTI  - A whole title\n", True, False),
        (RIS + b"TY  - JOUR\nTI  - Second\n", True, False),
        (b"TY  - JOUR\r\nTI  - Windows\r\nER  - ", True, True),
        (b"TY - JOUR\nTI - One space\nER -\n", True, True),
        (RIS + b"NL  - Ovid note\nLink to the Ovid Full Text or citation:\n1.\n", True, True),
        (RIS + b"Link to the Ovid Full Text or cit", True, False),
        ("TY  - JOUR\nTI  - UTF-16\nER  - \n".encode("utf-16"), True, True),
        ("TY  - JOUR\nTI  - UTF-16 cut".encode("utf-16"), True, False),
        (b"@article{x,\n title={Not RIS}", True, True),
        (b"", True, True),
        # The first line of a partial tail is not trusted.
        (b"ER  - \nTI  - continued\n", False, True),
        (b"TY  - JOUR\nTI  - continued\n", False, True),
        (b"al text\nTY  - JOUR\nTI  - continued\n", False, False),
    ],
)
def test_tail_is_complete_when_the_last_record_has_its_er(
    tail: bytes, whole: bool, expected: bool
) -> None:
    assert tail_is_complete(tail, whole=whole) is expected


# --- tracker ---------------------------------------------------------------------

# Steps: ("obs", name, size, mtime, kind, t) | ("forget", name) | ("ready", t, [names])
Step = tuple[Any, ...]

TRACKER_CASES: dict[str, list[Step]] = {
    "closed after write is ready at once": [
        ("obs", "a", 10, 1, "created", 0.0),
        ("obs", "a", 10, 1, "closed", 0.1),
        ("ready", 0.1, ["a"]),
        ("ready", 9.0, []),
    ],
    "moved in is ready at once": [
        ("obs", "a", 10, 1, "moved_in", 0.0),
        ("ready", 0.0, ["a"]),
    ],
    "scan needs the settle interval": [
        ("obs", "a", 10, 1, "scan", 0.0),
        ("ready", 1.9, []),
        ("obs", "a", 10, 1, "scan", 1.9),
        ("ready", 2.0, ["a"]),
    ],
    "a change restarts the settle interval": [
        ("obs", "a", 10, 1, "scan", 0.0),
        ("obs", "a", 20, 2, "scan", 1.5),
        ("ready", 2.0, []),
        ("ready", 3.4, []),
        ("ready", 3.5, ["a"]),
    ],
    "an mtime change alone restarts it too": [
        ("obs", "a", 10, 1, "scan", 0.0),
        ("obs", "a", 10, 2, "scan", 1.0),
        ("ready", 2.5, []),
        ("ready", 3.0, ["a"]),
    ],
    "written but never closed waits write_settle": [
        ("obs", "a", 5, 1, "created", 0.0),
        ("obs", "a", 10, 2, "modified", 0.5),
        ("obs", "a", 10, 2, "scan", 5.0),
        ("ready", 5.0, []),
        ("ready", 30.4, []),
        ("ready", 30.5, ["a"]),
    ],
    "a write seen after a scan also waits for the close": [
        ("obs", "a", 10, 1, "scan", 0.0),
        ("obs", "a", 10, 1, "modified", 0.1),
        ("ready", 5.0, []),
        ("obs", "a", 10, 1, "closed", 5.0),
        ("ready", 5.0, ["a"]),
    ],
    "closed empty file waits empty_settle": [
        ("obs", "a", 0, 1, "closed", 0.0),
        ("ready", 1.0, []),
        ("ready", 29.9, []),
        ("ready", 30.0, ["a"]),
    ],
    "empty then written and closed": [
        ("obs", "a", 0, 1, "closed", 0.0),
        ("obs", "a", 100, 2, "modified", 1.0),
        ("ready", 1.0, []),
        ("obs", "a", 100, 2, "closed", 1.1),
        ("ready", 1.1, ["a"]),
    ],
    "closed then appended waits for the next close, then for settle": [
        ("obs", "a", 10, 1, "closed", 0.0),
        ("obs", "a", 20, 2, "modified", 0.0),
        ("ready", 1.0, []),
        ("obs", "a", 30, 3, "closed", 2.0),
        ("ready", 2.0, []),
        ("ready", 3.9, []),
        ("ready", 4.0, ["a"]),
    ],
    "reported once per state": [
        ("obs", "a", 10, 1, "closed", 0.0),
        ("ready", 0.0, ["a"]),
        ("obs", "a", 10, 1, "closed", 1.0),
        ("obs", "a", 10, 1, "scan", 5.0),
        ("ready", 5.0, []),
        ("obs", "a", 11, 2, "closed", 6.0),
        ("ready", 6.0, []),  # written again after a close: it also waits for settle
        ("ready", 8.0, ["a"]),
    ],
    "arrival order, not readiness order": [
        ("obs", "b", 10, 1, "scan", 0.0),
        ("obs", "a", 10, 1, "scan", 0.5),
        ("obs", "c", 10, 1, "closed", 0.7),
        ("ready", 3.0, ["b", "a", "c"]),
    ],
    "an older file still settling holds a newer complete one back": [
        ("obs", "b", 10, 1, "scan", 0.0),
        ("obs", "a", 10, 2, "closed", 1.0),
        ("ready", 1.0, []),
        ("ready", 2.0, ["b", "a"]),
    ],
    "older by modification time goes first, whatever was seen first": [
        ("obs", "new", 10, 5, "moved_in", 0.0),
        ("obs", "old", 10, 3, "moved_in", 0.1),
        ("ready", 0.2, ["old", "new"]),
    ],
    "a file that never settles holds the others back only for a while": [
        ("obs", "slow", 10, 1, "modified", 0.0),
        ("obs", "a", 10, 2, "closed", 1.0),
        ("ready", 1.0, []),
        ("obs", "slow", 20, 3, "modified", 25.0),
        ("obs", "slow", 30, 4, "modified", 45.0),
        ("ready", 45.0, ["a"]),
    ],
    "forgotten files are not reported": [
        ("obs", "a", 10, 1, "closed", 0.0),
        ("forget", "a"),
        ("ready", 1.0, []),
    ],
    "a file back after being forgotten is new and arrives last": [
        ("obs", "a", 10, 1, "closed", 0.0),
        ("ready", 0.0, ["a"]),
        ("forget", "a"),
        ("obs", "b", 10, 1, "scan", 0.1),
        ("obs", "a", 10, 1, "scan", 0.2),
        ("ready", 3.0, ["b", "a"]),
    ],
    "an empty file holds nothing back": [
        ("obs", "empty", 0, 1, "closed", 0.0),
        ("obs", "a", 10, 2, "closed", 1.0),
        ("ready", 1.0, ["a"]),
        ("ready", 30.0, ["empty"]),
    ],
    "forgetting an unknown file is harmless": [
        ("forget", "zzz"),
        ("ready", 0.0, []),
    ],
}


@pytest.mark.parametrize("steps", list(TRACKER_CASES.values()), ids=list(TRACKER_CASES))
def test_stability_tracker(steps: list[Step]) -> None:
    tracker = StabilityTracker(settle=2.0, empty_settle=30.0, write_settle=30.0)
    for step in steps:
        if step[0] == "obs":
            _, name, size, mtime, kind, now = step
            tracker.observe(Path(name), size, mtime, kind, now)
        elif step[0] == "forget":
            tracker.forget(Path(step[1]))
        else:
            _, now, expected = step
            assert tracker.ready(now) == [Path(n) for n in expected], step


_op = st.one_of(
    st.tuples(
        st.just("obs"),
        st.integers(0, 3),
        st.integers(0, 2),
        st.integers(0, 2),
        st.sampled_from(["created", "modified", "closed", "moved_in", "scan"]),
        st.floats(0, 3),
    ),
    st.tuples(st.just("forget"), st.integers(0, 3)),
    st.tuples(st.just("ready"), st.floats(0, 3)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_op, max_size=40))
@example(
    [
        ("obs", 0, 1, 1, "closed", 0.0),
        ("ready", 0.0),
        ("obs", 0, 2, 2, "closed", 0.0),
        ("ready", 0.0),
        ("obs", 0, 1, 1, "closed", 0.0),
        ("ready", 0.0),
    ]
)
def test_tracker_properties(ops: list[tuple[Any, ...]]) -> None:
    settle, empty, write = 1.0, 5.0, 4.0
    tracker = StabilityTracker(settle=settle, empty_settle=empty, write_settle=write)
    now = 0.0
    first_seen: dict[Path, int] = {}
    state: dict[Path, tuple[int, int]] = {}
    since: dict[Path, float] = {}
    done: dict[Path, bool] = {}
    last_reported: dict[Path, tuple[int, int]] = {}
    counter = 0
    for op in ops:
        if op[0] == "obs":
            _, idx, size, mtime, kind, dt = op
            now += dt
            path = Path(f"f{idx}")
            if path not in first_seen:
                counter += 1
                first_seen[path] = counter
            if state.get(path) != (size, mtime):
                state[path], since[path], done[path] = (size, mtime), now, False
            done[path] = done[path] or kind in ("closed", "moved_in")
            tracker.observe(path, size, mtime, kind, now)
        elif op[0] == "forget":
            path = Path(f"f{op[1]}")
            for table in (first_seen, state, since, done, last_reported):
                table.pop(path, None)
            tracker.forget(path)
        else:
            now += op[1]
            out = tracker.ready(now)
            # oldest first (modification time, then first seen), each path once
            assert out == sorted(out, key=lambda p: (state[p][1], first_seen[p]))
            assert len(set(out)) == len(out)
            for path in out:
                size, _ = state[path]
                quiet = now - since[path]
                # never before its rule allows
                if size == 0:
                    assert quiet >= empty
                elif not done[path]:
                    assert quiet >= settle
                # not again unless it changed since
                assert last_reported.get(path) != state[path]
                last_reported[path] = state[path]
    # with enough time and a final look at every file, everything gets reported
    now += max(settle, empty, write) + 1
    for path, (size, mtime) in state.items():
        tracker.observe(path, size, mtime, "scan", now)
    tracker.ready(now + max(settle, empty, write) + 1)
    assert tracker.pending() == []


def test_a_file_cut_short_waits_and_holds_its_folder_back_until_it_is_whole() -> None:
    tracker = StabilityTracker(settle=2.0, incomplete_settle=60.0)
    whole: set[Path] = set()

    def complete(path: Path) -> bool:
        return path in whole

    tracker.observe(Path("d/a"), 10, 1, "closed", 0.0)
    tracker.observe(Path("d/b"), 10, 2, "closed", 0.5)
    whole.add(Path("d/b"))
    assert tracker.ready(1.0, complete) == []
    # The writer appends the rest and closes the file again.
    tracker.observe(Path("d/a"), 20, 3, "closed", 10.0)
    whole.add(Path("d/a"))
    # b is older now; a was written in steps, so it is also quiet for settle first.
    assert tracker.ready(11.9, complete) == [Path("d/b")]
    assert tracker.ready(12.0, complete) == [Path("d/a")]
    assert not tracker.taken_incomplete(Path("d/a"))


def test_a_file_that_stays_cut_short_is_taken_after_the_bound_and_says_so() -> None:
    tracker = StabilityTracker(settle=2.0, incomplete_settle=60.0)
    tracker.observe(Path("a"), 10, 1, "closed", 0.0)
    assert tracker.ready(1.0, lambda _p: False) == []
    assert tracker.ready(59.9, lambda _p: False) == []
    assert tracker.ready(60.0, lambda _p: False) == [Path("a")]
    assert tracker.taken_incomplete(Path("a"))


def test_tracker_pending_lists_unreported_states() -> None:
    tracker = StabilityTracker(settle=2.0)
    tracker.observe(Path("a"), 10, 1, "closed", 0.0)
    tracker.observe(Path("b"), 10, 1, "scan", 0.0)
    assert tracker.pending() == [Path("a"), Path("b")]
    assert tracker.ready(0.0) == [Path("a")]
    assert tracker.pending() == [Path("b")]
    tracker.observe(Path("a"), 12, 2, "modified", 1.0)
    assert tracker.pending() == [Path("a"), Path("b")]


def test_tracker_rejects_negative_intervals() -> None:
    with pytest.raises(ValueError):
        StabilityTracker(settle=-1)


# --- watcher with real files ------------------------------------------------------

SETTLE = 0.3
DEADLINE = 10.0


class Collector:
    def __init__(self) -> None:
        self.got: list[tuple[Path, bytes]] = []

    def __call__(self, path: Path) -> None:
        self.got.append((path, path.read_bytes()))

    @property
    def paths(self) -> list[Path]:
        return [p for p, _ in self.got]


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


@pytest.fixture
def start_watcher() -> Iterator[Callable[..., FolderWatcher]]:
    started: list[FolderWatcher] = []

    def start(folders: list[Path], on_ready: Callable[[Path], None], **kw: Any) -> FolderWatcher:
        kw.setdefault("settle", SETTLE)
        watcher = FolderWatcher(folders, on_ready, **kw)
        started.append(watcher)
        watcher.start()
        return watcher

    try:
        yield start
    finally:
        for watcher in started:
            watcher.stop()


def poll_until(watcher: FolderWatcher, done: Callable[[], bool], timeout: float = DEADLINE) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        watcher.poll()
        if done():
            return
        time.sleep(0.02)
    pytest.fail("condition not met before the deadline")


def poll_for(watcher: FolderWatcher, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        watcher.poll()
        time.sleep(0.02)


def test_file_written_slowly_is_handed_over_once_when_complete(
    inbox: Path, start_watcher: Callable[..., FolderWatcher]
) -> None:
    got = Collector()
    watcher = start_watcher([inbox], got)
    target = inbox / "slow.ris"
    pieces = [b"TY  - JOUR\n", b"TI  - Slow\n", b"AU  - Doe, J.\n", b"ER  - \n"]
    with open(target, "wb") as f:
        for i, piece in enumerate(pieces):
            f.write(piece)
            f.flush()
            # One pause longer than the settle interval: a stalled download must
            # still not be taken while the writer holds the file open.
            poll_for(watcher, SETTLE * 2.5 if i == 1 else 0.1)
            assert got.got == []
    poll_until(watcher, lambda: len(got.got) >= 1)
    poll_for(watcher, SETTLE * 3)
    assert got.got == [(target, b"".join(pieces))]


def test_file_renamed_in_from_temp_name(
    inbox: Path, start_watcher: Callable[..., FolderWatcher]
) -> None:
    got = Collector()
    watcher = start_watcher([inbox], got)
    part = inbox / "scopus.ris.part"
    part.write_bytes(RIS)
    poll_for(watcher, SETTLE * 2)
    assert got.got == []
    part.rename(inbox / "scopus.ris")
    poll_until(watcher, lambda: len(got.got) >= 1)
    poll_for(watcher, SETTLE * 2)
    assert got.got == [(inbox / "scopus.ris", RIS)]


def test_file_moved_in_from_outside(
    tmp_path: Path, inbox: Path, start_watcher: Callable[..., FolderWatcher]
) -> None:
    outside = tmp_path / "downloads"
    outside.mkdir()
    (outside / "wos.txt").write_bytes(RIS)
    got = Collector()
    watcher = start_watcher([inbox], got)
    (outside / "wos.txt").rename(inbox / "wos.txt")
    poll_until(watcher, lambda: len(got.got) >= 1)
    assert got.paths == [inbox / "wos.txt"]


def test_temporary_and_own_names_are_never_handed_over(
    inbox: Path, start_watcher: Callable[..., FolderWatcher]
) -> None:
    got = Collector()
    watcher = start_watcher([inbox], got)
    (inbox / "processed").mkdir()
    (inbox / "failed").mkdir()
    never = [
        "a.ris.part",
        "b.ris.crdownload",
        "c.tmp",
        "d.ris.download",
        "e.partial",
        "f.ris~",
        "~$g.ris",
        ".h.ris",
        "#i.ris#",
        ".j.ris.swp",
        "k.ris.syncd-report.json",
        "processed/l.ris",
        "failed/m.ris",
    ]
    for name in never:
        (inbox / name).write_bytes(RIS)
    (inbox / "sentinel.ris").write_bytes(RIS)
    poll_until(watcher, lambda: len(got.got) >= 1)
    poll_for(watcher, SETTLE * 3)
    watcher.scan()
    poll_for(watcher, SETTLE * 2)
    assert got.paths == [inbox / "sentinel.ris"]


def test_burst_of_fifty_files_each_once_in_arrival_order(
    inbox: Path, start_watcher: Callable[..., FolderWatcher]
) -> None:
    got = Collector()
    watcher = start_watcher([inbox], got)
    # Names in an order unlike their sort order, to tell arrival from listing order.
    names = [f"export-{(i * 37) % 50:02d}.ris" for i in range(50)]
    for name in names:
        (inbox / name).write_bytes(RIS + name.encode() + b"\n")  # whole lines: complete
    poll_until(watcher, lambda: len(got.got) >= 50)
    poll_for(watcher, SETTLE * 2)
    watcher.scan()
    poll_for(watcher, SETTLE * 2)
    assert got.paths == [inbox / n for n in names]
    assert all(content == RIS + path.name.encode() + b"\n" for path, content in got.got)


def test_files_present_before_start_are_found_by_the_scan(
    inbox: Path, start_watcher: Callable[..., FolderWatcher]
) -> None:
    (inbox / "old.ris").write_bytes(RIS)
    (inbox / "older.nbib").write_bytes(b"PMID- 1\n")
    got = Collector()
    watcher = start_watcher([inbox], got)
    poll_until(watcher, lambda: len(got.got) >= 2)
    assert sorted(got.paths) == [inbox / "old.ris", inbox / "older.nbib"]


def test_every_file_is_handed_over_whatever_its_extension_or_content(
    inbox: Path, start_watcher: Callable[..., FolderWatcher]
) -> None:
    got = Collector()
    watcher = start_watcher([inbox], got)
    (inbox / "notes.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)))
    (inbox / "savedrecs.dat").write_bytes(RIS)
    (inbox / "refs.bib").write_bytes(b"@article{x,\n title={Not RIS}\n}\n")
    (inbox / "export.xml").write_bytes(b"<?xml version='1.0'?><records/>\n")
    poll_until(watcher, lambda: len(got.got) >= 4)
    poll_for(watcher, SETTLE * 2)
    watcher.scan()
    poll_for(watcher, SETTLE * 2)
    assert sorted(got.paths) == sorted(
        inbox / n for n in ("notes.pdf", "savedrecs.dat", "refs.bib", "export.xml")
    )


def test_a_file_whose_last_record_stays_open_is_taken_after_the_bound_with_a_warning(
    inbox: Path, start_watcher: Callable[..., FolderWatcher], caplog: pytest.LogCaptureFixture
) -> None:
    got = Collector()
    watcher = start_watcher([inbox], got, incomplete_settle=SETTLE * 3)
    (inbox / "no-er.ris").write_bytes(b"TY  - JOUR\nTI  - Last record without ER\n")
    with caplog.at_level(logging.WARNING, logger="syncd.watch"):
        poll_for(watcher, SETTLE * 2)
        assert got.got == []
        poll_until(watcher, lambda: len(got.got) >= 1)
    assert got.paths == [inbox / "no-er.ris"]
    (warning,) = [r.getMessage() for r in caplog.records if "no-er.ris" in r.getMessage()]
    assert "no ER line" in warning and "taking it as it is" in warning


def test_appending_in_steps_is_handed_over_once_whole(
    inbox: Path, start_watcher: Callable[..., FolderWatcher]
) -> None:
    got = Collector()
    watcher = start_watcher([inbox], got)
    target = inbox / "slow.ris"
    text = RIS * 3 + b"TY  - JOUR\nTI  - Export of nitrogen\nER  - \n"
    pieces = [text[:20], text[20:70], text[70:110], text[110:]]
    for piece in pieces:
        # Each step opens, writes and closes, as `cat >>` does.
        with open(target, "ab") as f:
            f.write(piece)
        if piece is not pieces[-1]:
            poll_for(watcher, SETTLE * 2.5)
            assert got.got == []
    poll_until(watcher, lambda: len(got.got) >= 1)
    poll_for(watcher, SETTLE * 2)
    assert got.got == [(target, text)]


def test_symlink_outside_the_folder_is_not_followed(
    tmp_path: Path,
    inbox: Path,
    start_watcher: Callable[..., FolderWatcher],
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = tmp_path / "elsewhere.ris"
    secret.write_bytes(RIS)
    inside = inbox / "real.ris"
    inside.write_bytes(RIS)
    got = Collector()
    with caplog.at_level(logging.WARNING, logger="syncd.watch"):
        watcher = start_watcher([inbox], got)
        (inbox / "link-out.ris").symlink_to(secret)
        (inbox / "link-in.ris").symlink_to(inside)
        (inbox / "processed").mkdir()
        (inbox / "processed" / "done.ris").write_bytes(RIS)
        (inbox / "link-done.ris").symlink_to(inbox / "processed" / "done.ris")
        (inbox / "last.ris").write_bytes(RIS)
        poll_until(watcher, lambda: inbox / "last.ris" in got.paths)
        poll_for(watcher, SETTLE * 2)
        watcher.scan()
        poll_for(watcher, SETTLE * 2)
    assert inbox / "link-out.ris" not in got.paths
    assert inbox / "link-in.ris" in got.paths
    assert inbox / "link-done.ris" not in got.paths
    warnings = [r for r in caplog.records if "link-out.ris" in r.getMessage()]
    assert len(warnings) == 1


def test_recursive_watching_skips_own_subfolders(
    inbox: Path, start_watcher: Callable[..., FolderWatcher]
) -> None:
    got = Collector()
    watcher = start_watcher([inbox], got, recursive=True)
    (inbox / "scopus").mkdir()
    (inbox / "processed").mkdir()
    time.sleep(0.1)  # let the observer add its watch on the new sub-folders
    (inbox / "processed" / "done.ris").write_bytes(RIS)
    (inbox / "scopus" / "new.ris").write_bytes(RIS)
    poll_until(watcher, lambda: len(got.got) >= 1)
    poll_for(watcher, SETTLE * 2)
    watcher.scan()
    poll_for(watcher, SETTLE * 2)
    assert got.paths == [inbox / "scopus" / "new.ris"]


def test_recursive_folder_moved_in_is_taken_after_settling(
    tmp_path: Path, inbox: Path, start_watcher: Callable[..., FolderWatcher]
) -> None:
    staged = tmp_path / "staged"
    staged.mkdir()
    (staged / "one.ris").write_bytes(RIS)
    (staged / "two.ris").write_bytes(RIS)
    got = Collector()
    watcher = start_watcher([inbox], got, recursive=True)
    staged.rename(inbox / "batch")
    poll_until(watcher, lambda: len(got.got) >= 2)
    poll_for(watcher, SETTLE * 2)
    assert sorted(got.paths) == [inbox / "batch" / "one.ris", inbox / "batch" / "two.ris"]


def test_non_recursive_ignores_subfolders(
    inbox: Path, start_watcher: Callable[..., FolderWatcher]
) -> None:
    (inbox / "sub").mkdir()
    (inbox / "sub" / "deep.ris").write_bytes(RIS)
    got = Collector()
    watcher = start_watcher([inbox], got)
    (inbox / "top.ris").write_bytes(RIS)
    poll_until(watcher, lambda: len(got.got) >= 1)
    poll_for(watcher, SETTLE * 2)
    assert got.paths == [inbox / "top.ris"]


def test_several_folders(tmp_path: Path, start_watcher: Callable[..., FolderWatcher]) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    got = Collector()
    watcher = start_watcher([a, b], got)
    (b / "one.ris").write_bytes(RIS)
    (a / "two.ris").write_bytes(RIS)
    poll_until(watcher, lambda: len(got.got) >= 2)
    poll_for(watcher, SETTLE * 2)
    # watchdog runs one emitter thread per folder, so order across folders is not kept.
    assert sorted(got.paths) == [a / "two.ris", b / "one.ris"]


def test_failed_handover_is_offered_again_after_a_scan(
    inbox: Path, start_watcher: Callable[..., FolderWatcher]
) -> None:
    calls: list[Path] = []

    def flaky(path: Path) -> None:
        calls.append(path)
        if len(calls) == 1:
            raise RuntimeError("database busy")

    watcher = start_watcher([inbox], flaky)
    (inbox / "x.ris").write_bytes(RIS)
    poll_until(watcher, lambda: len(calls) >= 1)
    poll_for(watcher, SETTLE * 2)
    assert len(calls) == 1
    watcher.scan()
    poll_until(watcher, lambda: len(calls) >= 2)
    assert calls == [inbox / "x.ris", inbox / "x.ris"]


def test_file_deleted_before_it_settles_is_forgotten(
    inbox: Path, start_watcher: Callable[..., FolderWatcher]
) -> None:
    got = Collector()
    watcher = start_watcher([inbox], got, settle=1.0)
    path = inbox / "gone.ris"
    with open(path, "wb") as f:
        f.write(RIS)
        f.flush()
        poll_for(watcher, 0.1)
        os.unlink(path)
    (inbox / "kept.ris").write_bytes(RIS)
    poll_until(watcher, lambda: len(got.got) >= 1)
    poll_for(watcher, 1.2)
    assert got.paths == [inbox / "kept.ris"]


def test_missing_folder_is_a_config_error(tmp_path: Path) -> None:
    watcher = FolderWatcher([tmp_path / "nope"], lambda p: None)
    try:
        with pytest.raises(ConfigError, match="does not exist"):
            watcher.start()
    finally:
        watcher.stop()


def test_context_manager_stops_the_observer(inbox: Path) -> None:
    got = Collector()
    with FolderWatcher([inbox], got, settle=SETTLE) as watcher:
        observer = watcher._observer
        assert observer is not None and observer.is_alive()
        (inbox / "a.ris").write_bytes(RIS)
        poll_until(watcher, lambda: len(got.got) >= 1)
    observer.join(DEADLINE)
    assert not observer.is_alive()
