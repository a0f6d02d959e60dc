"""Village facts (村情): edited by the township or county, validated, audited; a village cadre reads them."""

from __future__ import annotations

import pytest
from django.test import Client

from jingzhun.core.models import AuditEntry
from jingzhun.regions.models import Region
from tests.factories import VILLAGE

pytestmark = pytest.mark.django_db

VALID = {
    "is_poor_village": "是",
    "exit_state": "已出列",
    "exit_year": "2018",
    "planned_exit_year": "2018",
    "registered_population": "1520",
    "registered_households": "430",
    "collective_income_wan": "5.2",
    "hardened_road": "是",
    "bus_service": "否",
    "households_without_safe_water": "0",
    "power": "是",
    "standard_clinic": "是",
    "licensed_doctors": "1",
    "broadband": "是",
    "service_centre": "是",
}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_saves_village_facts_with_an_audit_row(township_cadre):
    from jingzhun.standards.defaults import ensure_defaults

    ensure_defaults()  # 已出列 is checked against the V-* rules of the standard (all met here)
    response = _client(township_cadre).post(f"/regions/{VILLAGE}/edit/", VALID)
    assert response.status_code == 302
    village = Region.objects.get(code=VILLAGE)
    assert village.is_poor_village and village.exit_state == "已出列" and village.exit_year == 2018
    assert str(village.collective_income_wan) == "5.20"
    entry = AuditEntry.objects.get(action="region.update", object_id=VILLAGE)
    assert entry.after["registered_population"] == 1520


def test_it_requires_an_exit_year_for_an_exited_poor_village(county_admin):
    response = _client(county_admin).post(f"/regions/{VILLAGE}/edit/", {**VALID, "exit_year": ""})
    assert response.status_code == 200
    assert "出列年度" in response.content.decode()
    assert Region.objects.get(code=VILLAGE).exit_state == ""


def test_it_rejects_a_negative_doctor_count(county_admin):
    response = _client(county_admin).post(f"/regions/{VILLAGE}/edit/", {**VALID, "licensed_doctors": "-1"})
    assert response.status_code == 200
    assert Region.objects.get(code=VILLAGE).licensed_doctors is None


def test_it_lets_a_village_cadre_read_but_not_edit(village_cadre, other_village_cadre):
    assert _client(village_cadre).get(f"/regions/{VILLAGE}/").status_code == 200
    assert _client(village_cadre).get(f"/regions/{VILLAGE}/edit/").status_code == 404
    assert _client(other_village_cadre).get(f"/regions/{VILLAGE}/").status_code == 404


def test_the_village_page_shows_its_facts_history_with_labels(township_cadre, village_cadre):
    from jingzhun.standards.defaults import ensure_defaults

    ensure_defaults()  # 已出列 is checked against the V-* rules of the standard (all met here)
    from jingzhun.core import audit

    _client(township_cadre).post(f"/regions/{VILLAGE}/edit/", VALID)
    _client(township_cadre).post(f"/regions/{VILLAGE}/edit/", {**VALID, "collective_income_wan": "6.8"})
    audit.record(  # an export of the village's table is audited on the region but changes nothing
        actor=township_cadre,
        action="standards.export",
        object_type="region",
        object_id=VILLAGE,
        object_label="杜坪村 导出",
        after={"rows": 3},
    )
    page = _client(village_cadre).get(f"/regions/{VILLAGE}/").content.decode()
    history = page.split('data-testid="village-history"')[1]
    assert history.count("修改村情") == 2
    assert "村集体经济收入（万元）" in history and "5.20" in history and "6.8" in history
    assert "collective_income_wan" not in history and "导出" not in history
    assert 'data-testid="village-edit"' not in page  # a village cadre reads, does not edit


def test_the_township_edits_its_own_villages_only_and_the_county_all(township_cadre, county_admin):
    from jingzhun.standards.defaults import ensure_defaults

    ensure_defaults()  # 已出列 is checked against the V-* rules of the standard (all met here)
    from tests.factories import OTHER_VILLAGE

    township = _client(township_cadre)
    assert 'data-testid="village-edit"' in township.get(f"/regions/{VILLAGE}/").content.decode()
    assert township.get(f"/regions/{OTHER_VILLAGE}/edit/").status_code == 404
    assert township.post(f"/regions/{OTHER_VILLAGE}/edit/", VALID).status_code == 404
    assert Region.objects.get(code=OTHER_VILLAGE).registered_population is None
    assert _client(county_admin).post(f"/regions/{OTHER_VILLAGE}/edit/", VALID).status_code == 302
    assert Region.objects.get(code=OTHER_VILLAGE).registered_population == 1520
