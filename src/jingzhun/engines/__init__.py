"""Engines that evaluate the rules package: `python` (the reference, per household, plain Python) and
`sql` (set-based for the county: one SQL tree, rendered per database, and the SQLite parallel runner)."""
