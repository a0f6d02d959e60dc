"""Writes to the registry. Every function is keyword-only, atomic, and leaves audit rows.

Import from the submodules: `households`, `members`, `events`, `snapshots`.
"""
