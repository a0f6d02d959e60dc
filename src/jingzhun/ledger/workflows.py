"""The kind-specific parts of three ledgers, on the same engine (items, steps, audit):

- 指令 (directive): a command post issues a directive to posts below it; each recipient signs (签收),
  acts (落实中) and reports (已反馈); the directive is 已完成 when every recipient has reported.
- 任务指标 (task): a target decomposed to townships and departments; progress computed from the data
  where a source exists (预脱贫人数 from the assessment verdicts), else reported by hand.
- 违纪案件 (case): people disciplined, 移送司法, funds recovered (追缴) and returned (退还) — 纪委 only.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from jingzhun.accounts.access import Actor
from jingzhun.accounts.roles import Perm
from jingzhun.core import audit
from jingzhun.core.errors import ValidationFailed
from jingzhun.ledger import kinds
from jingzhun.ledger.models import CaseDetail, Indicator, Item, Post, Recipient, Step
from jingzhun.ledger.services import _fail, _in_scope, _name, _record, is_post_member, item_create
from jingzhun.regions.models import Region, code_prefix

# Computed progress sources (进度来源): code → label. Anything else is reported by hand.
SOURCES = {
    "ready_people": "预脱贫人数（评估达标且计划当年脱贫的人口）",
    "exit_villages": "贫困村出列数（达到当年全部 V-* 出列标准的贫困村）",
}


# --- 指令 -----------------------------------------------------------------------------------------
def _below(post: Post, other: Post) -> bool:
    parent = other.parent
    while parent is not None:
        if parent.pk == post.pk:
            return True
        parent = parent.parent
    return False


@transaction.atomic
def directive_issue(
    *,
    actor: Actor,
    post: Post,
    code: str,
    title: str,
    description: str,
    deadline: date,
    recipients: list[Post],
    on: date | None = None,
    attachments: list[Any] | None = None,
) -> Item:
    """下达指令 from `post` to posts below it; every recipient starts 待签收. The issuer is a member of
    `post` (county 指挥部 down to 乡镇指挥部 and 村作战室), or a county supervisor whose scope covers it."""
    if not recipients:
        raise _fail("请选择接收单位", "recipients")
    for r in recipients:
        if not _below(post, r):
            raise _fail(f"“{r.name}”不是“{post.name}”的下级，不能向其下达指令", "recipients")
    item = item_create(
        actor=actor,
        kind="directive",
        code=code,
        title=title,
        description=description,
        region=post.region,
        assigned_on=on or date.today(),
        deadline=deadline,
        post=post,
        attachments=attachments,
    )
    Recipient.objects.bulk_create([Recipient(item=item, post=r) for r in recipients])
    _record(actor, "ledger.directive_issue", item, after={"recipients": [r.name for r in recipients]})
    return item


def _member(actor: Actor, post: Post) -> bool:
    return is_post_member(actor, post)


@transaction.atomic
def recipient_move(*, actor: Actor, recipient: Recipient, action: str, note: str = "") -> Recipient:
    """签收 / 开始落实 / 反馈 by a member of the recipient post; the directive completes with the last report."""
    recipient = Recipient.objects.select_for_update().select_related("post", "item").get(pk=recipient.pk)
    if not _member(actor, recipient.post):
        raise _fail(f"只有“{recipient.post.name}”的成员可以办理")
    move = kinds.RECIPIENT_MOVES.get((recipient.status, action))
    if move is None:
        raise _fail(f"“{recipient.post.name}”当前为“{recipient.status}”，不能执行该操作")
    target, label = move
    note = (note or "").strip()
    if action == "report" and not note:
        raise _fail("请填写反馈内容", "note")
    before = recipient.status
    recipient.status = target
    now = timezone.now()
    if action == "sign":
        recipient.signed_at = now
    if action == "report":
        recipient.reported_at, recipient.report = now, note
    recipient.save()
    item = Item.objects.select_for_update().get(pk=recipient.item_id)
    today = date.today()
    previous = item.status
    if not item.recipients.exclude(status="已反馈").exists():
        item.status, item.closed_on = "已完成", today
        item.save(update_fields=["status", "closed_on", "updated_at"])
    Step.objects.create(
        item=item,
        action=f"recipient_{action}",
        label=f"{recipient.post.name}{label}",
        from_status=previous,
        status=item.status,
        on=today,
        actor=actor.user,
        actor_name=_name(actor),
        note=note,
        due_on=item.due_on,
        closed_on=item.closed_on,
    )
    _record(
        actor,
        f"ledger.recipient_{action}",
        item,
        before={"post": recipient.post.name, "status": before},
        after={"post": recipient.post.name, "status": target, "directive": item.status},
    )
    return recipient


# --- 任务指标 -------------------------------------------------------------------------------------
@transaction.atomic
def indicator_create(
    *,
    actor: Actor,
    code: str,
    metric: str,
    target: int,
    year: int,
    region: Region,
    deadline: date,
    unit: Any = None,
    responsible_name: str = "",
    source: str = "",
    assigned_on: date | None = None,
) -> Item:
    if target <= 0:
        raise _fail("目标值必须是正整数", "target")
    if source and source not in SOURCES:
        raise _fail(f"未知的进度来源：{source}", "source")
    item = item_create(
        actor=actor,
        kind="task",
        code=code,
        title=metric,
        description=f"{region.name}{year}年{metric}目标{target}",
        region=region,
        assigned_on=assigned_on or date(year, 1, 1),
        deadline=deadline,
        unit=unit,
        responsible_name=responsible_name,
    )
    Indicator.objects.create(item=item, metric=metric, target=target, source=source, year=year)
    return item


@transaction.atomic
def indicator_breakdown(
    *,
    actor: Actor,
    code: str,
    metric: str,
    year: int,
    deadline: date,
    rows: list[dict[str, Any]],
    source: str = "",
    assigned_on: date | None = None,
) -> list[Item]:
    """分解下达: one indicator broken down to townships and departments — one task item per row
    (`region`, `unit`, `target`, `responsible_name`), coded `{code}-{n}`; all or nothing, and the error
    names the row (第 n 行)."""
    code, metric = (code or "").strip(), (metric or "").strip()
    if not code:
        raise _fail("请填写指标编号", "code")
    if not metric:
        raise _fail("请填写指标名称", "metric")
    if not rows:
        raise _fail("请至少分解到一个乡镇或部门（填写目标值）", "rows")
    items = []
    for n, row in enumerate(rows, start=1):
        try:
            items.append(
                indicator_create(
                    actor=actor,
                    code=f"{code}-{n:02d}",
                    metric=metric,
                    target=row["target"],
                    year=year,
                    region=row["region"],
                    deadline=deadline,
                    unit=row.get("unit"),
                    responsible_name=row.get("responsible_name", ""),
                    source=source,
                    assigned_on=assigned_on,
                )
            )
        except ValidationFailed as exc:
            name = row.get("label") or row["region"].name
            raise _fail(f"第 {n} 行（{name}）：{'；'.join(exc.errors.values())}", "rows") from exc
    return items


@transaction.atomic
def indicator_report(*, actor: Actor, item: Item, value: int, note: str = "") -> Indicator:
    """填报进度 for an indicator without a computed source."""
    actor.require(Perm.LEDGER_HANDLE)
    _in_scope(actor, item.region_id)
    indicator = Indicator.objects.select_for_update().filter(item=item).first()
    if indicator is None:
        raise _fail("该事项不是任务指标")
    if indicator.source:
        raise _fail("该指标的进度由数据自动计算，不能手工填报")
    if value < 0:
        raise _fail("进度不能为负数", "value")
    before = indicator.reported
    indicator.reported = value
    indicator.save(update_fields=["reported"])
    Step.objects.create(
        item=item,
        action="report",
        label="填报进度",
        from_status=item.status,
        status=item.status,
        on=date.today(),
        actor=actor.user,
        actor_name=_name(actor),
        note=f"进度 {value}/{indicator.target}" + (f"：{note}" if note else ""),
        due_on=item.due_on,
        closed_on=item.closed_on,
    )
    _record(actor, "ledger.indicator_report", item, before={"reported": before}, after={"reported": value})
    return indicator


def computed_progress(indicators: list[Indicator]) -> dict[int, int]:
    """Progress from the data, per indicator id, set-based: one grouped query per (source, year)."""
    from jingzhun.standards.models import AssessmentRun, HouseholdVerdict

    out: dict[int, int] = {}
    by_year: dict[int, list[Indicator]] = {}
    for ind in indicators:
        if ind.source == "ready_people":
            by_year.setdefault(ind.year, []).append(ind)
    villages_by_year: dict[int, list[Indicator]] = {}
    for ind in indicators:
        if ind.source == "exit_villages":
            villages_by_year.setdefault(ind.year, []).append(ind)
    for year, group in villages_by_year.items():
        passing = _villages_passing(year)
        for ind in group:
            region = ind.item.region
            prefix = code_prefix(region.code, region.level)
            out[ind.pk] = sum(1 for code in passing if code.startswith(prefix))
    for year, group in by_year.items():
        run = AssessmentRun.objects.filter(year=year).order_by("-id").first()
        if run is None:
            continue
        rows = (
            HouseholdVerdict.objects.filter(
                year=year,
                standard_id=run.standard_id,
                passed=True,
                planned_exit_year=year,
                exit_status="未脱贫",
            )
            .values("village_code")
            .annotate(n=Sum("people"))
        )
        per_township: dict[str, int] = {}
        for row in rows:
            per_township[row["village_code"][:9]] = per_township.get(row["village_code"][:9], 0) + row["n"]
        for ind in group:
            region = ind.item.region
            prefix = code_prefix(region.code, region.level)
            out[ind.pk] = sum(n for t, n in per_township.items() if t.startswith(prefix))
    return out


def _villages_passing(year: int) -> list[str]:
    """The county's poor villages meeting every V-* rule of `year`'s published standard, live from the
    registry (the same assessment as the exit dashboard and the 出列 guard); none without a standard."""
    from jingzhun.regions.home import home_prefixes
    from jingzhun.standards.loading import load_spec, standard_for_year
    from jingzhun.standards.reports import village_results

    standard = standard_for_year(year)
    if standard is None:
        return []
    spec = load_spec(standard)
    results = [r for prefix in home_prefixes() for r in village_results(spec, year, prefix)]
    return [r.code for r in results if r.is_poor_village and r.passed]


# --- 违纪案件 -------------------------------------------------------------------------------------
def _money(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value or "0").replace(",", "").strip())
    except InvalidOperation as exc:
        raise _fail("金额格式不正确", field) from exc
    if amount < 0 or not amount.is_finite():
        raise _fail("金额不能为负数", field)
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def case_figures(
    *,
    actor: Actor,
    item: Item,
    party: int = 0,
    government: int = 0,
    judicial: int = 0,
    recovered: Any = 0,
    returned: Any = 0,
) -> CaseDetail:
    """处分人数、移送司法、追缴、退还 of a case (纪委 only); returned funds cannot exceed those recovered."""
    actor.require(Perm.LEDGER_CASES)
    _in_scope(actor, item.region_id)
    if item.kind != "case":
        raise _fail("只有违纪案件可以登记处分和资金")
    for n in (party, government, judicial):
        if n < 0:
            raise _fail("人数不能为负数")
    recovered_d, returned_d = _money(recovered, "recovered"), _money(returned, "returned")
    if returned_d > recovered_d:
        raise _fail("退还群众金额不能超过追缴金额", "returned")
    detail, _ = CaseDetail.objects.get_or_create(item=item)
    before = audit.snapshot(
        detail, ("party_discipline", "government_discipline", "judicial", "recovered", "returned")
    )
    detail.party_discipline, detail.government_discipline, detail.judicial = party, government, judicial
    detail.recovered, detail.returned = recovered_d, returned_d
    detail.save()
    _record(
        actor,
        "ledger.case_figures",
        item,
        before=before,
        after=audit.snapshot(
            detail, ("party_discipline", "government_discipline", "judicial", "recovered", "returned")
        ),
    )
    return detail
