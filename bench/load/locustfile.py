"""Locust users of the load test: each signs in as a real user does — the password on /login/, then, when
the server asks for it, the TOTP code of its authenticator on /account/otp/verify/ (computed here from the
key enrolment stored, RFC 6238) — and then works through the session cookie: pages by GET, writes through
the API with the session and its CSRF token, as the pages' scripts would.

  village cadres (15): open their households and edit one (PATCH with its version: a 409 would be a
                       lost-update refusal and counts as a failure)
  helpers (15):        我的结对户, a paired household's page, and record a visit (走访)
  township cadres (10): the household list (pages, a search), the township page
  county leaders (10): the reports: 脱贫 progress, county page, 帮扶 coverage, ledger summary
Accounts come from the JSON file of bench/load/users.py (JINGZHUN_LOAD_USERS).
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

from locust import HttpUser, between, task
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the project root, for bench.common
from bench.common import totp  # noqa: E402

ACCOUNTS: dict[str, list[dict]] = defaultdict(list)
with open(os.environ["JINGZHUN_LOAD_USERS"], encoding="utf-8") as _fh:
    _accounts = json.load(_fh)
for _account in _accounts:
    ACCOUNTS[_account["role"]].append(_account)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _expect_xlsx(answer) -> None:
    """An export counts as failed unless it is the workbook itself (not a login page or an error page)."""
    with answer as response:
        kind = response.headers.get("Content-Type", "")
        if response.status_code != 200 or "spreadsheetml" not in kind:
            response.failure(f"export answered {response.status_code} {kind}")
        else:
            response.success()


class Cadre(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    role = ""

    def on_start(self) -> None:
        # A browser silently re-sends a GET when the keep-alive connection it reused was closed by the
        # server at that moment (gunicorn closes idle ones after 2 s; users here pause 1–3 s); requests
        # does not, and would count that race as a failed page. GETs only: writes are never re-sent.
        retry = Retry(
            total=1, connect=1, read=1, status=0, allowed_methods=frozenset({"GET"}), raise_on_status=False
        )
        self.client.mount("http://", HTTPAdapter(max_retries=retry))
        self.account = ACCOUNTS[self.role].pop()
        page = self.client.get("/login/", name="/login/")
        token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
        answer = self.client.post(
            "/login/",
            {
                "username": self.account["username"],
                "password": self.account["password"],
                "csrfmiddlewaretoken": token,
            },
            headers={"Referer": f"{self.host}/login/"},
            name="/login/ (password)",
        )
        if "/account/otp/verify/" in answer.url:  # the second factor, as the role requires
            token = CSRF.search(answer.text).group(1)  # type: ignore[union-attr]
            verified = self.client.post(
                answer.url,
                {"token": totp(self.account["totp_key"]), "csrfmiddlewaretoken": token},
                headers={"Referer": answer.url},
                name="/account/otp/verify/ (TOTP)",
            )
            if "/account/otp/" in verified.url:
                raise RuntimeError(f"{self.account['username']}: TOTP refused")
        elif "/login/" in answer.url:
            raise RuntimeError(f"{self.account['username']}: password refused")

    def api_write(self, method: str, path: str, body: dict, name: str):
        headers = {"X-CSRFToken": self.client.cookies.get("csrftoken", ""), "Referer": f"{self.host}/"}
        return self.client.request(method, path, json=body, headers=headers, name=name)


class VillageCadre(Cadre):
    fixed_count = 15
    role = "village_cadre"

    @task(3)
    def household_page(self) -> None:
        pk = random.choice(self.account["households"])
        self.client.get(f"/households/{pk}/", name="/households/[id]/")

    @task(1)
    def edit_household(self) -> None:
        pk = random.choice(self.account["households"])
        self.client.get(f"/households/{pk}/edit/", name="/households/[id]/edit/")
        current = self.client.get(f"/api/v1/households/{pk}", name="/api/v1/households/[id]").json()
        self.api_write(
            "PATCH",
            f"/api/v1/households/{pk}",
            {"group_name": random.choice(["一组", "二组", "三组"]), "version": current["version"]},
            name="PATCH /api/v1/households/[id]",
        )

    @task(1)
    def village_page(self) -> None:
        self.client.get(f"/regions/{self.account['region']}/", name="/regions/[village]/")

    @task(1)
    def export_village(self) -> None:
        # the 导出 button of the household list: the village's registry workbook, written in the request
        _expect_xlsx(self.client.get("/registry/export/", name="/registry/export/ (村)", catch_response=True))


class Helper(Cadre):
    fixed_count = 15
    role = "helper"

    @task(2)
    def my_households(self) -> None:
        self.client.get(f"/assistance/helpers/{self.account['user_id']}/", name="/assistance/helpers/[me]/")

    @task(2)
    def household_page(self) -> None:
        pk = random.choice(self.account["households"])
        self.client.get(f"/households/{pk}/", name="/households/[id]/")

    @task(1)
    def record_visit(self) -> None:
        pk = random.choice(self.account["households"])
        self.client.get(f"/households/{pk}/visits/new/", name="/households/[id]/visits/new/")
        self.api_write(
            "POST",
            f"/api/v1/households/{pk}/visits",
            {"visited_on": time.strftime("%Y-%m-%d"), "activities": "入户走访，了解务工与收入情况"},
            name="POST /api/v1/households/[id]/visits",
        )


class TownshipCadre(Cadre):
    fixed_count = 10
    role = "township_cadre"

    @task(3)
    def household_list(self) -> None:
        self.client.get(f"/households/?page={random.randint(1, 20)}", name="/households/?page=N")

    @task(1)
    def search(self) -> None:
        self.client.get(f"/households/?q={random.choice('张王李赵刘陈杨黄')}", name="/households/?q=姓")

    @task(1)
    def township_page(self) -> None:
        self.client.get(f"/regions/{self.account['region']}/", name="/regions/[township]/")


class CountyLeader(Cadre):
    fixed_count = 10
    role = "county_leader"

    @task(2)
    def exit_report(self) -> None:
        self.client.get("/exit/", name="/exit/")

    @task(1)
    def county_page(self) -> None:
        self.client.get(f"/regions/{self.account['county']}/", name="/regions/[county]/")

    @task(1)
    def coverage(self) -> None:
        self.client.get("/assistance/coverage/", name="/assistance/coverage/")

    @task(1)
    def export_masked(self) -> None:
        # a 县领导's export of one village: ID numbers, birth dates and health masked (lib/masking.POLICY)
        village = random.choice(self.account["villages"])
        answer = self.client.get(
            f"/registry/export/?region={village}",
            name="/registry/export/?region=[village] (县领导)",
            catch_response=True,
        )
        _expect_xlsx(answer)

    @task(1)
    def ledger_summary(self) -> None:
        self.client.get("/ledger/summary/", name="/ledger/summary/")
