"""Fixtures of the verification tests: the shipped standard (the line and the reference date of Y), the
shipped rule parameters, a way to run either cleansing engine over what the test wrote; and the clue
fixtures: hits built from a household in the test village, and the personas as actors."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jingzhun.accounts.access import actor_for
from jingzhun.engines.python import cleansing as python_engine
from jingzhun.engines.sql import cleansing as sql_engine
from jingzhun.registry.models import Household
from jingzhun.rules.hits import Hit
from jingzhun.standards.defaults import ensure_defaults
from jingzhun.standards.loading import clear_cache
from jingzhun.verification import cleanse
from jingzhun.verification.services import ensure_defaults as ensure_rule_defaults
from tests.assistance.conftest import png_bytes
from tests.factories import member_row, register


@pytest.fixture
def standard(regions):
    clear_cache()
    return ensure_defaults()


@pytest.fixture
def rules(db):
    return ensure_rule_defaults()[0]


def run_engine(engine: str, year: int, *, ctx=None, scope=None) -> set[tuple]:
    """(rule, household id, member id, 说明) of every hit of `engine` over the whole register."""
    ctx = ctx or cleanse.context(year)
    if engine == "python":
        found = python_engine.cleanse(cleanse.plain_households(Household.objects.all()), ctx)
    else:
        found = sql_engine.cleanse(ctx, scope)
    return {(f.rule, f.household_id, f.member_id, f.explanation) for f in found}


@pytest.fixture(params=["python", "sql"])
def engine(request, standard, rules):
    """Each boundary test runs on both engines: the same hits are expected from either."""
    return request.param


@pytest.fixture
def family(admin_actor):
    """One household in 杜坪村: 张三 (户主, 1970), 李四 (配偶, 1972, 女), 张小明 (之子, 2006, 初中)."""
    hh = register(
        admin_actor,
        members=[
            member_row("张三", "户主", date(1970, 5, 1)),
            member_row("李四", "配偶", date(1972, 3, 9), male=False),
            member_row("张小明", "之子", date(2006, 9, 1), school_status="初中", education="小学"),
        ],
    )
    by_relation = {m.relation: m for m in hh.members.all()}
    return hh, by_relation["户主"], by_relation["配偶"], by_relation["之子"]


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
