"""The scope of households_visible stays inside its own query when used as a subquery (issue 11).

The export's 帮扶措施 / 帮扶责任人 sheets read `HelpMeasure.objects.filter(household_id__in=<visible ids>)`
joined to the household. The SQLite county-wide scope used to be an `extra(where=…)` naming the table
literally ("registry_household"."village_id"): inside the subquery that name bound to the *outer* joined
household, so the subquery became correlated and was re-run for every measure (1,452 s for the county
export as 县领导). These tests look at the SQL and the database's own plan, never at the clock.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection

from jingzhun.accounts.access import actor_for
from jingzhun.assistance.models import HelperPairing, HelpMeasure
from jingzhun.registry.selectors import HouseholdFilter, filter_households, households_visible
from tests.factories import VILLAGE


def _plan(query) -> str:
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _correlated(plan: str) -> bool:
    """SQLite says CORRELATED; PostgreSQL runs an unhashed SubPlan once per outer row."""
    if connection.vendor == "sqlite":
        return "CORRELATED" in plan
    return bool(re.search(r"(?<!hashed )SubPlan", plan))


def _export_reads(actor, flt: HouseholdFilter | None = None):
    """The two reads of assistance.sheets.export_sheets, built the same way."""
    households = households_visible(actor)
    if flt is not None:
        households = filter_households(households, flt, actor=actor)
    ids = households.values("id")
    return (
        HelpMeasure.objects.filter(household_id__in=ids)
        .select_related("household")
        .order_by("household__code", "started_on", "id"),
        HelperPairing.objects.filter(household_id__in=ids)
        .select_related("helper", "helper__cadre__unit", "household")
        .order_by("household__code", "started_on", "id"),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["county_admin", "county_leader", "township_cadre", "village_cadre"])
def test_it_keeps_the_scope_subquery_uncorrelated_for_every_role(request, role):
    actor = actor_for(request.getfixturevalue(role))
    for flt in (None, HouseholdFilter(region=VILLAGE)):
        for query in _export_reads(actor, flt):
            plan = _plan(query)
            assert not _correlated(plan), plan


@pytest.mark.django_db
def test_the_county_scope_names_the_subquerys_own_alias(county_admin):
    """The shape behind the plan: the scope clause refers to the subquery's alias (U0), and the outer
    household join carries no scope condition of its own."""
    measures, _ = _export_reads(actor_for(county_admin))
    sql = str(measures.query)
    outer, _, inner = sql.partition("IN (SELECT")
    assert "village_id" in inner
    assert "village_id" not in outer.split("WHERE", 1)[1]
    if connection.vendor == "sqlite":
        assert re.search(r'\+"?U0"?\."village_id" >=', inner)  # still the no-index range, on its own table


@pytest.mark.django_db
def test_the_county_scope_skips_the_village_index_on_sqlite_only(county_admin):
    """The reason for the unary + (a county-wide page scans in id order) must survive the fix; PostgreSQL
    keeps statistics and gets the plain, indexable range."""
    sql = str(households_visible(actor_for(county_admin)).order_by("id")[:50].query)
    assert ('+"registry_household"."village_id" >=' in sql) == (connection.vendor == "sqlite")
    assert '"registry_household"."village_id" >=' in sql
