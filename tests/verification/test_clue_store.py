"""store_hits: clues raised once per (rule, household, member), refreshed by re-runs, not raised again
after a closing for the same record, marked when they vanish; set-based and audited."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jingzhun.core.models import AuditEntry
from jingzhun.ledger import services
from jingzhun.ledger.models import Item, Step
from jingzhun.rules.hits import Hit
from jingzhun.verification.clue_store import store_hits
from jingzhun.verification.models import Clue
from tests.factories import register
from tests.verification.conftest import death_hit, spouse_hit

pytestmark = pytest.mark.django_db


def _close(actor, clue, action="close_false", note="入户核实：本人健在"):
    services.item_move(actor=actor, item=clue.item, action="start")
    services.item_move(actor=actor, item=clue.item, action=action, note=note)


def test_it_raises_one_clue_per_hit_assigned_to_the_village(admin, household, people):
    summary = store_hits(
        hits=[death_hit(household, people["配偶"]), spouse_hit(household, people["配偶"])],
        rules_run={"X-DEATH", "Q-SPOUSE-SEX"},
        year=2018,
        actor=admin,
        records=1200,
    )
    assert (summary.created, summary.refreshed, summary.suppressed) == (2, 0, 0)
    clue = Clue.objects.get(rule="X-DEATH")
    assert clue.item.kind == "clue" and clue.item.status == "待核查"
    assert clue.item.region_id == household.village_id == clue.village_code
    assert clue.item.source == "部门比对" and clue.record["死亡日期"] == "2018-06-02"
    assert clue.item.due_on == clue.item.assigned_on.fromordinal(clue.item.assigned_on.toordinal() + 15)
    assert Clue.objects.get(rule="Q-SPOUSE-SEX").item.source == "数据清洗"
    assert Step.objects.filter(item__kind="clue", action="create").count() == 2
    raised = AuditEntry.objects.filter(action="clue.raise")
    assert raised.count() == 2 and set(raised.values_list("household_id", flat=True)) == {household.pk}
    assert AuditEntry.objects.filter(action="clue.store").count() == 1


def test_every_raised_clue_is_audited_in_the_hash_chain(admin, household, people, monkeypatch):
    """The raised clues' audit rows are written in bulk, batch by batch: each names its ledger item, the
    household, who ran it, the rule, member, dataset and match, the 说明 as its note — and each still
    carries the hash of the entry before it (the chain verifies across the batches)."""
    from jingzhun.core.verify import verify_database

    monkeypatch.setattr("jingzhun.verification.clue_store.CHUNK", 1)
    spouse, death = spouse_hit(household, people["配偶"]), death_hit(household, people["配偶"])
    store_hits(hits=[death, spouse], rules_run={"X-DEATH", "Q-SPOUSE-SEX"}, year=2018, actor=admin)
    raised = list(AuditEntry.objects.filter(action="clue.raise").order_by("id"))
    assert len(raised) == 2
    for entry, hit in zip(raised, [death, spouse], strict=True):
        clue = Clue.objects.get(rule=hit.rule)
        assert (entry.object_type, entry.object_id) == ("ledger_item", str(clue.item_id))
        assert entry.object_label == f"线索核查 {clue.item.code}"
        assert (entry.actor_id, entry.actor_name) == (
            admin.user.pk,
            admin.user.display_name or admin.user.username,
        )
        assert entry.household_id == household.pk and entry.note == hit.explanation
        assert entry.before is None and entry.job_id is None
        assert entry.after == {
            "rule": hit.rule,
            "member": hit.member_id,
            "dataset": hit.dataset,
            "match": hit.match,
        }
    verdict = verify_database()
    assert verdict.ok, verdict.message
    assert AuditEntry.objects.filter(row_hash="").count() == 0


def test_a_rerun_never_duplicates_an_open_clue(admin, household, people):
    hit = death_hit(household, people["配偶"])
    store_hits(hits=[hit], rules_run={"X-DEATH"}, year=2018, actor=admin)
    newer = death_hit(household, people["配偶"], date_text="2018-06-03")
    second = store_hits(hits=[newer, newer], rules_run={"X-DEATH"}, year=2018, actor=admin)
    assert (second.created, second.refreshed) == (0, 1)
    clue = Clue.objects.get()
    assert clue.record["死亡日期"] == "2018-06-03" and clue.last_run_id == second.run_id
    assert Item.objects.filter(kind="clue").count() == 1


def test_a_clue_closed_not_true_is_not_raised_again_for_the_same_record(admin, village, household, people):
    hit = death_hit(household, people["配偶"])
    store_hits(hits=[hit], rules_run={"X-DEATH"}, year=2018, actor=admin)
    _close(village, Clue.objects.get())
    again = store_hits(hits=[hit], rules_run={"X-DEATH"}, year=2018, actor=admin)
    assert (again.created, again.suppressed) == (0, 1)
    assert Clue.objects.count() == 1
    # another departmental record (a different 死亡日期) is a new question
    other = store_hits(
        hits=[death_hit(household, people["配偶"], date_text="2018-09-09")],
        rules_run={"X-DEATH"},
        year=2018,
        actor=admin,
    )
    assert other.created == 1 and Clue.objects.count() == 2


def test_a_dismissed_cleansing_clue_returns_only_when_the_values_change(admin, village, household, people):
    store_hits(
        hits=[spouse_hit(household, people["配偶"])], rules_run={"Q-SPOUSE-SEX"}, year=2018, actor=admin
    )
    _close(village, Clue.objects.get())
    same = store_hits(
        hits=[spouse_hit(household, people["配偶"])], rules_run={"Q-SPOUSE-SEX"}, year=2018, actor=admin
    )
    assert (same.created, same.suppressed) == (0, 1)
    changed = store_hits(
        hits=[spouse_hit(household, people["配偶"], "配偶 李四华 与户主同为男性")],
        rules_run={"Q-SPOUSE-SEX"},
        year=2018,
        actor=admin,
    )
    assert changed.created == 1


def test_a_vanished_hit_leaves_its_clue_open_and_marked(admin, household, people):
    store_hits(hits=[death_hit(household, people["配偶"])], rules_run={"X-DEATH"}, year=2018, actor=admin)
    gone = store_hits(hits=[], rules_run={"X-DEATH"}, year=2018, actor=admin)
    clue = Clue.objects.get()
    assert gone.cleared == 1 and not clue.still_hit and clue.item.status == "待核查"
    # a run of other rules leaves it alone; a new hit clears the mark
    store_hits(hits=[], rules_run={"X-MOVED"}, year=2018, actor=admin)
    assert Clue.objects.get().still_hit is False
    back = store_hits(
        hits=[death_hit(household, people["配偶"])], rules_run={"X-DEATH"}, year=2018, actor=admin
    )
    assert back.refreshed == 1 and Clue.objects.get().still_hit is True


def test_it_refuses_hits_of_rules_that_did_not_run(admin, household, people):
    with pytest.raises(ValueError, match="不在本次运行"):
        store_hits(hits=[death_hit(household, people["配偶"])], rules_run={"X-MOVED"}, year=2018, actor=admin)
    with pytest.raises(ValueError, match="未知的规则代码"):
        store_hits(hits=[], rules_run={"X-NOPE"}, year=2018, actor=admin)


def test_it_is_set_based_the_number_of_queries_does_not_grow_with_the_hits(admin):
    households = [register(admin) for _ in range(6)]

    def hits(n):
        out = []
        for h in households[:n]:
            for m in h.members.all():
                out.append(
                    Hit(
                        rule="X-PAYROLL",
                        household_id=h.pk,
                        member_id=m.pk,
                        explanation=f"财政供养 {m.name}",
                        dataset="财政供养",
                        match="证件号码",
                        record_key=f"p:{m.pk}",
                    )
                )
        return out

    with CaptureQueriesContext(connection) as small:
        store_hits(hits=hits(2), rules_run={"X-PAYROLL"}, year=2018, actor=admin)
    Clue.objects.all().delete()
    with CaptureQueriesContext(connection) as large:
        summary = store_hits(hits=hits(6), rules_run={"X-PAYROLL"}, year=2018, actor=admin)
    assert summary.created == 18
    assert len(large.captured_queries) <= len(small.captured_queries) + 2


def test_a_stream_of_hits_is_stored_batch_by_batch_with_the_same_outcome(
    admin, village, household, people, monkeypatch
):
    """A county run hands over a generator (iter_crosscheck): it is read CHUNK hits at a time, each batch
    stored before the next is read; a hit given twice across batches is one clue; the re-run refreshes,
    suppresses the dismissed and marks the vanished exactly as a list would."""
    monkeypatch.setattr("jingzhun.verification.clue_store.CHUNK", 3)
    others = [register(admin) for _ in range(2)]
    members = [m for h in [household, *others] for m in h.members.order_by("id")]
    hits = [
        Hit(
            rule="X-PAYROLL",
            household_id=m.household_id,
            member_id=m.pk,
            explanation=f"财政供养 {m.name}",
            dataset="财政供养",
            match="证件号码",
            record_key=f"p:{m.pk}",
        )
        for m in members
    ]
    assert len(hits) > 6
    stored_while_reading: list[int] = []

    def stream(items):
        for n, hit in enumerate(items):
            if n == 4:  # the first batch (3 hits) is stored before the fourth is even read further
                stored_while_reading.append(Clue.objects.count())
            yield hit

    first = store_hits(hits=stream([*hits, hits[0]]), rules_run={"X-PAYROLL"}, year=2018, actor=admin)
    assert stored_while_reading == [3]
    assert (first.hits, first.created, first.refreshed) == (len(hits) + 1, len(hits), 0)
    assert Clue.objects.count() == len(hits) == len(set(Item.objects.values_list("code", flat=True)))
    assert hits[0].member_id != people["配偶"].pk
    _close(village, Clue.objects.get(member_id=people["配偶"].pk))
    again = store_hits(hits=stream(hits[1:]), rules_run={"X-PAYROLL"}, year=2018, actor=admin)
    assert (again.created, again.suppressed, again.cleared) == (0, 1, 1)
    assert again.refreshed == len(hits) - 2
    assert Clue.objects.count() == len(hits)
    assert Clue.objects.get(member_id=hits[0].member_id).still_hit is False
    assert Clue.objects.filter(still_hit=True).count() == len(hits) - 1
