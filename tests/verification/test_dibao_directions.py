"""X-DIBAO has two directions (spec §2): on the 民政 roll but not flagged in the registry, and flagged but
without a covering period. A clue dismissed (不属实) is not raised again for the same record *and the same
direction*; the other direction for the same record is a new question and is raised."""

from __future__ import annotations

from datetime import date

import pytest

from jingzhun.ledger.services import item_move
from jingzhun.registry.models import Member
from jingzhun.verification.clue_store import store_hits
from jingzhun.verification.crosscheck import run_crosscheck
from jingzhun.verification.models import Clue
from tests.verification.helpers import hits_all_engines, load

pytestmark = pytest.mark.django_db
Y = 2024


def _run(admin):
    """One county cross-check of X-DIBAO kept as clues; the summary of the store."""
    return store_hits(hits=run_crosscheck(Y), rules_run={"X-DIBAO"}, year=Y, actor=admin)


def _dismiss(village, clue):
    item_move(actor=village, item=clue.item, action="start")
    item_move(actor=village, item=clue.item, action="close_false", note="入户核实：民政名单有误")


def _open(member):
    return Clue.objects.filter(rule="X-DIBAO", member=member, item__status__in=["待核查", "核查中"])


@pytest.fixture
def on_the_roll(family, tmp_path):
    """张三: one 低保 record covering 31 Dec 2024 — the only 民政 record of the household."""
    hh, head, spouse, son = family
    load(
        tmp_path,
        {
            "低保特困": [
                {"证件号码": head.id_number, "姓名": head.name, "救助类别": "低保", "起始日期": "2020-01-01"}
            ]
        },
    )
    return head


def _listed(head):  # on the roll, registry 低保 = 否
    Member.objects.filter(pk=head.pk).update(dibao=False, tekun=False)


def _unlisted(head):  # registry 特困供养 = 是 without a 特困 period; the best record is still the 低保 one
    Member.objects.filter(pk=head.pk).update(dibao=True, tekun=True)


def test_the_two_directions_name_the_same_record(on_the_roll):
    head = on_the_roll
    _listed(head)
    listed = [h for h in hits_all_engines(Y) if h.rule == "X-DIBAO"]
    _unlisted(head)
    unlisted = [h for h in hits_all_engines(Y) if h.rule == "X-DIBAO"]
    assert [h.member_id for h in listed] == [h.member_id for h in unlisted] == [head.pk]
    assert listed[0].record == unlisted[0].record  # one departmental record behind both
    assert "但登记低保为否" in listed[0].explanation and "登记为特困供养" in unlisted[0].explanation
    assert listed[0].record_key != unlisted[0].record_key  # … remembered per direction


@pytest.mark.parametrize("first", ["listed", "unlisted"])
def test_dismissing_one_direction_does_not_silence_the_other(on_the_roll, admin, village, first):
    head = on_the_roll
    directions = {"listed": _listed, "unlisted": _unlisted}
    second = "unlisted" if first == "listed" else "listed"
    directions[first](head)
    assert _run(admin).created == 1
    _dismiss(village, _open(head).get())
    again = _run(admin)  # the same record, the same direction: not raised again
    assert (again.created, again.suppressed) == (0, 1) and not _open(head).exists()
    directions[second](head)  # the other direction, the same record: a new question
    other = _run(admin)
    assert (other.created, other.suppressed) == (1, 0)
    raised = _open(head).get()
    assert raised.record["救助类别"] == "低保"
    assert ("登记为特困供养" if second == "unlisted" else "但登记低保为否") in raised.explanation
    _dismiss(village, raised)
    directions[first](head)  # back to the first direction: still dismissed
    back = _run(admin)
    assert (back.created, back.suppressed) == (0, 1) and not _open(head).exists()


def test_the_migration_derives_the_direction_of_stored_clues_from_their_explanation():
    """Clues stored before the direction was part of the key get it from their 说明 (migration 0006)."""
    import importlib
    from itertools import product

    from jingzhun.engines.python.crosscheck import Person, dibao_direction, explain

    migration = importlib.import_module("jingzhun.verification.migrations.0006_run_records_by_village")
    flags = (True, False, None)
    for dibao, tekun, covered_dibao, covered_tekun in product(flags, flags, (True, False), (True, False)):
        person = Person(1, 1, "H1", "4308211970", "4308211970", "张三", "男", date(1970, 1, 1),
                        "健康", "非在校生", True, dibao, tekun)  # fmt: skip
        expected = dibao_direction(person, covered_dibao, covered_tekun)
        if not expected:
            continue  # no disagreement: no hit
        text = explain("X-DIBAO", person, None, Y, covered_dibao=covered_dibao, covered_tekun=covered_tekun)
        assert migration.direction(text) == expected, text
