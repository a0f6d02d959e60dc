"""Fixtures of the verification tests: the shipped standard (the line and the reference date of Y), the
shipped rule parameters, and a way to run either cleansing engine over what the test wrote."""

from __future__ import annotations

from datetime import date

import pytest

from jingzhun.engines.python import cleansing as python_engine
from jingzhun.engines.sql import cleansing as sql_engine
from jingzhun.registry.models import Household
from jingzhun.standards.defaults import ensure_defaults
from jingzhun.standards.loading import clear_cache
from jingzhun.verification import cleanse
from jingzhun.verification.services import ensure_defaults as ensure_rule_defaults
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
