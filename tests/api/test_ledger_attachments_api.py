"""Attachments through the API (multipart/form-data on moves/upload and notes/upload), as restricted roles:
the same checks as the pages (image or PDF by the bytes, ≤ 10 MB, ≤ 9 files), scope first (404 outside it,
like a missing item), and a refused request writes nothing — no step, no attachment row, no file, no audit
entry. An accepted one saves the files with the step and its audit row."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from jingzhun.accounts.access import actor_for
from jingzhun.core.models import AuditEntry
from jingzhun.ledger.models import Attachment, Item, Step
from jingzhun.ledger.services import ATTACHMENT_MAX_BYTES
from jingzhun.regions.models import Region
from tests.assistance.conftest import png_bytes
from tests.factories import OTHER_VILLAGE, VILLAGE
from tests.ledger.conftest import new_item

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def items(county_admin, village_cadre, other_village_cadre, regions):
    from jingzhun.assistance.models import Affiliation, HelpUnit

    admin = actor_for(county_admin)
    unit = HelpUnit.objects.create(name="县水利局", affiliation=Affiliation.COUNTY)
    today = date.today()
    here, there = Region.objects.get(code=VILLAGE), Region.objects.get(code=OTHER_VILLAGE)
    mine = new_item(
        admin,
        "problem",
        "WT-ATT",
        here,
        unit,
        responsible=village_cadre,
        assigned_on=today - timedelta(days=5),
    )
    far = new_item(
        admin, "problem", "WT-FAR", there, unit, responsible=other_village_cadre, assigned_on=today
    )
    return {"mine": mine, "far": far}


class _Multipart:
    """Posts multipart/form-data with the user's API token (made once, before anything is counted)."""

    def __init__(self, user):
        from django.test import Client

        from jingzhun.accounts.services import api_token_create

        _, key = api_token_create(user=user, name="tests")
        self.client, self.headers = Client(), {"Authorization": f"Bearer {key}"}

    def __call__(self, path: str, data: dict):
        return self.client.post(f"/api/v1{path}", data, headers=self.headers)


def _post(user, path: str, data: dict):
    return _Multipart(user)(path, data)


def _message(response) -> str:
    return response.json()["error"]["fields"]["attachments"]


def _files() -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / "ledger"
    return sorted(str(p) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _written() -> tuple[int, int, int, list[str]]:
    return Step.objects.count(), Attachment.objects.count(), AuditEntry.objects.count(), _files()


def test_a_village_cadre_records_progress_with_a_photo_and_a_pdf(village_cadre, items):
    item = items["mine"]
    response = _post(
        village_cadre,
        f"/ledger/items/{item.pk}/notes/upload",
        {
            "note": "危房已拆除，正在打地基",
            "attachments": [
                SimpleUploadedFile("现场.png", png_bytes(), content_type="image/png"),
                SimpleUploadedFile("验收单.pdf", PDF, content_type="application/pdf"),
            ],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [(a["name"], a["kind"]) for a in body["attachments"]] == [
        ("现场.png", "png"),
        ("验收单.pdf", "pdf"),
    ]
    step = Step.objects.get(pk=body["id"])
    assert step.note == "危房已拆除，正在打地基" and step.attachments.count() == 2
    entry = AuditEntry.objects.filter(action="ledger.note", object_id=str(item.pk)).latest("id")
    assert entry.after == {"attachments": 2}  # the audit row of the same write names the files
    # the attachment is served through the scoped view
    from django.test import Client

    client = Client()
    client.force_login(village_cadre)
    assert client.get(body["attachments"][0]["url"]).status_code in (200, 302)


def test_a_closing_move_takes_a_photo_as_its_evidence(village_cadre, items):
    item = items["mine"]
    assert (
        _post(
            village_cadre, f"/ledger/items/{item.pk}/moves/upload", {"action": "start", "note": "开始"}
        ).status_code
        == 200
    )
    response = _post(
        village_cadre,
        f"/ledger/items/{item.pk}/moves/upload",
        {
            "action": "apply_close",
            "note": "已整改完成",
            "attachments": [SimpleUploadedFile("整改后.png", png_bytes())],
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "申请销号"
    last = Item.objects.get(pk=item.pk).steps.order_by("id").last()
    assert last.status == "申请销号" and [a.name for a in last.attachments.all()] == ["整改后.png"]
    assert response.json()["steps"][-1]["attachments"][0]["name"] == "整改后.png"


@pytest.mark.parametrize("endpoint", ["notes/upload", "moves/upload"])
def test_out_of_scope_is_404_and_writes_nothing(village_cadre, items, endpoint):
    post = _Multipart(village_cadre)
    before = _written()
    response = post(
        f"/ledger/items/{items['far'].pk}/{endpoint}",
        {"note": "x", "action": "start", "attachments": [SimpleUploadedFile("a.png", png_bytes())]},
    )
    assert response.status_code == 404
    assert _written() == before


@pytest.mark.parametrize("endpoint", ["notes/upload", "moves/upload"])
def test_a_file_that_is_not_an_image_or_pdf_is_422_in_chinese_and_writes_nothing(
    village_cadre, items, endpoint
):
    post = _Multipart(village_cadre)
    before = _written()
    fake = SimpleUploadedFile(
        "照片.png", b"MZ\x90\x00 this is an executable, not a picture", content_type="image/png"
    )
    response = post(
        f"/ledger/items/{items['mine'].pk}/{endpoint}",
        {"note": "进展", "action": "start", "attachments": [SimpleUploadedFile("ok.png", png_bytes()), fake]},
    )
    assert response.status_code == 422
    assert _message(response).startswith("“照片.png”不是图片或 PDF")
    assert _written() == before and Item.objects.get(pk=items["mine"].pk).status == "已交办"


@pytest.mark.parametrize("endpoint", ["notes/upload", "moves/upload"])
def test_an_oversize_file_is_422_in_chinese_and_writes_nothing(village_cadre, items, endpoint):
    post = _Multipart(village_cadre)
    before = _written()
    big = SimpleUploadedFile("大图.png", png_bytes() + b"\0" * ATTACHMENT_MAX_BYTES)
    response = post(
        f"/ledger/items/{items['mine'].pk}/{endpoint}",
        {"note": "进展", "action": "start", "attachments": [big]},
    )
    assert response.status_code == 422
    assert _message(response) == "附件“大图.png”超过 10 MB"
    assert _written() == before


def test_too_many_files_and_a_leader_without_the_handling_role(village_cadre, county_leader, items):
    cadre, leader = _Multipart(village_cadre), _Multipart(county_leader)
    before = _written()
    ten = [SimpleUploadedFile(f"p{i}.png", png_bytes()) for i in range(10)]
    response = cadre(f"/ledger/items/{items['mine'].pk}/notes/upload", {"note": "x", "attachments": ten})
    assert response.status_code == 422 and _message(response) == "每次最多上传 9 个附件"
    # a county leader sees the item but does not handle it: a note is not theirs to write (404)
    response = leader(
        f"/ledger/items/{items['mine'].pk}/notes/upload",
        {"note": "x", "attachments": [SimpleUploadedFile("a.png", png_bytes())]},
    )
    assert response.status_code == 404
    assert _written() == before


def test_the_upload_operations_are_in_the_openapi_schema_as_multipart():
    from jingzhun.api.app import api

    paths = api.get_openapi_schema()["paths"]
    for path in (
        "/api/v1/ledger/items/{item_id}/moves/upload",
        "/api/v1/ledger/items/{item_id}/notes/upload",
    ):
        body = paths[path]["post"]["requestBody"]["content"]
        assert list(body) == ["multipart/form-data"]
        props = body["multipart/form-data"]["schema"]["properties"]
        assert props["attachments"]["type"] == "array" and props["attachments"]["items"]["format"] == "binary"
