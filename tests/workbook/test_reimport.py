"""Re-importing an existing 户编号 updates it, with every changed field in the audit trail."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.db import connection

from jingzhun.core.models import AuditEntry
from jingzhun.jobs.models import Job
from jingzhun.registry.models import Household, Member
from jingzhun.workbook.importer import import_path
from tests.factories import member_row, register


def _edit(folder: str, name: str, old: str, new: str) -> None:
    path = Path(folder) / f"{name}.csv"
    text = path.read_text(encoding="utf-8-sig")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8-sig")


@pytest.mark.django_db
def test_reimport_updates_and_audits_each_changed_field(golden, system_actor):
    assert import_path(golden("valid_utf8"), actor=system_actor).ok
    folder = str(Path(golden("valid_utf8")).with_name("second"))
    Path(golden("valid_utf8")).rename(folder)
    _edit(folder, "户", "3组", "5组")
    _edit(folder, "户", "12,000.50", "15000")
    _edit(
        folder,
        "成员",
        "向小明,{},之子,男,土家族,,小学".format(Member.objects.get(name="向小明").id_number),
        "向小明,{},之子,男,土家族,,初中".format(Member.objects.get(name="向小明").id_number),
    )
    job = Job.objects.create(kind="registry_import")
    result = import_path(folder, actor=system_actor, job=job)
    assert result.ok, result.errors
    assert (result.households_updated, result.households_unchanged) == (1, 1)
    assert (result.members_updated, result.members_unchanged, result.members_new) == (1, 3, 0)
    household = Household.objects.get(code="G0001")
    assert household.group_name == "5组"
    assert str(household.incomes.get(year=2018).wage) == "15000.00"
    entries = AuditEntry.objects.filter(job_id=job.pk, action="import.update")
    changed = {(e.object_type, k): (e.before[k], e.after[k]) for e in entries for k in e.after}
    assert changed[("household", "group_name")] == ("3组", "5组")
    assert changed[("income", "wage")] == ("12000.50", "15000.00")
    assert changed[("member", "education")] == ("小学", "初中")
    assert all(e.household_id == household.pk for e in entries)
    assert Household.objects.count() == 2  # nothing duplicated


@pytest.mark.django_db
def test_reimport_keeps_members_missing_from_the_file_and_warns(golden, system_actor):
    folder = golden("valid_utf8")
    assert import_path(folder, actor=system_actor).ok
    path = Path(folder) / "成员.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join(line for line in lines if "李秀兰" not in line) + "\n", encoding="utf-8-sig")
    result = import_path(folder, actor=system_actor)
    assert result.ok
    assert any("李秀兰不在文件中，已保留" in w.message for w in result.warnings)
    assert Member.objects.get(name="李秀兰").is_active
    assert Household.objects.get(code="G0001").member_count == 3


@pytest.mark.django_db
def test_a_person_active_in_another_household_is_an_error(golden, system_actor, admin_actor):
    register(admin_actor, members=[member_row("李秀兰", "户主", date(1970, 9, 3), male=False)])
    # Replace the factory-made ID with the golden file's ID of 李秀兰, registered in another household.
    folder = golden("valid_utf8")
    text = (Path(folder) / "成员.csv").read_text(encoding="utf-8-sig")
    wife_id = next(line.split(",")[2] for line in text.splitlines() if "李秀兰" in line)
    other = Member.objects.get(name="李秀兰")
    Member.objects.filter(pk=other.pk).update(id_number=wife_id, resident_id=wife_id)
    result = import_path(folder, actor=system_actor)
    assert any(e.sheet == "成员" and e.row == 3 and "户的在册成员" in e.message for e in result.errors)
    assert not Household.objects.filter(code="G0001").exists()


@pytest.mark.django_db
def test_the_village_sheet_updates_village_facts(golden, system_actor):
    from jingzhun.regions.models import Region

    result = import_path(golden("valid_utf8"), actor=system_actor)
    assert result.villages_updated == 1
    village = Region.objects.get(code="430821102204")
    assert (village.is_poor_village, village.registered_population, village.planned_exit_year) == (
        True,
        2310,
        2018,
    )
    assert AuditEntry.objects.filter(
        action="import.update", object_type="region", object_id=village.code
    ).exists()


@pytest.mark.django_db
def test_created_household_audit_is_the_plain_snapshot_of_what_was_stored(golden, system_actor):
    """The importer builds `import.create` entries without `plain` per value; they must equal it."""
    from jingzhun.core.audit import plain, snapshot
    from jingzhun.registry.fields import INCOME_FIELD_NAMES
    from jingzhun.registry.services.common import HOUSEHOLD_AUDIT_FIELDS

    assert import_path(golden("valid_utf8"), actor=system_actor).ok
    households = Household.objects.order_by("code")
    assert households.count() == 2
    for household in households:
        entry = AuditEntry.objects.get(
            action="import.create", object_type="household", household_id=household.pk
        )
        stored = snapshot(
            household, [f for f in HOUSEHOLD_AUDIT_FIELDS if f not in {"bank_account", "registry_status"}]
        )
        income = household.incomes.get()
        stored["income"] = {
            "year": income.year,
            **{n: plain(getattr(income, n)) for n in (*INCOME_FIELD_NAMES, "per_capita_net")},
        }
        assert entry.after == stored
        if connection.vendor == "sqlite":  # the text as written (PostgreSQL's jsonb orders keys itself)
            assert list(entry.after) == list(stored)
