"""Scope per role on every output of the ledger — list pages, item pages, the API (list and item) and the
xlsx export of the list — and the petitioner masked on each of them for the roles without the sensitive
permission: 县级 roles the whole county (违纪案件 only 纪委), township and village users their region, a
行业部门 user their unit's items, a 督查组 member the regions assigned to the group. What is out of scope
is 404 like a missing item, on the pages and the API alike."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jingzhun.accounts.access import actor_for
from jingzhun.ledger.models import InspectionGroup
from jingzhun.regions.models import Region
from tests.api.conftest import ApiClient
from tests.conftest import _persona
from tests.factories import OTHER_VILLAGE, VILLAGE
from tests.ledger.conftest import new_item

pytestmark = pytest.mark.django_db

ALL = {"WT-HERE", "WT-FAR", "XF-HERE", "XF-FAR", "AJ-HERE"}
HERE = {"WT-HERE", "XF-HERE"}
FAR = {"WT-FAR", "XF-FAR"}
# persona → (what it sees, whether petitioners are shown in full)
EXPECTED = {
    "county_admin": (ALL, True),
    "county_leader": (ALL - {"AJ-HERE"}, False),
    "township_cadre": (HERE, True),
    "village_cadre": (HERE, True),
    "other_village_cadre": (FAR, True),
    "sector": (FAR, False),  # 县教育局's user: the items of their unit, wherever they are
    "jiwei": (ALL, False),  # 纪委: cases too
    "inspector": (FAR, False),  # county grant, group assigned to the other township only
}
PETITIONERS = {"XF-HERE": ("张三", "13907440001"), "XF-FAR": ("欧阳修", "13907440002")}
MASKED = {"XF-HERE": ("张*", "139****0001"), "XF-FAR": ("欧**", "139****0002")}


@pytest.fixture
def world(county_admin, regions):
    from jingzhun.assistance.models import Affiliation, HelpUnit

    admin = actor_for(county_admin)
    water = HelpUnit.objects.create(name="县水利局", affiliation=Affiliation.COUNTY)
    edu = HelpUnit.objects.create(name="县教育局", affiliation=Affiliation.COUNTY)
    here, far = Region.objects.get(code=VILLAGE), Region.objects.get(code=OTHER_VILLAGE)
    items = {
        "WT-HERE": new_item(admin, "problem", "WT-HERE", here, water),
        "WT-FAR": new_item(admin, "problem", "WT-FAR", far, edu),
        "XF-HERE": new_item(admin, "petition", "XF-HERE", here, water),
        "XF-FAR": new_item(
            admin,
            "petition",
            "XF-FAR",
            far,
            edu,
            petitioner_name="欧阳修",
            petitioner_phone="13907440002",
        ),
        "AJ-HERE": new_item(admin, "case", "AJ-HERE", here, water),
    }
    return {"items": items, "edu": edu}


def _user(request, world, persona: str):
    from jingzhun.assistance.models import Cadre

    if persona == "sector":
        user = _persona("jiaoyu", "sector", "430821000000")
        Cadre.objects.create(user=user, unit=world["edu"])
        return user
    if persona == "jiwei":
        return _persona("jiwei", "discipline", "430821000000")
    if persona == "inspector":
        user = _persona("duchazu", "inspector", "430821000000")
        group = InspectionGroup.objects.create(name="第三督查组")
        group.regions.add(Region.objects.get(code=OTHER_VILLAGE[:9] + "000"))
        group.members.add(user)
        return user
    return request.getfixturevalue(persona)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _xlsx_rows(response) -> list[tuple]:
    assert response.status_code == 200
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_every_output_shows_exactly_the_scope_of_the_role(request, world, persona):
    expected, _ = EXPECTED[persona]
    user = _user(request, world, persona)
    page, api = _client(user), ApiClient(user)
    on_pages, in_exports = set(), set()
    for kind in ("problem", "petition", "case"):
        listing = page.get(reverse("ledger:list", args=[kind]))
        export = page.get(reverse("ledger:list", args=[kind]), {"export": "xlsx"})
        if kind == "case" and "AJ-HERE" not in expected:
            assert (listing.status_code, export.status_code) == (404, 404)
            assert api.get("/ledger/items", kind="case").status_code == 404
            continue
        html = listing.content.decode()
        on_pages |= {code for code in ALL if code in html}
        in_exports |= {row[0] for row in _xlsx_rows(export)[1:]}
    assert on_pages == expected
    assert in_exports == expected
    assert {row["code"] for row in api.get("/ledger/items", limit=200).json()["items"]} == expected
    # the summary counts the same items: 合计 rows of each kind, 违纪案件 only for 纪委
    html = page.get(reverse("ledger:summary")).content.decode()
    totals = {
        kind: int(total)
        for kind, total in re.findall(
            r'<tr class="fw-bold table-light"><td class="">(\w+)</td><td class="">合计</td>'
            r'<td class="text-end">(\d+)</td>',
            html,
        )
    }
    counted = {"问题整改": "WT-", "信访": "XF-", "违纪案件": "AJ-"}
    want = {k: sum(c.startswith(p) for c in expected) for k, p in counted.items()}
    if "AJ-HERE" not in expected:
        assert "违纪案件" not in totals
        want.pop("违纪案件")
    assert {k: totals[k] for k in want} == want
    for code, item in world["items"].items():
        status = 200 if code in expected else 404
        assert page.get(reverse("ledger:detail", args=[item.pk])).status_code == status, code
        assert api.get(f"/ledger/items/{item.pk}").status_code == status, code


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_petitioners_are_masked_on_every_output_of_a_role_without_the_sensitive_permission(
    request, world, persona
):
    expected, full = EXPECTED[persona]
    user = _user(request, world, persona)
    page, api = _client(user), ApiClient(user)
    export = _xlsx_rows(page.get(reverse("ledger:list", args=["petition"]), {"export": "xlsx"}))
    exported = {row[0]: row[-2:] for row in export[1:]}
    listed = {r["code"]: r for r in api.get("/ledger/items", kind="petition").json()["items"]}
    outputs = [
        page.get(reverse("ledger:list", args=["petition"])).content.decode(),
        api.get("/ledger/items", kind="petition").content.decode(),
        str(export),
    ]
    for code in sorted(expected & set(PETITIONERS)):
        item = world["items"][code]
        detail = page.get(reverse("ledger:detail", args=[item.pk])).content.decode()
        shown = api.get(f"/ledger/items/{item.pk}").json()
        want = PETITIONERS[code] if full else MASKED[code]
        assert exported[code] == want
        assert (listed[code]["petitioner"], listed[code]["phone"]) == want
        assert (shown["petitioner"], shown["phone"]) == want
        assert f"{want[0]} {want[1]}" in detail
        outputs += [detail, str(shown)]
    if not full:
        for name, phone in PETITIONERS.values():
            for text in outputs:
                assert phone not in text and name not in text


def test_the_cli_list_has_the_spec_columns_and_no_personal_information(world, tmp_path, capsys):
    from jingzhun.cli import main

    out = tmp_path / "xf.csv"
    assert main(["ledger", "list", "--kind", "petition", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert (
        text.splitlines()[0]
        == "编号,类型,来源,涉及地区代码,责任单位,责任人,交办日期,时限,状态,是否逾期,逾期天数"
    )
    assert [r[0] for r in rows[1:]] == ["XF-FAR", "XF-HERE"]
    for name, phone in PETITIONERS.values():
        assert name not in text and phone not in text
