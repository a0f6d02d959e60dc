"""Attachments (佐证材料) downloaded through the API (`GET /api/v1/ledger/attachments/{id}`) with the API's
own authentication (a bearer token), not a browser session: the item's scope per role (out of scope or
missing == 404; cases only for 纪委; a 行业部门 user their unit's items), deny by default (no token, a bad
or revoked token: 401; no ledger permission: 404), the file's bytes with the media type of its kind, and
the same answer, headers and (lack of) audit trail as the page's download for every role."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jingzhun.accounts.access import actor_for
from jingzhun.core.models import AuditEntry
from jingzhun.ledger.models import Attachment
from jingzhun.ledger.services import item_note
from tests.api.conftest import ApiClient
from tests.assistance.conftest import png_bytes
from tests.ledger.test_scope_outputs import EXPECTED, _user
from tests.ledger.test_scope_outputs import world as world  # noqa: F401 - the fixture, reused

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PERSONAS = sorted(EXPECTED)


@pytest.fixture
def files(world, county_admin):
    """One attachment on a progress note of each item: a photo on the problems, a PDF on the petitions and
    the case (the county admin records them; every role below only reads)."""
    admin = actor_for(county_admin)
    out = {}
    for code, item in world["items"].items():
        pdf = code.startswith(("XF", "AJ"))
        upload = (
            SimpleUploadedFile(f"{code}.pdf", PDF, "application/pdf")
            if pdf
            else SimpleUploadedFile(f"{code}.png", png_bytes(), "image/png")
        )
        step = item_note(actor=admin, item=item, note="现场照片", attachments=[upload])
        attachment = Attachment.objects.get(step=step)
        out[code] = (attachment, PDF if pdf else png_bytes(), "application/pdf" if pdf else "image/png")
    return out


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_token_user_downloads_the_attachments_in_scope_and_gets_404_for_the_others(
    request, world, files, persona
):
    visible, _ = EXPECTED[persona]
    user = _user(request, world, persona)
    api = ApiClient(user)
    assert visible <= set(files)
    for code, (attachment, content, media_type) in files.items():
        response = api.get(f"/ledger/attachments/{attachment.pk}")
        if code in visible:
            assert response.status_code == 200, (persona, code, response.content)
            assert response["Content-Type"] == media_type
            assert _body(response) == content
            assert response["X-Content-Type-Options"] == "nosniff"
            assert response["Cache-Control"] == "no-store"  # personal data: core.middleware
        else:
            assert response.status_code == 404, (persona, code)
            assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_api_answers_as_the_page_for_every_role_with_the_same_trail(request, world, files, persona):
    """Masked roles (county leader, 行业部门, 纪委, 督查组: no sensitive permission) get the files of the
    items they may see, as on the page; the answer, the headers and the audit entries written are the
    page's."""
    user = _user(request, world, persona)
    api = ApiClient(user)
    page = Client()
    page.force_login(user)
    for attachment, _, _ in files.values():
        before = AuditEntry.objects.count()
        by_page = page.get(reverse("ledger:attachment", args=[attachment.pk]))
        page_trail = AuditEntry.objects.count() - before
        before = AuditEntry.objects.count()
        by_api = api.get(f"/ledger/attachments/{attachment.pk}")
        api_trail = AuditEntry.objects.count() - before
        assert by_api.status_code == by_page.status_code, (persona, attachment.name)
        assert api_trail == page_trail
        if by_page.status_code == 200:
            assert _body(by_api) == _body(by_page)
            for header in ("Content-Type", "Content-Disposition", "Cache-Control", "X-Content-Type-Options"):
                assert by_api[header] == by_page[header], header


def test_the_item_lists_a_download_url_that_works_with_the_token(world, files, village_cadre):
    """The item's steps give, beside the page's URL (a session only), the API's download URL; that one
    answers the token, the page's does not (it sends a token client to the login page)."""
    api = ApiClient(village_cadre)
    item = world["items"]["WT-HERE"]
    steps = api.get(f"/ledger/items/{item.pk}").json()["steps"]
    listed = [a for s in steps for a in s["attachments"]]
    attachment, content, media_type = files["WT-HERE"]
    assert [a["id"] for a in listed] == [attachment.pk]
    assert listed[0]["download_url"] == f"/api/v1/ledger/attachments/{attachment.pk}"
    response = api.client.get(listed[0]["download_url"], headers=api.headers)
    assert response.status_code == 200 and _body(response) == content
    assert response["Content-Type"] == media_type
    assert api.client.get(listed[0]["url"], headers=api.headers).status_code == 302  # login page


def test_without_a_valid_token_or_session_the_download_is_refused(world, files, village_cadre):
    from jingzhun.accounts.models import ApiToken
    from jingzhun.accounts.services import api_token_create, api_token_revoke

    attachment, _, _ = files["WT-HERE"]
    path = f"/api/v1/ledger/attachments/{attachment.pk}"
    client = Client()
    assert client.get(path).status_code == 401
    assert client.get(path, headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    token, key = api_token_create(user=village_cadre, name="phone")
    assert client.get(path, headers={"Authorization": f"Bearer {key}"}).status_code == 200
    assert api_token_revoke(actor=actor_for(village_cadre), token=ApiToken.objects.get(pk=token.pk))
    refused = client.get(path, headers={"Authorization": f"Bearer {key}"})
    assert refused.status_code == 401
    assert set(refused.json()["error"]) == {"code", "message", "fields"}


def test_no_ledger_permission_and_a_missing_attachment_are_404(world, files, helper_user, village_cadre):
    attachment, _, _ = files["WT-HERE"]
    assert ApiClient(helper_user).get(f"/ledger/attachments/{attachment.pk}").status_code == 404
    missing = max(a.pk for a, _, _ in files.values()) + 1
    assert ApiClient(village_cadre).get(f"/ledger/attachments/{missing}").status_code == 404


def test_a_lost_file_is_a_404_not_a_server_error(world, files, village_cadre):
    attachment, _, _ = files["WT-HERE"]
    attachment.file.delete(save=False)
    response = ApiClient(village_cadre).get(f"/ledger/attachments/{attachment.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
