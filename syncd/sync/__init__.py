"""Carrying a plan out: the sync engine, its state tables and its reports."""
