"""One masking policy for every output (domain §11): the household page, the API, the registry workbook
export (downloaded through the web, with its assistance sheets) and the snapshot export, for every role
without registry.view_sensitive. None of them may show a full ID number, birth date, health or disability,
phone or bank account."""

from __future__ import annotations

import io
import json
from datetime import date

import openpyxl
import pytest
from django.test import Client

from jingzhun.accounts.access import actor_for
from jingzhun.lib import idcard
from tests.api.conftest import ApiClient
from tests.conftest import COUNTY
from tests.factories import VILLAGE, member_row, register

BIRTH = date(1963, 8, 17)
RESIDENT_ID = idcard.make("430821", BIRTH, 135)
DISABILITY_ID = RESIDENT_ID + "42"  # 残疾人证: category 4, level 2
SPOUSE_ID = idcard.make("430821", date(1965, 1, 2), 246)
CHILD_ID = idcard.make("430821", date(2010, 4, 5), 357)
assert DISABILITY_ID[-4:] not in (SPOUSE_ID[-4:], CHILD_ID[-4:])
HELPER_PHONE = "13907441234"
PHONE = "13807449876"
BANK = "6228480123456789012"
MASKED_ROLES = ["county_leader", "sector", "inspector", "discipline", "helper"]


def _forbidden_texts(household) -> list[str]:
    head = household.members.get(relation="户主")
    return [
        RESIDENT_ID,
        DISABILITY_ID,
        "*" + DISABILITY_ID[-4:],  # a masked 残疾人证 number that keeps the category and level digits
        head.id_number,
        head.birth_date.isoformat(),
        head.birth_date.strftime("%Y%m%d"),
        BIRTH.isoformat(),
        BIRTH.strftime("%Y%m%d"),
        "残疾",
        "患有大病",
        "身体原因",
        PHONE,
        BANK,
        HELPER_PHONE,
    ]


def _assert_nothing_personal(text: str, household) -> None:
    leaked = [t for t in _forbidden_texts(household) if t in text]
    assert leaked == [], f"personal data shown to a masked role: {leaked}"


@pytest.fixture
def personal_household(admin_actor, regions):
    """A household holding every kind of personal data: a disabled member with a 残疾人证 number, one
    seriously ill, a child kept out of school for physical reasons, a phone, a bank account, a helper
    with a phone."""
    from jingzhun.accounts.services import role_grant, user_create
    from jingzhun.assistance.services import helper_assign
    from jingzhun.registry.services.households import household_update

    household = register(
        admin_actor,
        phone=PHONE,
        members=[
            member_row("孙大", "户主", BIRTH, id_number=DISABILITY_ID, health="残疾"),
            # fixed IDs: a factory ID ending in the 残疾人证's last four digits would show them, masked, as
            # that member's own (430821********5242) and fail the check below by chance
            member_row("钱二", "配偶", date(1965, 1, 2), male=False, health="患有大病", id_number=SPOUSE_ID),
            member_row(
                "孙小",
                "之子",
                date(2010, 4, 5),
                id_number=CHILD_ID,
                school_status="非在校生",
                not_in_school_reason="身体原因(送教上门)",
            ),
        ],
    )
    household = household_update(actor=admin_actor, household=household, changes={"bank_account": BANK})
    helper, _ = user_create(username="helper", password="Pass-word-123", display_name="帮扶人")
    helper.phone = HELPER_PHONE
    helper.save(update_fields=["phone"])
    role_grant(user=helper, role="helper", region_code=VILLAGE)
    helper_assign(actor=admin_actor, household=household, helper=helper, started_on=date(2018, 1, 1))
    return household


def _user(role: str):
    from jingzhun.accounts.models import User
    from jingzhun.accounts.services import role_grant, user_create

    if role == "helper":
        return User.objects.get(username="helper")
    user, _ = user_create(username=f"u-{role}", password="Pass-word-123", display_name=role)
    role_grant(user=user, role=role, region_code=COUNTY)
    return user


def _xlsx_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells.extend("" if v is None else str(v) for v in row)
    return "\n".join(cells)


@pytest.mark.parametrize("role", MASKED_ROLES)
def test_the_household_page_masks_every_personal_field(personal_household, role):
    user = _user(role)
    assert not actor_for(user).sees_sensitive
    client = Client()
    client.force_login(user)
    response = client.get(f"/households/{personal_household.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "430821********" in body  # the masked form is shown
    assert "1963年" in body
    _assert_nothing_personal(body, personal_household)


@pytest.mark.parametrize("role", MASKED_ROLES)
def test_the_api_masks_every_personal_field(personal_household, role):
    user = _user(role)
    api = ApiClient(user)
    detail = api.get(f"/households/{personal_household.pk}")
    assert detail.status_code == 200
    listing = api.get("/households", q="孙大")
    assert listing.status_code == 200 and len(listing.json()["items"]) == 1
    for response in (detail, listing):
        _assert_nothing_personal(json.dumps(response.json(), ensure_ascii=False), personal_household)
    head = next(m for m in detail.json()["members"] if m["name"] == "孙大")
    assert head["id_number"] == RESIDENT_ID[:6] + "********" + RESIDENT_ID[-4:]
    assert head["birth_date"] is None and head["health"] is None and head["birth_year"] == 1963


def test_the_web_export_masks_every_personal_field_for_the_county_leader(personal_household):
    client = Client()
    client.force_login(_user("county_leader"))
    response = client.get("/registry/export/")
    assert response.status_code == 200
    text = _xlsx_text(b"".join(response.streaming_content))
    assert "孙大" in text and "帮扶人" in text  # the household and its 帮扶责任人 sheet are there
    assert RESIDENT_ID[:6] + "********" + RESIDENT_ID[-4:] in text
    _assert_nothing_personal(text, personal_household)


def test_the_web_export_gives_the_full_values_to_a_role_that_may_see_them(personal_household, county_admin):
    client = Client()
    client.force_login(county_admin)
    text = _xlsx_text(b"".join(client.get("/registry/export/").streaming_content))
    for value in (DISABILITY_ID, BIRTH.isoformat(), "残疾", PHONE, HELPER_PHONE):
        assert value in text


def test_the_snapshot_export_masks_every_personal_field(personal_household, admin_actor, tmp_path):
    from jingzhun.registry.services.snapshots import snapshot_take
    from jingzhun.workbook.exporter import export_registry

    snapshot_take(actor=admin_actor, year=2018)
    out = tmp_path / "snapshot.xlsx"
    export_registry(str(out), actor_or_none=actor_for(_user("county_leader")), year=2018)
    text = _xlsx_text(out.read_bytes())
    assert "孙大" in text
    _assert_nothing_personal(text, personal_household)


def test_the_export_is_audited_with_who_which_filter_and_how_many(personal_household):
    from jingzhun.core.models import AuditEntry

    leader = _user("county_leader")
    client = Client()
    client.force_login(leader)
    assert client.get("/registry/export/", {"q": "孙大"}).status_code == 200
    entry = AuditEntry.objects.get(action="registry.export")
    assert entry.actor_id == leader.pk and entry.at is not None
    assert entry.after["households"] == 1 and entry.after["members"] == 3
    assert entry.after["filters"] == {"q": "孙大"}


def test_the_household_checklist_hides_health_named_in_a_reason(personal_household, monkeypatch):
    """A report sentence names member values (健康状况为残疾): masked like the fields themselves."""
    from jingzhun.standards import selectors

    def checklist(household, year=None):
        return {
            "year": 2018,
            "standard": None,
            "error": "",
            "rules": [
                {
                    "code": "H-X",
                    "name": "x",
                    "status": "fail",
                    "status_label": "未达标",
                    "is_assumption": False,
                    "reasons": ["成员 孙大（55岁）健康状况为残疾，参加大病保险为否"],
                }
            ],
        }

    monkeypatch.setattr(selectors, "household_checklist", checklist)
    client = Client()
    client.force_login(_user("county_leader"))
    body = client.get(f"/households/{personal_household.pk}/").content.decode()
    assert "健康状况为***" in body
    _assert_nothing_personal(body, personal_household)
