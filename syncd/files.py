"""Crash-safe file operations: atomic writes, moves that never overwrite, hashing.

Everything the daemon writes (reports, processed/failed moves) goes through here so
that a crash or power loss leaves either the old state or the new one, never a torn
file. The recipe is the usual one (as in Radicale): write to a temporary file in the
same directory, fsync it, rename it over the target, then fsync the directory so the
rename itself is durable.

``move_into`` reserves its destination name with ``O_CREAT | O_EXCL`` before renaming
over the (empty) reservation: ``os.rename`` would silently replace an existing file,
and Linux's ``renameat2(RENAME_NOREPLACE)`` is not exposed by Python. A crash between
the reservation and the rename leaves an empty file behind, which is harmless; an
overwritten report or export would not be.

Errors are raised as the project's own types: problems with an input file being moved
are ``InputError`` (naming the input file), problems writing our own output are
``StateError``. Each message says what to do and whether the input was left in place.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import stat
import tempfile
from pathlib import Path

from syncd.errors import InputError, StateError

_CHUNK = 1024 * 1024
# How many "-N" names move_into tries before giving up; far beyond any real folder.
_MAX_NAME_ATTEMPTS = 10_000


def _advice(err: OSError, where: Path | str) -> str:
    """A short cause and what the user can do about it, for one OSError."""
    code = err.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        return f"disk full (or quota exceeded) on the filesystem holding {where}: free space"
    if code in (errno.EACCES, errno.EPERM):
        return (
            f"permission denied on {where}: give the user syncd runs as write access "
            "(under systemd, also list the folder in ReadWritePaths=)"
        )
    if code == errno.EROFS:
        return (
            f"{where} is on a read-only filesystem: under systemd, list the folder in "
            "ReadWritePaths="
        )
    if code == errno.ENOENT:
        return f"{where} does not exist: create it or fix the configured path"
    return f"{err.strerror or err} ({where})"


def fsync_dir(path: Path) -> None:
    """Make a rename or unlink inside ``path`` durable.

    Some filesystems (network shares, FUSE) refuse fsync on directories; the rename is
    still done there, we just cannot force it to disk, so that refusal is not an error.
    """
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    except OSError as err:
        if err.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def atomic_write(path: Path, data: bytes, *, mode: int = 0o600, purpose: str | None = None) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new file only.

    ``purpose`` names what is written ("the report for scopus.ris") in error messages.
    Raises ``StateError`` when the file cannot be written; the previous content of
    ``path`` (if any) is then left as it was and no temporary file remains.
    """
    path = Path(path)
    what = purpose or str(path)
    parent = path.parent
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    except OSError as err:
        raise StateError(f"cannot write {what}: {_advice(err, parent)}") from err
    tmp = Path(tmp_name)
    try:
        try:
            os.fchmod(fd, mode)
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise StateError(
            f"cannot write {what}: {_advice(err, parent)}; the input file was left in place"
        ) from err
    try:
        fsync_dir(parent)
    except OSError as err:
        raise StateError(f"cannot make {what} durable: {_advice(err, parent)}") from err


def _candidate_names(name: str) -> list[str]:
    base = Path(name)
    stem, suffix = base.stem, base.suffix
    if not stem:
        stem, suffix = name, ""
    return [name] + [f"{stem}-{n}{suffix}" for n in range(1, _MAX_NAME_ATTEMPTS)]


def _reserve(dest_dir: Path, name: str) -> Path:
    """Create an empty placeholder under a free name derived from ``name``."""
    for candidate in _candidate_names(name):
        target = dest_dir / candidate
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        os.close(fd)
        return target
    raise OSError(errno.EEXIST, f"no free name for {name} after {_MAX_NAME_ATTEMPTS} tries")


def _make_dir(path: Path, mode: int) -> None:
    path.mkdir(mode=mode, parents=True, exist_ok=True)


def move_into(src: Path, dest_dir: Path) -> Path:
    """Move ``src`` into ``dest_dir`` without ever overwriting; return the new path.

    ``dest_dir`` is created (mode 0o700) when missing. A name already taken gets
    ``-1``, ``-2``... before its suffix (``a.ris`` -> ``a-1.ris``). Within one
    filesystem this is a rename; across filesystems the file is copied, fsynced and
    renamed into place, and the source is unlinked only once the copy is durable.
    Raises ``InputError`` (naming ``src``) on failure; the source is then left where
    it was.
    """
    src = Path(src)
    dest_dir = Path(dest_dir)
    where = f"moving {src.name} into {dest_dir}"
    try:
        st = os.stat(src, follow_symlinks=False)
    except OSError as err:
        raise InputError(f"cannot move the file: {_advice(err, src)}", file=str(src)) from err
    # A symlink (the watcher follows those that stay inside the folder) is moved as
    # the link itself; its target is left alone.
    if not (stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode)):
        raise InputError(
            "cannot move the file: it is not a regular file; remove it by hand", file=str(src)
        )
    try:
        _make_dir(dest_dir, 0o700)
        target = _reserve(dest_dir, src.name)
    except OSError as err:
        raise InputError(
            f"{where} failed: {_advice(err, dest_dir)}; the input file was left in place",
            file=str(src),
        ) from err
    try:
        os.rename(src, target)
    except OSError as err:
        if err.errno != errno.EXDEV:
            with contextlib.suppress(OSError):
                target.unlink()
            # A rename needs write access to both folders; either may be the culprit.
            where_err = src if err.errno == errno.ENOENT else f"{src.parent} or {dest_dir}"
            raise InputError(
                f"{where} failed: {_advice(err, where_err)}; the input file was left in place",
                file=str(src),
            ) from err
        _copy_across(src, target, where)
    try:
        fsync_dir(dest_dir)
        fsync_dir(src.parent)
    except OSError as err:
        raise InputError(
            f"{where}: the move is done but could not be made durable: {_advice(err, dest_dir)}",
            file=str(src),
        ) from err
    return target


def _copy_across(src: Path, target: Path, where: str) -> None:
    """Cross-device half of ``move_into``: copy durably, then drop the source."""
    tmp: Path | None = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        tmp = Path(tmp_name)
        with open(src, "rb") as fin, os.fdopen(fd, "wb") as fout:
            shutil.copyfileobj(fin, fout, _CHUNK)
            fout.flush()
            os.fsync(fout.fileno())
        shutil.copystat(src, tmp)
        os.replace(tmp, target)
        tmp = None
        fsync_dir(target.parent)
    except OSError as err:
        for leftover in (tmp, target):
            if leftover is not None:
                with contextlib.suppress(OSError):
                    leftover.unlink()
        raise InputError(
            f"{where} failed: {_advice(err, target.parent)}; the input file was left in place",
            file=str(src),
        ) from err
    try:
        src.unlink()
    except OSError as err:
        raise InputError(
            f"{where}: the file was copied to {target} but the original could not be removed "
            f"({_advice(err, src.parent)}); delete it by hand",
            file=str(src),
        ) from err


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's content, read in chunks so size does not matter."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            while chunk := f.read(_CHUNK):
                digest.update(chunk)
    except OSError as err:
        raise InputError(
            f"cannot read the file: {_advice(err, Path(path))}", file=str(path)
        ) from err
    return digest.hexdigest()


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if missing and make it accessible to us only.

    An existing directory we own is tightened to 0o700: it holds state or reports that
    may name the user's library. One owned by someone else is left alone, since we
    could not chmod it anyway. Raises ``StateError`` when it cannot be created.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise StateError(f"{path} exists but is not a folder: move it away or pick another path")
    try:
        _make_dir(path, 0o700)
        st = path.stat()
        if st.st_uid == os.geteuid() and stat.S_IMODE(st.st_mode) & 0o077:
            path.chmod(stat.S_IMODE(st.st_mode) & 0o700)
    except OSError as err:
        raise StateError(f"cannot create the private folder {path}: {_advice(err, path)}") from err
    return path
