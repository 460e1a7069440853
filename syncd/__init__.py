"""syncd: keep a Zotero library in step with RIS exports."""

__version__ = "0.1.0"
