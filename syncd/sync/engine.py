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
batch when they fit. Every object's result is handled on its own. Creates are sent
from a worker thread so that each batch's bookkeeping happens while the next one
is in flight; the state database and the index are only touched from the calling
thread.

An item written is *settled* (syncd/core/plan.py ``settled_mark``) when merging its
record into the server's answer finds nothing more to do: the next sync of the same
export then skips its merge.

A write the server refuses for its content (400, 413) would be refused again on
every run: a fingerprint of it is stored with the server's reason, and the same
content is reported as ``refused`` without being sent until the record changes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from syncd.core.identity import item_title
from syncd.core.match import LibraryIndex
from syncd.core.plan import Action, Options, make_plan, note_digest, settled_after_write
from syncd.errors import Interrupted
from syncd.schema import Schema
from syncd.state import StateDB
from syncd.sync import store
from syncd.sync.outcome import RecordKind, RecordOutcome
from syncd.zotero.client import WriteResult
from syncd.zotero.results import WriteFailure

log = logging.getLogger(__name__)

BATCH = 50
STOPPED = "stopped between batches; the rest is synced on the next run"
UPDATE_ROUNDS = 4
KEY_ALPHABET = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
# Per-object codes the server gives a write for its content: the same content would
# get the same answer (others, such as 409 or 503, may pass next time).
CONTENT_REFUSALS = frozenset({400, 413})

Json = dict[str, Any]
Progress = Callable[[int], None]


_KEYS = len(KEY_ALPHABET) ** 8


def new_key() -> str:
    """A random item key: eight characters of Zotero's alphabet, uniformly drawn.

    One draw of the whole key rather than one per character: a large import makes
    its keys before the first request goes out, and eight draws each were a
    tenth of the time spent then.
    """
    n = secrets.randbelow(_KEYS)
    chars = []
    for _ in range(8):
        n, digit = divmod(n, len(KEY_ALPHABET))
        chars.append(KEY_ALPHABET[digit])
    return "".join(chars)


class Writer(Protocol):
    """The part of the API client the engine writes through."""

    def post_items(
        self, objects: Sequence[Json], *, write_token: str | None = None
    ) -> WriteResult: ...

    def items_by_keys(self, keys: Iterable[str], *, concurrency: int = 4) -> list[Json]: ...


class MirrorWriter(Protocol):
    """Keeps the mirror current with what the engine wrote or read back: the state
    database's and the in-memory index the engine plans with (the session owns both;
    the engine never adds to the index itself)."""

    def __call__(self, items: Sequence[Json]) -> None: ...


@dataclass
class _Object:
    action: Action
    body: Json
    is_note: bool
    replaces: str | None = None  # a note replaced in place: the digest of its new text
    pending: store.PendingNote | None = None  # a new note: its write-ahead row


@dataclass
class _Results:
    """One batch's per-object results, sorted. Objects the answer does not mention
    are in none of the lists."""

    landed: list[tuple[_Object, Json | None]]  # the server's JSON; None: it had it so
    present: list[_Object]  # 412: a create sent before that landed then, or a stale update
    refused: list[tuple[_Object, WriteFailure]]


def _sorted_results(batch: Sequence[_Object], result: WriteResult) -> _Results:
    sorted_ = _Results([], [], [])
    for i, obj in enumerate(batch):
        if i in result.successful:
            sorted_.landed.append((obj, result.successful[i]))
        elif i in result.unchanged:
            sorted_.landed.append((obj, None))
        elif i in result.failed:
            failure = result.failed[i]
            if failure.code == 412:
                sorted_.present.append(obj)
            else:
                sorted_.refused.append((obj, failure))
    return sorted_


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
            raise Interrupted(STOPPED)


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
    with db.transaction():
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
        store.settle_items(
            db, library, [(a.key, a.settled) for a in quiet if a.key and a.settled is not None]
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
    return RecordOutcome(kind=RecordKind(kind), sources=action.sources, title=_title(action), **kw)


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


def _note_objects(action: Action, parent: str, run: _Run, *, new: bool) -> list[_Object]:
    """The action's notes as objects to send, each once: a note Zotero already has
    (confirmed) is skipped, one sent without an answer is resent under its key.
    ``new``: the parent's key was chosen just now, so no note of it was sent before."""
    sent = {} if new or not action.notes else store.notes_of(run.db, run.library, parent)
    objects = []
    slots = action.note_slots or (None,) * len(action.notes)
    for html, slot in zip(action.notes, slots, strict=True):
        digest = note_digest(html)
        note_key, confirmed = sent.get(digest, (None, False))
        if confirmed:
            continue
        note_key = note_key or run.key_factory()
        pending = store.PendingNote(note_key, parent, digest, slot)
        body = _note_body(note_key, parent, html)
        objects.append(_Object(action, body, True, pending=pending))
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
    """Send the creates batch by batch, each batch's local work hidden behind the
    network: while batch k is in flight, batch k+1's write-ahead rows are written
    and it is queued behind k, and batch k-1's results are recorded.

    The requests go out from one worker thread, one at a time and in order, each
    as soon as the one before is answered (queued, not handed over by this
    thread); the state database and the index are touched by this thread only. A
    key is durable before any request carries it; a crash before its confirmation
    means a resend of the same key, which the server answers with 412 ("it
    landed"), never a duplicate.
    """
    if not actions:
        return []
    groups: list[list[_Object]] = []
    for action in actions:
        key = action.key or run.key_factory()
        group = [_Object(action, {**action.payload, "key": key, "version": 0}, False)]
        group += _note_objects(action, key, run, new=action.key is None)
        groups.append(group)
    state: dict[str, str] = {}  # parent key -> "created" | "failed: ..."
    sender = _Sender(run.client, run.stop)
    queued: deque[tuple[list[_Object], Future[tuple[_Results, list[Json]]]]] = deque()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="syncd-send") as wire:
        try:
            for batch in _batches(groups):
                _write_ahead(batch, run)
                run.check()
                queued.append((batch, wire.submit(sender.send, batch)))
                if len(queued) > 1:
                    _book_next(queued, run, state)
            while queued:
                _book_next(queued, run, state)
        except BaseException as exc:
            sender.broken = True
            _book_what_landed(queued, run, state)
            if isinstance(exc, Interrupted):
                exc.outcomes += [
                    _outcome(group[0].action, "created", key=group[0].body["key"])
                    for group in groups
                    if state.get(group[0].body["key"]) == "created"
                ]
            raise
    return [_created_outcome(group[0], state) for group in groups]


def _book_next(
    queued: deque[tuple[list[_Object], Future[tuple[_Results, list[Json]]]]],
    run: _Run,
    state: dict[str, str],
) -> None:
    """Wait for the oldest batch's answer and record it."""
    done, answer = queued.popleft()
    try:
        results = answer.result()
    except _NotSent:
        # Left unsent because a stop was asked for while the batch before it was in
        # flight (after a failure, that failure is raised first, from its own batch).
        raise Interrupted(STOPPED) from None
    _book_creates(done, *results, run, state)


def _book_what_landed(
    queued: deque[tuple[list[_Object], Future[tuple[_Results, list[Json]]]]],
    run: _Run,
    state: dict[str, str],
) -> None:
    """After the loop stopped: record the batches already sent and answered.

    The error that stopped the loop is the one raised (an unavailable API must end
    in exit 75, not in a storage error of another batch); a batch not recorded here
    only means a resend of durable keys next run.
    """
    for done, answer in queued:
        try:
            results = answer.result()
        except Exception:  # not sent, or failed: its keys are resent next run
            continue
        try:
            _book_creates(done, *results, run, state)
        except Exception:
            log.exception("recording a batch failed; it is resent next run")


class _NotSent(Exception):
    """A queued batch left unsent because one before it failed."""


class _Sender:
    """The worker thread's side: sends queued batches in order until one fails or a
    stop is asked for.

    After a failure the batches queued behind it are not sent: the API is likely
    unavailable (each would wait out the retry budget again), and their keys are
    durable, so the next run sends them. A stop asked for while a batch is in
    flight leaves the one queued behind it unsent, as a stop between batches did
    before batches were queued.
    """

    def __init__(self, client: Writer, stop: Callable[[], bool] | None) -> None:
        self.client = client
        self.stop = stop
        self.broken = False

    def send(self, batch: Sequence[_Object]) -> tuple[_Results, list[Json]]:
        if self.broken or (self.stop is not None and self.stop()):
            raise _NotSent
        try:
            return _send_creates(self.client, batch)
        except BaseException:
            self.broken = True
            raise


def _write_ahead(batch: Sequence[_Object], run: _Run) -> None:
    """The keys of a batch of creates, durable before the request carries them."""
    store.record_intents(
        run.db,
        run.library,
        [
            (str(o.body["key"]), o.action.identities, o.action.new_base)
            for o in batch
            if not o.is_note
        ],
        [o.pending for o in batch if o.pending is not None],
        confirmed=False,
        created_by_syncd=True,
    )


def _send_creates(client: Writer, batch: Sequence[_Object]) -> tuple[_Results, list[Json]]:
    """In the worker thread: one batch sent, and what was there already read back."""
    results = _sorted_results(batch, client.post_items([o.body for o in batch]))
    present = [str(o.body["key"]) for o in results.present]
    return results, client.items_by_keys(present) if present else []


def _book_creates(
    batch: Sequence[_Object],
    results: _Results,
    present: list[Json],
    run: _Run,
    state: dict[str, str],
) -> None:
    """Record one batch's answer (one transaction): confirm what landed or was there
    already, forget what was refused, keep what landed in the mirror, settle it."""
    landed = [obj_json for _, obj_json in results.landed if obj_json is not None] + present
    confirmed = [str(o.body["key"]) for o, _ in results.landed]
    confirmed += [str(o.body["key"]) for o in results.present]
    for obj in [o for o, _ in results.landed] + results.present:
        if not obj.is_note:
            state.setdefault(str(obj.body["key"]), "created")
    refused: list[str] = []
    content_refused: list[store.Refusal] = []
    for obj, failure in results.refused:
        parent = str(obj.body.get("parentItem") or obj.body["key"])
        msg = (
            f"Zotero refused {'a note of ' if obj.is_note else ''}the item "
            f"({failure.code}: {failure.message})"
        )
        if obj.is_note:
            log.warning("%s: %s", parent, msg)
            continue
        refused.append(parent)
        state[parent] = msg
        if failure.code in CONTENT_REFUSALS:
            content_refused.append(_refusal(obj.action, failure.code, failure.message))
            state[parent] += "; not sent again until the record changes"
    parents = {str(o.body["key"]): o.action for o in batch if not o.is_note}
    with run.db.transaction():
        store.confirm_items(run.db, run.library, confirmed)
        if refused:
            store.forget_items(run.db, run.library, refused)
        if content_refused:
            store.record_refusals(run.db, run.library, content_refused)
        if landed:
            run.remember_items(landed)
            _settle(run, [(k, parents[k]) for k in (str(o["key"]) for o in landed) if k in parents])
    if run.progress:
        run.progress(len(parents))


def _created_outcome(parent: _Object, state: dict[str, str]) -> RecordOutcome:
    key = str(parent.body["key"])
    verdict = state.get(key, "failed: no result for this object")
    if verdict != "created":
        return _outcome(parent.action, "failed", message=verdict)
    # "new" says nothing; "shares DOI with ..." and "possible duplicate of ..." are
    # for the user to read in the report.
    reason = parent.action.reason
    return _outcome(parent.action, "created", key=key, message="" if reason == "new" else reason)


def _update(actions: Sequence[Action], run: _Run) -> list[RecordOutcome]:
    """Send the updates; an item the user changed meanwhile (412) is read again,
    merged again and sent again, for a few rounds at most."""
    outcomes: list[RecordOutcome] = []
    todo = list(actions)
    # Items whose new notes landed although the item itself met a 412: their replan
    # finds nothing left to do, yet this sync did update them.
    noted: set[str] = set()
    for round_ in range(UPDATE_ROUNDS):
        if not todo:
            break
        retry = _update_round(todo, run, outcomes, noted)
        if not retry:
            todo = []
            break
        todo = _replan(retry, run, outcomes, noted)
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


def _update_round(
    todo: Sequence[Action], run: _Run, outcomes: list[RecordOutcome], noted: set[str]
) -> list[Action]:
    """Send each update once; returns those the user changed meanwhile (412)."""
    groups: list[list[_Object]] = []
    for action in todo:
        assert action.key is not None
        current = run.index.items[action.key]
        body = {**action.payload, "key": action.key, "version": current.version}
        groups.append(
            [_Object(action, body, False), *_note_objects(action, action.key, run, new=False)]
        )
    pending = [o.pending for group in groups for o in group if o.pending is not None]
    if pending:
        # Write-ahead, as for creates: a resend reuses these keys.
        store.record_intents(
            run.db, run.library, [], pending, confirmed=False, created_by_syncd=True
        )
    retry: list[Action] = []
    for batch in _batches(groups):
        try:
            run.check()
        except Interrupted as exc:
            exc.outcomes += outcomes
            raise
        results = _sorted_results(batch, run.client.post_items([o.body for o in batch]))
        retry += _book_updates(results, run, outcomes, noted)
    return retry


def _book_updates(
    results: _Results, run: _Run, outcomes: list[RecordOutcome], noted: set[str]
) -> list[Action]:
    """Record one batch of updates; returns the actions whose item changed meanwhile."""
    landed: list[Json] = []
    done: dict[str, Action] = {}
    confirmed: list[str] = []
    replaced: list[tuple[str, str]] = []
    for obj, obj_json in results.landed:
        key = str(obj.body["key"])
        if obj_json is not None:
            landed.append(obj_json)
        if obj.replaces is not None:
            replaced.append((key, obj.replaces))
        else:
            confirmed.append(key)
        if not obj.is_note:
            done[key] = obj.action
        elif obj.action.key:
            noted.add(obj.action.key)
    stale: list[Action] = []
    for obj in results.present:
        if obj.replaces is not None:
            log.info("note %s not replaced: it changed in Zotero", obj.body["key"])
        elif obj.is_note:
            confirmed.append(str(obj.body["key"]))  # sent before, and it landed then
        else:
            stale.append(obj.action)
    content_refused: list[store.Refusal] = []
    for obj, failure in results.refused:
        if obj.replaces is not None:
            log.info("note %s not replaced: it changed in Zotero", obj.body["key"])
        elif obj.is_note:
            log.warning(
                "%s: a note was refused (%s: %s)",
                obj.body["parentItem"],
                failure.code,
                failure.message,
            )
        else:
            message = f"Zotero refused the update ({failure.code}: {failure.message})"
            if failure.code in CONTENT_REFUSALS:
                content_refused.append(_refusal(obj.action, failure.code, failure.message))
                message += "; not sent again until the record changes"
            outcomes.append(_outcome(obj.action, "failed", key=obj.body["key"], message=message))
    with run.db.transaction():
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
        if landed:
            run.remember_items(landed)
        _settle(run, done.items())
    outcomes.extend(_updated_outcome(key, action) for key, action in done.items())
    if run.progress:
        run.progress(len(done))
    return stale


def _updated_outcome(key: str, action: Action) -> RecordOutcome:
    return _outcome(
        action,
        action.kind if action.kind == "conflict" else "updated",
        key=key,
        changed_fields=tuple(sorted(action.payload)),
        conflicts=action.conflicts,
        kept=action.kept,
        message=action.reason,
    )


def _replan(
    retry: Sequence[Action], run: _Run, outcomes: list[RecordOutcome], noted: set[str]
) -> list[Action]:
    """The items the user changed meanwhile, read again and merged again: the
    updates still to send (the others get their outcome here)."""
    run.remember_items(run.client.items_by_keys([a.key for a in retry if a.key]))
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
            with run.db.transaction():
                store.record_intent(
                    run.db,
                    run.library,
                    action.key,
                    action.identities,
                    action.new_base,
                    confirmed=True,
                    created_by_syncd=False,
                )
                if action.settled is not None:
                    store.settle_items(run.db, run.library, [(action.key, action.settled)])
        if action.kind == "unchanged" and action.key in noted:
            outcomes.append(_outcome(action, "updated", key=action.key))
            continue
        outcomes.append(_quiet_outcome(action))
    return todo


def _settle(run: _Run, written: Iterable[tuple[str, Action]]) -> None:
    """Mark the items just written (the index holding the server's answer) whose
    record would merge into them without finding anything to do: the next sync of
    the same export skips their merge (plan.py ``settled_mark``)."""
    marks = []
    for key, action in written:
        mark = settled_after_write(action, key, run.index, run.schema, run.options)
        if mark is not None:
            marks.append((key, mark))
    if marks:
        store.settle_items(run.db, run.library, marks)
