"""Pure core of the sync: matching, merging and planning over plain data."""
