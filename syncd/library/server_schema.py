"""Following the Zotero schema of the server syncd writes to.

Items are mapped and checked against a schema: which fields and creator types each
item type has. syncd bundles one, but the server's may differ. A newer server knows
fields the bundled schema lacks (values for them would otherwise go to Extra); an
older or self-hosted one may lack fields the bundled schema has, and would refuse
every item that uses them with a 400.

Every API response names the server's schema version (``Zotero-Schema-Version``).
After the mirror refresh, when that version is not the one in use, the document is
fetched once from ``/schema``, kept in the state database (one per server) and used
from then on, also by later runs, which start with the kept copy. A server that
names the bundled version costs no request at all.

A schema that cannot be fetched or read is logged and the one in use is kept: a sync
never fails over it. Only the API being unavailable past the retry budget stops the
sync, as it would at the next request anyway.
"""

from __future__ import annotations

import logging

from syncd import clock
from syncd.errors import ApiError, ApiUnavailableError, SchemaError
from syncd.schema import Schema
from syncd.state import StateDB
from syncd.zotero.client import ZoteroClient

log = logging.getLogger(__name__)


def kept_schema(db: StateDB, base_url: str) -> Schema | None:
    """The schema last fetched from the server at ``base_url``, if one was kept and
    still reads."""
    row = db.conn.execute(
        "SELECT document FROM server_schema WHERE base_url = ?", (base_url,)
    ).fetchone()
    if row is None:
        return None
    try:
        return Schema.from_json(row[0])
    except SchemaError as exc:
        log.warning(
            "the kept Zotero schema of %s does not read (%s); fetching it again", base_url, exc
        )
        return None


def follow_server_schema(client: ZoteroClient, db: StateDB, current: Schema) -> Schema:
    """The schema to map with after the client's latest response: ``current`` when the
    server names its version (or names none), else the server's own."""
    served = client.server_schema_version
    if served is None or served == current.version:
        return current
    try:
        document = client.fetch_schema()
        schema = Schema.from_json(document)
    except ApiUnavailableError:
        raise
    except (ApiError, SchemaError) as exc:
        log.warning(
            "the Zotero API at %s uses schema version %d, but its /schema could not be used "
            "(%s); mapping with schema version %d",
            client.base_url,
            served,
            exc,
            current.version,
        )
        return current
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO server_schema (base_url, version, document, fetched_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (base_url) DO UPDATE SET "
            "version = excluded.version, document = excluded.document, "
            "fetched_at = excluded.fetched_at",
            (
                client.base_url,
                schema.version,
                document.decode("utf-8", "replace"),
                clock.now(),
            ),
        )
    log.info(
        "the Zotero API at %s uses schema version %d (was %d here): items are mapped with it",
        client.base_url,
        schema.version,
        current.version,
    )
    return schema
