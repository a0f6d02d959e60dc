from __future__ import annotations

from datetime import date

import pytest

from tests.factories import member_row, register


@pytest.fixture
def family(admin_actor):
    """One household in 杜坪村: 张三 (户主, 1970), 李四 (配偶, 1972, 女), 张小明 (之子, 2006, 初中)."""
    hh = register(
        admin_actor,
        members=[
            member_row("张三", "户主", date(1970, 5, 1)),
            member_row("李四", "配偶", date(1972, 3, 9), male=False),
            member_row("张小明", "之子", date(2006, 9, 1), school_status="初中", education="小学"),
        ],
    )
    by_relation = {m.relation: m for m in hh.members.all()}
    return hh, by_relation["户主"], by_relation["配偶"], by_relation["之子"]
