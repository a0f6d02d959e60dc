"""`jingzhun ledger import PATH`: units, problems and petitions from a file, all or nothing.

Every row is checked first (with the row number Excel shows and a Chinese message); any error → nothing
is written and the error report lists them. A 编号 already in the ledger is updated: the changed fields
are a step of the item (导入更新) and an audit row, so the history is kept. The file is the county's
record, so an imported 状态 is taken as given (the transition table governs moves made in the system);
a closed state needs its closing date and counts from it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction

from jingzhun.accounts.access import Actor
from jingzhun.assistance.models import Affiliation, HelpUnit
from jingzhun.core import audit
from jingzhun.ledger import clock, kinds
from jingzhun.ledger.models import Item, Step, UnitCategory, UnitProfile
from jingzhun.ledger.sheets import PETITION_SHEET, PROBLEM_SHEET, UNIT_SHEET, open_sheets, parse_sheet
from jingzhun.regions.models import Region, code_prefix
from jingzhun.registry.models import Household
from jingzhun.workbook.file_reader import WorkbookError
from jingzhun.workbook.issues import ImportResult

KIND_OF_SHEET = {PROBLEM_SHEET: "problem", PETITION_SHEET: "petition"}
CLOSING_HEADER = {PROBLEM_SHEET: "销号日期", PETITION_SHEET: "办结日期"}
DEADLINE_HEADER = {PROBLEM_SHEET: "整改时限", PETITION_SHEET: "办理时限"}
UNIT_HEADER = {PROBLEM_SHEET: "责任单位", PETITION_SHEET: "办理单位"}
UPDATABLE = (
    "source",
    "description",
    "region_id",
    "household_id",
    "unit_id",
    "responsible_name",
    "assigned_on",
    "deadline",
    "due_on",
    "measures",
    "status",
    "closed_on",
    "petitioner_name",
    "petitioner_phone",
    "reply",
)
LABELS = {
    "source": "来源",
    "description": "内容",
    "region_id": "涉及地区",
    "household_id": "涉及户",
    "unit_id": "责任单位",
    "responsible_name": "责任人",
    "assigned_on": "交办日期",
    "deadline": "时限",
    "due_on": "时限",
    "measures": "整改措施",
    "status": "状态",
    "closed_on": "办结日期",
    "petitioner_name": "信访人",
    "petitioner_phone": "联系电话",
    "reply": "答复意见",
}


@dataclass
class LedgerImportResult(ImportResult):
    units_new: int = 0
    items_new: int = 0
    items_updated: int = 0
    items_unchanged: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "units_new": self.units_new,
            "items_new": self.items_new,
            "items_updated": self.items_updated,
            "items_unchanged": self.items_unchanged,
        }


def import_ledger(path: str, *, actor: Actor, today: date | None = None) -> LedgerImportResult:
    started = time.monotonic()
    result = LedgerImportResult(source=path)
    today = today or date.today()
    try:
        sheets = open_sheets(path)
    except WorkbookError as exc:
        result.error("", None, "", "", str(exc))
        return result
    units = {u.name: u for u in HelpUnit.objects.all()}
    new_units = _check_units(sheets, units, result)
    unit_names = set(units) | {u["name"] for u in new_units}
    rows: list[tuple[str, int, dict[str, Any]]] = []
    for sheet_name in (PROBLEM_SHEET, PETITION_SHEET):
        if sheet_name in sheets:
            for number, values in parse_sheet(sheets[sheet_name], sheet_name, result):
                rows.append((sheet_name, number, values))
    _check_items(rows, unit_names, actor, result, today)
    if result.total_errors:
        result.seconds = time.monotonic() - started
        return result
    with transaction.atomic():
        _write(new_units, units, rows, actor, result, today)
    result.written = True
    result.seconds = time.monotonic() - started
    return result


def _check_units(sheets: dict, units: dict[str, HelpUnit], result: ImportResult) -> list[dict[str, Any]]:
    if UNIT_SHEET not in sheets:
        return []
    out, seen = [], set()
    categories = {c.value for c in UnitCategory}
    affiliations = {a.value for a in Affiliation}
    for number, values in parse_sheet(sheets[UNIT_SHEET], UNIT_SHEET, result):
        name = values.get("name") or ""
        category = values.get("category") or UnitCategory.OTHER
        affiliation = values.get("affiliation") or Affiliation.COUNTY
        if category not in categories:
            result.error(UNIT_SHEET, number, "类别", category, f"类别应为：{'、'.join(sorted(categories))}")
            continue
        if affiliation not in affiliations:
            result.error(UNIT_SHEET, number, "隶属", affiliation, "隶属应为：省直、市直、县直、乡镇、村级")
            continue
        if not name or name in units or name in seen:
            continue  # present already: the sheet only creates missing units
        seen.add(name)
        out.append({"name": name, "category": category, "affiliation": affiliation})
    return out


def _check_items(rows, unit_names, actor: Actor, result: ImportResult, today: date) -> None:
    region_codes = {v.get("region") for _, _, v in rows if v.get("region")}
    regions = set(Region.objects.filter(code__in=region_codes).values_list("code", flat=True))
    levels = dict(Region.objects.filter(code__in=region_codes).values_list("code", "level"))
    household_codes = {v.get("household") for _, _, v in rows if v.get("household")}
    households = dict(Household.objects.filter(code__in=household_codes).values_list("code", "village_id"))
    seen: dict[tuple[str, str], int] = {}
    for sheet, number, v in rows:
        kind = kinds.get(KIND_OF_SHEET[sheet])
        code = v.get("code")
        if code:
            key = (sheet, code)
            if key in seen:
                result.error(sheet, number, f"{sheet}编号", code, f"编号与第{seen[key]}行重复")
            seen.setdefault(key, number)
        source = v.get("source")
        if source and source not in kind.sources:
            header = "问题来源" if sheet == PROBLEM_SHEET else "来源层级"
            result.error(sheet, number, header, source, f"{header}应为：{'、'.join(kind.sources)}")
        region = v.get("region")
        if region:
            if region not in regions:
                result.error(sheet, number, "涉及地区代码", region, "行政区划代码不存在")
            elif not actor.covers_code(region):
                result.error(sheet, number, "涉及地区代码", region, "不在您的管辖范围内")
        household = v.get("household")
        if household:
            village = households.get(household)
            if village is None:
                result.error(sheet, number, "涉及户编号", household, "户编号不存在")
            elif region in regions and not village.startswith(code_prefix(region, levels[region])):
                result.error(sheet, number, "涉及户编号", household, f"该户不在涉及地区 {region} 内")
        unit = v.get("unit")
        if unit and unit not in unit_names:
            result.error(sheet, number, UNIT_HEADER[sheet], unit, "单位不存在（请先在“单位”表中登记）")
        assigned = v.get("assigned_on")
        if assigned and assigned > today:
            result.error(
                sheet,
                number,
                "交办日期" if sheet == PROBLEM_SHEET else "登记日期",
                assigned,
                "日期不能晚于今天",
            )
        if sheet == PETITION_SHEET and assigned and not v.get("deadline"):
            v["deadline"] = clock.petition_import_due(assigned)
        deadline = v.get("deadline")
        if assigned and deadline and deadline < assigned:
            result.error(
                sheet,
                number,
                DEADLINE_HEADER[sheet],
                deadline,
                clock.check_deadline(assigned, deadline) or "",
            )
        status = v.get("status") or ("已交办" if sheet == PROBLEM_SHEET else "登记")
        v["status"] = status
        if status not in kind.states:
            result.error(sheet, number, "状态", status, f"状态应为：{'、'.join(kind.states)}")
            continue
        closed = v.get("closed_on")
        if kind.is_closed(status) and status != "不予受理" and not closed:
            result.error(
                sheet, number, CLOSING_HEADER[sheet], "", f"状态为{status}时{CLOSING_HEADER[sheet]}必填"
            )
        if closed and not kind.is_closed(status):
            result.error(
                sheet,
                number,
                CLOSING_HEADER[sheet],
                closed,
                f"状态为{status}时不应填写{CLOSING_HEADER[sheet]}",
            )
        if closed and assigned and closed < assigned:
            result.error(sheet, number, CLOSING_HEADER[sheet], closed, "不能早于交办/登记日期")
        if closed and closed > today:
            result.error(sheet, number, CLOSING_HEADER[sheet], closed, "日期不能晚于今天")
        if status == "不予受理" and not closed:
            v["closed_on"] = assigned


def _write(new_units, units, rows, actor: Actor, result: LedgerImportResult, today: date) -> None:
    for u in new_units:
        unit = HelpUnit.objects.create(name=u["name"], affiliation=u["affiliation"])
        UnitProfile.objects.create(unit=unit, category=u["category"])
        units[unit.name] = unit
        audit.record(
            actor=actor.user,
            action="ledger.unit_create",
            object_type="help_unit",
            object_id=unit.pk,
            object_label=unit.name,
            after=u,
        )
        result.units_new += 1
    households = dict(
        Household.objects.filter(
            code__in={v["household"] for _, _, v in rows if v.get("household")}
        ).values_list("code", "id")
    )
    existing = {(i.kind, i.code): i for i in Item.objects.filter(code__in={v["code"] for _, _, v in rows})}
    name = "系统" if actor.user is None else (getattr(actor.user, "display_name", "") or actor.user.username)
    new_items, entries, steps = [], [], []
    for sheet, _number, v in rows:
        kind = KIND_OF_SHEET[sheet]
        spec = kinds.get(kind)
        fields = {
            "source": v["source"],
            "description": v["description"],
            "region_id": v["region"],
            "household_id": households.get(v.get("household") or ""),
            "unit_id": units[v["unit"]].pk,
            "responsible_name": v.get("responsible_name") or "",
            "assigned_on": v["assigned_on"],
            "deadline": v["deadline"],
            "measures": v.get("measures") or "",
            "status": v["status"],
            "closed_on": v.get("closed_on") if spec.is_closed(v["status"]) else None,
            "petitioner_name": v.get("petitioner_name") or "",
            "petitioner_phone": v.get("petitioner_phone") or "",
            "reply": v.get("reply") or "",
        }
        item = existing.get((kind, v["code"]))
        if item is None:
            fields["due_on"] = fields["deadline"]
            new_items.append(Item(kind=kind, code=v["code"], created_by=actor.user, **fields))
            continue
        if item.extension_days or item.due_on != item.deadline:
            fields["due_on"] = item.due_on + (fields["deadline"] - item.deadline)  # keep approved extensions
        else:
            fields["due_on"] = fields["deadline"]
        before = audit.snapshot(item, UPDATABLE)
        changed = [f for f in UPDATABLE if getattr(item, f) != fields[f]]
        if not changed:
            result.items_unchanged += 1
            continue
        for f in changed:
            setattr(item, f, fields[f])
        item.save()
        on = item.closed_on if "status" in changed and item.closed_on else today
        steps.append(
            Step(
                item=item,
                action="import",
                label="导入更新",
                from_status=before["status"],
                status=item.status,
                on=max(on, item.assigned_on),
                actor=actor.user,
                actor_name=name,
                note="导入更新：" + "、".join(dict.fromkeys(LABELS[f] for f in changed)),
                due_on=item.due_on,
                closed_on=item.closed_on,
            )
        )
        entries.append(
            audit.entry(
                actor=actor.user,
                action="ledger.import_update",
                object_type="ledger_item",
                object_id=item.pk,
                object_label=f"{spec.label} {item.code}",
                household_id=item.household_id,
                before=before,
                after=audit.snapshot(item, UPDATABLE),
            )
        )
        result.items_updated += 1
    Item.objects.bulk_create(new_items, batch_size=2000)
    if new_items and new_items[0].pk is None:  # backends without RETURNING ids
        by_key = {(i.kind, i.code): i.pk for i in Item.objects.filter(code__in=[n.code for n in new_items])}
        for n in new_items:
            n.pk = by_key[(n.kind, n.code)]
    for item in new_items:
        spec = kinds.get(item.kind)
        first = "登记" if item.kind == "petition" else "交办"
        initial = item.status if item.status == "待交办" else spec.initial
        steps.append(
            Step(
                item_id=item.pk,
                action="create",
                label=first,
                from_status="",
                status=initial,
                on=item.assigned_on,
                actor=actor.user,
                actor_name=name,
                note="导入",
                due_on=item.deadline,
            )
        )
        if item.status != initial:
            on = item.closed_on or item.assigned_on
            steps.append(
                Step(
                    item_id=item.pk,
                    action="import",
                    label="导入状态",
                    from_status=initial,
                    status=item.status,
                    on=on,
                    actor=actor.user,
                    actor_name=name,
                    note=f"导入：状态{item.status}",
                    evidence="导入文件记载" if item.closed_on else "",
                    due_on=item.due_on,
                    closed_on=item.closed_on,
                )
            )
        entries.append(
            audit.entry(
                actor=actor.user,
                action="ledger.import_create",
                object_type="ledger_item",
                object_id=item.pk,
                object_label=f"{spec.label} {item.code}",
                household_id=item.household_id,
                after=audit.snapshot(item, ("kind", "code", *UPDATABLE)),
            )
        )
    Step.objects.bulk_create(steps, batch_size=2000)
    audit.record_many(entries)
    result.items_new = len(new_items)
