"""An on-disk sandbox (``syncd sandbox --data DIR``) keeps uploaded files across restarts."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx2

from syncd.sandbox import Sandbox

KEY = "disk-files-key-000000000000"


def test_an_uploaded_file_survives_a_restart(tmp_path: Path) -> None:
    data = b"%PDF-1.4\nkept across restarts\n"
    first = Sandbox(tmp_path)
    first.add_user_library(1)
    first.add_key(KEY, user_id=1)
    with first, httpx2.Client() as http:
        headers = {"Zotero-API-Key": KEY, "Zotero-API-Version": "3"}
        parent = http.post(
            f"{first.url}/users/1/items", headers=headers, json=[{"itemType": "book"}]
        ).json()["successful"]["0"]["key"]
        att = http.post(
            f"{first.url}/users/1/items",
            headers=headers,
            json=[{"itemType": "attachment", "linkMode": "imported_file", "parentItem": parent}],
        ).json()["successful"]["0"]["key"]
        form = {
            "md5": hashlib.md5(data).hexdigest(),
            "filename": "a.pdf",
            "filesize": str(len(data)),
            "mtime": "1",
        }
        auth = http.post(
            f"{first.url}/users/1/items/{att}/file",
            headers={**headers, "If-None-Match": "*"},
            data=form,
        ).json()
        body = auth["prefix"].encode("latin-1") + data + auth["suffix"].encode("latin-1")
        assert http.post(auth["url"], content=body).status_code == 201
        registered = http.post(
            f"{first.url}/users/1/items/{att}/file",
            headers={**headers, "If-None-Match": "*"},
            data={"upload": auth["uploadKey"]},
        )
        assert registered.status_code == 204
    first.store.close()
    again = Sandbox(tmp_path)
    assert again.file_bytes("users/1", att) == data
