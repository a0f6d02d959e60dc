"""The rule-parameter pages: cadres read the parameters in force (rule names first, codes beside them);
only the county admin opens a draft, edits it (invalid values shown, nothing saved) and publishes it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jingzhun.verification.models import CheckRuleSet
from jingzhun.verification.params import current_params


def test_admin_opens_edits_and_publishes_a_version(client, county_admin, rules):
    client.force_login(county_admin)
    page = client.get(reverse("verification:rules")).content.decode()
    assert "配偶与户主同性别" in page and "Q-SPOUSE-SEX" in page
    assert (
        '年龄异常 <span class="small text-muted">Q-AGE-EXTREME</span>' in page
    )  # name first, code secondary
    assert "年龄超过 105 岁" in page and "第1版 · 已发布" in page
    assert client.post(reverse("verification:rules_draft_new"), {"note": "县里口径"}).status_code == 302
    form = client.get(reverse("verification:rules_draft")).content.decode()
    assert 'name="Q-AGE-EXTREME:max_age" value="105"' in form
    assert 'value="三轮汽车、低速货车、摩托车、拖拉机、农用车"' in form
    data = _all_fields(form)
    data["Q-AGE-EXTREME:max_age"] = "100"
    data["X-VEHICLE:exempt_vehicle_types"] = "摩托车、拖拉机"
    assert client.post(reverse("verification:rules_draft"), data).status_code == 302
    assert current_params()["Q-AGE-EXTREME"] == {"max_age": 105}  # not yet published
    assert client.post(reverse("verification:rules_draft_publish")).status_code == 302
    assert current_params()["Q-AGE-EXTREME"] == {"max_age": 100}
    assert current_params()["X-VEHICLE"] == {"exempt_vehicle_types": ["摩托车", "拖拉机"]}
    page = client.get(reverse("verification:rules")).content.decode()
    assert "年龄超过 100 岁" in page and "第2版 · 已发布" in page


def test_an_invalid_value_is_shown_and_nothing_is_saved(client, county_admin, rules):
    client.force_login(county_admin)
    client.post(reverse("verification:rules_draft_new"))
    data = _all_fields(client.get(reverse("verification:rules_draft")).content.decode())
    data["Q-AGE-EXTREME:max_age"] = "100"  # valid, but saved only with the rest
    data["Q-HEAD-MINOR:min_age"] = "二十"
    data["Q-WORK-NO-WAGE:min_months"] = "13"
    page = client.post(reverse("verification:rules_draft"), data).content.decode()
    assert "户主未成年：“年龄界限（岁）”应为整数，收到“二十”" in page
    assert "务工但无工资性收入：“务工时间下限（月）”应在 1–12 之间，收到 13" in page
    assert 'value="二十"' in page and 'value="100"' in page  # the county's input is kept for correction
    saved = CheckRuleSet.objects.get(version=2).params
    assert saved["Q-HEAD-MINOR"] == {"min_age": 16} and saved["Q-AGE-EXTREME"] == {"max_age": 105}


@pytest.mark.parametrize("persona", ["village_cadre", "township_cadre", "county_leader", "helper_user"])
def test_other_roles_read_but_cannot_change(client, rules, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("verification:rules")).status_code == 200
    assert 'data-testid="new-draft"' not in client.get(reverse("verification:rules")).content.decode()
    assert client.get(reverse("verification:rules_draft")).status_code == 404
    assert client.post(reverse("verification:rules_draft_new")).status_code == 404
    assert client.post(reverse("verification:rules_draft_publish")).status_code == 404
    assert CheckRuleSet.objects.count() == 1


def _all_fields(form: str) -> dict[str, str]:
    import re

    return {m[0]: m[1] for m in re.findall(r'name="([A-Z]-[A-Z-]+:[a-z_]+)" value="([^"]*)"', form)}


def test_the_county_admin_finds_the_page_in_the_menu(client, county_admin, village_cadre, rules):
    client.force_login(county_admin)
    link = f'href="{reverse("verification:rules")}">核查规则</a>'
    assert link in client.get(reverse("verification:rules")).content.decode()
    client.force_login(village_cadre)
    assert link not in client.get(reverse("verification:rules")).content.decode()
