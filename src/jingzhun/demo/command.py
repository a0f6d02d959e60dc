"""`jingzhun demo`: a fresh database with the real divisions, a synthetic county loaded through the
registry importer (the one loading path), one demo user per role, and the year's assessment."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction

DEMO_YEAR = 2018
DEMO_PASSWORD_SUFFIX = "@Cili2018"

# (username, role, display name, how its region is chosen)
DEMO_USERS = (
    ("admin", "county_admin", "县扶贫办 管理员", "county"),
    ("leader", "county_leader", "县领导 李县长", "county"),
    ("township", "township_cadre", "乡镇干部 王干事", "township"),
    ("village", "village_cadre", "村支书 赵书记", "village"),
    ("helper", "helper", "帮扶责任人 陈帮扶", "village"),
    ("jiwei", "discipline", "县纪委 周监督", "county"),
)


def _fresh_database(printer: Callable[[str], Any]) -> None:
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        connections.close_all()
        path = Path(str(db["NAME"]))
        for suffix in ("", "-wal", "-shm"):
            candidate = Path(str(path) + suffix)
            if candidate.exists():
                candidate.unlink()
        printer(f"新建演示数据库：{path}")
    else:
        from django.core.management import call_command

        from jingzhun.core.dbstate import pending_migrations

        if not pending_migrations():
            printer("清空 PostgreSQL 演示数据库…")
            call_command("flush", interactive=False, verbosity=0)


def build_demo(
    *, households: int = 30000, seed: int = 2018, printer: Callable[[str], Any] = print
) -> dict[str, Any]:
    from jingzhun.accounts.access import Actor
    from jingzhun.core.dbstate import initialize
    from jingzhun.core.errors import ValidationFailed
    from jingzhun.core.terminal import progress_printer
    from jingzhun.demo.assistance import seed as seed_assistance
    from jingzhun.demo.generate import generate_to_path
    from jingzhun.workbook.importer import import_path

    started = time.monotonic()
    _fresh_database(printer)
    initialize(printer=printer)
    workdir = Path(settings.CONFIG.data_dir) / "demo-registry"
    exit_years = Path(settings.CONFIG.data_dir) / "demo-registry-exit-years"
    summary = generate_to_path(
        str(workdir),
        households=households,
        seed=seed,
        year=DEMO_YEAR,
        progress=progress_printer("生成合成县"),
        exit_years_out=str(exit_years),
    )
    printer(
        f"已生成 {summary['households']} 户 {summary['members']} 人（{time.monotonic() - started:.0f} 秒）"
    )
    county = Actor(user=None, permissions=frozenset(), prefixes=("430821",))
    result = import_path(str(workdir), actor=county, progress=progress_printer("导入登记簿"))
    if result.ok:  # then each 已脱贫 household's income of its 脱贫年度, as that year's registry gave it
        result = import_path(str(exit_years), actor=county)
    if result.errors:
        raise ValidationFailed({"__all__": f"演示数据导入失败：{result.errors[0]}"})
    printer(f"已导入（{time.monotonic() - started:.0f} 秒）")
    users = _demo_users()
    seed_assistance(year=DEMO_YEAR, seed=seed, printer=printer)
    _assess(printer)
    from jingzhun.demo.ledgers import seed as seed_ledger

    seed_ledger(seed=seed, printer=printer)
    from jingzhun.demo.verification import seed as seed_clues

    seed_clues(seed=seed, printer=printer)
    printer(f"演示数据库就绪，用时 {time.monotonic() - started:.0f} 秒")
    return {"users": users, "households": summary["households"], "members": summary["members"]}


def _pick_regions() -> dict[str, Any]:
    from django.db.models import Count

    from jingzhun.regions.models import Region
    from jingzhun.registry.models import Household

    county = Region.objects.get(code="430821000000")
    # The poor village with the most households, and its township: a realistic cadre's view.
    busiest = (
        Household.objects.filter(village__is_poor_village=True)
        .values("village_id")
        .annotate(n=Count("id"))
        .order_by("-n", "village_id")
        .first()
    )
    if busiest is None:
        busiest = Household.objects.values("village_id").annotate(n=Count("id")).order_by("-n").first()
    village = (
        Region.objects.get(code=busiest["village_id"])
        if busiest
        else Region.objects.filter(level="village").order_by("code").first()
    )
    assert village is not None, "jingzhun init loads the villages before the demo picks one"
    return {"county": county, "township": village.parent, "village": village}


@transaction.atomic
def _demo_users() -> list[dict[str, str]]:
    from jingzhun.accounts.access import Actor
    from jingzhun.accounts.roles import RoleCode
    from jingzhun.accounts.services import role_grant, user_create
    from jingzhun.assistance.services import helper_assign
    from jingzhun.registry.models import Household

    regions = _pick_regions()
    labels = dict(RoleCode.choices)
    out = []
    system = Actor(user=None)
    for username, role, name, level in DEMO_USERS:
        password = username + DEMO_PASSWORD_SUFFIX
        user, _ = user_create(username=username, password=password, display_name=name, check_password=False)
        region = regions[level]
        role_grant(user=user, role=role, region_code=region.code)
        if role == RoleCode.HELPER:
            for household in Household.objects.filter(village=region).order_by("id")[:5]:
                helper_assign(
                    actor=system, household=household, helper=user, started_on=date(DEMO_YEAR, 1, 1)
                )
        out.append(
            {
                "username": username,
                "password": password,
                "role": labels[role],
                "scope": f"{region.name}（{region.code}）" + ("，结对5户" if role == RoleCode.HELPER else ""),
            }
        )
    return out


def _assess(printer: Callable[[str], Any]) -> None:
    from jingzhun.standards.services import assess_all

    count = assess_all(year=DEMO_YEAR)
    printer(f"已按 {DEMO_YEAR} 年标准评估 {count} 户")
