"""The local mirror of a Zotero library and the schema its server follows.

Both sit above the API client (:mod:`syncd.zotero`) and the state database: they
keep a copy current through the client and store it, so the client stays an API
client only.
"""
