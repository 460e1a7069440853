"""Zotero desktop (Zotero 10's local API) as a target: its server ID and its keys.

A desktop library is bound to the server ID Zotero first answered with, kept in the
state database; its mirror, links and journal live in a partition named after that
ID. A Zotero answering with another ID is another profile or database: syncd stops
(``ServerChangedError``) until the user binds the library anew with ``syncd key
authorize``, which starts a fresh partition, so local versions are never reused
across server IDs.

Keys come from Zotero itself (``POST /api/local/authorize``): pyzotero's
``authorize_local`` does the request, on a client of ours whose read timeout waits
for the user's click (pyzotero's own client gives up after 30 s and the key is lost).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx2
from pyzotero import zotero as pyzotero_module
from pyzotero.errors import LocalAPIDeniedError, PyZoteroError, TooManyRequestsError

from syncd import clock
from syncd.config import LibraryConfig
from syncd.errors import (
    DESKTOP_UNREACHABLE,
    ApiError,
    CredentialError,
    DesktopUnreachableError,
    ServerChangedError,
)
from syncd.state import StateDB

log = logging.getLogger(__name__)

APP_NAME = "syncd"
CLICK_WAIT = 600.0  # seconds the authorize request may wait for the user's answer
ALWAYS_ALLOW_NOTE = (
    'Zotero will ask whether syncd may write. Answer "Always Allow": a key given with '
    '"Allow" is spent by the first write, so it cannot carry a sync.'
)


def bound_server(db: StateDB, library: str) -> str | None:
    rows = db.conn.execute(
        "SELECT server_id FROM desktop_server WHERE library = ?", (library,)
    ).fetchall()
    return str(rows[0][0]) if rows else None


def bind_server(db: StateDB, library: str, server_id: str) -> None:
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO desktop_server (library, server_id, bound_at) VALUES (?, ?, ?) "
            "ON CONFLICT (library) DO UPDATE SET server_id = excluded.server_id, "
            "bound_at = excluded.bound_at",
            (library, server_id, clock.now()),
        )


def checked_server(db: StateDB, library: LibraryConfig, found: str) -> str:
    """The server ID to write under: ``found`` when the library is bound to it (or to
    nothing yet, then it is bound now); ``ServerChangedError`` otherwise."""
    bound = bound_server(db, library.name)
    if bound is None:
        bind_server(db, library.name, found)
        log.info("%s: bound to Zotero desktop with server ID %s", library.name, found)
        return found
    if bound != found:
        raise ServerChangedError(library.name, bound, found)
    return bound


@dataclass(frozen=True)
class Authorization:
    key: str
    lasting: bool  # "Always Allow"
    server_id: str


def authorize(library: LibraryConfig, *, timeout: float = CLICK_WAIT) -> Authorization:
    """Ask Zotero for a local key; the user answers in Zotero's dialog."""
    http = httpx2.Client(
        timeout=httpx2.Timeout(30.0, read=timeout), trust_env=False, follow_redirects=True
    )
    try:
        zot = pyzotero_module.Zotero(
            library.library_id, library.library_type, local=True, client=http
        )
        zot.endpoint = library.base_url
        try:
            answer = zot.authorize_local(APP_NAME)
        except LocalAPIDeniedError:
            raise CredentialError(
                f"{library.name}: the request was denied in Zotero",
                hint=f"run `syncd key authorize --library {library.name}` again and answer "
                '"Always Allow"',
            ) from None
        except TooManyRequestsError:
            raise CredentialError(
                f"{library.name}: Zotero allows 5 authorization prompts a minute, and that "
                "many were made",
                hint="wait a minute, then ask again",
            ) from None
        except httpx2.TimeoutException:
            raise CredentialError(
                f"{library.name}: nobody answered Zotero's dialog within {timeout:.0f} s",
                hint="run the command again and answer the dialog in Zotero",
            ) from None
        except httpx2.TransportError as exc:
            raise DesktopUnreachableError(library.name, type(exc).__name__) from None
        except PyZoteroError as exc:
            raise ApiError(
                f"{library.name}: Zotero refused the authorization request "
                f"({type(exc).__name__}: {exc})"
            ) from None
        server_id = zot.server_id
        if not server_id:
            raise ApiError(f"{library.name}: Zotero sent no server ID with the key")
        return Authorization(str(answer["key"]), bool(answer.get("remember")), server_id)
    finally:
        http.close()


def desktop_state(library: LibraryConfig, bound: str | None, *, timeout: float = 2.0) -> str:
    """One line on whether Zotero desktop answers now, for ``syncd status``."""
    try:
        with httpx2.Client(timeout=timeout, trust_env=False) as http:
            response = http.get(
                f"{library.base_url}/", headers={"Zotero-API-Version": "3", "User-Agent": "syncd"}
            )
    except httpx2.TransportError:
        return DESKTOP_UNREACHABLE
    found = response.headers.get("Zotero-Server-ID")
    if response.status_code == 403 or not found:
        return DESKTOP_UNREACHABLE
    if bound is not None and found != bound:
        return (
            f"answers as server {found}, not {bound} that {library.name} is bound to "
            f"(another profile; nothing is written until `syncd key authorize --library "
            f"{library.name}`)"
        )
    return f"reachable (server ID {found})"
