"""The demo ledgers: the seed's petition figures, problems from every source, directives with unsigned
recipients, indicators decomposed to every township, about 390 cases with their figures."""

from __future__ import annotations

from datetime import date

import pytest

from jingzhun.demo.ledgers import DEMO_DATE, seed
from jingzhun.ledger import kinds, reports
from jingzhun.ledger.models import CaseDetail, Indicator, Item, Recipient
from jingzhun.ledger.selectors import items_visible, system_actor
from jingzhun.regions.models import Region
from tests.factories import VILLAGE, register

pytestmark = pytest.mark.django_db


def test_it_seeds_realistic_ledgers(admin_actor, village_cadre, township_cadre):
    from jingzhun.demo.assistance import seed as seed_assistance

    Region.objects.filter(code=VILLAGE).update(is_poor_village=True)
    for _ in range(3):
        register(admin_actor)
    seed_assistance(year=2018, seed=7, printer=lambda _: None, today=date(2026, 11, 25))
    seed(seed=7, printer=lambda _: None)

    query = items_visible(system_actor())
    rows = {(r[0], r[1]): r for r in reports.summary_rows(query, DEMO_DATE)}
    assert rows[("信访", "合计")][2:5] == [284, 279, 5]
    assert sum(rows[("信访", lvl)][2] for lvl in ("中央交办", "省交办", "市交办")) == 236
    assert rows[("信访", "县本级")][2] == 48
    assert "已按时办结回复279件，5件正在办理中" in reports.sentence(query, DEMO_DATE)
    assert {r[1] for r in rows.values() if r[0] == "问题整改"} >= set(kinds.PROBLEM_SOURCES)
    assert rows[("问题整改", "合计")][5] > 0  # some overdue
    assert Item.objects.filter(kind="problem", source="信访转办", origin__kind="petition").exists()
    assert Recipient.objects.filter(status="待签收").exists()
    # the command system as data: county 指挥部 with 一办四组 and ten sector posts, 26 township 指挥部, and
    # village 作战室 under their township's post
    from jingzhun.ledger.models import Post

    (county,) = Post.objects.filter(parent__isnull=True)
    below = list(county.children.filter(level="县").values_list("name", flat=True))
    assert len(below) == 15 and sum(n.endswith("组") or n.endswith("办公室") for n in below) == 5
    assert county.children.filter(level="乡镇").count() == 26
    rooms = Post.objects.filter(level="村").select_related("parent", "region")
    assert rooms and all(
        r.parent.level == "乡镇" and r.region_id[:9] == r.parent.region_id[:9] for r in rooms
    )
    assert Item.objects.filter(kind="directive", status="已完成").exists()
    townships = Region.objects.filter(level="township", code__startswith="430821").count()
    people = Indicator.objects.filter(metric="预脱贫人数")
    assert people.count() == townships == 26
    assert sum(people.values_list("target", flat=True)) == 26702
    assert sum(Indicator.objects.filter(metric="贫困村出列").values_list("target", flat=True)) == 73
    assert set(Indicator.objects.values_list("metric", "source")) == {
        ("预脱贫人数", "ready_people"),
        ("贫困村出列", "exit_villages"),
    }  # both computed from the data
    assert Item.objects.filter(kind="case").count() == 390
    details = CaseDetail.objects.all()
    disciplined = sum(d.party_discipline + d.government_discipline for d in details)
    assert 330 <= disciplined <= 350 and sum(d.judicial for d in details) == 7
    # ≈ 276 万元 recovered, ≈ 58 万元 returned to the people: the seed's figures
    assert sum(d.recovered for d in details) == 2_760_000
    assert sum(d.returned for d in details) == 580_000
    assert all(0 < d.returned < d.recovered for d in details)
    assert Item.objects.filter(responsible=village_cadre).exists()  # the demo village cadre has work
