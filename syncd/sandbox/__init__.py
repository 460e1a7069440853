"""A local stand-in for the Zotero Web API v3, for tests, the demo and dry runs.

``Sandbox`` serves an in-memory (or on-disk) library on 127.0.0.1 and behaves like
api.zotero.org in everything syncd relies on, as strict as Zotero's server
(github.com/zotero/dataserver; the contract tests in ``tests/sandbox/test_contract_*``
name the server function each behaviour mirrors and run against a real library too):

* values stored as the server stores them: fields and tags trimmed, blank tags dropped,
  creator names trimmed of Unicode spaces and format characters, numbers as text,
  ``deleted: 1``, no ``collections`` on child items;
* validation with the server's codes and wording (400/409/413 with its ``data``),
  ``firstName`` and ``lastName`` together, PUT needing tags/collections/relations;
* versions per object (each object of a multi-object POST raises the library version,
  unchanged ones too), preconditions that refuse only a newer object, 412 for a missing
  key written with a version, write tokens, paging, ``since``, ``/deleted``;
* query parameters checked as ``Zotero_API::parseQueryParams`` does, ``q`` split into
  words, ``Expect`` refused with 417, keys in ``Zotero-API-Key``, ``?key=`` or
  ``Authorization: Bearer`` (letters and digits only, else 400);
* attachment items (``linked_file`` refused in group libraries) and the file upload
  protocol (:mod:`syncd.sandbox.files`): authorization, ``exists``, the upload with
  prefix and suffix, registration, 412/428/413/429 as the server answers them; the
  bytes are kept so tests can compare;
* injectable faults (429/500/503, ``Backoff``, connection resets before and after a
  write commits), and a hook called before each answer (to time a crash).

``Sandbox(local=True)`` (``syncd sandbox --local``) serves Zotero 10 desktop's local
API instead, in front of the same store: ``/api/`` paths, the server ID, local keys
from a scripted authorization dialog, no ``/deleted``, ``/keys`` or ``/items/new``
(see ``syncd/sandbox/local.py``).

Not emulated, so a client that needs these must be tried against a real library:

* API versions 1 and 2 (refused with 400 rather than answered as v3); ``format=atom``,
  ``bib``, export formats and ``include``/``content``/``style`` (400 "not emulated");
* annotations and embedded images (refused with 400), binary-diff uploads, file
  download redirects (``GET …/file`` answers with the bytes), full text (501), My
  Publications, ``inPublications``;
* saved searches and settings: they read as empty, writes are 501; ``/tags`` (listing
  and deletion) is 501;
* groups beyond what API keys say: a key's groups are its user's, group metadata is
  fixed (private, members edit), no members or roles;
* note HTML is stored as sent (the server sanitises it); ``parsedDate`` knows ISO dates,
  "Month DD, YYYY", "DD Month YYYY", "Month YYYY" and years, not all of
  ``Zotero_Date::strToDate``; ``q`` is case- but not accent-insensitive, and
  ``qmode=everything`` finds no full text;
* relations are stored unchecked (no predicate or URI validation, no reverse
  relations); boolean field values are refused (the server would store "1" or clear);
* the Zotero-Schema-Version request header (one schema is served and enforced);
  request-rate limits other than injected faults; the 409 "library locked" answer.
"""

from syncd.sandbox.faults import FaultPlan
from syncd.sandbox.sandbox import Sandbox, serve
from syncd.sandbox.server import RequestRecord

__all__ = ["FaultPlan", "RequestRecord", "Sandbox", "serve"]
