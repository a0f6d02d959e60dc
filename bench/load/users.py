"""Create the load test's accounts in the demo database, as an administrator would: 15 village cadres
(one village each), 15 helpers (five paired households each), 10 township cadres and 10 county leaders,
each with a confirmed TOTP authenticator (what enrolment at /account/otp/enrol/ leaves). Writes a JSON
file the locust users read: name, password, role, the authenticator's key and the objects they work on.

Run as `python -m bench.load.users OUT.json` with the server's environment (JINGZHUN_DATABASE_URL, …).
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from datetime import date


def create(out: str) -> int:
    import django
    from django.db import transaction

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingzhun.settings")
    django.setup()
    from django.db.models import Count

    from jingzhun.accounts.access import Actor
    from jingzhun.regions.models import Region
    from jingzhun.registry.models import Household

    villages = list(
        Household.objects.values("village_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("village_id", flat=True)[:30]
    )
    townships = list(
        Region.objects.filter(level="township").order_by("code").values_list("code", flat=True)[:10]
    )
    county = Region.objects.get(level="county").code
    system = Actor(user=None)
    tag = secrets.token_hex(2)  # a database reused by another run keeps that run's accounts
    plan = (
        [("village_cadre", v) for v in villages[:15]]
        + [("helper", v) for v in villages[15:30]]
        + [("township_cadre", t) for t in townships]
        + [("county_leader", county)] * 10
    )
    accounts: list[dict] = []
    with transaction.atomic():
        _create_all(plan, tag, county, system, accounts)
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(accounts, fh, ensure_ascii=False, indent=1)
    return len(accounts)


def _create_all(plan, tag, county, system, accounts) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from jingzhun.accounts.services import role_grant, user_create
    from jingzhun.assistance.services import helper_assign
    from jingzhun.registry.models import Household

    # the villages of the plan: a county leader exports one of them (masked), as a leader checks a village
    plan_villages = sorted({region for role, region in plan if role in ("village_cadre", "helper")})
    for n, (role, region) in enumerate(plan, start=1):
        username = f"load{tag}{n:02d}"
        password = f"Load-{n:02d}-Cili2018"
        user, _ = user_create(
            username=username, password=password, display_name=username, check_password=False
        )
        role_grant(user=user, role=role, region_code=region)
        device = TOTPDevice.objects.create(user=user, name="压测认证器", confirmed=True)
        households: list[int] = []
        if role in ("village_cadre", "helper"):
            households = list(
                Household.objects.filter(village_id=region).order_by("id").values_list("id", flat=True)[:5]
            )
        if role == "helper":
            for pk in households:
                helper_assign(
                    actor=system,
                    household=Household.objects.get(pk=pk),
                    helper=user,
                    started_on=date.today(),
                )
        accounts.append(
            {
                "username": username,
                "password": password,
                "role": role,
                "user_id": user.pk,
                "region": region,
                "county": county,
                "totp_key": device.key,
                "households": households,
                "villages": plan_villages,
            }
        )


if __name__ == "__main__":
    print(create(sys.argv[1]))
