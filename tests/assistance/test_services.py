"""Services of help and responsibility: history is never overwritten, every write leaves a trace,
uploads are checked, and a helper never reaches another helper's household."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from jingzhun.accounts.access import actor_for
from jingzhun.assistance import models as m
from jingzhun.assistance import services
from jingzhun.core.errors import ValidationFailed
from jingzhun.core.models import AuditEntry
from tests.assistance.conftest import png_upload
from tests.factories import OTHER_VILLAGE, VILLAGE


def test_it_ends_the_old_pairing_and_starts_a_new_one(admin_actor, household, helper_user, other_helper):
    first = services.helper_assign(
        actor=admin_actor, household=household, helper=helper_user, started_on=date(2018, 1, 1)
    )
    second = services.helper_assign(
        actor=admin_actor, household=household, helper=other_helper, started_on=date(2018, 6, 1)
    )
    first.refresh_from_db()
    assert first.ended_on == date(2018, 6, 1) and second.ended_on is None
    assert m.HelperPairing.objects.filter(household=household).count() == 2
    actions = list(
        AuditEntry.objects.filter(household_id=household.pk, action__startswith="pairing").values_list(
            "action", flat=True
        )
    )
    assert actions.count("pairing.start") == 2 and actions.count("pairing.end") == 1


def test_it_refuses_a_new_pairing_starting_before_the_current_one(
    admin_actor, household, helper_user, other_helper
):
    services.helper_assign(
        actor=admin_actor, household=household, helper=helper_user, started_on=date(2018, 6, 1)
    )
    with pytest.raises(ValidationFailed) as exc:
        services.helper_assign(
            actor=admin_actor, household=household, helper=other_helper, started_on=date(2018, 1, 1)
        )
    assert "started_on" in exc.value.errors


def test_it_logs_a_visit_with_a_photo_and_an_audit_row(paired, helper_actor, helper_user):
    visit = services.visit_log(
        actor=helper_actor,
        household=paired["mine"],
        visited_on=date.today(),
        activities="核实收入",
        problems="住房漏雨",
        photos=[png_upload()],
    )
    assert visit.visitor == helper_user
    photo = visit.photos.get()
    assert photo.kind == "png" and photo.size > 0 and photo.file.name.startswith("visits/")
    entry = AuditEntry.objects.get(action="visit.create")
    assert entry.household_id == paired["mine"].pk and entry.after["photos"] == 1


def test_it_refuses_a_file_that_is_not_an_image(paired, helper_actor):
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image at all", content_type="image/png")
    with pytest.raises(ValidationFailed) as exc:
        services.visit_log(
            actor=helper_actor,
            household=paired["mine"],
            visited_on=date.today(),
            activities="走访",
            photos=[fake],
        )
    assert "不是图片" in exc.value.errors["photos"]
    assert not m.Visit.objects.exists()


def test_it_refuses_a_photo_over_the_size_limit(paired, helper_actor, monkeypatch):
    monkeypatch.setattr(services, "PHOTO_MAX_BYTES", 10)
    with pytest.raises(ValidationFailed) as exc:
        services.visit_log(
            actor=helper_actor,
            household=paired["mine"],
            visited_on=date.today(),
            activities="走访",
            photos=[png_upload()],
        )
    assert "超过" in exc.value.errors["photos"]
    assert not m.Visit.objects.exists()


def test_it_refuses_a_future_visit_and_an_empty_one(paired, helper_actor):
    with pytest.raises(ValidationFailed) as exc:
        services.visit_log(
            actor=helper_actor,
            household=paired["mine"],
            visited_on=date.today() + timedelta(days=1),
            activities="走访",
        )
    assert "晚于今天" in exc.value.errors["visited_on"]
    with pytest.raises(ValidationFailed) as exc:
        services.visit_log(
            actor=helper_actor, household=paired["mine"], visited_on=date.today(), activities=" "
        )
    assert "activities" in exc.value.errors


def test_a_helper_never_reaches_another_helpers_household(paired, helper_actor):
    with pytest.raises(Http404):
        services.visit_log(
            actor=helper_actor, household=paired["theirs"], visited_on=date.today(), activities="走访"
        )
    with pytest.raises(Http404):
        services.measure_add(
            actor=helper_actor,
            household=paired["theirs"],
            data={"category": "产业", "content": "养牛", "started_on": "2018-03-01"},
        )
    assert not m.Visit.objects.exists() and not m.HelpMeasure.objects.exists()


def test_a_helper_loses_the_household_when_the_pairing_ends(paired, admin_actor, helper_user):
    services.helper_unassign(actor=admin_actor, household=paired["mine"], ended_on=date.today())
    with pytest.raises(Http404):
        services.visit_log(
            actor=actor_for(helper_user), household=paired["mine"], visited_on=date.today(), activities="走访"
        )


def test_it_adds_and_updates_a_measure_with_history(paired, helper_actor):
    measure = services.measure_add(
        actor=helper_actor,
        household=paired["mine"],
        data={
            "category": "金融(小额信贷及贴息)",
            "content": "小额信贷5万元",
            "funds": "50,000",
            "started_on": "2018-03-01",
            "expected_income_gain": "3000",
            "status": "实施中",
        },
    )
    assert measure.funds == Decimal("50000.00") and measure.expected_income_gain == Decimal("3000.00")
    services.measure_update(
        actor=helper_actor,
        measure=measure,
        data={
            "category": "金融(小额信贷及贴息)",
            "content": "小额信贷5万元",
            "funds": "50000",
            "started_on": "2018-03-01",
            "ended_on": "2019-03-01",
            "expected_income_gain": "3000",
            "status": "已完成",
        },
    )
    entry = AuditEntry.objects.get(action="measure.update")
    assert entry.before == {"ended_on": None, "status": "实施中"}
    assert entry.after == {"ended_on": "2019-03-01", "status": "已完成"}


def test_it_rejects_invalid_measures_with_chinese_messages(paired, helper_actor):
    with pytest.raises(ValidationFailed) as exc:
        services.measure_add(
            actor=helper_actor,
            household=paired["mine"],
            data={
                "category": "炒股",
                "content": "",
                "funds": "-1",
                "started_on": "2018-03-01",
                "ended_on": "2017-01-01",
            },
        )
    assert set(exc.value.errors) == {"category", "content", "funds", "ended_on"}


def test_it_keeps_one_team_leader_and_keeps_the_old_one_as_a_member(admin_actor, village_cadre, helper_user):
    team = services.work_team_create(actor=admin_actor, village_code=VILLAGE, started_on=date(2018, 1, 1))
    services.team_member_add(
        actor=admin_actor, team=team, cadre=village_cadre, is_leader=True, started_on=date(2018, 1, 1)
    )
    services.team_member_add(
        actor=admin_actor, team=team, cadre=helper_user, is_leader=True, started_on=date(2018, 5, 1)
    )
    open_rows = {(r.cadre_id, r.is_leader) for r in team.members.filter(ended_on__isnull=True)}
    assert open_rows == {(helper_user.pk, True), (village_cadre.pk, False)}
    assert team.members.filter(ended_on=date(2018, 5, 1), is_leader=True, cadre=village_cadre).exists()
    with pytest.raises(ValidationFailed):
        services.work_team_create(actor=admin_actor, village_code=VILLAGE)


def test_it_replaces_a_first_secretary_and_links_units_and_leaders(
    admin_actor, village_cadre, helper_user, county_leader
):
    unit = services.unit_create(actor=admin_actor, name="慈利县教育局", affiliation="县直")
    services.unit_village_link(actor=admin_actor, unit=unit, village_code=VILLAGE)
    again = services.unit_village_link(actor=admin_actor, unit=unit, village_code=VILLAGE)
    assert m.UnitVillageLink.objects.filter(unit=unit).count() == 1 and again.ended_on is None
    old = services.first_secretary_appoint(
        actor=admin_actor, village_code=VILLAGE, cadre=village_cadre, unit=unit, started_on=date(2018, 1, 1)
    )
    services.first_secretary_appoint(
        actor=admin_actor, village_code=VILLAGE, cadre=helper_user, started_on=date(2019, 1, 1)
    )
    old.refresh_from_db()
    assert old.ended_on == date(2019, 1, 1)
    link = services.leader_link(actor=admin_actor, leader=county_leader, township_code=VILLAGE[:9] + "000")
    assert link.township_id == VILLAGE[:9] + "000"
    with pytest.raises(ValidationFailed):
        services.unit_create(actor=admin_actor, name="某单位", affiliation="中直")
    with pytest.raises(ValidationFailed):
        services.leader_link(actor=admin_actor, leader=county_leader, township_code=OTHER_VILLAGE)


def test_it_checks_in_a_stationed_cadre_once_a_day(stationed_cadre):
    actor = actor_for(stationed_cadre)
    first = services.check_in(actor=actor, day=date.today())
    again = services.check_in(actor=actor, day=date.today(), overnight=True)
    assert first.pk == again.pk and again.overnight and again.village_id == VILLAGE
    services.check_in(actor=actor, day=date.today(), overnight=False)
    again.refresh_from_db()
    assert again.overnight  # a later check-in never removes 住村
    assert AuditEntry.objects.filter(action__startswith="checkin").count() == 2


def test_it_refuses_a_check_in_from_a_cadre_who_is_not_stationed(village_cadre):
    with pytest.raises(ValidationFailed) as exc:
        services.check_in(actor=actor_for(village_cadre))
    assert "不是在驻" in exc.value.errors["__all__"]
    assert not m.CheckIn.objects.exists()


def test_it_updates_alert_settings_within_bounds(admin_actor, township_cadre):
    row = services.alert_settings_update(
        actor=admin_actor,
        values={
            "max_households_per_helper": "6",
            "visit_interval_days": "45",
            "week_min_days": "5",
            "week_min_nights": "4",
        },
    )
    assert services.alert_settings().pk == row.pk and row.max_households_per_helper == 6
    with pytest.raises(ValidationFailed) as exc:
        services.alert_settings_update(actor=admin_actor, values={"week_min_days": "8"})
    assert "week_min_days" in exc.value.errors
    with pytest.raises(Http404):
        services.alert_settings_update(actor=actor_for(township_cadre), values={})
