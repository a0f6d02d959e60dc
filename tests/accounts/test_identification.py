"""等保 L3 identification: the TOTP second factor for the roles that need it, enrolment and its recovery,
the maximum password age, the idle timeout and the password rules."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from jingzhun.accounts.identification import LAST_SEEN, otp_required
from jingzhun.core.models import AuditEntry
from tests.otp import current_code, device_for, force_login_unverified


def password_only(user) -> Client:
    client = Client()
    force_login_unverified(client, user)
    return client


@pytest.mark.parametrize("persona", ["county_admin", "county_leader", "township_cadre", "village_cadre"])
def test_a_role_that_needs_the_second_factor_gets_nothing_before_it(persona, request, household):
    user = request.getfixturevalue(persona)
    client = password_only(user)
    response = client.get(f"/households/{household.pk}/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/otp/enrol/")
    api = client.get("/api/v1/households")
    assert api.status_code == 401
    assert api.json()["error"]["code"] == "identification_required"


def test_discipline_needs_it_and_a_helper_who_cannot_export_does_not(regions, helper_user):
    from jingzhun.accounts.services import role_grant, user_create

    inspector, _ = user_create(username="jiwei", password="Pass-word-123")
    role_grant(user=inspector, role="discipline", region_code="430821000000")
    assert otp_required(inspector)
    assert not otp_required(helper_user)
    assert password_only(helper_user).get("/households/").status_code == 200


def test_enrolment_shows_the_secret_and_uri_and_a_right_code_signs_in(settings, county_leader, household):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the wrong code below would otherwise delay the right one
    client = password_only(county_leader)
    page = client.get("/account/otp/enrol/")
    assert page.status_code == 200
    body = page.content.decode()
    device = TOTPDevice.objects.get(user=county_leader, confirmed=False)
    assert device.config_url in body.replace("&amp;", "&")
    assert device.config_url.startswith("otpauth://totp/")
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    refused = client.post("/account/otp/enrol/", {"token": wrong})
    assert refused.status_code == 200 and "动态口令不正确" in refused.content.decode()
    assert client.get("/households/").status_code == 302
    enrolled = client.post("/account/otp/enrol/", {"token": current_code(device), "next": "/households/"})
    assert enrolled.headers["Location"] == "/households/"
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(action="user.otp_enrol", object_id=str(county_leader.pk)).exists()
    assert client.get(f"/households/{household.pk}/").status_code == 200


def test_a_full_sign_in_asks_password_then_code(settings, county_admin):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = device_for(county_admin)
    client = Client()
    response = client.post("/login/", {"username": "admin", "password": "Pass-word-123"})
    assert response.status_code == 302
    step = client.get("/households/")
    assert step.headers["Location"].startswith("/account/otp/verify/")
    assert client.post("/account/otp/verify/", {"token": "000000"}).status_code == 200
    assert client.get("/households/").status_code == 302  # a wrong code did not sign in
    done = client.post("/account/otp/verify/", {"token": current_code(device)})
    assert done.status_code == 302
    assert client.get("/households/").status_code == 200


def test_the_demo_setting_turns_the_second_factor_off(settings, county_leader):
    settings.JINGZHUN_OTP_REQUIRED = False
    assert password_only(county_leader).get("/households/").status_code == 200


def test_an_admin_resets_a_lost_device_audited_and_the_user_enrols_again(county_admin, village_cadre):
    device_for(village_cadre)
    admin = Client()
    admin.force_login(county_admin)
    response = admin.post(f"/account/users/{village_cadre.pk}/reset_otp/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=village_cadre).exists()
    entry = AuditEntry.objects.get(action="user.reset_otp")
    assert entry.object_id == str(village_cadre.pk) and entry.actor_id == county_admin.pk
    again = password_only(village_cadre).get("/households/")
    assert again.headers["Location"].startswith("/account/otp/enrol/")


def test_an_expired_password_must_be_changed_before_anything_else(settings, helper_user):
    settings.JINGZHUN_PASSWORD_MAX_AGE_DAYS = 90
    type(helper_user).objects.filter(pk=helper_user.pk).update(
        password_changed_at=timezone.now() - timedelta(days=91)
    )
    client = password_only(helper_user)
    response = client.get("/households/")
    assert response.headers["Location"].startswith("/account/password/")
    assert client.get("/api/v1/households").status_code == 401
    assert client.get("/account/password/").status_code == 200
    changed = client.post(
        "/account/password/",
        {"old_password": "Pass-word-123", "new_password1": "Xin-mima-2026", "new_password2": "Xin-mima-2026"},
    )
    assert changed.status_code == 302
    assert client.get("/households/").status_code == 200


def test_a_password_within_the_age_or_with_no_maximum_passes(settings, helper_user):
    type(helper_user).objects.filter(pk=helper_user.pk).update(
        password_changed_at=timezone.now() - timedelta(days=89)
    )
    settings.JINGZHUN_PASSWORD_MAX_AGE_DAYS = 90
    assert password_only(helper_user).get("/households/").status_code == 200
    type(helper_user).objects.filter(pk=helper_user.pk).update(
        password_changed_at=timezone.now() - timedelta(days=900)
    )
    settings.JINGZHUN_PASSWORD_MAX_AGE_DAYS = 0
    assert password_only(helper_user).get("/households/").status_code == 200


def test_a_password_reset_by_an_admin_or_made_up_at_creation_must_be_changed(county_admin, helper_user):
    from jingzhun.accounts.services import user_create, user_reset_password

    user_reset_password(user=helper_user)
    helper_user.refresh_from_db()
    assert helper_user.password_changed_at is None
    assert password_only(helper_user).get("/households/").headers["Location"].startswith("/account/password/")
    fresh, _ = user_create(username="newcomer")
    assert fresh.password_changed_at is None


def test_an_idle_session_ends_and_an_active_one_stays(settings, helper_user):
    settings.JINGZHUN_IDLE_TIMEOUT_MINUTES = 30
    client = password_only(helper_user)
    assert client.get("/households/").status_code == 200
    session = client.session
    session[LAST_SEEN] = time.time() - 29 * 60
    session.save()
    assert client.get("/households/").status_code == 200  # active again: the clock restarts
    session = client.session
    session[LAST_SEEN] = time.time() - 31 * 60
    session.save()
    response = client.get("/households/")
    assert response.headers["Location"].startswith("/login/")
    assert client.get("/households/").headers["Location"].startswith("/login/")  # signed out for good


@pytest.mark.parametrize("password", ["12345678", "helper123", "password", "Ab1-x"])
def test_weak_passwords_are_refused(password, helper_user):
    with pytest.raises(ValidationError):
        validate_password(password, user=helper_user)


def test_a_sound_password_is_accepted(helper_user):
    validate_password("Xin-mima-2026", user=helper_user)


def test_wrong_codes_in_a_row_are_throttled(county_admin):
    device = device_for(county_admin)
    client = password_only(county_admin)
    client.post("/account/otp/verify/", {"token": "000000"})
    throttled = client.post("/account/otp/verify/", {"token": current_code(device)})
    assert "输错次数过多" in throttled.content.decode()
    assert client.get("/households/").status_code == 302
