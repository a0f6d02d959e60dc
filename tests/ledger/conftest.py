"""Ledger fixtures: units, a problem and a petition in the test village, supervisors and handlers."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jingzhun.accounts.access import actor_for
from jingzhun.regions.models import Region
from tests.assistance.conftest import png_bytes
from tests.conftest import _persona
from tests.factories import VILLAGE

D0 = date(2018, 3, 1)


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


@pytest.fixture
def unit(regions):
    from jingzhun.assistance.models import Affiliation, HelpUnit

    return HelpUnit.objects.create(name="县水利局", affiliation=Affiliation.COUNTY)


@pytest.fixture
def village_region(regions):
    return Region.objects.get(code=VILLAGE)


@pytest.fixture
def admin(county_admin):
    return actor_for(county_admin)


@pytest.fixture
def leader(county_leader):
    return actor_for(county_leader)


@pytest.fixture
def inspector(regions):
    return actor_for(_persona("inspector", "inspector", "430821000000"))


@pytest.fixture
def handler(village_cadre):
    return actor_for(village_cadre)


@pytest.fixture
def township(township_cadre):
    return actor_for(township_cadre)


def new_item(actor, kind, code, region, unit, *, responsible=None, assigned_on=D0, **kw):
    from jingzhun.ledger.services import item_create

    defaults = {
        "problem": {"source": "市县巡察"},
        "petition": {"source": "县本级", "petitioner_name": "张三", "petitioner_phone": "13907440001"},
        "case": {},
        "task": {},
        "directive": {},
    }[kind]
    defaults.update(kw)
    return item_create(
        actor=actor,
        kind=kind,
        code=code,
        assigned_on=assigned_on,
        region=region,
        description=f"{kind} {code} 描述",
        unit=unit,
        responsible_name="赵书记",
        responsible=responsible,
        **defaults,
    )


@pytest.fixture
def problem(admin, village_region, unit, handler):
    return new_item(
        admin, "problem", "WT-001", village_region, unit, responsible=handler.user, deadline=date(2018, 3, 31)
    )


@pytest.fixture
def petition(admin, village_region, unit, handler):
    return new_item(admin, "petition", "XF-001", village_region, unit, responsible=handler.user)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (the ledger caches nothing of its own any more — the summary
    and the board are computed fresh — but other apps' cached figures must not leak between tests)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
