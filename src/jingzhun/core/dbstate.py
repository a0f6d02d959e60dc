"""Database lifecycle: is it initialised, and bring it up to date (`jingzhun init`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from jingzhun.core.initializers import run_initializers


def pending_migrations() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    return [(m.app_label, m.name) for m, _ in executor.migration_plan(targets)]


def initialize(*, city: bool = False, printer: Callable[[str], Any] = print) -> dict[str, int]:
    if connection.vendor == "sqlite":
        from pathlib import Path

        from django.conf import settings

        Path(str(settings.DATABASES["default"]["NAME"])).parent.mkdir(parents=True, exist_ok=True)
    pending = pending_migrations()
    if pending:
        printer(f"迁移数据库（{len(pending)} 项）…")
        call_command("migrate", interactive=False, verbosity=0)
    installed = run_initializers(city=city)
    regions = installed.get("regions", {})
    return {"regions": regions.get("total", 0), "created": regions.get("created", 0)}
