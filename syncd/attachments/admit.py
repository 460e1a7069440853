"""Whether a path named in an export may be read, and reading it safely.

A path in an export is user input, and an export may come from anyone who can drop
a file into a watched folder. A file is read only when its real location (every
symlink and ``..`` resolved by ``os.path.realpath``) is inside one of the allowed
roots: the export's own folder, the watched folders and ``[attachments] roots``.

Between that check and the read, a path component could be swapped for a symlink.
So the final component is opened with ``O_NOFOLLOW`` and the opened file itself is
checked again (``/proc/self/fd`` says where it really is; elsewhere its device and
inode must be those of the checked path), and it must be a regular file (no FIFO to
hang on, no device) within the size limit, of a document type by its content.
Only then are its bytes read, once, and hashed: the bytes hashed are the bytes sent.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from syncd.attachments.sniff import sniff


@dataclass(frozen=True, slots=True)
class Refusal:
    written: str  # the path as the export wrote it
    reason: str


@dataclass(frozen=True, slots=True)
class LocalFile:
    path: str  # the real path
    name: str
    size: int
    mtime_ms: int
    md5: str
    content_type: str
    data: bytes


def real_roots(roots: Iterable[str | os.PathLike[str]]) -> tuple[str, ...]:
    """The roots as real paths (a root that is itself a symlink counts where it leads)."""
    return tuple(dict.fromkeys(os.path.realpath(os.fspath(r)) for r in roots))


def within(path: str, roots: Iterable[str]) -> bool:
    """Whether the real path ``path`` is one of ``roots`` or below one (by components)."""
    for root in roots:
        try:
            if os.path.commonpath([path, root]) == root:
                return True
        except ValueError:  # one relative, one absolute: never inside
            continue
    return False


def locate(target: str, export_dir: str | os.PathLike[str]) -> str:
    """Where ``target`` (relative to the export's folder, or absolute) really is."""
    joined = os.path.join(os.fspath(export_dir), target)
    return os.path.realpath(joined)


def read_admitted(
    target: str,
    written: str,
    export_dir: str | os.PathLike[str],
    roots: tuple[str, ...],
    max_bytes: int,
) -> LocalFile | Refusal:
    """The file ``target`` names, read only if every rule above allows it."""
    if "\x00" in target or not target:
        return Refusal(written, "not a usable path")
    joined = os.path.normpath(os.path.join(os.fspath(export_dir), target))
    real = locate(target, export_dir)
    if not within(real, roots):
        via = f"leads (through a symlink) to {real}, which" if real != joined else real
        return Refusal(written, f"{via} is outside the folders attachments may come from")
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Refusal(written, "a symlink appeared in its place; not followed")
        return Refusal(written, f"cannot open it ({exc.strerror})")
    try:
        return _checked(fd, real, written, roots, max_bytes)
    finally:
        os.close(fd)


def _checked(
    fd: int, real: str, written: str, roots: tuple[str, ...], max_bytes: int
) -> LocalFile | Refusal:
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        return Refusal(written, "not a regular file")
    if not _same_file(fd, real, st, roots):
        return Refusal(written, "the file moved while it was opened; not read")
    if st.st_size > max_bytes:
        return Refusal(
            written, f"{st.st_size / 1e6:.1f} MB is over the limit of {max_bytes / 1e6:.0f} MB"
        )
    data = _read_all(fd, max_bytes)
    if data is None:
        return Refusal(written, f"grew over the limit of {max_bytes / 1e6:.0f} MB while read")
    content_type = sniff(data[:4096])
    if content_type is None:
        return Refusal(written, "not a document or image by its content (PDF, EPUB, HTML, ...)")
    mtime_ms = int(st.st_mtime * 1000)
    if mtime_ms <= 0:
        # The Web API refuses an mtime of 0 (and the local API a tiny one).
        mtime_ms = int(time.time() * 1000)
    return LocalFile(
        real,
        os.path.basename(real),
        len(data),
        mtime_ms,
        hashlib.md5(data).hexdigest(),
        content_type,
        data,
    )


def _same_file(fd: int, real: str, st: os.stat_result, roots: tuple[str, ...]) -> bool:
    proc = Path(f"/proc/self/fd/{fd}")
    try:
        opened = os.readlink(proc)
    except OSError:
        opened = None
    if opened is not None:
        return within(opened, roots)
    try:
        now = os.stat(real, follow_symlinks=False)
    except OSError:
        return False
    return (now.st_dev, now.st_ino) == (st.st_dev, st.st_ino)


def _read_all(fd: int, max_bytes: int) -> bytes | None:
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > max_bytes:
            return None
        chunks.append(chunk)
