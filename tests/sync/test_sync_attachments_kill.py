"""Issue 20: `syncd sync` SIGKILLed at each step of the upload protocol in turn; the
next run leaves every file attached exactly once, with the right bytes.

The sandbox's reply hook holds the answer to the chosen request after the write it
made is committed (the crash between "the server did it" and "syncd knows"), while
the test kills the process.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from attachment_helpers import children, regular, three_pdfs_and_a_link
from conftest import TEST_KEY
from daemon_helpers import write_config
from sync_helpers import LIBRARY

from syncd.sandbox.protocol import Request, Response


def _is_attachment_create(req: Request) -> bool:
    if req.path != f"/{LIBRARY}/items" or not req.body.startswith(b"["):
        return False
    return any(o.get("itemType") == "attachment" for o in json.loads(req.body))


def _is_authorize(req: Request) -> bool:
    return req.path.endswith("/file") and req.body.startswith(b"md5=")


def _is_upload(req: Request) -> bool:
    return req.path.startswith("/sandbox-upload/")


def _is_register(req: Request) -> bool:
    return req.path.endswith("/file") and req.body.startswith(b"upload=")


STEPS: dict[str, Callable[[Request], bool]] = {
    "create": _is_attachment_create,
    "authorize": _is_authorize,
    "upload": _is_upload,
    "register": _is_register,
}


class Hold:
    """Holds the answer to the ``nth`` request matching ``match`` until released."""

    def __init__(self, match: Callable[[Request], bool], nth: int) -> None:
        self.match = match
        self.nth = nth
        self.seen = 0
        self.lock = threading.Lock()
        self.reached = threading.Event()
        self.release = threading.Event()

    def __call__(self, req: Request, response: Response) -> None:
        if not self.match(req):
            return
        with self.lock:
            self.seen += 1
            mine = self.seen == self.nth
        if mine:
            self.reached.set()
            self.release.wait(60)


def _sync(cfg: Path, export: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ZOTERO_API_KEY": TEST_KEY}
    return subprocess.Popen(
        [sys.executable, "-m", "syncd", "--config", str(cfg), "sync", str(export)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@pytest.mark.parametrize("step", list(STEPS))
def test_a_kill_at_each_upload_step_leaves_every_file_attached_once(
    sandbox: Any, tmp_path: Path, step: str
) -> None:
    inbox = tmp_path / "inbox"
    export, files = three_pdfs_and_a_link(inbox)
    cfg = write_config(tmp_path, sandbox, inbox)
    hold = Hold(STEPS[step], nth=2)  # the first file done, the second mid-way
    sandbox.set_reply_hook(hold)
    proc = _sync(cfg, export)
    try:
        assert hold.reached.wait(60), proc.communicate(timeout=5)[0].decode()
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        hold.release.set()
        sandbox.set_reply_hook(None)
    assert proc.returncode == -signal.SIGKILL
    again = _sync(cfg, export)
    output = again.communicate(timeout=120)[0].decode()
    assert again.returncode == 0, output
    (item,) = regular(sandbox)
    atts = children(sandbox, item["key"])
    stored = [a for a in atts if a["linkMode"] == "imported_file"]
    assert sorted(a["md5"] for a in stored) == sorted(
        hashlib.md5(d).hexdigest() for d in files.values()
    )
    for att in stored:
        assert sandbox.file_bytes(LIBRARY, att["key"]) == files[att["filename"]]
    assert [a["url"] for a in atts if a["linkMode"] == "linked_url"] == [
        "https://example.org/paper/full.html"
    ]
