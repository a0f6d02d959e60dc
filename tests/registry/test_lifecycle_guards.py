"""Guards on lifecycle events: no exit in a future year, no household left without members."""

from __future__ import annotations

from datetime import date

import pytest

from jingzhun.core.errors import ValidationFailed
from jingzhun.registry.services.events import mark_exited
from jingzhun.registry.services.members import member_remove
from tests.factories import member_row, register

pytestmark = pytest.mark.django_db


def test_it_refuses_an_exit_year_after_this_year(admin_actor, household):
    with pytest.raises(ValidationFailed) as caught:
        mark_exited(actor=admin_actor, household=household, exit_year=date.today().year + 1)
    assert "晚于今年" in caught.value.errors["exit_year"]
    household.refresh_from_db()
    assert household.exit_status == "未脱贫"


def test_it_refuses_to_remove_the_last_member(admin_actor):
    single = register(admin_actor, members=[member_row("孤老", "户主", date(1940, 1, 1))])
    with pytest.raises(ValidationFailed) as caught:
        member_remove(actor=admin_actor, member=single.members.get(), reason="死亡")
    assert "注销" in caught.value.errors["__all__"]
    assert single.members.get().is_active
