"""No lost update (issue 15): two people edit the same household or member; the second save is refused
with a Chinese conflict message naming the first person's change, and nothing of the second is written."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from jingzhun.core.models import AuditEntry
from jingzhun.registry.models import Household, Member
from tests.api.conftest import ApiClient
from tests.factories import row_counts


def _open(user, url: str) -> tuple[Client, dict]:
    """Sign in as `user`, open the edit page and return the form's data as the browser would post it."""
    client = Client()
    client.force_login(user)
    page = client.get(url)
    assert page.status_code == 200
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    (version,) = re.findall(r'name="version" value="(\d+)"', page.content.decode())
    data["version"] = version
    return client, data


def test_the_second_household_save_gets_the_conflict_and_writes_nothing(
    village_cadre, township_cadre, household
):
    url = f"/households/{household.pk}/edit/"
    first, first_data = _open(village_cadre, url)
    second, second_data = _open(township_cadre, url)

    first_data["phone"] = "13900000001"
    assert first.post(url, first_data).status_code == 302
    saved = Household.objects.get(pk=household.pk)
    assert saved.phone == "13900000001" and saved.version == household.version + 1

    before = row_counts()
    entries = AuditEntry.objects.count()
    second_data["group_name"] = "九组"
    response = second.post(url, second_data)
    assert response.status_code == 200  # the form again, with the conflict
    body = response.content.decode()
    assert "保存冲突" in body and "village" in body and "联系电话" in body
    after = Household.objects.get(pk=household.pk)
    assert after.group_name == household.group_name  # nothing of the second save
    assert after.phone == "13900000001"  # the first save stands
    assert after.version == saved.version
    assert row_counts() == before and AuditEntry.objects.count() == entries

    # the refused form still carries the old version: saving again without reloading is refused again
    assert "保存冲突" in second.post(url, second_data).content.decode()
    # after reopening the page the edit goes through
    second, fresh = _open(township_cadre, url)
    fresh["group_name"] = "九组"
    assert second.post(url, fresh).status_code == 302
    assert Household.objects.get(pk=household.pk).group_name == "九组"


def test_the_second_member_save_gets_the_conflict_and_writes_nothing(
    village_cadre, township_cadre, household
):
    member = household.members.get(relation="配偶")
    url = f"/members/{member.pk}/edit/"
    first, first_data = _open(village_cadre, url)
    second, second_data = _open(township_cadre, url)
    first_data["work_months"] = "7"
    assert first.post(url, first_data).status_code == 302
    second_data["name"] = "改名字"
    before = row_counts()
    response = second.post(url, second_data)
    body = response.content.decode()
    assert response.status_code == 200 and "保存冲突" in body and "village" in body
    after = Member.objects.get(pk=member.pk)
    assert after.name == member.name and after.work_months == 7
    assert after.version == member.version + 1
    assert row_counts() == before


def test_the_api_answers_409_in_the_envelope_and_writes_nothing(village_cadre, township_cadre, household):
    first, second = ApiClient(village_cadre), ApiClient(township_cadre)
    version = first.get(f"/households/{household.pk}").json()["version"]
    assert second.get(f"/households/{household.pk}").json()["version"] == version

    ok = first.patch(f"/households/{household.pk}", {"phone": "13900000002", "version": version})
    assert ok.status_code == 200 and ok.json()["version"] == version + 1

    before = row_counts()
    refused = second.patch(f"/households/{household.pk}", {"group_name": "九组", "version": version})
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "conflict" and "保存冲突" in error["message"] and "village" in error["message"]
    assert set(error) == {"code", "message", "fields"}  # the one envelope
    assert error["fields"]["version"].startswith(f"当前版本为 {version + 1}")
    assert refused["ETag"] == f'"{version + 1}"'
    assert Household.objects.get(pk=household.pk).group_name == household.group_name
    assert row_counts() == before


def test_the_api_takes_the_version_from_if_match_too(village_cadre, township_cadre, household):
    member = household.members.get(relation="配偶")
    first, second = ApiClient(village_cadre), ApiClient(township_cadre)
    version = first.get(f"/members/{member.pk}").json()["version"]
    first.headers["If-Match"] = f'"{version}"'
    assert first.patch(f"/members/{member.pk}", {"work_months": 5}).status_code == 200
    second.headers["If-Match"] = f'W/"{version}"'
    refused = second.patch(f"/members/{member.pk}", {"name": "改名字"})
    assert refused.status_code == 409
    assert Member.objects.get(pk=member.pk).name == member.name


@pytest.mark.parametrize("service", ["head_change", "member_remove", "member_add"])
def test_every_update_service_moves_the_version_on(admin_actor, household, service):
    from datetime import date

    from jingzhun.registry.services import members as svc
    from tests.factories import member_row

    spouse = household.members.get(relation="配偶")
    before = Household.objects.get(pk=household.pk).version
    if service == "head_change":
        svc.head_change(actor=admin_actor, household=household, new_head=spouse, old_head_relation="配偶")
        assert Member.objects.get(pk=spouse.pk).version == spouse.version + 1
    elif service == "member_remove":
        svc.member_remove(actor=admin_actor, member=spouse, reason="迁出")
        assert Member.objects.get(pk=spouse.pk).version == spouse.version + 1
    else:
        svc.member_add(
            actor=admin_actor, household=household, data=member_row("新成员", "之子", date(2010, 1, 2))
        )
    assert Household.objects.get(pk=household.pk).version == before + 1
