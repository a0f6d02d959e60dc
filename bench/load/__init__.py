"""The load test (issue 15): locust, 50 users of mixed roles for 2 minutes against `jingzhun serve` on
PostgreSQL. Run by `make bench-load` (and `make bench`), never by `make test`."""

from bench.load.run import main

__all__ = ["main"]
