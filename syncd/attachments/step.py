"""Creating a record's attachments once its item exists: the shell of this package.

Per attachment, in order, each step durable before the next request:

1. Already there? An attachment child of the item (in the mirror, so no request)
   with the file's md5 or the link's URL, or a ``done`` journal row: nothing to do.
   Nothing is ever replaced or deleted.
2. Journal the attachment's key with the md5 or URL (``intent``), then create the
   item with ``version: 0``: a resend after a lost answer or a crash gets a 412,
   which means it landed (``created``).
3. A file: authorize with ``If-None-Match: *``, upload, register. The server's
   ``exists`` ends it early. A 412 (the item has a file) or a register answered
   "upload key not found" (an earlier register landed and its answer was lost) is
   settled by reading the item: its md5 is ours -> done; another file -> left alone
   for good and reported. Upload keys are not kept: a crash anywhere restarts at
   authorize, for the same item. The items that got their file are read back into
   the mirror at the end of the run, 50 a request.

Linked files are never made (a path on this computer means nothing in a shared
library, and group libraries refuse them): local files are stored, links linked.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from syncd.attachments import journal
from syncd.attachments.admit import LocalFile, Refusal, read_admitted, real_roots
from syncd.attachments.journal import Entry, LinkMode, Stage
from syncd.attachments.outcome import AttachmentOutcome, AttachmentResult
from syncd.attachments.refs import AttachmentRef, RefKind
from syncd.errors import ApiError, ApiUnavailableError, Interrupted
from syncd.state import StateDB
from syncd.zotero import uploads
from syncd.zotero.client import ZoteroClient
from syncd.zotero.results import PreconditionFailedError

log = logging.getLogger(__name__)

Json = dict[str, Any]
# (file name, bytes sent, file size), as an upload goes out.
UploadProgress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class AttachmentPolicy:
    """Where files may come from besides each export's own folder, and how large."""

    roots: tuple[str, ...]  # real paths: [attachments] roots and the watched folders
    max_bytes: int

    @classmethod
    def of(cls, roots: Iterable[str | os.PathLike[str]], max_mb: float) -> AttachmentPolicy:
        return cls(real_roots(roots), int(max_mb * 1_000_000))

    def roots_for(self, export_dir: str | os.PathLike[str]) -> tuple[str, ...]:
        return real_roots([export_dir]) + self.roots


def attachment_children(items: Iterable[Any]) -> dict[str, list[Mapping[str, Any]]]:
    """Parent key -> the data of its attachment children, from mirrored items."""
    out: dict[str, list[Mapping[str, Any]]] = {}
    for item in items:
        if item.item_type == "attachment" and item.data.get("parentItem"):
            out.setdefault(str(item.data["parentItem"]), []).append(item.data)
    return out


def _present(children: Sequence[Mapping[str, Any]], *, md5: str = "", url: str = "") -> str | None:
    # One in the trash counts: the user put it there, a new one would undo that.
    for child in children:
        if md5 and child.get("md5") == md5:
            return str(child.get("key"))
        if url and child.get("url") == url:
            return str(child.get("key"))
    return None


class Attacher:
    """Attachments of one sync run, written through one client and state database."""

    def __init__(
        self,
        client: ZoteroClient,
        db: StateDB,
        policy: AttachmentPolicy,
        library_items: Callable[[], Iterable[Any]],
        remember_items: Callable[[Sequence[Json]], None],
        key_factory: Callable[[], str],
        stop: Callable[[], bool] | None = None,
        on_upload: UploadProgress | None = None,
    ) -> None:
        self.client = client
        self.db = db
        self.library = client.library
        self.policy = policy
        self._library_items = library_items
        self._children: dict[str, list[Mapping[str, Any]]] | None = None
        # Items whose file was registered: read back into the mirror by finish().
        self._registered: list[str] = []
        self.remember_items = remember_items
        self.key_factory = key_factory
        self.stop = stop
        self.on_upload = on_upload

    @property
    def children(self) -> dict[str, list[Mapping[str, Any]]]:
        """Attachment children by parent, from the mirror: built on first use (most
        syncs name no attachment), then kept current with what this run adds."""
        if self._children is None:
            self._children = attachment_children(self._library_items())
        return self._children

    # -- planning (no requests) ----------------------------------------------------------

    def preview(
        self, parent: str | None, refs: Sequence[AttachmentRef], export_dir: str
    ) -> list[AttachmentOutcome]:
        out = []
        for ref in refs:
            found = self._settled(parent, ref, export_dir)
            if isinstance(found, AttachmentOutcome):
                out.append(found)
            elif isinstance(found, LocalFile):
                out.append(
                    AttachmentOutcome(
                        AttachmentResult.WOULD_UPLOAD, ref.written, size=found.size, md5=found.md5
                    )
                )
            else:
                out.append(AttachmentOutcome(AttachmentResult.WOULD_LINK, ref.written))
        return out

    def _settled(
        self, parent: str | None, ref: AttachmentRef, export_dir: str
    ) -> AttachmentOutcome | LocalFile | None:
        """An outcome when nothing is to be done, else the file to send (None: a link)."""
        local = self._admit(ref, export_dir)
        if isinstance(local, AttachmentOutcome) or parent is None:
            return local
        return self._already(parent, ref, local) or local

    def _admit(self, ref: AttachmentRef, export_dir: str) -> AttachmentOutcome | LocalFile | None:
        """The file read (None for a link), or its refusal."""
        if ref.refusal is not None:
            return AttachmentOutcome(AttachmentResult.REFUSED, ref.written, message=ref.refusal)
        if ref.kind is RefKind.LINK:
            return None
        admitted = read_admitted(
            ref.target,
            ref.written,
            export_dir,
            self.policy.roots_for(export_dir),
            self.policy.max_bytes,
        )
        if isinstance(admitted, Refusal):
            log.warning("attachment %r refused: %s", ref.written, admitted.reason)
            return AttachmentOutcome(AttachmentResult.REFUSED, ref.written, message=admitted.reason)
        return admitted

    def _already(
        self, parent: str, ref: AttachmentRef, local: LocalFile | None
    ) -> AttachmentOutcome | None:
        """Why nothing is to be done for this file or link of ``parent``, if so."""
        children = self.children.get(parent, [])
        key = _present(children, md5=local.md5) if local else _present(children, url=ref.target)
        if key is not None:
            return AttachmentOutcome(
                AttachmentResult.PRESENT,
                ref.written,
                key=key,
                size=local.size if local else None,
                md5=local.md5 if local else None,
            )
        entry = journal.find(self.db, self.library, parent, local.md5 if local else ref.target)
        if entry is None or entry.stage is not Stage.DONE:
            return None
        kept = any(c.get("key") == entry.key for c in children)
        return AttachmentOutcome(
            AttachmentResult.SKIPPED,
            ref.written,
            key=entry.key,
            message="syncd attached it before and "
            + ("its file was replaced in Zotero" if kept else "it was deleted in Zotero")
            + "; not attached again",
        )

    # -- writing -------------------------------------------------------------------------

    def attach(
        self, parent: str, refs: Sequence[AttachmentRef], export_dir: str
    ) -> list[AttachmentOutcome]:
        out = []
        for ref in refs:
            if self.stop is not None and self.stop():
                raise Interrupted("stopped between attachments; the rest follow on the next run")
            found = self._settled(parent, ref, export_dir)
            if isinstance(found, AttachmentOutcome):
                out.append(found)
                continue
            try:
                out.append(self._write(parent, ref, found))
            except ApiUnavailableError:
                raise
            except ApiError as exc:
                log.warning("attachment %r of %s failed: %s", ref.written, parent, exc)
                out.append(
                    AttachmentOutcome(AttachmentResult.FAILED, ref.written, message=str(exc))
                )
        return out

    def _write(self, parent: str, ref: AttachmentRef, local: LocalFile | None) -> AttachmentOutcome:
        fingerprint = local.md5 if local else ref.target
        entry = journal.find(self.db, self.library, parent, fingerprint)
        if entry is None:
            entry = Entry(
                self.key_factory(),
                parent,
                LinkMode.IMPORTED_FILE if local else LinkMode.LINKED_URL,
                fingerprint,
                ref.written,
                local.size if local else None,
                Stage.INTENT,
            )
            journal.begin(self.db, self.library, entry)
        if entry.stage is Stage.INTENT:
            failure = self._create(entry, ref, local)
            if failure is not None:
                return AttachmentOutcome(
                    AttachmentResult.FAILED, ref.written, key=entry.key, message=failure
                )
            journal.advance(self.db, self.library, entry.key, Stage.CREATED)
        if local is None:
            journal.advance(self.db, self.library, entry.key, Stage.DONE)
            self._now_has(parent, entry.key, url=ref.target)
            return AttachmentOutcome(AttachmentResult.LINKED, ref.written, key=entry.key)
        problem = self._send_file(entry.key, local)
        if problem in (GONE, OTHER_FILE):
            # Settled for good: nothing is ever replaced or made again.
            journal.advance(self.db, self.library, entry.key, Stage.DONE)
            return AttachmentOutcome(
                AttachmentResult.SKIPPED, ref.written, key=entry.key, message=problem
            )
        if problem is not None:
            return AttachmentOutcome(
                AttachmentResult.FAILED, ref.written, key=entry.key, message=problem
            )
        journal.advance(self.db, self.library, entry.key, Stage.DONE)
        self._registered.append(entry.key)
        self._now_has(parent, entry.key, md5=local.md5)
        return AttachmentOutcome(
            AttachmentResult.UPLOADED, ref.written, key=entry.key, size=local.size, md5=local.md5
        )

    def finish(self) -> None:
        """Read the items that got their file into the mirror, 50 a request (a crash
        before this costs nothing: the next refresh sees their new versions)."""
        if self._registered:
            self.remember_items(self.client.items_by_keys(self._registered))
            self._registered = []

    def _now_has(self, parent: str, key: str, *, md5: str = "", url: str = "") -> None:
        """The item has this attachment now: the same file or link named again later
        in this run (another path to it, a dropped copy) is present, not deleted."""
        self.children.setdefault(parent, []).append({"key": key, "md5": md5, "url": url})

    def _create(self, entry: Entry, ref: AttachmentRef, local: LocalFile | None) -> str | None:
        """Create the attachment item; a 412 means an earlier attempt made it."""
        body: Json = {
            "key": entry.key,
            "version": 0,
            "itemType": "attachment",
            "parentItem": entry.parent_key,
            "tags": [],
            "relations": {},
        }
        if local is not None:
            body.update(
                linkMode=LinkMode.IMPORTED_FILE.value,
                title=ref.title or local.name,
                filename=local.name,
                contentType=local.content_type,
            )
        else:
            body.update(linkMode=LinkMode.LINKED_URL.value, title=ref.title, url=ref.target)
        result = self.client.post_items([body])
        if 0 in result.successful:
            self.remember_items([result.successful[0]])
            return None
        failure = result.failed.get(0)
        if failure is None or failure.code == 412:
            self.remember_items(self.client.items_by_keys([entry.key]))
            return None
        return f"Zotero refused the attachment ({failure.code}: {failure.message})"

    def _send_file(self, key: str, local: LocalFile) -> str | None:
        """Authorize, upload, register; None when the item holds the file."""
        for _ in range(2):
            try:
                auth = uploads.authorize(
                    self.client,
                    key,
                    md5=local.md5,
                    filename=local.name,
                    size=local.size,
                    mtime_ms=local.mtime_ms,
                    content_type=local.content_type,
                )
            except PreconditionFailedError:
                return self._verdict(key, local)
            except ApiError as exc:
                if exc.status == 413:
                    return "over the Zotero storage quota; not uploaded"
                if exc.status == 404:
                    # Deleted in Zotero between its creation and the upload.
                    return GONE
                raise
            if isinstance(auth, uploads.Exists):
                return None
            try:
                uploads.upload(self.client, key, auth, local.data, self._progress(local.name))
            except ApiError as exc:
                if exc.status != 404:
                    raise
                # Zotero desktop forgot the upload key (it keeps them in memory, and
                # restarted): authorize afresh, once.
                continue
            try:
                uploads.register(self.client, key, auth.upload_key)
                return None
            except PreconditionFailedError:
                return self._verdict(key, local)
            except ApiError as exc:
                if exc.status != 400:
                    raise
                # "Upload key not found": an earlier register may have landed.
                md5 = self._file_md5(key)
                if md5 == local.md5:
                    return None
                if md5:
                    return OTHER_FILE
                # Not registered and the key is spent: authorize afresh, once.
        return "the upload could not be registered; tried again on the next sync"

    def _progress(self, name: str) -> Callable[[int, int], None] | None:
        on_upload = self.on_upload
        if on_upload is None:
            return None
        return lambda sent, size: on_upload(name, sent, size)

    def _verdict(self, key: str, local: LocalFile) -> str | None:
        """After a 412: None if the item holds our file, else why it is left alone."""
        md5 = self._file_md5(key)
        if md5 == local.md5:
            return None
        return OTHER_FILE if md5 else "Zotero refused the upload (412); tried again next sync"

    def _file_md5(self, key: str) -> str | None:
        found = self.client.items_by_keys([key])
        md5 = found[0]["data"].get("md5") if found else None
        return str(md5) if md5 else None


GONE = "the attachment was deleted in Zotero before its file was uploaded; not made again"
OTHER_FILE = "the attachment holds another file in Zotero now; left alone"
