"""Issue 15 #13: the change history needs Perm.VIEW_AUDIT; bad parameters answer 4xx, never 500; weak
passwords are refused; one's own password can be changed; personal answers are never cached; uploads
are deleted once imported."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jingzhun.accounts.models import User
from jingzhun.accounts.services import user_create
from jingzhun.core.errors import ValidationFailed
from jingzhun.core.models import AuditEntry
from tests.api.conftest import ApiClient

GOLDEN = Path(__file__).resolve().parent.parent / "golden"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Perm.VIEW_AUDIT ----------------------------------------------------------------------------
@pytest.fixture
def paired_household(admin_actor, household, helper_user):
    from jingzhun.assistance.services import helper_assign

    helper_assign(actor=admin_actor, household=household, helper=helper_user, started_on=date(2018, 1, 1))
    return household


def test_a_helper_sees_the_household_but_not_its_change_history(paired_household, helper_user):
    response = _client(helper_user).get(f"/households/{paired_household.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert paired_household.head_name in body
    assert 'data-testid="audit-trail"' not in body and "修改记录（痕迹）" not in body
    assert response.context["audit_entries"] == []


def test_a_village_cadre_with_view_audit_sees_the_history(paired_household, village_cadre):
    body = _client(village_cadre).get(f"/households/{paired_household.pk}/").content.decode()
    assert 'data-testid="audit-trail"' in body and "建档" in body


# --- no 500s ------------------------------------------------------------------------------------
@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01", "0001-01-08", "1999-12-31", "2100-01-04", "x"])
def test_an_unusable_attendance_week_is_a_clear_400(county_admin, week):
    response = _client(county_admin).get("/assistance/attendance/", {"week": week})
    assert response.status_code == 400
    assert "周次日期无效" in response.content.decode()


def test_an_ordinary_attendance_week_still_shows(county_admin):
    assert _client(county_admin).get("/assistance/attendance/", {"week": "2018-06-06"}).status_code == 200
    assert _client(county_admin).get("/assistance/attendance/").status_code == 200


@pytest.mark.parametrize("path", ["/assistance/helpers/{}/", "/households/{}/", "/members/{}/edit/"])
def test_a_twenty_digit_id_is_not_found(county_admin, path):
    assert _client(county_admin).get(path.format("9" * 20)).status_code == 404


# --- passwords ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "username, password",
    [
        ("zhangsan", "1234567890"),
        ("zhangsan", "20180601"),
        ("liuwei2018", "liuwei2018"),
        ("liuwei2018", "LiuWei2018"),
    ],
)
def test_it_refuses_an_all_digit_password_or_one_equal_to_the_user_name(regions, username, password):
    with pytest.raises(ValidationFailed) as exc:
        user_create(username=username, password=password)
    assert exc.value.errors["password"]
    assert not User.objects.filter(username=username).exists()


def test_it_accepts_a_good_password(regions):
    user, _ = user_create(username="zhangsan", password="Xikou-Dp-2018!")
    assert user.check_password("Xikou-Dp-2018!")


def test_the_user_menu_links_the_password_page(village_cadre):
    body = _client(village_cadre).get("/households/").content.decode()
    assert 'href="/account/password/"' in body


def test_one_changes_ones_own_password_and_stays_signed_in(village_cadre):
    client = _client(village_cadre)
    page = client.get("/account/password/")
    assert page.status_code == 200 and "修改密码" in page.content.decode()
    response = client.post(
        "/account/password/",
        {
            "old_password": "Pass-word-123",
            "new_password1": "Xikou-Dp-2018!",
            "new_password2": "Xikou-Dp-2018!",
        },
    )
    assert response.status_code == 302
    village_cadre.refresh_from_db()
    assert village_cadre.check_password("Xikou-Dp-2018!")
    assert client.get("/households/").status_code == 200  # the session survived the change
    assert AuditEntry.objects.filter(action="user.change_password", actor=village_cadre).count() == 1


@pytest.mark.parametrize(
    "old, new",
    [("wrong-password", "Xikou-Dp-2018!"), ("Pass-word-123", "13807440001"), ("Pass-word-123", "village")],
)
def test_the_password_page_refuses_a_wrong_old_password_or_a_weak_new_one(village_cadre, old, new):
    client = _client(village_cadre)
    response = client.post(
        "/account/password/", {"old_password": old, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()
    village_cadre.refresh_from_db()
    assert village_cadre.check_password("Pass-word-123")


def test_the_password_page_needs_a_signed_in_user(regions):
    response = Client().get("/account/password/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# --- Cache-Control ------------------------------------------------------------------------------
def test_pages_exports_and_api_answers_are_never_cached(county_leader, household):
    client = _client(county_leader)
    for path in (f"/households/{household.pk}/", "/households/", "/registry/export/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "no-store", path
    api = ApiClient(county_leader).get(f"/households/{household.pk}")
    assert api.status_code == 200 and api["Cache-Control"] == "no-store"


def test_the_login_page_and_health_probe_are_not_marked(regions):
    assert "no-store" not in Client().get("/healthz").get("Cache-Control", "")


# --- uploads ------------------------------------------------------------------------------------
def test_an_uploaded_file_is_deleted_once_the_import_job_is_done(settings, tmp_path, county_admin):
    from jingzhun.jobs.models import Job
    from jingzhun.jobs.runner import run
    from jingzhun.workbook import jobs as _registers  # noqa: F401 - registers "registry_import"
    from jingzhun.workbook.upload_store import import_dir

    settings.MEDIA_ROOT = tmp_path / "media"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in (GOLDEN / "valid_utf8").iterdir():
            zf.write(path, path.name)
    for dry_run in ("0", "1"):
        upload = SimpleUploadedFile("登记簿.zip", buffer.getvalue())
        _client(county_admin).post("/registry/import/", {"file": upload, "dry_run": dry_run})
    jobs_done = []
    for job in Job.objects.order_by("id"):
        stored = import_dir() / job.params["path"]
        assert stored.exists()
        jobs_done.append(run(job))
        assert not stored.exists(), "the upload must not outlive its job"
    assert [j.status for j in jobs_done] == ["succeeded", "succeeded"]
    assert list(import_dir().iterdir()) == []
