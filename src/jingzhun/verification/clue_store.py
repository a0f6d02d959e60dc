"""The clue store (线索库): the hits of a cleansing or cross-check run kept as clues to check on the ground.

`store_hits` is set-based and streams: the hits are read in batches of CHUNK; per batch a handful of reads
(the households named, their clues of the batch's rules, by clue_identity_idx), then bulk inserts of the
new ledger items, their first steps, the clues and their audit rows (chained tuples, core.chain), and bulk
updates of the clues hit again; the clues not hit again are marked by one UPDATE at the end — never a
query per hit, and memory bounded by the batch (plus one integer per clue the run touched).

Decided (spec §3 and docs/verification.md "线索核查"):
- **One open clue per (rule, household, member).** A hit whose open clue exists refreshes it (the
  explanation and the departmental record as of this run, `last_run`) instead of adding another.
- **A closed clue is the answer for its record.** A hit is not raised again when a clue of the same
  (rule, household, member) was closed (不属实 — the spec's rule; and 属实 too, whose follow-up is the
  county's to apply, not a new question) for the same record key: the departmental record's fingerprint
  (`Hit.record_key`) for X-* rules; for Q-* rules, which read the registry only, a fingerprint of the
  explanation — it names the values the rule read, so a dismissed Q-* clue comes back only when those
  values change. A new departmental record (a new 死亡日期, another vehicle) is a new question.
- **Disappeared hits stay open, marked.** An open clue of a rule that ran but did not hit this time keeps
  its state (a field check may be under way, and only a person closes a clue) and gets
  `still_hit = False`: pages show "本次比对已不再命中" and the list can filter on it; a later hit clears
  the mark. Clues of rules that did not run are left alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import count, islice
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from jingzhun.accounts.access import Actor
from jingzhun.core import audit, chain
from jingzhun.core.models import AuditEntry
from jingzhun.ledger.models import Item, Step
from jingzhun.registry.models import Household
from jingzhun.rules.checks import ALL_CHECKS
from jingzhun.rules.hits import Hit
from jingzhun.verification import kind
from jingzhun.verification.models import Clue, ClueRun, ClueSettings
from jingzhun.workbook import db_bulk

CHUNK = 2000


@dataclass(frozen=True)
class StoreSummary:
    run_id: int
    hits: int
    created: int
    refreshed: int
    suppressed: int
    cleared: int
    unknown_households: int

    def sentence(self) -> str:
        return (
            f"命中 {self.hits} 条：新增线索 {self.created} 条，已有线索 {self.refreshed} 条，"
            f"已核实不再提出 {self.suppressed} 条，不再命中 {self.cleared} 条"
        )


def record_key(hit: Hit) -> str:
    """The fingerprint a closed clue is remembered by (see the module docstring)."""
    if hit.record_key:
        return hit.record_key[:80]
    return "q:" + hashlib.sha1(hit.explanation.encode("utf-8")).hexdigest()[:32]


def _actor_name(actor: Actor) -> str:
    user = actor.user
    if user is None:
        return "系统"
    return getattr(user, "display_name", "") or user.username


def _next_number(year: int) -> int:
    prefix = f"XS{year}-"
    last = (
        Item.objects.filter(kind=kind.CODE, code__startswith=prefix)
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    return int(last[len(prefix) :]) + 1 if last else 1


def _villages(ids: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        out.update(Household.objects.filter(pk__in=chunk).values_list("id", "village_id"))
    return out


@dataclass
class _Tally:
    hits: int = 0
    created: int = 0
    refreshed: int = 0
    changed: int = 0
    suppressed: int = 0
    missing: int = 0


def county_key(actor: Actor) -> str:
    """The county's 12-digit code: the key of `ClueRun.village_records` for the records no village owns."""
    from jingzhun.verification.importer import county_code

    return county_code(actor) + "000000"


@transaction.atomic
def store_hits(
    *,
    hits: Iterable[Hit],
    rules_run: set[str],
    year: int,
    actor: Actor,
    records: int = 0,
    village_records: dict[str, int] | None = None,
) -> StoreSummary:
    """Store one run's hits as clues. `hits` may be a stream (`iter_crosscheck`): it is read in batches
    of CHUNK, each stored set-based against the clues of its own households, so memory does not grow with
    the run. `rules_run`: every rule that was evaluated (also those with no hit), so their vanished hits
    can be marked; `village_records`: the records the run compared (the summary's "比对 N 条记录") by
    village code, the county's code for those no village owns (ClueRun.village_records); or only their
    number `records`, when the caller cannot tell where they belong — then only a county-wide viewer
    counts them."""
    unknown = sorted(set(rules_run) - set(ALL_CHECKS))
    if unknown:
        raise ValueError(f"未知的规则代码：{'、'.join(unknown)}")
    # One run at a time: two concurrent runs would each see no open clue and both add one.
    ClueSettings.objects.get_or_create(pk=1)
    ClueSettings.objects.select_for_update().get(pk=1)
    source = "数据清洗" if all(r.startswith("Q-") for r in rules_run) else "部门比对"
    if village_records is None:
        village_records = {county_key(actor): records} if records else {}
    village_records = {code: n for code, n in village_records.items() if n}
    run = ClueRun.objects.create(
        year=year,
        rules=sorted(rules_run),
        source=source,
        records=sum(village_records.values()),
        village_records=village_records,
        hits=0,
        actor=actor.user,
    )
    tally = _Tally()
    handled: set[int] = set()  # items of the clues this run raised or hit again (a repeat counts once)
    numbers = count(_next_number(year))
    # PostgreSQL: the tables the batches' COPYs grew by a tenth or more, analysed once after the last
    # batch instead of after each such COPY (a first run into empty tables analysed each of the four
    # about ten times, while they grew from 2,000 rows to 20,000)
    stale: set[str] = set()
    for batch in _batches(hits):
        stray = sorted({h.rule for h in batch} - set(rules_run))
        if stray:
            raise ValueError(f"命中的规则不在本次运行的规则中：{'、'.join(stray)}")
        tally.hits += len(batch)
        _store_batch(batch, run, year, actor, handled, tally, numbers, stale)
    db_bulk.analyze(stale)
    # Open clues of the rules that ran which this run did not hit again: marked, in one statement.
    vanished = Clue.objects.filter(
        rule__in=sorted(rules_run), still_hit=True, item__status__in=sorted(kind.OPEN)
    ).exclude(last_run=run)
    gone_ids = list(vanished.order_by("id").values_list("id", flat=True)[:1000])
    cleared = vanished.update(still_hit=False, last_run=run)
    run.hits = tally.hits
    run.created, run.refreshed, run.suppressed, run.cleared = (
        tally.created,
        tally.refreshed,
        tally.suppressed,
        cleared,
    )
    run.save(update_fields=["hits", "created", "refreshed", "suppressed", "cleared"])
    audit.record_many(
        [
            audit.entry(
                actor=actor.user,
                action="clue.store",
                object_type="clue_run",
                object_id=run.pk,
                object_label=f"{year}年{source}",
                after={
                    "rules": sorted(rules_run),
                    "hits": tally.hits,
                    "created": tally.created,
                    "refreshed": tally.refreshed,
                    "changed": tally.changed,
                    "suppressed": tally.suppressed,
                    "cleared": cleared,
                    "cleared_ids": gone_ids,
                },
            )
        ]
    )
    return StoreSummary(
        run_id=run.pk,
        hits=tally.hits,
        created=tally.created,
        refreshed=tally.refreshed,
        suppressed=tally.suppressed,
        cleared=cleared,
        unknown_households=tally.missing,
    )


def _batches(hits: Iterable[Hit]) -> Iterator[list[Hit]]:
    iterator = iter(hits)
    while batch := list(islice(iterator, CHUNK)):
        yield batch


def _store_batch(
    batch: list[Hit],
    run: ClueRun,
    year: int,
    actor: Actor,
    handled: set[int],
    tally: _Tally,
    numbers: Iterator[int],
    stale: set[str] | None = None,
) -> None:
    """One batch against the clues of its households (clue_identity_idx): new clues inserted in bulk,
    open ones hit again refreshed, closed ones for the same record not raised again."""
    by_identity: dict[tuple[str, int, int | None], Hit] = {}
    for hit in batch:
        by_identity.setdefault(hit.identity, hit)
    villages = _villages(sorted({h.household_id for h in by_identity.values()}))
    open_clues: dict[tuple[str, int, int | None], dict[str, Any]] = {}
    closed_keys: set[tuple[str, int, int | None, str]] = set()
    existing = Clue.objects.filter(
        rule__in=sorted({i[0] for i in by_identity}), household_id__in=sorted(villages)
    ).values(
        "id",
        "item_id",
        "rule",
        "household_id",
        "member_id",
        "record_key",
        "record",
        "match",
        "still_hit",
        "explanation",
        "item__status",
    )
    for found in existing:
        known: tuple[str, int, int | None] = (found["rule"], found["household_id"], found["member_id"])
        if known not in by_identity:
            continue
        if found["item__status"] in kind.OPEN:
            open_clues[known] = dict(found)
        else:
            closed_keys.add((*known, found["record_key"]))

    new: list[Hit] = []
    seen: list[int] = []  # open clues hit again (their last run moves to this one)
    refresh: list[Clue] = []  # … of which the explanation, record or mark changed
    for identity, hit in by_identity.items():
        if hit.household_id not in villages:
            tally.missing += 1
            continue
        key = record_key(hit)
        row = open_clues.get(identity)
        if row is not None:
            if row["item_id"] in handled:  # given twice in this run: the first one stands
                continue
            handled.add(row["item_id"])
            seen.append(row["id"])
            if (row["explanation"], row["record_key"], row["record"], row["match"], row["still_hit"]) != (
                hit.explanation,
                key,
                dict(hit.record),
                hit.match,
                True,
            ):
                refresh.append(
                    Clue(
                        pk=row["id"],
                        explanation=hit.explanation,
                        record_key=key,
                        record=dict(hit.record),
                        match=hit.match,
                        still_hit=True,
                    )
                )
        elif (*identity, key) in closed_keys:
            tally.suppressed += 1
        else:
            new.append(hit)

    ids, entries = _create(new, villages, run, year, actor, numbers, stale)
    handled.update(ids)
    # Unchanged clues (the usual re-run) get one UPDATE per batch; only changed ones a per-row CASE.
    Clue.objects.bulk_update(
        refresh, ["explanation", "record_key", "record", "match", "still_hit"], batch_size=500
    )
    if seen:
        Clue.objects.filter(pk__in=seen).update(last_run=run)
    if entries:  # chained after the current tail, as audit.record_many would (core.chain)
        db_bulk.Table(AuditEntry, chain.CHAINED_MODEL_FIELDS, analyze_later=stale).insert(
            chain.chain_rows(entries, chain.ROW_POSITIONS)
        )
    tally.created += len(new)
    tally.refreshed += len(seen)
    tally.changed += len(refresh)


ITEM_COLUMNS = (
    "kind",
    "code",
    "source",
    "title",
    "description",
    "measures",
    "region",
    "household",
    "responsible_name",
    "leader_name",
    "assigned_on",
    "deadline",
    "due_on",
    "status",
    "extension_days",
    "reopen_count",
    "petitioner_name",
    "petitioner_phone",
    "reply",
    "created_by",
    "created_at",
    "updated_at",
)
STEP_COLUMNS = (
    "item",
    "action",
    "label",
    "from_status",
    "status",
    "on",
    "at",
    "actor",
    "actor_name",
    "note",
    "evidence",
    "due_on",
    "extension_days",
)
# The audit rows of the raised clues as plain tuples, in the hash chain's field order (core.chain.FIELDS),
# then the chain's two hashes: what `audit.entry` + `audit.record_many` store, without a model instance
# and Django's per-value preparation for each of them (a third of the first run's store at 107,060 hits).
CLUE_COLUMNS = (
    "item",
    "rule",
    "dataset",
    "household",
    "member",
    "village_code",
    "match",
    "explanation",
    "record_key",
    "record",
    "year",
    "run",
    "last_run",
    "still_hit",
    "finding",
    "checker_name",
    "check_note",
    "confirmer_name",
    "conclusion",
    "followup",
    "applied_note",
)


def _create(
    new: list[Hit],
    villages: dict[int, str],
    run: ClueRun,
    year: int,
    actor: Actor,
    numbers: Iterator[int],
    stale: set[str] | None = None,
) -> tuple[list[int], list[tuple[Any, ...]]]:
    """Bulk-insert the new clues as plain tuples (workbook.db_bulk: executemany on SQLite, COPY on
    PostgreSQL — model instances and Django's per-value expressions cost most of the time at 30,000
    hits): ledger items, their first step, the clue rows; returns their ids and their audit rows
    (`chain.MODEL_FIELDS` tuples, `clue.raise`), which the caller chains and inserts."""
    if not new:
        return [], []
    today = date.today()
    now = timezone.now()
    due = today + timedelta(days=kind.CLUE_DAYS)
    name = _actor_name(actor)
    user_id = actor.user.pk if actor.user is not None else None
    codes = [f"XS{year}-{next(numbers):06d}" for _ in new]
    item_rows = [
        (
            kind.CODE,
            code,
            "数据清洗" if hit.rule.startswith("Q-") else "部门比对",
            f"{ALL_CHECKS[hit.rule].name}（{hit.rule}）"[:200],
            hit.explanation,
            "",
            villages[hit.household_id],
            hit.household_id,
            "村两委",
            "",
            today,
            due,
            due,
            kind.PENDING,
            0,
            0,
            "",
            "",
            "",
            user_id,
            now,
            now,
        )
        for code, hit in zip(codes, new, strict=True)
    ]
    if connection.vendor == "postgresql":
        ids = db_bulk.reserve_ids(Item, len(new))
        db_bulk.Table(Item, ("id", *ITEM_COLUMNS), analyze_later=stale).insert(
            (i, *row) for i, row in zip(ids, item_rows, strict=True)
        )
    else:  # one writer at a time on SQLite: the rows after the highest id are ours
        after = db_bulk.max_id(Item)
        db_bulk.Table(Item, ITEM_COLUMNS).insert(item_rows)
        by_code = {code: pk for pk, code in db_bulk.ids_since(Item, after=after, key="code")}
        ids = [by_code[code] for code in codes]
    db_bulk.Table(Step, STEP_COLUMNS, analyze_later=stale).insert(
        (
            pk,
            "create",
            "发现疑点",
            "",
            kind.PENDING,
            today,
            now,
            user_id,
            name,
            f"{ALL_CHECKS[hit.rule].name}：{hit.explanation}"[:2000],
            "",
            due,
            0,
        )
        for pk, hit in zip(ids, new, strict=True)
    )
    db_bulk.Table(Clue, CLUE_COLUMNS, analyze_later=stale).insert(
        (
            pk,
            hit.rule,
            hit.dataset,
            hit.household_id,
            hit.member_id,
            villages[hit.household_id],
            hit.match,
            hit.explanation,
            record_key(hit),
            dict(hit.record),
            year,
            run.pk,
            run.pk,
            True,
            "",
            "",
            "",
            "",
            "",
            {},
            "",
        )
        for pk, hit in zip(ids, new, strict=True)
    )
    return ids, [
        (
            now,
            user_id,
            name,
            "clue.raise",
            "ledger_item",
            str(pk),
            f"线索核查 {code}"[:200],
            hit.household_id,
            None,
            {"rule": hit.rule, "member": hit.member_id, "dataset": hit.dataset, "match": hit.match},
            None,
            hit.explanation[:500],
        )
        for pk, code, hit in zip(ids, codes, new, strict=True)
    ]
