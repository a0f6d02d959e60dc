"""Test data built through the services (so tests exercise the same paths as users)."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from jingzhun.accounts.access import Actor
from jingzhun.lib import idcard

_seq = itertools.count(1)

VILLAGE = "430821102204"  # 杜坪村委会, 溪口镇, 慈利县 (see regions/data)
OTHER_VILLAGE = "430821001200"  # 琵琶村委会, 零阳街道


def make_id(birth: date, male: bool = True, address: str = "430821") -> str:
    n = next(_seq) % 500
    sequence = n * 2 + (1 if male else 2)
    return idcard.make(address, birth, sequence % 1000)


def member_row(
    name: str, relation: str, birth: date, *, male: bool = True, **overrides: Any
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name": name,
        "id_number": make_id(birth, male),
        "relation": relation,
        "gender": "男" if male else "女",
        "school_status": "非在校生",
        "health": "健康",
        "labour_skill": "普通劳动力",
        "medical_insurance": "是",
        "education": "初中",
    }
    row.update(overrides)
    return row


def household_row(code: str | None = None, village: str = VILLAGE, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "code": code or f"T{next(_seq):08d}",
        "village_code": village,
        "attribute": "一般贫困户",
        "main_cause": "因病",
        "identified_year": "2015",
        "exit_status": "未脱贫",
        "planned_exit_year": "2018",
        "income_year": "2018",
        "wage": "9000",
        "business": "2000",
        "property": "0",
        "transfer": "1200",
        "business_expense": "500",
        "food_secure": "是",
        "clothing_secure": "是",
        "water_safe": "是",
        "housing_safety": "B",
        "relocation": "否",
    }
    row.update(overrides)
    row.setdefault("property_income", row.pop("property", "0"))
    return row


def register(
    actor: Actor,
    *,
    village: str = VILLAGE,
    code: str | None = None,
    members: list[dict] | None = None,
    **overrides: Any,
):
    from jingzhun.registry.services.households import household_register

    members = members or [
        member_row("张三", "户主", date(1970, 5, 1)),
        member_row("李四", "配偶", date(1972, 3, 9), male=False),
        member_row("张小明", "之子", date(2006, 9, 1), school_status="初中", education="小学"),
    ]
    return household_register(
        actor=actor, household=household_row(code, village, **overrides), members=members
    )


def row_counts() -> dict[str, int]:
    """Rows of every registry table and the audit trail, to prove a refused write left nothing behind."""
    from jingzhun.core.models import AuditEntry
    from jingzhun.registry.models import Household, HouseholdEvent, IdentificationRecord, IncomeRecord, Member

    return {
        model.__name__: model.objects.count()
        for model in (Household, Member, IncomeRecord, HouseholdEvent, IdentificationRecord, AuditEntry)
    }


# 脱贫攻坚 charts: a small county with a 2018 exit plan in two townships (expected figures are worked
# out by hand in tests/standards/test_charts.py).
XIKOU = VILLAGE[:9] + "000"  # 溪口镇
LINGYANG = OTHER_VILLAGE[:9] + "000"  # 零阳街道


def register_exit_plan(actor: Actor) -> None:
    """溪口镇 (杜坪村, 户籍人口 400): one ready household of 3, one of 3 failing H-EDUCATION, one of 2
    failing H-HOUSING and H-WATER. 零阳街道 (琵琶村, 户籍人口 200): one of 3 failing H-WATER.
    All 未脱贫 and planned to exit in 2018."""
    from jingzhun.regions.models import Region

    register(actor, code="E001")
    register(
        actor,
        code="E002",
        members=[
            member_row("王一", "户主", date(1970, 5, 1)),
            member_row("王二", "配偶", date(1972, 3, 9), male=False),
            member_row("王小", "之子", date(2006, 9, 1), school_status="非在校生", education="小学"),
        ],
    )
    register(
        actor,
        code="E003",
        housing_safety="C",
        water_safe="否",
        wage="6000",
        members=[member_row("赵一", "户主", date(1960, 1, 1)), member_row("赵二", "配偶", date(1962, 1, 1))],
    )
    register(actor, code="E004", village=OTHER_VILLAGE, water_safe="否")
    Region.objects.filter(code=VILLAGE).update(registered_population=400)
    Region.objects.filter(code=OTHER_VILLAGE).update(registered_population=200)


def record_exit_procedure(
    actor: Actor, household: Any, *, notice_from: date = date(2018, 11, 1), notice_days: int = 7
) -> None:
    """ "一评议一公示一公告" for 标注脱贫: 退出评议 the day before the 公示, a 公示 of `notice_days` days
    (inclusive), 退出公告 the day after it ended."""
    from datetime import timedelta

    from jingzhun.registry.services.events import identification_step_add

    ends = notice_from + timedelta(days=notice_days - 1)
    for step, when, last in (
        ("退出评议", notice_from - timedelta(days=1), None),
        ("退出公示", notice_from, ends),
        ("退出公告", ends + timedelta(days=1), None),
    ):
        identification_step_add(
            actor=actor, household=household, step=step, occurred_on=when, ends_on=last, performed_by="村两委"
        )


def ready_to_exit(actor: Actor, household: Any) -> Any:
    """The default standard installed and the exit procedure recorded: a household of the default
    factory data may then be marked 已脱贫 for 2018."""
    from jingzhun.standards.defaults import ensure_defaults
    from jingzhun.standards.loading import clear_cache

    clear_cache()
    ensure_defaults()
    record_exit_procedure(actor, household)
    return household


def work_one():
    """What the worker does, until it has run one job that is not a reaction: claim the oldest queued job
    and run it. The reactions (jobs.outbox) that a test's registrations left queued — no page request ran
    them — come first, as they would in the worker."""
    from jingzhun.jobs import runner
    from jingzhun.jobs.outbox import is_reaction

    while (job := runner.claim_next()) is not None:
        job = runner.run(job)
        if not is_reaction(job):
            return job
    raise AssertionError("no job was queued")
