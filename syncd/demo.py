"""``syncd demo``: the whole product in a minute, on a local sandbox, touching nothing.

It starts the Zotero API sandbox on a free loopback port with an empty library,
runs the daemon on a temporary folder, drops in the example exports (the seed
Scopus/Pure record, a Scopus alert, and a later alert with corrections to the same
works), and shows what happened: items created, then updated without duplicates,
files moved, reports written. Everything it started is stopped before it returns.

``local`` (``syncd demo --local``) does the same against the sandbox's Zotero
desktop mode: syncd asks it for a key as it would ask Zotero ("Always Allow" is
answered), then writes through the local API.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from syncd.config import ApiKind, Config, DaemonConfig, LibraryConfig, WatchConfig
from syncd.desktop import ALWAYS_ALLOW_NOTE, authorize
from syncd.sandbox import Sandbox
from syncd.service import Daemon
from syncd.zotero.retry import RetryPolicy

EXAMPLES = (
    "scopus-example.ris",
    "scopus-alert-2026-11-01.ris",
    "scopus-alert-2026-11-15.ris",
)
LIBRARY = "users/1"


def _example(name: str) -> bytes:
    return resources.files("syncd").joinpath(f"data/examples/{name}").read_bytes()


def _wait(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _regular(sandbox: Sandbox) -> list[dict[str, Any]]:
    library = sandbox.local_library if sandbox.local else LIBRARY
    return [
        i
        for i in sandbox.all_items(library, include_trashed=True)
        if i.get("itemType") not in ("note", "attachment")
    ]


def _desktop_config(sandbox: Sandbox, work: Path, inbox: Path) -> tuple[Config, str]:
    library = LibraryConfig("desktop", ApiKind.LOCAL, "user", 0, sandbox.local_url)
    config = Config(
        library_type="user",
        library_id=0,
        base_url=library.base_url,
        state_path=work / "state.sqlite",
        watches=(WatchConfig(inbox, "Imports/Scopus", ("scopus-alert",), "desktop"),),
        daemon=DaemonConfig(settle=0.3, rescan=2, refresh=60, retry=0.5),
        libraries=(library,),
    )
    return config, authorize(library).key


def run_demo(out: Callable[[str], None] = print, *, keep: bool = False, local: bool = False) -> int:
    work = Path(tempfile.mkdtemp(prefix="syncd-demo-"))
    inbox = work / "inbox"
    inbox.mkdir()
    key = secrets.token_hex(12)
    sandbox = Sandbox(local=local)
    sandbox.start()
    daemon: Daemon | None = None
    thread: threading.Thread | None = None
    failures = 0
    try:
        if local:
            out(f"1. Zotero desktop sandbox (local API) on {sandbox.local_url}, empty library")
            out(f"   {ALWAYS_ALLOW_NOTE}")
            config, key = _desktop_config(sandbox, work, inbox)
            out("   the sandbox answered Always Allow: syncd has a lasting local key")
        else:
            sandbox.add_user_library(1)
            sandbox.add_key(key, user_id=1, user_write=True)
            out(f"1. Zotero API sandbox on {sandbox.url} with an empty library ({LIBRARY})")
            config = Config(
                library_type="user",
                library_id=1,
                base_url=sandbox.url,
                state_path=work / "state.sqlite",
                watches=(WatchConfig(inbox, "Imports/Scopus", ("scopus-alert",)),),
                daemon=DaemonConfig(settle=0.3, rescan=2, refresh=60, retry=0.5),
            )
        daemon = Daemon(
            config, api_key=key, policy=RetryPolicy(max_elapsed=30, base_delay=0.1, max_delay=1)
        )
        runner = daemon
        thread = threading.Thread(target=runner.run, name="syncd-daemon", daemon=True)
        thread.start()
        out(f"2. daemon watching {inbox}")

        for n, name in enumerate(EXAMPLES, 1):
            (inbox / f".{name}.part").write_bytes(_example(name))
            (inbox / f".{name}.part").rename(inbox / name)
            out(f"\n3.{n} dropped {name}")
            report_path = inbox / "processed" / f"{name}.report.txt"
            if not _wait(report_path.exists, 60):
                out("   the daemon did not finish the file in 60 s; see the log above")
                failures += 1
                break
            report = report_path.read_text(encoding="utf-8")
            for line in report.splitlines()[1:]:
                out(f"   {line}")
            out(f"   library now holds {len(_regular(sandbox))} items")
        items = _regular(sandbox)
        dois = [str(i.get("DOI", "")).lower() for i in items]
        out("\n4. the library:")
        for item in sorted(items, key=lambda i: str(i.get("title"))):
            title = str(item.get("title", ""))
            title = title if len(title) < 70 else title[:67] + "..."
            out(
                f"   {item['key']}  {item.get('DOI', '')}  pages {item.get('pages', '')!r}  {title}"
            )
        duplicates = len(dois) - len(set(dois))
        out(f"\n   {len(items)} items, {duplicates} duplicates")
        left = sorted(p.name for p in inbox.iterdir() if p.is_file())
        moved = sorted(p.name for p in (inbox / "processed").iterdir())
        out(f"5. files left in the inbox: {left or 'none'}")
        out(f"   in processed/: {', '.join(moved)}")
        failures += duplicates
    finally:
        if daemon is not None:
            daemon.flags.stop.set()
        if thread is not None:
            thread.join(30)
        sandbox.stop()
        if keep:
            out(f"\nkept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    out("\nsandbox and daemon stopped; nothing left running")
    return 0 if failures == 0 else 1
