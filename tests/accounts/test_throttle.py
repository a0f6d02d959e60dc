"""Sign-in throttling (issue 15 #12): failures delay further attempts per user name AND client address,
X-Forwarded-For is believed only from a trusted proxy, and the delay grows and resets on success."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from jingzhun.accounts.throttle import delay_seconds

PASSWORD = "Pass-word-123"
PROXY = "10.0.0.1"


def _post(client: Client, password: str, **meta: str):
    return client.post(reverse("accounts:login"), {"username": "village", "password": password}, **meta)


def _fail(client: Client, times: int, **meta: str) -> None:
    for _ in range(times):
        assert _post(client, "wrong-password", **meta).status_code == 200


def _age_failures(seconds: int) -> None:
    """Move the last failure into the past, as if the attacker or user had waited."""
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(seconds=seconds)
        attempt.save(update_fields=["attempt_time"])


def test_an_attacker_at_one_address_cannot_stop_the_real_user_at_another(village_cadre):
    attacker = Client()
    _fail(attacker, 5, REMOTE_ADDR="203.0.113.9")
    assert _post(attacker, PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 429
    real = Client()
    response = _post(real, PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302
    assert real.session["_auth_user_id"] == str(village_cadre.pk)


def test_behind_a_trusted_proxy_clients_are_told_apart_by_x_forwarded_for(settings, village_cadre):
    settings.JINGZHUN_TRUSTED_PROXIES = [PROXY]
    attacker = Client()
    _fail(attacker, 5, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert _post(attacker, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    real = Client()
    # a forged left-most entry does not matter: the proxy appends the real peer on the right
    response = _post(real, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7")
    assert response.status_code == 302
    # the attacker's count at its own address stays: a success resets only the successful address
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(settings, village_cadre):
    settings.JINGZHUN_TRUSTED_PROXIES = [PROXY]
    attacker = Client()
    # not coming through the proxy: the header is the attacker's own invention
    _fail(attacker, 5, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    # changing the header does not give the attacker a fresh count
    refused = _post(attacker, PASSWORD, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.44")
    assert refused.status_code == 429


def test_the_delay_grows_with_each_failure_and_resets_on_success(village_cadre):
    client = Client()
    meta = {"REMOTE_ADDR": "198.51.100.7"}
    _fail(client, 5, **meta)
    first = _post(client, PASSWORD, **meta)
    assert first.status_code == 429 and "2 秒后再试" in first.content.decode()
    _age_failures(3)  # waited past the 2 s
    _fail(client, 1, **meta)  # a sixth failure: now 4 s
    second = _post(client, PASSWORD, **meta)
    assert second.status_code == 429 and "4 秒后再试" in second.content.decode()
    _age_failures(5)
    assert _post(client, PASSWORD, **meta).status_code == 302
    assert not AccessAttempt.objects.filter(ip_address="198.51.100.7").exists()
    client.post(reverse("accounts:logout"))
    # after the success the count starts again from zero: one failure is not delayed
    _fail(client, 1, **meta)
    assert _post(client, PASSWORD, **meta).status_code == 302


@pytest.mark.parametrize(("failures", "wait"), [(4, 0), (5, 2), (6, 4), (9, 32), (40, 900)])
def test_the_delay_rule(failures, wait):
    assert delay_seconds(failures) == wait
