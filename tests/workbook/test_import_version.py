"""An import is an update like any other (issue 15, no lost update): it moves the version of every household
and member it changes, so an edit opened before the import is refused instead of overwriting it."""

from __future__ import annotations

from pathlib import Path

import pytest

from jingzhun.core.errors import EditConflict
from jingzhun.registry.models import Household, Member
from jingzhun.registry.services.households import household_update
from jingzhun.registry.services.members import member_update
from jingzhun.workbook.importer import import_path


@pytest.mark.django_db
def test_a_reimport_bumps_the_changed_rows_and_refuses_an_edit_opened_before(golden, system_actor):
    assert import_path(golden("valid_utf8"), actor=system_actor).ok
    opened = {h.code: h.version for h in Household.objects.all()}
    pupil = Member.objects.get(name="向小明")
    others = {m.pk: m.version for m in Member.objects.exclude(pk=pupil.pk)}
    folder = Path(golden("valid_utf8"))
    path = folder / "户.csv"
    path.write_text(path.read_text(encoding="utf-8-sig").replace("3组", "5组"), encoding="utf-8-sig")
    path = folder / "成员.csv"
    text = path.read_text(encoding="utf-8-sig")
    old = f"向小明,{pupil.id_number},之子,男,土家族,,小学"
    assert old in text
    path.write_text(text.replace(old, old.replace("小学", "初中")), encoding="utf-8-sig")
    assert import_path(str(folder), actor=system_actor).ok

    changed = Household.objects.get(code="G0001")
    assert changed.version == opened["G0001"] + 1
    assert (
        Household.objects.exclude(code="G0001").get().version
        == opened[Household.objects.exclude(code="G0001").get().code]
    )  # an unchanged household keeps its version
    assert Member.objects.get(pk=pupil.pk).version == pupil.version + 1
    assert {m.pk: m.version for m in Member.objects.exclude(pk=pupil.pk)} == others

    with pytest.raises(EditConflict) as caught:
        household_update(
            actor=system_actor, household=changed, changes={"group_name": "7组"}, version=opened["G0001"]
        )
    assert "导入任务" in caught.value.message or "保存冲突" in caught.value.message
    assert Household.objects.get(code="G0001").group_name == "5组"
    with pytest.raises(EditConflict):
        member_update(actor=system_actor, member=pupil, changes={"work_months": 3}, version=pupil.version)
