"""Yearly snapshots (数据年度): freeze the register as it stood, so a past year's figures reproduce."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction

from jingzhun.accounts.access import Actor
from jingzhun.core import audit
from jingzhun.registry import enums
from jingzhun.registry.models import Household, IncomeRecord, Member, YearSnapshot
from jingzhun.registry.services.common import HOUSEHOLD_AUDIT_FIELDS, INCOME_AUDIT_FIELDS, MEMBER_AUDIT_FIELDS

BATCH = 2000


def _household_data(
    household: Household, members: list[Member], incomes: list[IncomeRecord]
) -> dict[str, Any]:
    return {
        "household": audit.snapshot(household, HOUSEHOLD_AUDIT_FIELDS),
        "members": [
            {**audit.snapshot(m, MEMBER_AUDIT_FIELDS), "resident_id": m.resident_id} for m in members
        ],
        "incomes": [audit.snapshot(i, INCOME_AUDIT_FIELDS) for i in incomes],
    }


@transaction.atomic
def snapshot_take(*, actor: Actor, year: int, progress: Any = None) -> int:
    """Replace year Y's snapshot with the current register (households on the register, incomes ≤ Y)."""
    YearSnapshot.objects.filter(year=year).delete()
    query = Household.objects.filter(registry_status=enums.RegistryStatus.ACTIVE).order_by("id")
    total = query.count()
    written = 0
    last_id = 0
    while True:
        batch = list(query.filter(id__gt=last_id)[:BATCH])
        if not batch:
            break
        ids = [h.id for h in batch]
        members: dict[int, list[Member]] = defaultdict(list)
        for m in Member.objects.filter(household_id__in=ids, is_active=True).order_by("id"):
            members[m.household_id].append(m)
        incomes: dict[int, list[IncomeRecord]] = defaultdict(list)
        for i in IncomeRecord.objects.filter(household_id__in=ids, year__lte=year).order_by("-year"):
            incomes[i.household_id].append(i)
        YearSnapshot.objects.bulk_create(
            [
                YearSnapshot(
                    year=year,
                    household_code=h.code,
                    village_code=h.village_id,
                    data=_household_data(h, members[h.id], incomes[h.id]),
                )
                for h in batch
            ]
        )
        written += len(batch)
        last_id = batch[-1].id
        if progress:
            progress(written, total, f"{year}年度快照")
    audit.record(
        actor=actor.user,
        action="registry.snapshot",
        object_type="snapshot",
        object_id=year,
        object_label=f"{year}年度快照",
        after={"households": written},
    )
    return written
