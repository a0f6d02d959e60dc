"""Register and edit households (户) and their incomes (收入)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from jingzhun.accounts.access import Actor
from jingzhun.core import audit
from jingzhun.core.errors import ValidationFailed
from jingzhun.lib.pinyin import initials
from jingzhun.regions.models import Region
from jingzhun.registry import enums, fields, validation
from jingzhun.registry.models import Household, HouseholdEvent, IncomeRecord, Member
from jingzhun.registry.services.common import (
    HOUSEHOLD_AUDIT_FIELDS,
    HOUSEHOLD_EDITABLE,
    INCOME_AUDIT_FIELDS,
    active_member_conflicts,
    after_change,
    audit_household,
    audit_income,
    audit_member,
    bump_version,
    check_version,
    conflict_message,
    household_snapshot,
    member_snapshot,
)


def _require_village(actor: Actor, code: str) -> Region:
    region = Region.objects.filter(code=code, level="village").first()
    if region is None:
        raise ValidationFailed({"village_code": f"行政区划代码 {code} 不是已登记的村级区划"})
    if not actor.covers_code(code):
        raise ValidationFailed({"village_code": f"{region.name}（{code}）不在您的管辖范围内"})
    return region


def _check_members(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Clean each member row; errors are keyed `members.<i>.<field>`."""
    cleaned: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    for index, raw in enumerate(members):
        values, row_errors = fields.clean_row(fields.MEMBER_FIELDS[1:], raw)
        if "id_number" not in row_errors:
            row_errors.update(validation.member_errors(values))
        for name, message in row_errors.items():
            errors[f"members.{index}.{name}"] = message
        cleaned.append(values)
    seen: dict[str, int] = {}
    for index, values in enumerate(cleaned):
        rid = values.get("resident_id")
        if rid and rid in seen:
            errors[f"members.{index}.id_number"] = f"证件号码与第{seen[rid] + 1}名成员重复"
        elif rid:
            seen[rid] = index
    if errors:
        raise ValidationFailed(errors)
    return cleaned


@transaction.atomic
def household_register(
    *,
    actor: Actor,
    household: Mapping[str, Any],
    members: list[dict[str, Any]],
    occurred_on: date | None = None,
    reason: str = "",
    identified_now: bool = False,
) -> Household:
    """新识别: register a household with its members and the year's income, in one transaction.

    `identified_now` (the 登记新户 page and the API): the household is being identified today, so it
    cannot already be 已脱贫 — an exit goes through 标注脱贫 and its exit check. Already-exited households
    of the county's history come in through the registry workbook (decisions.md §12)."""
    raw = dict(household)
    raw.setdefault("head_name", next((m.get("name") for m in members if m.get("relation") == "户主"), ""))
    raw.setdefault(
        "head_id_number", next((m.get("id_number") for m in members if m.get("relation") == "户主"), "")
    )
    values, errors = fields.clean_row(fields.HOUSEHOLD_FIELDS, raw)
    errors.update(validation.household_errors(values))
    if identified_now and values.get("exit_status") == enums.ExitStatus.EXITED:
        errors["exit_status"] = (
            "新识别的户不能直接登记为已脱贫：请登记为未脱贫，记录“一评议一公示一公告”后办理标注脱贫"
            "（历史数据请用登记簿导入）"
        )
    if not any(fields.text(m.get("relation")) == enums.Relation.HEAD for m in members):
        # The empty head name/ID follow from the missing 户主; say that, not "户主姓名不能为空".
        for name in ("head_name", "head_id_number"):
            if not fields.text(raw.get(name)):
                errors.pop(name, None)
        errors.update(validation.head_errors([]))
    if errors:
        raise ValidationFailed(errors)
    # National code 4 = 已脱贫(不再享受政策): stored as 已脱贫 with the flag (domain.md §2).
    values["no_longer_enjoying"] = fields.text(raw.get("exit_status")) in enums.EXIT_STATUS_NO_LONGER_ENJOYING
    village = _require_village(actor, values["village_code"])
    if Household.objects.filter(code=values["code"]).exists():
        raise ValidationFailed({"code": f"户编号 {values['code']} 已存在"})
    member_values = _check_members(members)
    head_problems = validation.head_errors(member_values, values["head_name"], values["head_id_number"])
    if head_problems:
        raise ValidationFailed(head_problems)
    conflicts = active_member_conflicts([m["resident_id"] for m in member_values])
    if conflicts:
        raise ValidationFailed(
            {
                f"members.{i}.id_number": conflict_message(actor, conflicts[m["resident_id"]])
                for i, m in enumerate(member_values)
                if m["resident_id"] in conflicts
            }
        )
    income = {k: values.pop(k) for k in ("income_year", *fields.INCOME_FIELD_NAMES)}
    values.pop("village_code")
    head = next(m for m in member_values if m["relation"] == enums.Relation.HEAD)
    values["head_id_number"] = head["id_number"]
    values["relocation"] = values.get("relocation") or enums.Relocation.NO  # empty = not relocated
    try:
        with transaction.atomic():  # a concurrent registration of the same 户编号 loses here, not with a 500
            created = Household.objects.create(
                **values,
                village=village,
                head_initials=initials(values["head_name"]),
                member_count=len(member_values),
            )
    except IntegrityError as exc:
        raise ValidationFailed({"code": f"户编号 {values['code']} 已存在"}) from exc
    try:
        with transaction.atomic():
            saved = [Member.objects.create(household=created, **m) for m in member_values]
    except IntegrityError as exc:
        raise ValidationFailed({"members": "成员证件号码与其他户的在册成员重复"}) from exc
    record = IncomeRecord.objects.create(
        household=created,
        year=income["income_year"],
        **{k: income[k] for k in fields.INCOME_FIELD_NAMES},
    )
    HouseholdEvent.objects.create(
        household=created,
        kind=enums.EventKind.IDENTIFIED,
        occurred_on=occurred_on or date.today(),
        reason=reason,
        actor=actor.user,
        actor_name=str(actor.user or "系统"),
    )
    audit_household(
        actor,
        "household.register",
        created,
        after=household_snapshot(created),
    )
    for member in saved:
        audit_member(
            actor,
            "member.add",
            member,
            household=created,
            after=member_snapshot(member),
        )
    audit_income(
        actor,
        "income.record",
        created,
        pk=record.pk,
        year=record.year,
        after=audit.snapshot(record, INCOME_AUDIT_FIELDS),
    )
    after_change(created.pk)
    return created


@transaction.atomic
def household_update(
    *, actor: Actor, household: Household, changes: Mapping[str, Any], version: Any = None
) -> Household:
    """Edit household fields (not its members or status events); records before/after. `version`: the
    version the edit was based on — another change since then refuses it (EditConflict)."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    check_version(household, version)
    unknown = set(changes) - set(HOUSEHOLD_EDITABLE) - {"village_code"}
    if unknown:
        raise ValidationFailed({name: "该字段不能在此修改" for name in unknown})
    raw = dict(changes)
    if "village_id" in raw:
        raw["village_code"] = raw.pop("village_id")
    values, errors = fields.clean_row(fields.HOUSEHOLD_FIELDS, raw, partial=True)
    if "bank_account" in raw:
        account = fields.text(raw["bank_account"]).replace(" ", "")
        if account and not (account.isdigit() and 12 <= len(account) <= 30):
            errors["bank_account"] = "银行账号应为12–30位数字"
        values["bank_account"] = account
    merged = {f: getattr(household, f) for f in HOUSEHOLD_EDITABLE}
    merged.update(values)
    errors.update(
        {k: v for k, v in validation.household_errors(merged).items() if k in values or k == "exit_year"}
    )
    if {"head_name", "head_id_number"} & set(values):
        errors["head_name"] = "户主姓名和证件号码随户主成员变化，请修改户主成员"
    if errors:
        raise ValidationFailed(errors)
    if "village_code" in values:
        values["village"] = _require_village(actor, values.pop("village_code"))
    if "relocation" in values and not values["relocation"]:
        values["relocation"] = enums.Relocation.NO
    audit.audited_update(
        household,
        values,
        fields=HOUSEHOLD_AUDIT_FIELDS,
        actor=actor,
        action="household.update",
        label=str,
        household_id=household.pk,
        object_type="household",
        on_change=bump_version,
    )
    after_change(household.pk)
    return household


@transaction.atomic
def income_record(
    *, actor: Actor, household: Household, year: Any, amounts: Mapping[str, Any], version: Any = None
) -> IncomeRecord:
    """Record (or correct) the incomes of one year. `version` is the stored record's version the caller
    read (the API's no-lost-update check); a correction based on an older one is refused."""
    errors: dict[str, str] = {}
    try:
        parsed_year = fields.parse_year(year)
    except fields.FieldError as exc:
        errors["year"] = str(exc)
        parsed_year = None
    if parsed_year is None and "year" not in errors:
        errors["year"] = "收入年度不能为空"
    money: dict[str, Decimal] = {}
    for name in fields.INCOME_FIELD_NAMES:
        try:
            value = fields.parse_money(amounts.get(name))
        except fields.FieldError as exc:
            errors[name] = str(exc)
            continue
        money[name] = value if value is not None else Decimal("0.00")
    if errors or parsed_year is None:
        raise ValidationFailed(errors)
    record = IncomeRecord.objects.select_for_update().filter(household=household, year=parsed_year).first()
    if record is not None:
        check_version(record, version)
    else:
        record = IncomeRecord(household=household, year=parsed_year)
    audit.audited_update(
        record,
        money,
        fields=INCOME_AUDIT_FIELDS,
        actor=actor,
        action="income.record",
        label=f"{parsed_year}年收入",
        household_id=household.pk,
        object_type="income",
        on_change=None if record._state.adding else bump_version,  # a new year starts at its first version
    )
    after_change(household.pk)
    return record


@transaction.atomic
def income_delete(*, actor: Actor, household: Household, year: int, version: Any = None) -> None:
    """Remove the incomes of one year entered by mistake (the year is re-judged on the latest one left);
    a year frozen in a 数据年度 snapshot keeps its snapshot, which this does not touch."""
    record = IncomeRecord.objects.select_for_update().filter(household=household, year=year).first()
    if record is None:
        raise ValidationFailed({"year": f"该户没有 {year} 年的收入记录"})
    check_version(record, version)
    before = audit.snapshot(record, INCOME_AUDIT_FIELDS)
    pk = record.pk
    record.delete()
    audit_income(
        actor,
        "income.delete",
        household,
        pk=pk,
        year=year,
        before=before,
        after=None,
    )
    after_change(household.pk)
