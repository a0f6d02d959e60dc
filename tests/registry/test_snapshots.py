"""Yearly snapshots (数据年度): a past year's figures reproduce after later edits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from jingzhun.core.models import AuditEntry
from jingzhun.registry.models import YearSnapshot
from jingzhun.registry.services.events import household_purge, mark_exited
from jingzhun.registry.services.households import income_record
from jingzhun.registry.services.members import member_add, member_remove, member_update
from jingzhun.registry.services.snapshots import snapshot_take
from tests.factories import OTHER_VILLAGE, member_row, ready_to_exit, register


def _figures(year: int) -> dict[str, object]:
    """What a 数据年度 report counts, computed from the snapshot alone."""
    rows = [s.data for s in YearSnapshot.objects.filter(year=year)]
    net = Decimal("0")
    for data in rows:
        for income in data["incomes"]:
            if income["year"] == year:
                net += sum(Decimal(income[k]) for k in ("wage", "business", "property_income", "transfer"))
                net -= Decimal(income["business_expense"])
    return {
        "households": len(rows),
        "people": sum(len(d["members"]) for d in rows),
        "exited": sum(1 for d in rows if d["household"]["exit_status"] == "已脱贫"),
        "names": sorted(m["name"] for d in rows for m in d["members"]),
        "net_income": net,
    }


def test_it_reproduces_a_past_years_figures_after_later_edits(admin_actor):
    first = register(admin_actor)
    second = register(admin_actor, village=OTHER_VILLAGE)
    assert snapshot_take(actor=admin_actor, year=2018) == 2
    figures_2018 = _figures(2018)
    assert figures_2018["households"] == 2
    assert figures_2018["people"] == 6
    assert figures_2018["exited"] == 0
    assert figures_2018["net_income"] == Decimal("23400.00")

    # 2019: everything changes.
    ready_to_exit(admin_actor, first)
    mark_exited(actor=admin_actor, household=first, exit_year=2019)
    income_record(actor=admin_actor, household=first, year=2018, amounts={"wage": "50000"})
    income_record(actor=admin_actor, household=first, year=2019, amounts={"wage": "20000"})
    member_add(
        actor=admin_actor,
        household=first,
        data=member_row("张小红", "之女", date(2019, 1, 2), male=False, school_status="学前教育"),
        reason="出生",
    )
    member_update(actor=admin_actor, member=first.members.get(relation="户主"), changes={"name": "章三"})
    member_remove(actor=admin_actor, member=second.members.get(relation="之子"), reason="迁出")
    household_purge(actor=admin_actor, household=second, reason="错评")

    assert _figures(2018) == figures_2018
    snapshot_take(actor=admin_actor, year=2019)
    figures_2019 = _figures(2019)
    assert figures_2019["households"] == 1
    assert figures_2019["people"] == 4
    assert figures_2019["exited"] == 1
    assert "章三" in figures_2019["names"] and "张小红" in figures_2019["names"]
    assert _figures(2018) == figures_2018


def test_it_keeps_only_incomes_up_to_the_snapshot_year(admin_actor):
    household = register(admin_actor)
    income_record(actor=admin_actor, household=household, year=2019, amounts={"wage": "1"})
    snapshot_take(actor=admin_actor, year=2018)
    data = YearSnapshot.objects.get(year=2018, household_code=household.code).data
    assert [i["year"] for i in data["incomes"]] == [2018]
    assert data["household"]["village_id"] == household.village_id
    assert {m["resident_id"] for m in data["members"]} == set(
        household.members.values_list("resident_id", flat=True)
    )


def test_it_replaces_a_years_snapshot_when_taken_again_and_audits_it(admin_actor):
    register(admin_actor)
    snapshot_take(actor=admin_actor, year=2018)
    register(admin_actor)
    assert snapshot_take(actor=admin_actor, year=2018) == 2
    assert YearSnapshot.objects.filter(year=2018).count() == 2
    entries = AuditEntry.objects.filter(action="registry.snapshot").order_by("id")
    assert [e.after for e in entries] == [{"households": 1}, {"households": 2}]


def test_it_reports_progress_while_snapshotting(admin_actor):
    register(admin_actor)
    seen = []
    snapshot_take(
        actor=admin_actor, year=2018, progress=lambda done, total, msg: seen.append((done, total, msg))
    )
    assert seen == [(1, 1, "2018年度快照")]
