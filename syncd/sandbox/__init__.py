"""A local stand-in for the Zotero Web API v3, for tests, the demo and dry runs.

``Sandbox`` serves an in-memory (or on-disk) library on 127.0.0.1 and behaves like
api.zotero.org in everything syncd relies on: versions and preconditions, batch
writes, write tokens, paging, validation against the schema, and injectable faults
(429/500/503, ``Backoff``, connection resets before and after a write commits).
"""

from syncd.sandbox.faults import FaultPlan
from syncd.sandbox.sandbox import Sandbox, serve
from syncd.sandbox.server import RequestRecord

__all__ = ["FaultPlan", "RequestRecord", "Sandbox", "serve"]
