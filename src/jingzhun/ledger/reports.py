"""The ledger as of a date D (spec/ledger.md §Outputs): state = the last step on or before D; overdue and
逾期天数 by the clock; the list and the summary tables, computed set-based in the database.

An item whose first step is after D did not exist yet on D and is left out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When

from jingzhun.ledger import clock, kinds
from jingzhun.ledger.models import Item, Step

LIST_HEADER = [
    "编号",
    "类型",
    "来源",
    "涉及地区代码",
    "责任单位",
    "责任人",
    "交办日期",
    "时限",
    "状态",
    "是否逾期",
    "逾期天数",
]
SUMMARY_HEADER = ["类型", "来源", "总数", "已办结", "办理中", "逾期"]
# the annotated as-of columns (s_*) come from as_of_items
LIST_FIELDS = (
    "code",
    "kind",
    "source",
    "region_id",
    "unit__name",
    "responsible_name",
    "assigned_on",
    "s_status",
    "s_due",
    "s_closed",
    "s_paused",
)
CLOSED = kinds.CLOSED_STATES  # the same list: kinds registered later count too


def as_of_items(query: QuerySet[Item], as_of: date, *, history: bool = False) -> QuerySet[Item]:
    """Annotate s_status, s_due, s_closed, s_paused: the item's state after its last step on or before D.
    When D is on or after every recorded step, that is the item's current row (no subqueries)."""
    latest = Step.objects.order_by("-on").values_list("on", flat=True).first()
    if not history and (latest is None or as_of >= latest):
        return query.filter(assigned_on__lte=as_of).annotate(
            s_status=F("status"), s_due=F("due_on"), s_closed=F("closed_on"), s_paused=F("paused_since")
        )
    last = Step.objects.filter(item=OuterRef("pk"), on__lte=as_of).order_by("-on", "-id")
    # "existed on D" as an EXISTS probe of the (item, on) index rather than a filter on the s_status
    # subquery, so a count or a page need not compute the four subqueries for rows it only counts.
    return query.filter(Exists(Step.objects.filter(item=OuterRef("pk"), on__lte=as_of))).annotate(
        s_status=Subquery(last.values("status")[:1]),
        s_due=Subquery(last.values("due_on")[:1]),
        s_closed=Subquery(last.values("closed_on")[:1]),
        s_paused=Subquery(last.values("paused_since")[:1]),
    )


def overdue_q(as_of: date) -> Q:
    closed = Q(s_status__in=CLOSED)
    late_close = closed & Q(s_closed__gt=F("s_due"))
    running = ~closed & Q(s_paused__isnull=True) & Q(s_due__lt=as_of)
    paused_late = ~closed & Q(s_paused__isnull=False) & Q(s_due__lt=F("s_paused"))
    return late_close | running | paused_late


@dataclass(frozen=True)
class Filter:
    kind: str = ""
    status: str = ""
    overdue: bool = False
    region: str = ""
    source: str = ""
    unit: str = ""  # unit name


def filtered(query: QuerySet[Item], flt: Filter, as_of: date, *, history: bool = False) -> QuerySet[Item]:
    from jingzhun.regions.models import code_range

    query = as_of_items(query, as_of, history=history)
    if flt.kind:
        query = query.filter(kind=flt.kind)
    if flt.status:
        query = query.filter(Q(s_status=flt.status))
    if flt.source:
        query = query.filter(source=flt.source)
    if flt.unit:
        query = query.filter(unit__name=flt.unit)
    if flt.region:
        # a 12-digit code's subtree: its code without the trailing zeros of its level
        low, high = code_range(_prefix_of(flt.region) if len(flt.region) == 12 else flt.region)
        query = query.filter(region_id__gte=low, region_id__lt=high)
    if flt.overdue:
        query = query.filter(overdue_q(as_of))
    return query


def _prefix_of(code: str) -> str:
    for length in (9, 6, 4, 2):
        if code[length:] == "0" * (12 - length):
            return code[:length]
    return code


def list_rows(query: QuerySet[Item], flt: Filter, as_of: date, *, history: bool = False) -> list[list[str]]:
    """Rows of `jingzhun ledger list`, sorted by 编号 (then the kind's order)."""
    order = {code: i for i, code in enumerate(kinds.ORDER)}
    values = filtered(query, flt, as_of, history=history).values_list(*LIST_FIELDS)
    rows = []
    for code, kind, source, region, unit, person, assigned, status, due, closed, paused in values:
        if status not in CLOSED:
            closed = None
        days = clock.overdue_days(due, as_of, closed, paused)
        rows.append(
            (
                code,
                order.get(kind, 99),
                [
                    code,
                    kinds.LABELS.get(kind, kind),
                    source,
                    region,
                    unit or "",
                    person,
                    assigned.isoformat(),
                    due.isoformat(),
                    status,
                    "是" if days > 0 else "否",
                    str(days),
                ],
            )
        )
    rows.sort(key=lambda r: (r[0], r[1]))
    return [r[2] for r in rows]


Counts = dict[str, dict[str, tuple[int, int, int, int]]]  # kind → source → (总数, 已办结, 逾期, 按时办结)


def summary_counts(query: QuerySet[Item], as_of: date) -> Counts:
    """Per kind and source: total, closed, overdue and closed on time as of D — set-based aggregates.

    An item with no step after D is on D what its row says now (the row is the state after its last
    step), and it existed on D when it was assigned by then — the rule for today, when no item has a step
    after D. Those items are counted from their current columns in one grouped aggregate. Only the items
    changed after D (found through the step date index) need their last step on or before D: one probe
    of the (item, on, id) index each, which classifies that step at once (`_then_class`: closed late,
    closed on time, closed, open overdue, open) — a correlated subquery in the select list, grouped by
    its position, so the probe runs once per item and no step row is joined back. So the work for a past
    date grows with what changed since, not with the ledger. (Fetching the last steps by id instead,
    `step.id IN (…)`, made PostgreSQL hash the whole step table: p95 439 ms at 100,000 items.)"""
    latest = Step.objects.order_by("-on").values_list("on", flat=True).first()
    closed = Q(s_status__in=CLOSED)
    by_kind: Counts = {}

    def add(kind: str, source: str, n: tuple[int, int, int, int]) -> None:
        sources = by_kind.setdefault(kind, {})
        old = sources.get(source, (0, 0, 0, 0))
        sources[source] = (old[0] + n[0], old[1] + n[1], old[2] + n[2], old[3] + n[3])

    if latest is None or as_of >= latest:
        current = as_of_items(query, as_of)
        changed = None
    else:
        changed = Step.objects.filter(on__gt=as_of).values("item_id")
        current = (
            query.filter(assigned_on__lte=as_of)
            .exclude(pk__in=changed)
            .annotate(
                s_status=F("status"), s_due=F("due_on"), s_closed=F("closed_on"), s_paused=F("paused_since")
            )
        )
    counts = (
        current.values("kind", "source")
        .annotate(
            total=Count("id"),
            closed=Count("id", filter=closed),
            overdue=Count("id", filter=overdue_q(as_of)),
            on_time=Count("id", filter=closed & ~overdue_q(as_of)),
        )
        .order_by()
    )
    for row in counts:
        add(row["kind"], row["source"], (row["total"], row["closed"], row["overdue"], row["on_time"]))
    if changed is None:
        return by_kind
    last = (
        Step.objects.filter(item=OuterRef("pk"), on__lte=as_of)
        .annotate(
            s_status=F("status"), s_due=F("due_on"), s_closed=F("closed_on"), s_paused=F("paused_since")
        )
        .annotate(then=_then_class(as_of))
        .order_by("-on", "-id")
        .values("then")[:1]
    )
    rows = (
        query.filter(pk__in=changed)
        .annotate(then=Subquery(last))
        .values_list("kind", "source", "then")
        .annotate(n=Count("id"))
        .order_by()
    )
    for kind, source, then, n in rows:
        if then is not None:  # None: no step by D, the item did not exist yet
            add(kind, source, tuple(n * flag for flag in _CLASS_COUNTS[then]))  # type: ignore[arg-type]
    return by_kind


# a step's class as of D → what it adds to (总数, 已办结, 逾期, 按时办结); the classes are tried in this order
# with the summary's own predicates, so an undecidable comparison (a NULL date) counts as the FILTERs do
_CLASS_COUNTS = {
    "closed_late": (1, 1, 1, 0),
    "closed_on_time": (1, 1, 0, 1),
    "closed": (1, 1, 0, 0),
    "open_late": (1, 0, 1, 0),
    "open": (1, 0, 0, 0),
}


def _then_class(as_of: date) -> Case:
    closed = Q(s_status__in=CLOSED)
    late = overdue_q(as_of)
    return Case(
        When(closed & late, then=Value("closed_late")),
        When(closed & ~late, then=Value("closed_on_time")),
        When(closed, then=Value("closed")),
        When(late, then=Value("open_late")),
        default=Value("open"),
        output_field=CharField(),
    )


def summary_rows(query: QuerySet[Item], as_of: date, counts: Counts | None = None) -> list[list[Any]]:
    """Rows of `jingzhun ledger summary`: per kind (table order), one row per source present in the
    source list's order (then any other source text, sorted), then the kind's 合计."""
    by_kind = counts if counts is not None else summary_counts(query, as_of)
    out: list[list[Any]] = []
    for code in kinds.ORDER:
        spec = kinds.KINDS[code]
        present = by_kind.get(code, {})
        rank = {s: i for i, s in enumerate(spec.sources)}
        total = [0, 0, 0]
        for source in sorted(present, key=lambda s: (rank.get(s, len(rank)), s)):
            n, c, o, _ = present[source]
            total = [total[0] + n, total[1] + c, total[2] + o]
            if spec.sources:
                out.append([spec.label, source, n, c, n - c, o])
        out.append([spec.label, "合计", total[0], total[1], total[0] - total[1], total[2]])
    return out


def sentence(query: QuerySet[Item], as_of: date, kind: str = "petition", counts: Counts | None = None) -> str:
    """The seed's sentence, computed: "…已按时办结回复N件，M件正在办理中" (from the summary's counts when
    given, so the page aggregates once)."""
    present = (counts if counts is not None else summary_counts(query.filter(kind=kind), as_of)).get(kind, {})
    total = sum(v[0] for v in present.values())
    if not total:
        return ""
    closed = sum(v[1] for v in present.values())
    on_time = sum(v[3] for v in present.values())
    parts = []
    handed = sum(present[s][0] for s in ("中央交办", "省交办", "市交办") if s in present)
    if handed:
        parts.append(f"中央、省、市交办的{handed}件信访件")
    if "县本级" in present:
        parts.append(f"县本级{present['县本级'][0]}件信访件")
    head = "、".join(parts) or f"{total}件{kinds.LABELS[kind]}"
    late = closed - on_time
    text = f"{head}中，已按时办结回复{on_time}件"
    if late:
        text += f"，逾期办结{late}件"
    return text + f"，{total - closed}件正在办理中"


def _overdue_open(query: QuerySet[Item], today: date) -> QuerySet[Item]:
    """Open, running, overdue as of today (a paused item is overdue only if it was late when paused)."""
    return (
        query.exclude(status__in=CLOSED)
        .filter(due_on__lt=today)
        .exclude(paused_since__isnull=False, due_on__gte=F("paused_since"))
    )


def overdue_by_region(query: QuerySet[Item], today: date) -> list[tuple[str, str, int]]:
    """逾期看板 by place: (kind, village or other region code, count) — grouped in the order of the board's
    (kind, region, …) index, no table row read; the page folds the villages into townships. Kinds outside
    the ledger's five (线索核查 …) are dropped here rather than in the WHERE, where an IN on kind would
    steer the planner to the (kind, status) index and a table read per item."""
    rows = _overdue_open(query, today).values_list("kind", "region_id").annotate(n=Count("id")).order_by()
    return [(kind, region, n) for kind, region, n in rows if kind in kinds.ORDER]


def overdue_by_unit(
    query: QuerySet[Item], today: date, severe_days: int = 30
) -> dict[int | None, tuple[int, int]]:
    """逾期看板 by unit: unit id → (overdue, overdue by more than `severe_days`), grouped in the order of the
    (unit, kind, …) index."""
    from datetime import timedelta

    severe_before = today - timedelta(days=severe_days)
    rows = (
        _overdue_open(query, today)
        .values_list("unit_id", "kind")
        .annotate(n=Count("id"), severe=Count("id", filter=Q(due_on__lt=severe_before)))
        .order_by()
    )
    out: dict[int | None, tuple[int, int]] = {}
    for unit, kind, n, severe in rows:
        if kind in kinds.ORDER:
            total, late = out.get(unit, (0, 0))
            out[unit] = (total + n, late + severe)
    return out
