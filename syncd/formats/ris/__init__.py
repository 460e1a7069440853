"""Reading RIS exports and mapping their records to Zotero items."""
