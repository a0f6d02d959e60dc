"""Clue fixtures: a household in the test village (张三 户主, 李四 配偶, 张小明 之子), hits built from it,
and the personas as actors."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jingzhun.accounts.access import actor_for
from jingzhun.verification.hits import Hit
from tests.assistance.conftest import png_bytes


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def death_hit(household, member, *, date_text: str = "2018-06-02", record_key: str = "") -> Hit:
    return Hit(
        rule="X-DEATH",
        household_id=household.pk,
        member_id=member.pk,
        explanation=f"死亡人口名单载有 {member.name}，死亡日期 {date_text}",
        dataset="死亡人口",
        match="证件号码",
        record_key=record_key or f"死亡人口:{member.id_number}:{date_text}",
        record={"证件号码": member.id_number, "姓名": member.name, "死亡日期": date_text},
    )


def spouse_hit(household, member, explanation: str = "配偶 李四 与户主同为男性") -> Hit:
    return Hit(rule="Q-SPOUSE-SEX", household_id=household.pk, member_id=member.pk, explanation=explanation)


def members_of(household):
    return {m.relation: m for m in household.members.order_by("id")}


@pytest.fixture
def people(household):
    return members_of(household)


@pytest.fixture
def admin(county_admin):
    return actor_for(county_admin)


@pytest.fixture
def village(village_cadre):
    return actor_for(village_cadre)


@pytest.fixture
def township(township_cadre):
    return actor_for(township_cadre)


@pytest.fixture
def leader(county_leader):
    return actor_for(county_leader)


@pytest.fixture
def four_eyes(db):
    from jingzhun.verification.models import ClueSettings

    ClueSettings.objects.update_or_create(pk=1, defaults={"four_eyes": True})
