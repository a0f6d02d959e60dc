"""API test helpers: a client that sends a personal API token, and valid request bodies."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from tests.factories import VILLAGE, make_id


class ApiClient:
    """Calls the API as `user` with a bearer token (or anonymously when user is None)."""

    def __init__(self, user: Any = None):
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            from jingzhun.accounts.services import api_token_create

            _, key = api_token_create(user=user, name="tests")
            self.headers["Authorization"] = f"Bearer {key}"

    def get(self, path: str, **params: Any):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: Any):
        return self.client.post(f"/api/v1{path}", body, content_type="application/json", headers=self.headers)

    def patch(self, path: str, body: Any):
        return self.client.patch(
            f"/api/v1{path}", body, content_type="application/json", headers=self.headers
        )

    def put(self, path: str, body: Any):
        return self.client.put(f"/api/v1{path}", body, content_type="application/json", headers=self.headers)

    def delete(self, path: str, **params: Any):
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return self.client.delete(f"/api/v1{path}" + (f"?{query}" if query else ""), headers=self.headers)


@pytest.fixture
def api():
    """`api(user)` → an ApiClient for that persona; `api()` → anonymous."""
    return ApiClient


def member_body(
    name: str, relation: str, birth: date, *, male: bool = True, **overrides: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "id_number": make_id(birth, male),
        "relation": relation,
        "gender": "男" if male else "女",
        "school_status": "非在校生",
        "health": "健康",
        "labour_skill": "普通劳动力",
        "medical_insurance": True,
        "education": "初中",
    }
    body.update(overrides)
    return body


def household_body(code: str = "API0001", village: str = VILLAGE, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": code,
        "village_code": village,
        "group_name": "三组",
        "phone": "13807440001",
        "attribute": "一般贫困户",
        "main_cause": "因病",
        "other_causes": ["缺技术"],
        "identified_year": 2015,
        "exit_status": "未脱贫",
        "planned_exit_year": 2018,
        "income_year": 2018,
        "wage": "9000",
        "business": 2000,
        "property_income": 0,
        "transfer": "1200.50",
        "business_expense": 500,
        "food_secure": True,
        "clothing_secure": True,
        "water_safe": True,
        "housing_safety": "B",
        "relocation": "否",
        "members": [
            member_body("王五", "户主", date(1968, 2, 3)),
            member_body("赵六", "配偶", date(1970, 7, 8), male=False),
        ],
    }
    body.update(overrides)
    return body
