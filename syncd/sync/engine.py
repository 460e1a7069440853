"""Carrying out a sync plan against the library, exactly once.

Creates: every new item (and each child note) gets a key chosen here. The key is
written to the state database with the record's identities *before* the request is
sent, and the object goes out with ``version: 0`` ("must not exist yet"). A resend
after a timeout, a reset or a crash therefore carries the same key, and the
server's per-object 412 then means "it landed last time": the item is read back,
never created twice.

Updates carry the version the merge was based on. A 412 means the user changed the
item meanwhile: it is read again, merged again, and sent again (a few rounds at
most). The base of the three-way merge is stored only after an update landed, so a
failed update is simply planned again next time.

Writes go out in batches of at most 50 objects; a parent and its notes stay in one
batch when they fit. Every object's result is handled on its own.

A write the server refuses for its content (400, 413) would be refused again on
every run: a fingerprint of it is stored with the server's reason, and the same
content is reported as ``refused`` without being sent until the record changes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from syncd.core.identity import item_title
from syncd.core.match import LibraryIndex
from syncd.core.plan import Action, Options, make_plan, note_digest
from syncd.errors import Interrupted
from syncd.library.mirror import mirror_item
from syncd.schema import Schema
from syncd.state import StateDB
from syncd.sync import store
from syncd.sync.outcome import RecordOutcome
from syncd.zotero.client import WriteResult

log = logging.getLogger(__name__)

BATCH = 50
UPDATE_ROUNDS = 4
KEY_ALPHABET = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
# Per-object codes the server gives a write for its content: the same content would
# get the same answer (others, such as 409 or 503, may pass next time).
CONTENT_REFUSALS = frozenset({400, 413})

Json = dict[str, Any]
Progress = Callable[[int], None]


def new_key() -> str:
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(8))


class Writer(Protocol):
    """The part of the API client the engine writes through."""

    def post_items(
        self, objects: Sequence[Json], *, write_token: str | None = None
    ) -> WriteResult: ...

    def items_by_keys(self, keys: Iterable[str], *, concurrency: int = 4) -> list[Json]: ...


class MirrorWriter(Protocol):
    """Keeps the mirror current with what the engine wrote or read back."""

    def __call__(self, items: Sequence[Json]) -> None: ...


@dataclass
class _Object:
    action: Action
    body: Json
    is_note: bool
    replaces: str | None = None  # a note replaced in place: the digest of its new text


@dataclass
class _Run:
    """What one execution writes through, shared by the create and update steps."""

    client: Writer
    db: StateDB
    library: str
    index: LibraryIndex
    schema: Schema
    options: Options
    remember_items: MirrorWriter
    progress: Progress | None
    key_factory: Callable[[], str]
    stop: Callable[[], bool] | None

    def check(self) -> None:
        """Between batches: stop if asked to (everything sent so far is recorded)."""
        if self.stop is not None and self.stop():
            raise Interrupted("stopped between batches; the rest is synced on the next run")


def execute(
    plan_actions: Sequence[Action],
    *,
    client: Writer,
    db: StateDB,
    library: str,
    index: LibraryIndex,
    schema: Schema,
    options: Options,
    remember_items: MirrorWriter,
    progress: Progress | None = None,
    key_factory: Callable[[], str] = new_key,
    stop: Callable[[], bool] | None = None,
) -> list[RecordOutcome]:
    """Apply the actions; return one outcome per action.

    ``stop`` is asked between batches; when it says so, :class:`Interrupted` is raised
    (everything sent so far is recorded, the rest is planned again next run).
    """
    run = _Run(
        client, db, library, index, schema, options, remember_items, progress, key_factory, stop
    )
    outcomes: list[RecordOutcome] = []
    creates: list[Action] = []
    writes: list[Action] = []
    quiet: list[Action] = []
    for action in plan_actions:
        if action.kind == "create":
            creates.append(action)
        elif action.kind in ("update", "conflict") and _writes(action):
            writes.append(action)
        else:
            quiet.append(action)

    outcomes.extend(_quiet_outcome(action) for action in quiet)
    creates, writes = _held_back(creates, writes, run, outcomes)
    # One transaction for all of them: a commit each (synchronous=FULL) made an
    # unchanged re-sync of thousands of records wait on thousands of fsyncs.
    store.record_intents(
        db,
        library,
        [
            (action.key, action.identities, action.new_base)
            for action in quiet
            if action.kind in ("unchanged", "conflict") and action.key and not action.recorded
        ],
        confirmed=True,
        created_by_syncd=False,
    )
    if progress and quiet:
        progress(len(quiet))

    try:
        outcomes.extend(_create(creates, run))
        outcomes.extend(_update(writes, run))
    except Interrupted as exc:
        exc.outcomes[:0] = outcomes
        raise
    return outcomes


def refusal_fingerprint(action: Action) -> str:
    """What identifies the content of a write: a create's item and notes, an
    update's target key, changed fields and notes."""
    body = {
        "key": None if action.kind == "create" else action.key,
        "payload": action.payload,
        "notes": list(action.notes),
    }
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _held_back(
    creates: list[Action], writes: list[Action], run: _Run, outcomes: list[RecordOutcome]
) -> tuple[list[Action], list[Action]]:
    """The creates and updates to send: those refused before with the same content
    are reported (appended to ``outcomes``) and left out."""
    if not (creates or writes) or not store.any_refusals(run.db, run.library):
        return creates, writes
    prints = {id(a): refusal_fingerprint(a) for a in (*creates, *writes)}
    known = store.refusals(run.db, run.library, prints.values())
    if not known:
        return creates, writes

    def keep(action: Action) -> bool:
        reason = known.get(prints[id(action)])
        if reason is None:
            return True
        outcomes.append(
            _outcome(
                action,
                "refused",
                key=action.key,
                message=f"Zotero refused this record on an earlier run ({reason}); "
                "not sent again until the record changes",
            )
        )
        return False

    return [a for a in creates if keep(a)], [a for a in writes if keep(a)]


def _refusal(action: Action, code: int, message: str) -> store.Refusal:
    src = action.sources[0]
    return store.Refusal(
        refusal_fingerprint(action), _title(action), f"{src.file}:{src.line}", f"{code}: {message}"
    )


def _writes(action: Action) -> bool:
    return bool(action.payload or action.notes or action.note_updates)


def _title(action: Action) -> str:
    return item_title(action.record.item)


def _outcome(action: Action, kind: str, **kw: Any) -> RecordOutcome:
    return RecordOutcome(kind=kind, sources=action.sources, title=_title(action), **kw)


def _quiet_outcome(action: Action) -> RecordOutcome:
    return _outcome(
        action,
        action.kind,
        key=action.key,
        message=action.reason,
        conflicts=action.conflicts,
        candidates=action.candidates,
        kept=action.kept,
    )


def _batches(groups: Sequence[list[_Object]]) -> list[list[_Object]]:
    """Pack parent+notes groups into batches of at most 50, keeping groups whole
    where they fit (a parent always precedes its notes)."""
    batches: list[list[_Object]] = []
    current: list[_Object] = []
    for group in groups:
        if current and len(current) + len(group) > BATCH:
            batches.append(current)
            current = []
        for obj in group:
            if len(current) == BATCH:
                batches.append(current)
                current = []
            current.append(obj)
    if current:
        batches.append(current)
    return batches


def _note_objects(
    action: Action, parent: str, run: _Run, pending: list[store.PendingNote]
) -> list[_Object]:
    """The action's notes as objects to send, each once: a note Zotero already has
    (confirmed) is skipped, one sent without an answer is resent under its key."""
    sent = store.notes_of(run.db, run.library, parent)
    objects = []
    slots = action.note_slots or (None,) * len(action.notes)
    for html, slot in zip(action.notes, slots, strict=True):
        digest = note_digest(html)
        note_key, confirmed = sent.get(digest, (None, False))
        if confirmed:
            continue
        note_key = note_key or run.key_factory()
        pending.append(store.PendingNote(note_key, parent, digest, slot))
        objects.append(_Object(action, _note_body(note_key, parent, html), True))
    for update in action.note_updates:
        note = run.index.items.get(update.key)
        if note is None:
            continue
        body = {"key": update.key, "version": note.version, "note": update.html}
        objects.append(_Object(action, body, True, replaces=update.digest))
    return objects


def _note_body(key: str, parent: str, html: str) -> Json:
    return {
        "key": key,
        "version": 0,
        "itemType": "note",
        "note": html,
        "parentItem": parent,
        "tags": [],
        "relations": {},
    }


def _create(actions: Sequence[Action], run: _Run) -> list[RecordOutcome]:
    if not actions:
        return []
    groups: list[list[_Object]] = []
    intents: list[tuple[str, Sequence[str], Mapping[str, Any]]] = []
    notes: list[store.PendingNote] = []
    keyed: list[Action] = []
    for action in actions:
        key = action.key or run.key_factory()
        group = [_Object(action, {**action.payload, "key": key, "version": 0}, False)]
        group += _note_objects(action, key, run, notes)
        groups.append(group)
        intents.append((key, action.identities, action.new_base))
        keyed.append(action)
    # Write-ahead: the chosen keys are durable before any request carries them.
    store.record_intents(
        run.db, run.library, intents, notes, confirmed=False, created_by_syncd=True
    )

    def book(
        confirmed: list[str],
        refused: list[str],
        landed: list[Json],
        content_refused: list[store.Refusal],
    ) -> None:
        store.confirm_items(run.db, run.library, confirmed)
        if refused:
            store.forget_items(run.db, run.library, refused)
        if content_refused:
            store.record_refusals(run.db, run.library, content_refused)
        if landed:
            run.remember_items(landed)

    state: dict[str, str] = {}  # parent key -> "created" | "failed: ..."
    # Each batch's bookkeeping runs in a worker while the next batch is on the wire,
    # one batch behind at most: it was a third of a large create's time, all of it
    # spent while the network sat idle. Only the worker touches the database and
    # the mirror (remember_items, which may also update the session's index) in the
    # loop; a crash before a confirmation lands means a resend of the same keys,
    # which the server answers with 412 ("it landed"), never a duplicate.
    behind: Future[None] | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="syncd-book") as worker:
        try:
            for batch in _batches(groups):
                run.check()
                result = run.client.post_items([o.body for o in batch])
                landed: list[Json] = []
                exists: list[str] = []
                confirmed: list[str] = []
                refused: list[str] = []
                content_refused: list[store.Refusal] = []
                for i, obj in enumerate(batch):
                    key = str(obj.body["key"])
                    parent = str(obj.body.get("parentItem") or key)
                    if i in result.successful:
                        landed.append(result.successful[i])
                        confirmed.append(key)
                    elif i in result.unchanged:
                        confirmed.append(key)
                    elif i in result.failed:
                        failure = result.failed[i]
                        if failure.code == 412:
                            exists.append(key)  # sent before and it landed then
                            confirmed.append(key)
                        else:
                            msg = (
                                f"Zotero refused {'a note of ' if obj.is_note else ''}the item "
                                f"({failure.code}: {failure.message})"
                            )
                            if not obj.is_note:
                                refused.append(key)
                                state[parent] = msg
                                if failure.code in CONTENT_REFUSALS:
                                    content_refused.append(
                                        _refusal(obj.action, failure.code, failure.message)
                                    )
                                    state[parent] += "; not sent again until the record changes"
                            else:
                                log.warning("%s: %s", parent, msg)
                            continue
                    if not obj.is_note:
                        state.setdefault(parent, "created")
                if exists:
                    landed.extend(run.client.items_by_keys(exists))
                if behind is not None:
                    behind.result()
                behind = worker.submit(book, confirmed, refused, landed, content_refused)
                if run.progress:
                    run.progress(sum(1 for o in batch if not o.is_note))
        except BaseException as exc:
            # Keep the error that stopped the loop (an unavailable API must end in exit
            # 75, not in a storage error of the batch before): a bookkeeping failure
            # here only means a resend of durable keys next run.
            if behind is not None:
                try:
                    behind.result()
                except Exception:
                    log.exception("recording the last batch failed; it is resent next run")
            if isinstance(exc, Interrupted):
                exc.outcomes += [
                    _outcome(action, "created", key=group[0].body["key"])
                    for action, group in zip(keyed, groups, strict=True)
                    if state.get(group[0].body["key"]) == "created"
                ]
            raise
        if behind is not None:
            behind.result()

    outcomes = []
    for action, group in zip(keyed, groups, strict=True):
        key = group[0].body["key"]
        verdict = state.get(key, "failed: no result for this object")
        if verdict == "created":
            # "new" says nothing; "shares DOI with ..." and "possible duplicate of
            # ..." are for the user to read in the report.
            message = "" if action.reason == "new" else action.reason
            outcomes.append(_outcome(action, "created", key=key, message=message))
        else:
            outcomes.append(_outcome(action, "failed", message=verdict))
    return outcomes


def _update(actions: Sequence[Action], run: _Run) -> list[RecordOutcome]:
    outcomes: list[RecordOutcome] = []
    todo = list(actions)
    # Items whose new notes landed although the item itself met a 412: their replan
    # finds nothing left to do, yet this sync did update them.
    noted: set[str] = set()
    for round_ in range(UPDATE_ROUNDS):
        if not todo:
            break
        retry: list[Action] = []
        groups: list[list[_Object]] = []
        notes: list[store.PendingNote] = []
        for action in todo:
            assert action.key is not None
            current = run.index.items[action.key]
            body = {**action.payload, "key": action.key, "version": current.version}
            group = [_Object(action, body, False)]
            group += _note_objects(action, action.key, run, notes)
            groups.append(group)
        if notes:
            # Write-ahead, as for creates: a resend reuses these keys.
            store.record_intents(
                run.db, run.library, [], notes, confirmed=False, created_by_syncd=True
            )
        for batch in _batches(groups):
            try:
                run.check()
            except Interrupted as exc:
                exc.outcomes += outcomes
                raise
            result = run.client.post_items([o.body for o in batch])
            landed: list[Json] = []
            stale: list[Action] = []
            done: dict[str, Action] = {}
            confirmed: list[str] = []
            content_refused: list[store.Refusal] = []
            replaced: list[tuple[str, str]] = []
            for i, obj in enumerate(batch):
                key = obj.body["key"]
                if obj.replaces is not None:
                    if i in result.successful or i in result.unchanged:
                        replaced.append((key, obj.replaces))
                        if obj.action.key:
                            noted.add(obj.action.key)
                        if i in result.successful:
                            landed.append(result.successful[i])
                    else:
                        # 412: the user edited the note meanwhile; it is theirs now.
                        log.info("note %s not replaced: it changed in Zotero", key)
                    continue
                if i in result.successful or i in result.unchanged:
                    if i in result.successful:
                        landed.append(result.successful[i])
                    confirmed.append(key)
                    if not obj.is_note:
                        done[key] = obj.action
                    elif obj.action.key:
                        noted.add(obj.action.key)
                elif i in result.failed:
                    failure = result.failed[i]
                    if obj.is_note and failure.code == 412:
                        confirmed.append(key)  # sent before, and it landed then
                    elif obj.is_note:
                        log.warning(
                            "%s: a note was refused (%s: %s)",
                            obj.body["parentItem"],
                            failure.code,
                            failure.message,
                        )
                    elif failure.code == 412:
                        stale.append(obj.action)
                    else:
                        message = f"Zotero refused the update ({failure.code}: {failure.message})"
                        if failure.code in CONTENT_REFUSALS:
                            content_refused.append(
                                _refusal(obj.action, failure.code, failure.message)
                            )
                            message += "; not sent again until the record changes"
                        outcomes.append(_outcome(obj.action, "failed", key=key, message=message))
            store.confirm_items(run.db, run.library, confirmed)
            if content_refused:
                store.record_refusals(run.db, run.library, content_refused)
            if replaced:
                store.replace_notes(run.db, run.library, replaced)
            store.record_intents(
                run.db,
                run.library,
                [(key, action.identities, action.new_base) for key, action in done.items()],
                confirmed=True,
                created_by_syncd=False,
            )
            for key, action in done.items():
                outcomes.append(
                    _outcome(
                        action,
                        action.kind if action.kind == "conflict" else "updated",
                        key=key,
                        changed_fields=tuple(sorted(action.payload)),
                        conflicts=action.conflicts,
                        kept=action.kept,
                        message=action.reason,
                    )
                )
            if landed:
                run.remember_items(landed)
                for obj_json in landed:
                    _index_json(run.index, obj_json)
            retry.extend(stale)
            if run.progress:
                run.progress(len(done))
        if not retry:
            todo = []
            break
        # The user changed these items meanwhile: read them again and merge again.
        fresh = run.client.items_by_keys([a.key for a in retry if a.key])
        run.remember_items(fresh)
        for obj_json in fresh:
            _index_json(run.index, obj_json)
        links = store.load_links(run.db, run.library)
        replanned = make_plan(
            [a.incoming for a in retry], run.index, links, run.schema, run.options
        ).actions
        todo = []
        for action in replanned:
            if action.kind in ("update", "conflict") and _writes(action):
                todo.append(action)
                continue
            if action.kind in ("unchanged", "conflict") and action.key:
                # Often our own earlier attempt had landed (its answer was lost): Zotero
                # now holds the export's values, which are the base from here on.
                store.record_intent(
                    run.db,
                    run.library,
                    action.key,
                    action.identities,
                    action.new_base,
                    confirmed=True,
                    created_by_syncd=False,
                )
            if action.kind == "unchanged" and action.key in noted:
                outcomes.append(_outcome(action, "updated", key=action.key))
                continue
            outcomes.append(_quiet_outcome(action))
        log.info(
            "update round %d: %d items changed meanwhile, merged again", round_ + 1, len(retry)
        )
    for action in todo:
        outcomes.append(
            _outcome(
                action,
                "failed",
                key=action.key,
                message="the item kept changing in Zotero while syncd tried to update it; "
                "sync the file again to retry",
            )
        )
    return outcomes


def _index_json(index: LibraryIndex, obj: Json) -> None:
    """Put an item JSON as the API returns it into the in-memory index."""
    index.add(mirror_item(obj))
