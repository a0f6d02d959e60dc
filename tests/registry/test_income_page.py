"""The income page (登记收入): the form → service → errors → redirect shape (core.forms.submit), as a village
cadre; a 帮扶责任人 cannot open it."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from jingzhun.registry.models import IncomeRecord

AMOUNTS = {
    "wage": "12000",
    "business": "0",
    "property_income": "0",
    "transfer": "800",
    "business_expense": "0",
}


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_cadre_records_a_year_and_is_sent_back_to_the_household(village_cadre, household):
    url = reverse("registry:income_create", args=[household.pk])
    response = _client(village_cadre).post(url, {"year": "2019", **AMOUNTS})
    assert response.status_code == 302 and response["Location"] == reverse(
        "registry:household_detail", args=[household.pk]
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["已登记 2019 年收入"]
    assert IncomeRecord.objects.get(household=household, year=2019).wage == 12000


def test_a_refused_amount_shows_on_its_field_and_saves_nothing(village_cadre, household):
    url = reverse("registry:income_create", args=[household.pk])
    response = _client(village_cadre).post(url, {"year": "2019", **AMOUNTS, "wage": "很多"})
    assert response.status_code == 200
    assert response.context["form"].errors.get("wage")
    assert not IncomeRecord.objects.filter(household=household, year=2019).exists()


def test_a_helper_cannot_open_the_income_page(helper_user, household):
    assert _client(helper_user).get(reverse("registry:income_create", args=[household.pk])).status_code == 404
