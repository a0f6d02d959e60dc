"""The ledger as of a date D (spec/ledger.md §Outputs): state = the last step on or before D; overdue and
逾期天数 by the clock; the list and the summary tables, computed set-based in the database.

An item whose first step is after D did not exist yet on D and is left out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery

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


def summary_rows(query: QuerySet[Item], as_of: date) -> list[list[Any]]:
    """Rows of `jingzhun ledger summary`: per kind (table order), one row per source present in the
    source list's order (then any other source text, sorted), then the kind's 合计."""
    counts = (
        as_of_items(query, as_of)
        .values("kind", "source")
        .annotate(
            total=Count("id"),
            closed=Count("id", filter=Q(s_status__in=CLOSED)),
            overdue=Count("id", filter=overdue_q(as_of)),
        )
    )
    by_kind: dict[str, dict[str, tuple[int, int, int]]] = {}
    for row in counts:
        by_kind.setdefault(row["kind"], {})[row["source"]] = (row["total"], row["closed"], row["overdue"])
    out: list[list[Any]] = []
    for code in kinds.ORDER:
        spec = kinds.KINDS[code]
        present = by_kind.get(code, {})
        rank = {s: i for i, s in enumerate(spec.sources)}
        total = [0, 0, 0]
        for source in sorted(present, key=lambda s: (rank.get(s, len(rank)), s)):
            n, c, o = present[source]
            total = [total[0] + n, total[1] + c, total[2] + o]
            if spec.sources:
                out.append([spec.label, source, n, c, n - c, o])
        out.append([spec.label, "合计", total[0], total[1], total[0] - total[1], total[2]])
    return out


def sentence(query: QuerySet[Item], as_of: date, kind: str = "petition") -> str:
    """The seed's sentence, computed: "…已按时办结回复N件，M件正在办理中"."""
    rows = {r[1]: r for r in summary_rows(query.filter(kind=kind), as_of) if r[0] == kinds.LABELS[kind]}
    total = rows.get("合计")
    if not total or not total[2]:
        return ""
    on_time = (
        as_of_items(query.filter(kind=kind), as_of).filter(Q(s_status__in=CLOSED) & ~overdue_q(as_of)).count()
    )
    parts = []
    handed = sum(rows[s][2] for s in ("中央交办", "省交办", "市交办") if s in rows)
    if handed:
        parts.append(f"中央、省、市交办的{handed}件信访件")
    if "县本级" in rows:
        parts.append(f"县本级{rows['县本级'][2]}件信访件")
    head = "、".join(parts) or f"{total[2]}件{kinds.LABELS[kind]}"
    late = total[3] - on_time
    text = f"{head}中，已按时办结回复{on_time}件"
    if late:
        text += f"，逾期办结{late}件"
    return text + f"，{total[4]}件正在办理中"
