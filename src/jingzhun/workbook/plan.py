"""Second pass of an import: compare the cleaned file with the registry in the database.

Finds what is new, changed or unchanged; adds the rules that need the database (a person already active
in another household, a 户编号 owned by a household outside the importer's scope, a closed household);
and warns about members of a re-imported household that the file no longer lists (they stay: removing
a person is a lifecycle event, never a side effect of a file). Reads only; run under the import lock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jingzhun.accounts.access import Actor
from jingzhun.lib.masking import mask_id_number
from jingzhun.registry import enums
from jingzhun.registry.fields import INCOME_FIELD_NAMES
from jingzhun.registry.fields import MEMBER_COLUMNS as REGISTRY_MEMBER_COLUMNS
from jingzhun.registry.models import Household, IncomeRecord, Member
from jingzhun.registry.services.common import REGISTERED_ELSEWHERE
from jingzhun.workbook.db_bulk import batched
from jingzhun.workbook.issues import ImportResult
from jingzhun.workbook.json_text import encode
from jingzhun.workbook.validate import HH, MB, Parsed

# Household model fields compared and written, with their index in the cleaned 户 tuple.
HOUSEHOLD_COLUMNS = (
    ("village_id", HH["village_code"]),
    ("group_name", HH["group_name"]),
    ("head_name", HH["head_name"]),
    ("head_id_number", HH["head_id_number"]),
    ("phone", HH["phone"]),
    ("identification_standard", HH["identification_standard"]),
    ("attribute", HH["attribute"]),
    ("main_cause", HH["main_cause"]),
    ("other_causes", HH["other_causes"]),
    ("identified_year", HH["identified_year"]),
    ("exit_status", HH["exit_status"]),
    ("no_longer_enjoying", HH["no_longer_enjoying"]),
    ("exit_year", HH["exit_year"]),
    ("planned_exit_year", HH["planned_exit_year"]),
    ("food_secure", HH["food_secure"]),
    ("clothing_secure", HH["clothing_secure"]),
    ("water_safe", HH["water_safe"]),
    ("housing_safety", HH["housing_safety"]),
    ("relocation", HH["relocation"]),
    ("household_type", HH["household_type"]),
    ("dilapidated", HH["dilapidated"]),
    ("housing_grade_unknown", HH["housing_grade_unknown"]),
    ("national", HH["national"]),
)
# the register's member columns (registry.fields.MEMBER_COLUMNS) with the 18-char ID after the ID number,
# then the national list's 人编号 and raw values
MEMBER_COLUMNS = tuple(
    (name, MB[name])
    for name in (
        *REGISTRY_MEMBER_COLUMNS[:2],
        "resident_id",
        *REGISTRY_MEMBER_COLUMNS[2:],
        "person_code",
        "national",
    )
)
_HH_NATIONAL = [c for c, _ in HOUSEHOLD_COLUMNS].index("national")
_MB_NATIONAL = [c for c, _ in MEMBER_COLUMNS].index("national")
INCOME_COLUMNS = tuple((name, HH[name]) for name in (*INCOME_FIELD_NAMES, "per_capita_net"))


@dataclass
class ExistingHousehold:
    id: int
    values: tuple[Any, ...]  # in HOUSEHOLD_COLUMNS order
    members: dict[str, tuple[int, tuple[Any, ...]]] = field(
        default_factory=dict
    )  # resident_id → (id, values)
    incomes: dict[int, tuple[int, tuple[Any, ...]]] = field(default_factory=dict)  # year → (id, amounts)


@dataclass
class Plan:
    existing: dict[str, ExistingHousehold] = field(default_factory=dict)  # 户编号 → its row in the database
    kept_active: dict[str, int] = field(default_factory=dict)  # 户编号 → active members the file omits


def build_plan(
    parsed: Parsed, *, actor: Actor, result: ImportResult, progress: Callable[..., Any] | None = None
) -> Plan:
    plan = Plan()
    if not Household.objects.exists():
        result.households_new = len(parsed.households)
        result.members_new = sum(len(m) for m in parsed.members.values())
        return plan
    _load_existing(parsed, plan, actor, result)
    _person_conflicts(parsed, result, progress, actor)
    _count(parsed, plan, result)
    return plan


def _load_existing(parsed: Parsed, plan: Plan, actor: Actor, result: ImportResult) -> None:
    names = ["id", "code", "registry_status", *(c for c, _ in HOUSEHOLD_COLUMNS)]
    for codes in batched(parsed.households.keys(), 500):
        for row in Household.objects.filter(code__in=codes).values_list(*names):
            hid, code, status, *values = row
            values[_HH_NATIONAL] = encode(values[_HH_NATIONAL])  # compared as the file's PreEncoded text
            number = parsed.households[code][0]
            if not actor.covers_code(values[0]):
                result.error(parsed.sheet, number, "户编号", code, "该户编号已被您管辖范围以外的户使用")
                continue
            if status != enums.RegistryStatus.ACTIVE:
                result.error(parsed.sheet, number, "户编号", code, f"该户已{status}，不能通过导入修改")
                continue
            plan.existing[code] = ExistingHousehold(id=hid, values=tuple(values))
            _keep_no_longer_enjoying(parsed, code, plan.existing[code])
    by_id = {e.id: e for e in plan.existing.values()}
    member_names = ["household_id", "id", *(c for c, _ in MEMBER_COLUMNS)]
    income_names = ["household_id", "id", "year", *(name for name, _ in INCOME_COLUMNS)]
    for ids in batched(list(by_id), 500):
        for hid, mid, *values in Member.objects.filter(household_id__in=ids, is_active=True).values_list(
            *member_names
        ):
            values[_MB_NATIONAL] = encode(values[_MB_NATIONAL])
            by_id[hid].members[values[2]] = (mid, tuple(values))
        for hid, iid, year, *amounts in IncomeRecord.objects.filter(household_id__in=ids).values_list(
            *income_names
        ):
            by_id[hid].incomes[year] = (iid, tuple(amounts))
    for code in parsed.from_national & plan.existing.keys():
        _keep_national_texts(parsed, code, plan.existing[code])


_MB_PERSON = [c for c, _ in MEMBER_COLUMNS].index("person_code")


def _keep_national_texts(parsed: Parsed, code: str, existing: ExistingHousehold) -> None:
    """A household of a national list re-imported from the registry workbook (数据来源 = 全国系统名单) keeps
    what the workbook does not carry: the list's raw texts (Household.national) and its members' 人编号 and
    raw member columns (workbook.unknown_columns)."""
    number, values = parsed.households[code]
    patched = list(values)
    patched[HH["national"]] = existing.values[_HH_NATIONAL]
    parsed.households[code] = (number, tuple(patched))
    rid_i, person_i, national_i = MB["resident_id"], MB["person_code"], MB["national"]
    members = parsed.members.get(code, [])
    for k, (row, member) in enumerate(members):
        current = existing.members.get(member[rid_i])
        if current is not None:
            kept = list(member)
            kept[person_i], kept[national_i] = current[1][_MB_PERSON], current[1][_MB_NATIONAL]
            members[k] = (row, tuple(kept))


def _keep_no_longer_enjoying(parsed: Parsed, code: str, existing: ExistingHousehold) -> None:
    """The workbook's 脱贫状态 has no value for national code 4 (已脱贫, 不再享受政策) of its own: a file
    saying plain 已脱贫 keeps the flag the household already has."""
    k = [c for c, _ in HOUSEHOLD_COLUMNS].index("no_longer_enjoying")
    number, values = parsed.households[code]
    if existing.values[k] and not values[HH["no_longer_enjoying"]] and values[HH["exit_status"]] == "已脱贫":
        patched = list(values)
        patched[HH["no_longer_enjoying"]] = True
        parsed.households[code] = (number, tuple(patched))


def _person_conflicts(
    parsed: Parsed, result: ImportResult, progress: Callable[..., Any] | None, actor: Actor
) -> None:
    """A person already active in another household of the registry (一人只能属于一户). Where that
    household is out of the importer's scope, the error says only that the person is registered
    elsewhere: no household number, no name (a township's dry run must not reveal other regions)."""
    if not Member.objects.filter(is_active=True).exists():
        return
    rid_i = MB["resident_id"]

    def people() -> Any:
        for code, members in parsed.members.items():
            for number, values in members:
                yield values[rid_i], number, code

    checked = 0
    for batch in batched(people(), 500):
        wanted = {rid: (number, code) for rid, number, code in batch}
        found = Member.objects.filter(resident_id__in=list(wanted), is_active=True).values_list(
            "resident_id", "name", "household__code", "household__village_id"
        )
        for rid, name, other_code, other_village in found:
            number, code = wanted[rid]
            if other_code == code:
                continue
            if actor.covers_code(other_village):
                message = (
                    f"此人（{name}）已是 {other_code} 户的在册成员，一人只能属于一户；"
                    "如已迁入本户，请先在原户办理自然减少"
                )
            else:
                message = REGISTERED_ELSEWHERE
            result.error(parsed.member_sheet, number, "证件号码", mask_id_number(rid), message)
        checked += len(batch)
        if progress:
            progress(checked, parsed.member_rows, "核对在册人员")


def household_changes(existing: ExistingHousehold, values: tuple[Any, ...]) -> dict[str, tuple[Any, Any]]:
    return {
        name: (existing.values[k], values[i])
        for k, (name, i) in enumerate(HOUSEHOLD_COLUMNS)
        if existing.values[k] != values[i]
    }


def member_changes(current: tuple[Any, ...], values: tuple[Any, ...]) -> dict[str, tuple[Any, Any]]:
    return {
        name: (current[k], values[i]) for k, (name, i) in enumerate(MEMBER_COLUMNS) if current[k] != values[i]
    }


def income_changes(current: tuple[Any, ...] | None, values: tuple[Any, ...]) -> dict[str, tuple[Any, Any]]:
    if current is None:
        return {name: (None, values[i]) for name, i in INCOME_COLUMNS}
    return {
        name: (current[k], values[i]) for k, (name, i) in enumerate(INCOME_COLUMNS) if current[k] != values[i]
    }


def _count(parsed: Parsed, plan: Plan, result: ImportResult) -> None:
    rid_i, rel_i = MB["resident_id"], MB["relation"]
    year_i = HH["income_year"]
    for code, (number, values) in parsed.households.items():
        members = parsed.members.get(code, [])
        existing = plan.existing.get(code)
        if existing is None:
            result.households_new += 1
            result.members_new += len(members)
            continue
        changed = bool(household_changes(existing, values))
        if values[year_i] is not None:  # a national list without 人均纯收入 carries no income
            income = existing.incomes.get(values[year_i])
            changed = changed or bool(income_changes(income[1] if income else None, values))
        listed = set()
        for _, member in members:
            listed.add(member[rid_i])
            current = existing.members.get(member[rid_i])
            if current is None:
                result.members_new += 1
                changed = True
            elif member_changes(current[1], member):
                result.members_updated += 1
                changed = True
            else:
                result.members_unchanged += 1
        omitted = [m for rid, m in existing.members.items() if rid not in listed]
        if omitted:
            plan.kept_active[code] = len(omitted)
            changed = changed or len(members) + len(omitted) != len(existing.members)
        for _, kept in omitted:
            name, relation = kept[0], kept[6]
            if relation == enums.Relation.HEAD and any(m[rel_i] == enums.Relation.HEAD for _, m in members):
                result.error(
                    parsed.sheet,
                    number,
                    "户主姓名",
                    values[HH["head_name"]],
                    f"原户主{name}不在文件中且仍在册，该户将有两名户主；更换户主请先办理原户主的自然减少",
                )
            result.warn(
                parsed.member_sheet,
                None,
                "证件号码",
                mask_id_number(kept[1]),
                f"{code} 户的在册成员{name}不在文件中，已保留；减少成员请办理自然减少",
            )
        if changed:
            result.households_updated += 1
        else:
            result.households_unchanged += 1
