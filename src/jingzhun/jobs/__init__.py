"""Background jobs: a table claimed with a conditional UPDATE, and a worker `jingzhun serve` starts."""
