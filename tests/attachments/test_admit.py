"""Reading a file an export names only from where the user allowed."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from syncd.attachments import admit
from syncd.attachments.admit import LocalFile, Refusal, read_admitted, real_roots

MB = 1_000_000


def _pdf(path: Path, size: int = 100) -> bytes:
    data = b"%PDF-1.4\n" + b"x" * size
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def _read(target: str, folder: Path, *extra: Path, limit: int = MB) -> LocalFile | Refusal:
    return read_admitted(target, target, folder, real_roots([folder, *extra]), limit)


def test_a_file_in_the_exports_folder_is_read_and_hashed(tmp_path: Path) -> None:
    data = _pdf(tmp_path / "in" / "a.pdf")
    got = _read("a.pdf", tmp_path / "in")
    assert isinstance(got, LocalFile)
    assert (got.md5, got.size, got.name) == (hashlib.md5(data).hexdigest(), len(data), "a.pdf")
    assert got.content_type == "application/pdf" and got.mtime_ms > 0


def test_dot_dot_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    _pdf(tmp_path / "secret.pdf")
    got = _read("../secret.pdf", tmp_path / "in")
    assert isinstance(got, Refusal) and "outside" in got.reason


def test_dot_dot_that_stays_inside_is_fine(tmp_path: Path) -> None:
    _pdf(tmp_path / "in" / "a.pdf")
    (tmp_path / "in" / "sub").mkdir()
    assert isinstance(_read("sub/../a.pdf", tmp_path / "in"), LocalFile)


def test_a_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    _pdf(tmp_path / "out" / "s.pdf")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "link.pdf").symlink_to(tmp_path / "out" / "s.pdf")
    got = _read("link.pdf", tmp_path / "in")
    assert isinstance(got, Refusal) and "symlink" in got.reason


def test_a_symlinked_folder_out_of_the_root_is_refused(tmp_path: Path) -> None:
    _pdf(tmp_path / "out" / "s.pdf")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "dir").symlink_to(tmp_path / "out")
    assert isinstance(_read("dir/s.pdf", tmp_path / "in"), Refusal)


def test_a_symlink_within_the_root_is_followed(tmp_path: Path) -> None:
    _pdf(tmp_path / "in" / "real.pdf")
    (tmp_path / "in" / "alias.pdf").symlink_to(tmp_path / "in" / "real.pdf")
    assert isinstance(_read("alias.pdf", tmp_path / "in"), LocalFile)


def test_a_sibling_whose_name_starts_like_the_root_is_outside(tmp_path: Path) -> None:
    _pdf(tmp_path / "inbox-evil" / "a.pdf")
    (tmp_path / "inbox").mkdir()
    got = _read(str(tmp_path / "inbox-evil" / "a.pdf"), tmp_path / "inbox")
    assert isinstance(got, Refusal)


def test_an_extra_root_is_allowed(tmp_path: Path) -> None:
    _pdf(tmp_path / "Papers" / "a.pdf")
    (tmp_path / "in").mkdir()
    target = str(tmp_path / "Papers" / "a.pdf")
    assert isinstance(_read(target, tmp_path / "in"), Refusal)
    assert isinstance(_read(target, tmp_path / "in", tmp_path / "Papers"), LocalFile)


def test_a_file_over_the_limit_is_refused_unread(tmp_path: Path) -> None:
    _pdf(tmp_path / "in" / "big.pdf", 5000)
    got = _read("big.pdf", tmp_path / "in", limit=1000)
    assert isinstance(got, Refusal) and "over the limit" in got.reason


def test_a_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    os.mkfifo(tmp_path / "in" / "pipe.pdf")
    got = _read("pipe.pdf", tmp_path / "in")
    assert isinstance(got, Refusal) and "regular file" in got.reason


def test_a_text_file_is_refused_by_its_content(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "notes.pdf").write_text("root:x:0:0\n")
    got = _read("notes.pdf", tmp_path / "in")
    assert isinstance(got, Refusal) and "content" in got.reason


def test_a_symlink_swapped_in_after_the_check_is_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The race: the path is checked, then replaced by a symlink before it is opened.
    _pdf(tmp_path / "in" / "a.pdf")
    _pdf(tmp_path / "out" / "secret.pdf")
    real_locate = admit.locate

    def swap_after_check(target: str, export_dir: str | os.PathLike[str]) -> str:
        found = real_locate(target, export_dir)
        os.unlink(found)
        os.symlink(tmp_path / "out" / "secret.pdf", found)
        return found

    monkeypatch.setattr(admit, "locate", swap_after_check)
    got = _read("a.pdf", tmp_path / "in")
    assert isinstance(got, Refusal) and "symlink" in got.reason


def test_a_folder_swapped_for_a_symlink_after_the_check_is_caught_after_opening(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _pdf(tmp_path / "in" / "sub" / "a.pdf")
    _pdf(tmp_path / "out" / "a.pdf")
    real_locate = admit.locate

    def swap_folder(target: str, export_dir: str | os.PathLike[str]) -> str:
        found = real_locate(target, export_dir)
        os.rename(tmp_path / "in" / "sub", tmp_path / "in" / "old")
        os.symlink(tmp_path / "out", tmp_path / "in" / "sub")
        return found

    monkeypatch.setattr(admit, "locate", swap_folder)
    got = _read("sub/a.pdf", tmp_path / "in")
    assert isinstance(got, Refusal) and "moved" in got.reason
