from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from syncd.errors import InputError, StateError
from syncd.files import atomic_write, ensure_private_dir, file_sha256, move_into


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _raise(code: int) -> Callable[..., None]:
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    return fail


# --- atomic_write ------------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o644])
def test_atomic_write_creates_file_with_mode(tmp_path: Path, mode: int) -> None:
    target = tmp_path / "report.json"
    atomic_write(target, b"hello", mode=mode)
    assert target.read_bytes() == b"hello"
    assert _mode(target) == mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_atomic_write_replaces_existing_content(tmp_path: Path) -> None:
    target = tmp_path / "state.txt"
    target.write_bytes(b"old content that is longer")
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"


def test_atomic_write_large_payload(tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    target = tmp_path / "big.bin"
    atomic_write(target, data)
    assert target.read_bytes() == data


def test_atomic_write_disk_full_keeps_old_file_and_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.json"
    target.write_bytes(b"previous")
    monkeypatch.setattr(os, "write", _raise(errno.ENOSPC))
    with pytest.raises(StateError) as info:
        atomic_write(target, b"new data", purpose="the report for scopus.ris")
    message = str(info.value)
    assert "the report for scopus.ris" in message
    assert "disk full" in message
    assert "free space" in message
    assert "input file was left in place" in message
    monkeypatch.undo()
    assert target.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_atomic_write_into_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(StateError, match="does not exist"):
        atomic_write(tmp_path / "nope" / "x.json", b"{}")


def test_atomic_write_short_writes_are_completed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = os.write

    def one_byte_at_a_time(fd: int, data: bytes | memoryview) -> int:
        return real_write(fd, bytes(data[:1]))

    monkeypatch.setattr(os, "write", one_byte_at_a_time)
    target = tmp_path / "x"
    atomic_write(target, b"abcdef")
    monkeypatch.undo()
    assert target.read_bytes() == b"abcdef"


# --- move_into ---------------------------------------------------------------------


def _make(path: Path, data: bytes = b"TY  - JOUR\nER  - \n") -> Path:
    path.write_bytes(data)
    return path


def test_move_into_creates_private_dest_dir(tmp_path: Path) -> None:
    src = _make(tmp_path / "export.ris")
    dest = tmp_path / "processed"
    moved = move_into(src, dest)
    assert moved == dest / "export.ris"
    assert not src.exists()
    assert moved.read_bytes() == b"TY  - JOUR\nER  - \n"
    assert _mode(dest) == 0o700


def test_move_into_keeps_mode_of_existing_dest_dir(tmp_path: Path) -> None:
    dest = tmp_path / "processed"
    dest.mkdir(mode=0o755)
    dest.chmod(0o755)
    move_into(_make(tmp_path / "a.ris"), dest)
    assert _mode(dest) == 0o755


@pytest.mark.parametrize(
    ("name", "existing", "expected"),
    [
        ("a.ris", [], "a.ris"),
        ("a.ris", ["a.ris"], "a-1.ris"),
        ("a.ris", ["a.ris", "a-1.ris"], "a-2.ris"),
        ("a.ris", ["a.ris", "a-2.ris"], "a-1.ris"),
        ("export", ["export"], "export-1"),
        ("scopus.2024.ris", ["scopus.2024.ris"], "scopus.2024-1.ris"),
        (".hidden", [".hidden"], ".hidden-1"),
    ],
)
def test_move_into_never_overwrites(
    tmp_path: Path, name: str, existing: list[str], expected: str
) -> None:
    dest = tmp_path / "processed"
    dest.mkdir()
    for other in existing:
        (dest / other).write_bytes(b"keep " + other.encode())
    src = _make(tmp_path / name, b"new")
    moved = move_into(src, dest)
    assert moved == dest / expected
    assert moved.read_bytes() == b"new"
    for other in existing:
        assert (dest / other).read_bytes() == b"keep " + other.encode()


def test_move_into_missing_source(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        move_into(tmp_path / "gone.ris", tmp_path / "processed")
    assert info.value.file == str(tmp_path / "gone.ris")
    assert "does not exist" in str(info.value)


def test_move_into_refuses_a_directory(tmp_path: Path) -> None:
    (tmp_path / "dir.ris").mkdir()
    with pytest.raises(InputError, match="not a regular file"):
        move_into(tmp_path / "dir.ris", tmp_path / "processed")


def test_move_into_moves_a_symlink_not_its_target(tmp_path: Path) -> None:
    target = _make(tmp_path / "real.ris", b"real")
    link = tmp_path / "link.ris"
    link.symlink_to(target)
    moved = move_into(link, tmp_path / "processed")
    assert moved.is_symlink()
    assert moved.read_bytes() == b"real"
    assert not link.exists() and not link.is_symlink()
    assert target.read_bytes() == b"real"


@pytest.mark.parametrize(
    ("code", "phrase"),
    [
        (errno.EACCES, "permission denied"),
        (errno.EROFS, "read-only"),
        (errno.ENOSPC, "disk full"),
    ],
)
def test_move_into_rename_failure_leaves_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, phrase: str
) -> None:
    src = _make(tmp_path / "a.ris")
    dest = tmp_path / "processed"
    monkeypatch.setattr(os, "rename", _raise(code))
    with pytest.raises(InputError) as info:
        move_into(src, dest)
    assert phrase in str(info.value)
    assert "left in place" in str(info.value)
    assert src.read_bytes() == b"TY  - JOUR\nER  - \n"
    # the reserved name is released again
    assert list(dest.iterdir()) == []


def test_move_into_cross_device_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = os.urandom(2 * 1024 * 1024 + 3)
    src = _make(tmp_path / "big.ris", data)
    dest = tmp_path / "processed"
    dest.mkdir()
    (dest / "big.ris").write_bytes(b"older")
    monkeypatch.setattr(os, "rename", _raise(errno.EXDEV))
    moved = move_into(src, dest)
    assert moved == dest / "big-1.ris"
    assert moved.read_bytes() == data
    assert (dest / "big.ris").read_bytes() == b"older"
    assert not src.exists()
    assert sorted(p.name for p in dest.iterdir()) == ["big-1.ris", "big.ris"]


def test_move_into_cross_device_disk_full_leaves_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = _make(tmp_path / "a.ris", b"content")
    dest = tmp_path / "processed"
    monkeypatch.setattr(os, "rename", _raise(errno.EXDEV))
    monkeypatch.setattr(shutil, "copyfileobj", _raise(errno.ENOSPC))
    with pytest.raises(InputError) as info:
        move_into(src, dest)
    assert "disk full" in str(info.value)
    assert "left in place" in str(info.value)
    assert src.read_bytes() == b"content"
    assert list(dest.iterdir()) == []


def test_move_into_cross_device_fsync_failure_keeps_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = _make(tmp_path / "a.ris", b"content")
    dest = tmp_path / "processed"
    monkeypatch.setattr(os, "rename", _raise(errno.EXDEV))
    monkeypatch.setattr(os, "fsync", _raise(errno.EIO))
    with pytest.raises(InputError):
        move_into(src, dest)
    monkeypatch.undo()
    assert src.read_bytes() == b"content"
    assert list(dest.iterdir()) == []


@pytest.fixture
def other_filesystem() -> Iterator[Path]:
    shm = Path("/dev/shm")
    if not shm.is_dir() or not os.access(shm, os.W_OK):
        pytest.skip("/dev/shm is not available as a second filesystem")
    path = Path(tempfile.mkdtemp(dir=shm))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def test_move_into_real_cross_device(tmp_path: Path, other_filesystem: Path) -> None:
    if os.stat(tmp_path).st_dev == os.stat(other_filesystem).st_dev:
        pytest.skip("tmp_path and /dev/shm are on the same filesystem here")
    src = _make(other_filesystem / "w.ris", b"across")
    moved = move_into(src, tmp_path / "processed")
    assert moved.read_bytes() == b"across"
    assert not src.exists()


# --- file_sha256 -------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 1024 * 1024, 1024 * 1024 + 1, 3 * 1024 * 1024 + 5])
def test_file_sha256_matches_hashlib(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    path = _make(tmp_path / "f", data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()


def test_file_sha256_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        file_sha256(tmp_path / "missing.ris")


# --- ensure_private_dir ------------------------------------------------------------


def test_ensure_private_dir_creates_nested(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "state"
    assert ensure_private_dir(path) == path
    assert path.is_dir()
    assert _mode(path) == 0o700


def test_ensure_private_dir_tightens_existing(tmp_path: Path) -> None:
    path = tmp_path / "state"
    path.mkdir()
    path.chmod(0o755)
    ensure_private_dir(path)
    assert _mode(path) == 0o700


def test_ensure_private_dir_rejects_a_file(tmp_path: Path) -> None:
    path = _make(tmp_path / "state")
    with pytest.raises(StateError, match="not a folder"):
        ensure_private_dir(path)


def test_ensure_private_dir_mkdir_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Path, "mkdir", _raise(errno.EROFS))
    with pytest.raises(StateError, match="read-only"):
        ensure_private_dir(tmp_path / "state")
