"""Page panels (core.panels) and the assessment view (core.assessments): the household and village pages
show what higher apps registered, and work with nothing registered — the lower apps never import
`standards` (the import-linter contract, tests/core/test_layers.py, holds without those ignores)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jingzhun.core import assessments, panels
from jingzhun.core.panels import Panel, register_panel
from tests.factories import VILLAGE


@pytest.fixture
def only_these_panels(monkeypatch, settings):
    """The panel registry emptied for the test (and restored after it); the test panel's template."""
    from pathlib import Path

    monkeypatch.setattr(panels, "PANELS", {page: {} for page in panels.PAGES})
    templates = [dict(t) for t in settings.TEMPLATES]
    templates[0]["DIRS"] = [*templates[0].get("DIRS", []), Path(__file__).with_name("templates")]
    settings.TEMPLATES = templates
    return panels.PANELS


def _page(user, name, *args, query=""):
    client = Client()
    client.force_login(user)
    response = client.get(reverse(name, args=args) + query)
    assert response.status_code == 200
    return response.content.decode()


def test_standards_registers_its_checklists_on_both_pages():
    assert panels.PANELS["household"]["exit_checklist"].template == "standards/_household_checklist.html"
    assert panels.PANELS["village"]["exit_checklist"].template == "standards/_village_checklist.html"


def test_a_registered_household_panel_renders_in_order_with_its_context(
    only_these_panels, village_cadre, household
):
    seen = []

    def second(request, obj):
        seen.append((request.user.username, obj.pk))
        return {"word": f"线索{obj.code}"}

    register_panel(
        Panel(page="household", name="b", template="core/test_panel.html", context=second, order=20)
    )
    register_panel(
        Panel(
            page="household", name="a", template="core/test_panel.html", context=lambda r, o: {"word": "第一"}
        )
    )
    register_panel(
        Panel(page="household", name="hidden", template="core/test_panel.html", context=lambda r, o: None)
    )
    html = _page(village_cadre, "registry:household_detail", household.pk)
    assert seen == [("village", household.pk)]
    # "b" (order 20) before "a" (the default order 100), each with its own context
    assert html.index(f'data-word="线索{household.code}"') < html.index('data-word="第一"')
    assert html.count('data-testid="test-panel"') == 2  # the panel answering None is not shown


def test_a_village_panel_renders_on_villages_only(only_these_panels, county_admin):
    register_panel(
        Panel(
            page="village", name="v", template="core/test_panel.html", context=lambda r, o: {"word": o.code}
        )
    )
    assert f'data-word="{VILLAGE}"' in _page(county_admin, "regions:detail", VILLAGE)
    township = _page(county_admin, "regions:detail", VILLAGE[:9] + "000")
    assert 'data-testid="test-panel"' not in township


def test_pages_work_with_no_panel_and_no_assessment_registered(
    only_these_panels, monkeypatch, village_cadre, household
):
    monkeypatch.setattr(assessments, "_VIEW", [])
    html = _page(village_cadre, "registry:household_detail", household.pk)
    assert 'data-testid="household-checklist"' not in html and household.code in html
    assert 'data-testid="village-checklist"' not in _page(village_cadre, "regions:detail", VILLAGE)
    listed = _page(village_cadre, "registry:household_list")
    assert household.code in listed
    assert household.code not in _page(village_cadre, "registry:household_list", query="?assessed=达标")


def test_unknown_page_is_refused():
    with pytest.raises(ValueError):
        register_panel(Panel(page="county", name="x", template="t.html", context=lambda r, o: {}))
