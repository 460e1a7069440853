"""Talking to the Zotero Web API: the client, its retry policy, and the library mirror."""
