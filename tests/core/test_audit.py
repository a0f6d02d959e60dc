"""The audit trail (痕迹管理): append-only, written inside the write's transaction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jingzhun.core import audit
from jingzhun.core.history import present
from jingzhun.core.models import AuditEntry
from jingzhun.registry.presenters import masker


def _entry() -> AuditEntry:
    return audit.record(
        actor=None,
        action="household.update",
        object_type="household",
        object_id=1,
        before={"phone": "13812345678", "water_safe": False},
        after={"phone": "13912345678", "water_safe": True},
    )


@pytest.mark.django_db
def test_it_refuses_to_change_a_saved_entry():
    entry = _entry()
    entry.note = "篡改"
    with pytest.raises(PermissionError, match="只能追加"):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).note == ""


@pytest.mark.django_db
def test_it_refuses_to_delete_an_entry_one_by_one_or_in_bulk():
    entry = _entry()
    with pytest.raises(PermissionError, match="不能删除"):
        entry.delete()
    with pytest.raises(PermissionError, match="不能删除"):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError, match="不能修改"):
        AuditEntry.objects.filter(pk=entry.pk).update(note="x")
    assert AuditEntry.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_refuses_an_audit_row_outside_a_transaction():
    with pytest.raises(RuntimeError, match="inside the write's transaction"):
        _entry()
    assert AuditEntry.objects.count() == 0


@pytest.mark.django_db
def test_it_names_the_system_when_there_is_no_user():
    entry = _entry()
    assert entry.actor is None
    assert entry.actor_name == "系统"


def test_it_makes_values_json_safe():
    assert audit.plain(Decimal("12.5")) == "12.50"
    assert audit.plain(date(2018, 1, 2)) == "2018-01-02"
    assert audit.plain((1, Decimal("2"))) == [1, "2.00"]


@pytest.mark.django_db
def test_it_presents_changes_with_chinese_labels_and_masks_them(county_leader, admin_actor):
    from jingzhun.accounts.access import actor_for

    entry = _entry()
    rows = present([entry], mask=masker(actor_for(county_leader)))
    assert rows[0].action_label == "修改户信息"
    assert rows[0].changes == [("联系电话", "138****5678", "139****5678"), ("饮水安全", "否", "是")]
    full = present([entry], mask=masker(admin_actor))
    assert full[0].changes[0] == ("联系电话", "13812345678", "13912345678")


@pytest.mark.django_db
def test_audited_update_writes_a_row_only_for_a_change(admin_actor, household):
    """core.audit.audited_update: set, save, and audit the change — nothing when nothing changed, no
    `before` for a new object, only the changed fields when asked, the label read after the update."""
    from django.db import transaction

    from jingzhun.registry.models import IncomeRecord

    bumped = []
    fields = ("group_name", "phone")
    with transaction.atomic():
        changed = audit.audited_update(
            household, {"group_name": household.group_name}, fields=fields, actor=admin_actor,
            action="test.update", label=str, household_id=household.pk, on_change=bumped.append,
        )  # fmt: skip
    assert changed is False and bumped == [] and not AuditEntry.objects.filter(action="test.update").exists()
    with transaction.atomic():
        changed = audit.audited_update(
            household, {"group_name": "九组"}, fields=fields, actor=admin_actor, action="test.update",
            label=lambda h: f"户 {h.group_name}", household_id=household.pk, only_changed=True,
            on_change=bumped.append,
        )  # fmt: skip
    household.refresh_from_db()
    row = AuditEntry.objects.get(action="test.update")
    assert changed is True and bumped == [household] and household.group_name == "九组"
    assert row.before == {"group_name": row.before["group_name"]} and row.after == {"group_name": "九组"}
    assert (
        row.object_label == "户 九组" and row.object_type == "household" and row.household_id == household.pk
    )
    with transaction.atomic():
        record = IncomeRecord(household=household, year=2030)
        amounts = dict.fromkeys(("business", "property_income", "transfer", "business_expense"), Decimal(0))
        audit.audited_update(
            record, {**amounts, "wage": Decimal("5.00")}, fields=("year", "wage"), actor=admin_actor,
            action="test.create", label="新", household_id=household.pk,
        )  # fmt: skip
    created = AuditEntry.objects.get(action="test.create")
    assert created.before is None and created.after == {"year": 2030, "wage": "5.00"}
    assert created.object_id == str(record.pk) and created.object_type == "incomerecord"
