"""The demo clues: hits across rules stored through store_hits, clues in every state, the demo village's
cadre with work in 我的待办, confirmed deaths whose 自然减少 the county admin applied."""

from __future__ import annotations

from datetime import date

import pytest

from jingzhun.accounts.access import actor_for
from jingzhun.ledger.selectors import inbox
from jingzhun.verification import selectors
from jingzhun.verification.demo_data import seed
from jingzhun.verification.models import Clue
from tests.factories import member_row, register

pytestmark = pytest.mark.django_db


def test_it_seeds_clues_in_every_state(admin_actor, county_admin, village_cadre):
    for n in range(8):
        register(
            admin_actor,
            members=[
                member_row(f"户主{n}", "户主", date(1968, 5, 1)),
                member_row(f"配偶{n}", "配偶", date(1970, 3, 9), male=n % 3 == 0),
                member_row(f"老人{n}", "之父", date(1938, 1, 1)),
                member_row(f"孩子{n}", "之子", date(2008, 9, 1), school_status="小学", education="小学"),
            ],
        )
    result = seed(seed=3, printer=lambda _: None)
    clues = Clue.objects.all()
    assert result["clues"] == clues.count() > 40
    assert {c.item.status for c in clues} == {"待核查", "核查中", "属实", "不属实"}
    assert len({c.rule for c in clues}) >= 10
    village = actor_for(village_cadre)
    assert any(i.kind == "clue" for i in inbox(village))
    applied = clues.filter(applied_at__isnull=False)
    assert applied.exists() and all(not c.member.is_active for c in applied)
    summary = selectors.summary(actor_for(county_admin), 2018)
    assert summary["m"] == clues.count() and summary["k"] > 0 and summary["j"] > 0 and summary["n"] > 186000
    # the closed decoys carry the cadre's note
    assert (
        clues.filter(item__status="不属实").exclude(check_note="").count()
        == clues.filter(item__status="不属实").count()
    )
