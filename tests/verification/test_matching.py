"""Matching in the spec's order: 证件号码 (upper-cased x; a 20/22-character 残疾人证 number on its first
18), 旧证件号码 (15-digit first-generation ID converted), 近似 (exactly one member with the record's
姓名, the gender and birth date its ID encodes, an ID at most two positions off)."""

from __future__ import annotations

from datetime import date

import pytest

from jingzhun.engines.python.crosscheck import differences
from jingzhun.lib import idcard
from jingzhun.registry.models import Member
from tests.factories import member_row, register
from tests.verification.helpers import hits_all_engines, load

pytestmark = pytest.mark.django_db
Y = 2024


def _death(number, name):
    return {"证件号码": number, "姓名": name, "死亡日期": "2024-01-01"}


def _flip(number: str, position: int) -> str:
    digit = str((int(number[position]) + 1) % 10)
    return number[:position] + digit + number[position + 1 :]


def test_upgrade_of_a_first_generation_id():
    assert idcard.upgrade_first_generation("430821700501001") == idcard.make("430821", date(1970, 5, 1), 1)
    assert idcard.upgrade_first_generation("43082170050100X") is None
    assert differences("123456", "123465") == 2


def test_lower_case_x_old_ids_and_disability_numbers(admin_actor, tmp_path):
    x_id = idcard.make("430821", date(1950, 1, 5), 5)
    while not x_id.endswith("X"):  # an ID with check character X
        x_id = idcard.make("430821", date(1950, 1, 5), int(x_id[14:17]) + 1)
    hh = register(
        admin_actor,
        members=[
            member_row("王五", "户主", date(1950, 1, 5), id_number=x_id),
            member_row("赵六", "配偶", date(1952, 2, 2), male=False),
            member_row("王七", "之子", date(1980, 3, 3)),
        ],
    )
    m = {x.relation: x for x in hh.members.all()}
    spouse_15 = m["配偶"].id_number[:6] + m["配偶"].id_number[8:17]
    load(
        tmp_path,
        {
            "死亡人口": [
                _death(x_id.lower(), "王五"),
                _death(spouse_15, "赵六"),
                _death(m["之子"].id_number + "4102", "王七"),  # 22 characters
            ]
        },
    )
    hits = hits_all_engines(Y)
    assert [(h.member_id, h.match) for h in hits] == [
        (m["户主"].pk, "证件号码"),
        (m["配偶"].pk, "旧证件号码"),
        (m["之子"].pk, "证件号码"),
    ]


def test_near_matches_one_or_two_digits_and_a_swap(admin_actor, tmp_path):
    hh = register(admin_actor)
    m = {x.relation: x for x in hh.members.all()}
    head, spouse, son = m["户主"], m["配偶"], m["之子"]
    swapped = head.id_number[:2] + head.id_number[3] + head.id_number[2] + head.id_number[4:]
    assert swapped != head.id_number
    load(
        tmp_path,
        {
            "死亡人口": [
                _death(swapped, "张三"),  # neighbours swapped
                _death(_flip(_flip(spouse.id_number, 0), 15), "李四"),  # two digits
                _death(_flip(_flip(_flip(son.id_number, 0), 1), 15), "张小明"),  # three: no match
            ]
        },
    )
    hits = hits_all_engines(Y)
    assert [(h.member_id, h.match) for h in hits] == [(head.pk, "近似"), (spouse.pk, "近似")]


def test_near_needs_the_same_name_and_the_encoded_gender(admin_actor, tmp_path):
    hh = register(admin_actor)
    head = hh.members.get(relation="户主")
    other_gender = head.id_number[:16] + str((int(head.id_number[16]) + 1) % 10) + head.id_number[17]
    load(
        tmp_path,
        {"死亡人口": [_death(_flip(head.id_number, 15), "张叁"), _death(other_gender, "张三")]},
    )
    assert hits_all_engines(Y) == []


def test_an_ambiguous_near_match_does_not_match(admin_actor, tmp_path):
    """Two 张三 born the same day in different households, both one digit from the record: no match."""
    birth = date(1970, 5, 1)
    first = idcard.make("430821", birth, 11)
    second = idcard.make("430821", birth, 13)
    register(admin_actor, members=[member_row("张三", "户主", birth, id_number=first)])
    register(admin_actor, members=[member_row("张三", "户主", birth, id_number=second)])
    record = first[:16] + "5" + first[17]  # differs from both in at most two positions
    assert differences(record, first) <= 2 and differences(record, second) <= 2
    load(tmp_path, {"死亡人口": [_death(record, "张三")]})
    assert hits_all_engines(Y) == []
    # with one of them gone from the registry the other is the only candidate
    Member.objects.filter(id_number=second).update(is_active=False)
    hits = hits_all_engines(Y)
    assert [(h.match, h.record["证件号码"]) for h in hits] == [("近似", record)]


def test_an_exact_id_wins_over_a_near_candidate(admin_actor, tmp_path):
    birth = date(1970, 5, 1)
    first = idcard.make("430821", birth, 11)
    second = idcard.make("430821", birth, 13)
    hh1 = register(admin_actor, members=[member_row("张三", "户主", birth, id_number=first)])
    register(admin_actor, members=[member_row("张三", "户主", birth, id_number=second)])
    load(tmp_path, {"死亡人口": [_death(first, "张三")]})
    hits = hits_all_engines(Y)
    assert [(h.household_id, h.match) for h in hits] == [(hh1.pk, "证件号码")]


def test_a_member_with_two_records_gets_one_hit_on_the_best_match(admin_actor, tmp_path):
    hh = register(admin_actor)
    head = hh.members.get(relation="户主")
    load(
        tmp_path,
        {
            "车辆登记": [
                {
                    "证件号码": _flip(head.id_number, 15),
                    "姓名": "张三",
                    "号牌号码": "湘G1",
                    "车辆类型": "小型轿车",
                },
                {"证件号码": head.id_number, "姓名": "张三", "号牌号码": "湘G2", "车辆类型": "中型客车"},
                {"证件号码": head.id_number, "姓名": "张三", "号牌号码": "湘G3", "车辆类型": "小型轿车"},
            ]
        },
    )
    hits = hits_all_engines(Y)
    assert [(h.match, h.record["号牌号码"]) for h in hits] == [("证件号码", "湘G2")]


def test_the_crosscheck_reads_the_copy_imported_last(admin_actor, tmp_path):
    """After a re-import (PostgreSQL: the dataset's partition swapped), both engines match the new copy
    only; a failed re-import later leaves the cross-check on that copy."""
    hh = register(
        admin_actor,
        members=[
            member_row("王五", "户主", date(1950, 1, 5)),
            member_row("赵六", "配偶", date(1952, 2, 2), male=False),
        ],
    )
    m = {x.relation: x for x in hh.members.all()}
    load(tmp_path / "1", {"死亡人口": [_death(m["户主"].id_number, "王五")]})
    assert [h.member_id for h in hits_all_engines(Y)] == [m["户主"].pk]
    load(tmp_path / "2", {"死亡人口": [_death(m["配偶"].id_number, "赵六")]})
    assert [h.member_id for h in hits_all_engines(Y)] == [m["配偶"].pk]
    from jingzhun.verification.importer import import_datasets
    from tests.verification.helpers import write_dataset

    bad = write_dataset(tmp_path / "3", "死亡人口", [_death(m["户主"].id_number, "王五"), _death("", "x")])
    assert not import_datasets([str(bad)]).ok
    assert [h.member_id for h in hits_all_engines(Y)] == [m["配偶"].pk]
