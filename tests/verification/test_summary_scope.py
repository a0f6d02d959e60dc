"""The summary in the counties' words — "比对 N 条记录，发现疑点 M 条，已核实 K 条，属实 J 条" — counts N for
the viewer's scope: a run keeps its records per village (ClueRun.village_records); a township cadre's N
is the departmental records matched to their township's households plus the members the cleansing
compared there, the county admin's every record (those matching nobody included). On the page, and on
the CLI (`verify crosscheck --region`)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from jingzhun.accounts.access import actor_for
from jingzhun.cli import main
from jingzhun.verification import selectors
from jingzhun.verification.models import ClueRun
from tests.factories import OTHER_VILLAGE, VILLAGE, make_id, member_row, register
from tests.verification.helpers import write_dataset

pytestmark = pytest.mark.django_db
OUTSIDERS = (make_id(date(1990, 1, 1)), make_id(date(1985, 2, 2), male=False))


@pytest.fixture
def county(admin_actor, standard, rules):
    """杜坪村 (溪口镇): 3 members; 琵琶村 (零阳街道): 2 members."""
    here = register(admin_actor, village=VILLAGE)
    there = register(
        admin_actor,
        village=OTHER_VILLAGE,
        members=[
            member_row("赵六", "户主", date(1960, 2, 3)),
            member_row("钱七", "配偶", date(1961, 4, 5), male=False),
        ],
    )
    return {m.relation: m for m in here.members.all()}, {m.relation: m for m in there.members.all()}


def _row(m):
    return {"证件号码": m.id_number, "姓名": m.name}


@pytest.fixture
def runs(county, tmp_path, capsys):
    """Both runs stored: 死亡人口 (one record in 杜坪村, one in 琵琶村, two outsiders) and 财政供养 (one in
    杜坪村) — 5 records, 2 of them in 溪口镇; the cleansing compared 3 + 2 members."""
    here, there = county
    deaths = [
        {**_row(here["户主"]), "死亡日期": "2024-03-05"},
        {**_row(there["户主"]), "死亡日期": "2024-04-06"},
        *({"证件号码": n, "姓名": "路人", "死亡日期": "2024-05-07"} for n in OUTSIDERS),
    ]
    paths = [
        str(write_dataset(tmp_path, "死亡人口", deaths)),
        str(write_dataset(tmp_path, "财政供养", [{**_row(here["之子"]), "工作单位": "县一中"}])),
    ]
    out = tmp_path / "hits.csv"
    assert main(["verify", "crosscheck", *paths, "--year", "2024", "--out", str(out), "--user", "admin"]) == 0
    assert main(["verify", "cleanse", "--year", "2024", "--out", str(tmp_path / "q.csv")]) == 0
    return capsys.readouterr().out


def test_each_run_keeps_its_records_by_village(runs):
    cross = ClueRun.objects.get(source="部门比对")
    cleanse = ClueRun.objects.get(source="数据清洗")
    assert cross.village_records == {VILLAGE: 2, OTHER_VILLAGE: 1, "430821000000": 2}
    assert cross.records == 5 and "比对 5 条记录" in runs
    assert cleanse.village_records == {VILLAGE: 3, OTHER_VILLAGE: 2} and cleanse.records == 5


def _sentence(user) -> str:
    client = Client()
    client.force_login(user)
    page = client.get("/verification/?year=2024").content.decode()
    return page.split("比对 ")[1].split(" 条记录")[0]


def test_the_county_admin_counts_every_record(runs, county_admin):
    assert _sentence(county_admin) == "10"  # 5 departmental records + 5 members cleansed
    summary = selectors.summary(actor_for(county_admin), 2024)
    assert summary["n"] == 10 and summary["m"] == 5  # 2 deaths, the payroll hit, 2 Q-PLAN-OVERDUE
    assert summary["sentence"].startswith("比对 10 条记录，发现疑点 5 条")


def test_a_township_cadre_counts_the_records_matched_to_their_township(
    runs, township_cadre, village_cadre, other_village_cadre
):
    # 溪口镇: the 2 records matched to 杜坪村's members + its 3 members; not 琵琶村's, not the outsiders
    assert _sentence(township_cadre) == "5"
    summary = selectors.summary(actor_for(township_cadre), 2024)
    assert summary["n"] == 5 and summary["m"] == 3
    assert _sentence(village_cadre) == "5"
    assert _sentence(other_village_cadre) == "3"  # 琵琶村: 1 death record + 2 members
    assert selectors.summary(actor_for(other_village_cadre), 2024)["m"] == 2


def test_a_run_over_a_region_prints_the_records_matched_there(runs, tmp_path, capsys):
    out = tmp_path / "xikou.csv"
    assert main(["verify", "crosscheck", "--year", "2024", "--out", str(out), "--region", VILLAGE[:9]]) == 0
    assert "比对 2 条记录，发现疑点 2 条" in capsys.readouterr().out
    assert main(["verify", "crosscheck", "--year", "2024", "--out", str(out)]) == 0
    assert "比对 5 条记录，发现疑点 3 条" in capsys.readouterr().out


def test_a_run_that_only_knows_its_total_counts_for_county_wide_viewers_only(
    county, admin, county_admin, township_cadre
):
    from jingzhun.verification.clue_store import store_hits

    store_hits(hits=[], rules_run={"X-DEATH"}, year=2024, actor=admin, records=700)
    assert selectors.summary(actor_for(county_admin), 2024)["n"] == 700
    assert selectors.summary(actor_for(township_cadre), 2024)["n"] == 0


@pytest.mark.django_db(transaction=True)
def test_storing_is_one_transaction_outside_a_test_transaction(county, admin, township_cadre):
    """store_hits is atomic on its own (its audit rows require the write's transaction): a run stored
    outside any caller's transaction, as the CLI does, keeps its records by village."""
    from jingzhun.verification.clue_store import store_hits
    from tests.verification.conftest import death_hit

    here, _ = county
    head = here["户主"]
    summary = store_hits(
        hits=[death_hit(head.household, head)],
        rules_run={"X-DEATH"},
        year=2024,
        actor=admin,
        village_records={VILLAGE: 4, "430821000000": 6},
    )
    assert summary.created == 1 and ClueRun.objects.get().records == 10
    assert selectors.summary(actor_for(township_cadre), 2024)["n"] == 4
