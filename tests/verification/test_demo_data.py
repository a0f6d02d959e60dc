"""The demo clues are the product's own findings: departmental datasets generated from the registry and
imported through the importer (all eleven, with decoys and people outside the registry), the cleanse
and cross-check runs kept as clues, a share checked through the workflow, confirmed deaths applied, and
the demo village's cadre with work in 我的待办."""

from __future__ import annotations

from datetime import date

import pytest

from jingzhun.accounts.access import actor_for
from jingzhun.demo.verification import seed
from jingzhun.demo.verification_datasets import EXEMPT
from jingzhun.ledger.models import Item
from jingzhun.ledger.selectors import inbox
from jingzhun.registry.models import Member
from jingzhun.rules.datasets import SPECS
from jingzhun.verification import selectors
from jingzhun.verification.crosscheck import run_crosscheck
from jingzhun.verification.models import Clue, ClueRun, Dataset, DatasetRecord
from tests.factories import member_row, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(admin_actor, county_admin, village_cadre):
    for n in range(24):
        register(
            admin_actor,
            members=[
                member_row(f"户主{n}", "户主", date(1968, 5, 1)),
                member_row(f"配偶{n}", "配偶", date(1970, 3, 9), male=n % 3 == 0),
                member_row(f"老人{n}", "之父", date(1938, 1, 1)),
                member_row(f"孩子{n}", "之子", date(2008, 9, 1), school_status="小学", education="小学"),
            ],
        )
    return seed(seed=3, printer=lambda _: None)


def test_every_dataset_is_imported_by_the_county_admin_with_outsiders(seeded, county_admin):
    datasets = {d.name: d for d in Dataset.objects.all()}
    assert set(datasets) == {s.name for s in SPECS} and len(datasets) == 11
    assert all(d.row_count > 0 and d.imported_by == county_admin for d in datasets.values())
    assert all(d.file_name == f"{d.name}.csv" for d in datasets.values())
    ids = {m[:18] for m in Member.objects.values_list("id_number", flat=True)}
    records = list(DatasetRecord.objects.values_list("id18", flat=True))
    assert sum(1 for r in records if r not in ids) > 10  # people outside the registry: unmatched


def test_the_clues_are_the_runs_findings(seeded):
    clues = Clue.objects.select_related("item")
    assert seeded["clues"] == clues.count() > 40
    rules = {c.rule for c in clues}
    assert {r for r in rules if r.startswith("X-")} >= {
        "X-DEATH",
        "X-VEHICLE",
        "X-DIBAO",
        "X-INSURANCE",
        "X-HOUSING",
    }
    assert any(r.startswith("Q-") for r in rules)
    assert ClueRun.objects.count() == 2  # one 数据清洗 run, one 部门比对 run
    keys = set(DatasetRecord.objects.values_list("key", flat=True))
    matched = [c for c in clues if c.rule.startswith("X-") and c.match]
    # the record behind each matched clue (X-DIBAO adds its direction after "|")
    assert matched and all(c.record_key.split("|")[0] in keys for c in matched)
    assert all(c.record_key.count("|") == (c.rule == "X-DIBAO") for c in matched)
    # the cross-check run again finds every clue still open (the applied deaths left the registry)
    found = {(h.rule, h.member_id) for h in run_crosscheck(2018)}
    open_cross = {(c.rule, c.member_id) for c in clues if c.rule.startswith("X-") and c.applied_at is None}
    assert open_cross and open_cross <= found


def test_decoys_make_no_clue(seeded):
    ids = {m[:18] for m in Member.objects.values_list("id_number", flat=True)}
    exempt = DatasetRecord.objects.filter(dataset__name="车辆登记", kind__in=EXEMPT)
    exempt_keys = {r.key for r in exempt if r.id18 in ids}
    assert exempt_keys  # registry members own 三轮汽车/摩托车 …
    later = DatasetRecord.objects.filter(dataset__name="死亡人口", date1__gt=date(2018, 12, 31))
    later_keys = {r.key for r in later if r.id18 in ids}
    assert later_keys  # deaths dated after the reference date
    clue_keys = set(Clue.objects.values_list("record_key", flat=True))
    assert not clue_keys & (exempt_keys | later_keys)


def test_some_checked_some_applied_and_the_village_cadre_has_work(seeded, county_admin, village_cadre):
    clues = Clue.objects.all()
    assert {c.item.status for c in clues} == {"待核查", "核查中", "属实", "不属实"}
    closed_false = clues.filter(item__status="不属实")
    assert closed_false.exists() and not closed_false.filter(check_note="").exists()
    applied = clues.filter(applied_at__isnull=False)
    assert applied.exists() and all(not c.member.is_active for c in applied)
    village = actor_for(village_cadre)
    assert sum(1 for i in inbox(village) if i.kind == "clue") >= 3
    assert (
        Item.objects.filter(
            kind="clue", status="待核查", region_id=village_cadre.grants.first().region_id
        ).count()
        >= 3
    )
    summary = selectors.summary(actor_for(county_admin), 2018)
    assert summary["m"] == clues.count() and summary["k"] > 0 and summary["j"] > 0
