"""Fixtures of the verification tests: the shipped standard (the line and the reference date of Y), the
shipped rule parameters, and a way to run either cleansing engine over what the test wrote."""

from __future__ import annotations

import pytest

from jingzhun.engines.python import cleansing as python_engine
from jingzhun.engines.sql import cleansing as sql_engine
from jingzhun.registry.models import Household
from jingzhun.standards.defaults import ensure_defaults
from jingzhun.standards.loading import clear_cache
from jingzhun.verification import cleanse
from jingzhun.verification.services import ensure_defaults as ensure_rule_defaults


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
