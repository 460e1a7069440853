"""Attachments: the files and links an export names, reaching Zotero once.

- :mod:`refs`: which files and links a record names (pure);
- :mod:`dropped`: documents dropped beside an export that belong to one of its
  records, by the export's name or the record's DOI/PMID/EID (pure matching);
- :mod:`sniff`: a file's type from its first bytes (pure);
- :mod:`admit`: whether a path may be read at all, and reading it safely;
- :mod:`journal`: the state rows that make each attachment happen exactly once;
- :mod:`outcome`: what happened to each, for reports and plans (pure);
- :mod:`records`: which records get attachments in a run (the session's entry points);
- :mod:`step`: creating the attachment items and uploading their files, after the
  records' items exist (the shell, run by the sync session).

The upload protocol's requests are in :mod:`syncd.zotero.uploads`.
"""
