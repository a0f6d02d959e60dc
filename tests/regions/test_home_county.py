"""The installation's own county comes from the loaded divisions, never from a code in the program:
an installation for 永定区 acts for 永定区, a city installation for every county, an empty one for none."""

from __future__ import annotations

import pytest

from jingzhun.ledger import selectors as ledger_selectors
from jingzhun.regions.home import home_counties, home_county_code, home_prefixes
from jingzhun.regions.loader import load_divisions
from jingzhun.regions.models import Region
from jingzhun.workbook.commands import county_actor


def _yongding_installation() -> None:
    """A database holding 永定区 and its townships only (as a 永定区 installation would)."""
    Region.objects.create(code="430000000000", name="湖南省", level="province")
    Region.objects.create(code="430800000000", name="张家界市", level="city", parent_id="430000000000")
    Region.objects.create(code="430802000000", name="永定区", level="county", parent_id="430800000000")
    for n, name in ((1, "永定街道"), (2, "大庸桥街道")):
        Region.objects.create(code=f"430802{n:03d}000", name=name, level="township", parent_id="430802000000")


@pytest.mark.django_db
def test_a_yongding_installation_acts_for_yongding_not_cili():
    _yongding_installation()
    assert home_county_code() == "430802000000"
    assert home_prefixes() == ("430802",)
    assert county_actor().prefixes == ("430802",)
    assert ledger_selectors.system_actor().prefixes == ("430802",)
    assert [t.name for t in ledger_selectors.county_townships()] == ["永定街道", "大庸桥街道"]
    assert [r.code for r in ledger_selectors.county_and_townships()] == [
        "430802000000",
        "430802001000",
        "430802002000",
    ]


@pytest.mark.django_db
def test_a_city_installation_acts_for_each_of_its_counties():
    load_divisions(city=True)
    prefixes = home_prefixes()
    assert {"430802", "430811", "430821", "430822"} <= set(prefixes)
    assert [r.code[:6] for r in home_counties()] == list(prefixes)
    townships = list(ledger_selectors.county_townships())
    assert {t.code[:6] for t in townships} == set(prefixes)
    assert county_actor().prefixes == prefixes


@pytest.mark.django_db
def test_before_divisions_are_loaded_the_county_scope_is_empty_not_cili():
    assert home_county_code() == ""
    assert home_prefixes() == ()
    assert county_actor().prefixes == ()
    assert list(ledger_selectors.county_townships()) == []
