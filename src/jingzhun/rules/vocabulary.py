"""The fixed vocabulary of rule operators (规则运算词表). Stored rules name an operator and give its
parameters; the logic is here, reviewed code, and each condition has exactly one meaning that both
engines share: `holds()` (Python, per household) and `sql()` (set-based, SQLite and PostgreSQL).

Three-valued logic (Kleene): a condition on a value that was never filled in is *unknown* (None), and
a rule that depends on it is 数据缺失 (unknown), not a failure. SQL's NULL logic is the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from jingzhun.rules import terms as enums

# --- fields -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldDef:
    label: str
    kind: str  # "choice" | "bool" | "int" | "decimal" | "age"
    choices: tuple[str, ...] = ()
    column: str = ""  # SQL column (defaults to the key)
    yes: str = ""  # how a cadre says a 是 of a bool field ("已通硬化路", not "通硬化路为是")
    no: str = ""
    # Values the rules may see that stand for one of several real values ("危房" = C or D, grade
    # unknown): a condition holds on it when it holds on every one, fails when it fails on every one,
    # and is unknown otherwise.
    stands_for: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # SQL twin of those values: (predicate over the row, its parameters, the value the rules see), tried
    # in order before the column itself; the value None is "unknown" (see Condition.sql).
    overlay: tuple[tuple[str, tuple[Any, ...], Any], ...] = ()

    def state(self, value: Any) -> str:
        """The field's value as a phrase: "已通硬化路", "未通宽带", "村集体经济收入（万元）为3.50"."""
        if self.kind == "bool" and self.yes and value is True:
            return self.yes
        if self.kind == "bool" and self.no and value is False:
            return self.no
        return f"{self.label}为{show(value)}"


def _choice(label: str, values: list[str], blank: bool = False, **extra: Any) -> FieldDef:
    return FieldDef(label, "choice", tuple(([""] if blank else []) + list(values)), **extra)


# 住房安全等级 as the rules see it. A national person list (docs/national-list.md) carries no grade:
# 危房户 = 是 is "危房, grade unknown" (C or D: fails A/B), 危房户 = 否 or not given leaves the grade unknown
# (None: H-HOUSING is 数据缺失 unless the household has moved). Stored as Household.housing_grade_unknown
# and Household.dilapidated beside housing_safety = "".
DILAPIDATED = "危房（等级未知）"
HOUSING = _choice(
    "住房安全等级",
    enums.HousingSafety.values,
    blank=True,
    stands_for=((DILAPIDATED, ("C", "D")),),
    overlay=(
        ("({a}.housing_grade_unknown = %s AND {a}.dilapidated = %s)", (True, True), DILAPIDATED),
        ("({a}.housing_grade_unknown = %s)", (True,), None),
    ),
)


MEMBER_FIELDS: dict[str, FieldDef] = {
    "age": FieldDef("年龄", "age", column="birth_date"),
    "gender": _choice("性别", enums.Gender.values),
    "relation": _choice("与户主关系", enums.Relation.values),
    "education": _choice("文化程度", enums.Education.values, blank=True),
    "school_status": _choice("在校生状况", enums.SchoolStatus.values),
    "not_in_school_reason": _choice("未上学原因", enums.NotInSchoolReason.values, blank=True),
    "health": _choice("健康状况", enums.Health.values),
    "labour_skill": _choice("劳动技能", enums.LabourSkill.values),
    "work_months": FieldDef("务工时间（月）", "int"),
    "medical_insurance": FieldDef("参加基本医疗保险", "bool"),
    "serious_illness_insurance": FieldDef("参加大病保险", "bool"),
    "pension_insurance": FieldDef("参加基本养老保险", "bool"),
    "dibao": FieldDef("低保", "bool"),
    "tekun": FieldDef("特困供养", "bool"),
}

HOUSEHOLD_FIELDS: dict[str, FieldDef] = {
    "food_secure": FieldDef("不愁吃", "bool"),
    "clothing_secure": FieldDef("不愁穿", "bool"),
    "water_safe": FieldDef("饮水安全", "bool"),
    "housing_safety": HOUSING,
    "relocation": _choice("易地扶贫搬迁", enums.Relocation.values),
    "attribute": _choice("贫困户属性", enums.HouseholdAttribute.values),
    "main_cause": _choice("主要致贫原因", enums.PovertyCause.values),
}

VILLAGE_FIELDS: dict[str, FieldDef] = {
    "collective_income_wan": FieldDef("村集体经济收入（万元）", "decimal"),
    "hardened_road": FieldDef("通硬化路", "bool", yes="已通硬化路", no="未通硬化路"),
    "bus_service": FieldDef("通客运班车", "bool", yes="已通客运班车", no="未通客运班车"),
    "households_without_safe_water": FieldDef("未实现饮水安全户数", "int"),
    "power": FieldDef("通生产生活用电", "bool", yes="已通生产生活用电", no="未通生产生活用电"),
    "standard_clinic": FieldDef("标准化卫生室", "bool", yes="有标准化卫生室", no="没有标准化卫生室"),
    "licensed_doctors": FieldDef("执业（助理）医师人数", "int"),
    "broadband": FieldDef("通宽带", "bool", yes="已通宽带", no="未通宽带"),
    "service_centre": FieldDef("综合服务平台", "bool", yes="有综合服务平台", no="没有综合服务平台"),
}

OPS: dict[str, str] = {
    "eq": "等于",
    "ne": "不等于",
    "in": "属于",
    "not_in": "不属于",
    "empty": "为空",
    "not_empty": "不为空",
    "gte": "不少于",
    "lte": "不多于",
    "between": "介于",
}
OPS_BY_KIND = {
    "choice": ("eq", "ne", "in", "not_in", "empty", "not_empty"),
    "bool": ("eq", "ne", "empty", "not_empty"),
    "int": ("eq", "ne", "gte", "lte", "between", "empty", "not_empty"),
    "decimal": ("eq", "ne", "gte", "lte", "between", "empty", "not_empty"),
    "age": ("eq", "gte", "lte", "between"),
}


def show(value: Any) -> str:
    """A value as a cadre reads it."""
    if value is None:
        return "未填写"
    if value is True:
        return "是"
    if value is False:
        return "否"
    if value == "":
        return "空"
    if isinstance(value, list | tuple):
        return "/".join(show(v) for v in value)
    return str(value)


# --- conditions ---------------------------------------------------------------------------------


def age_on(birth: date, day: date) -> int:
    """Whole years at `day` (a birthday on `day` counts)."""
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


def latest_birth_for_age(age: int, ref: date) -> date:
    """The latest birth date at which a person is at least `age` whole years old on `ref`."""
    year = ref.year - age
    day = ref.day
    while True:  # 29 February in a common year → 28 February
        try:
            return date(year, ref.month, day)
        except ValueError:
            day -= 1


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any = None

    def definition(self, fields: dict[str, FieldDef]) -> FieldDef:
        return fields[self.field]

    # Python -------------------------------------------------------------------------------------
    def holds(self, row: Any, fields: dict[str, FieldDef], ref: date | None = None) -> bool | None:
        fdef = fields[self.field]
        if fdef.kind == "age":
            assert ref is not None
            value: Any = age_on(row.birth_date, ref)
        else:
            value = getattr(row, self.field)
        return self.holds_on(value, fdef)

    def holds_on(self, value: Any, fdef: FieldDef) -> bool | None:
        """The condition on one value of the field (Kleene: None when the value is unknown)."""
        possible = dict(fdef.stands_for).get(value) if isinstance(value, str) else None
        if possible is not None:
            outcomes = {self._test(v) for v in possible}
            return outcomes.pop() if len(outcomes) == 1 else None
        return self._test(value)

    def _test(self, value: Any) -> bool | None:
        op = self.op
        target = self.value
        if isinstance(value, Decimal) and target is not None:
            target = [Decimal(str(t)) for t in target] if isinstance(target, list) else Decimal(str(target))
        if op == "empty":
            return value is None or value == ""
        if op == "not_empty":
            return not (value is None or value == "")
        if value is None:
            return None
        if op == "eq":
            return value == target
        if op == "ne":
            return value != target
        if op == "in":
            return value in target
        if op == "not_in":
            return value not in target
        if op == "gte":
            return value >= target
        if op == "lte":
            return value <= target
        if op == "between":
            return target[0] <= value <= target[1]
        raise ValueError(op)

    # SQL ----------------------------------------------------------------------------------------
    def sql(
        self, alias: str, fields: dict[str, FieldDef], ref: date | None, date_param: Any
    ) -> tuple[str, list]:
        """A boolean SQL expression (NULL when unknown) and its parameters. A field with an overlay
        answers, for the rows its predicates pick, what `holds_on` answers for the value they stand
        for — the same function, so the engines agree by construction."""
        sql, params = self._column_sql(alias, fields, ref, date_param)
        fdef = fields[self.field]
        if not fdef.overlay:
            return sql, params
        whens: list[str] = []
        when_params: list[Any] = []
        for predicate, predicate_params, value in fdef.overlay:
            verdict = self.holds_on(value, fdef)
            literal = "NULL" if verdict is None else ("(1 = 1)" if verdict else "(1 = 0)")
            whens.append(f"WHEN {predicate.format(a=alias)} THEN {literal}")
            when_params.extend(predicate_params)
        return f"(CASE {' '.join(whens)} ELSE {sql} END)", [*when_params, *params]

    def _column_sql(
        self, alias: str, fields: dict[str, FieldDef], ref: date | None, date_param: Any
    ) -> tuple[str, list]:
        fdef = fields[self.field]
        col = f"{alias}.{fdef.column or self.field}"
        op = self.op
        if fdef.kind == "age":
            assert ref is not None
            low, high = (
                (self.value, self.value)
                if op == "eq"
                else (
                    (self.value, None)
                    if op == "gte"
                    else (None, self.value)
                    if op == "lte"
                    else tuple(self.value)
                )
            )
            parts, params = [], []
            if low is not None:  # age ≥ low ⇔ born on or before the latest such birth date
                parts.append(f"{col} <= %s")
                params.append(date_param(latest_birth_for_age(low, ref)))
            if high is not None:  # age ≤ high ⇔ age < high + 1
                parts.append(f"{col} > %s")
                params.append(date_param(latest_birth_for_age(high + 1, ref)))
            return "(" + " AND ".join(parts) + ")", params
        if op in ("empty", "not_empty"):
            test = f"{col} IS NULL" if fdef.kind != "choice" else f"({col} IS NULL OR {col} = '')"
            return (f"({test})" if op == "empty" else f"(NOT ({test}))"), []
        if op in ("eq", "ne"):
            return f"({col} {'=' if op == 'eq' else '<>'} %s)", [self.value]
        if op in ("in", "not_in"):
            marks = ", ".join(["%s"] * len(self.value))
            return f"({col} {'IN' if op == 'in' else 'NOT IN'} ({marks}))", list(self.value)
        if op == "gte":
            return f"({col} >= %s)", [self.value]
        if op == "lte":
            return f"({col} <= %s)", [self.value]
        if op == "between":
            return f"({col} BETWEEN %s AND %s)", list(self.value)
        raise ValueError(op)

    # words --------------------------------------------------------------------------------------
    def describe(self, fields: dict[str, FieldDef]) -> str:
        label = fields[self.field].label
        op, value = self.op, self.value
        unit = "岁" if fields[self.field].kind == "age" else ""
        if op == "eq":
            return fields[self.field].state(value) if not unit else f"{label}为{show(value)}{unit}"
        if op == "ne" and isinstance(value, bool) and fields[self.field].yes:
            return fields[self.field].state(not value)
        if op == "ne":
            return f"{label}不是{show(value)}"
        if op == "in":
            return f"{label}为{show(value)}之一"
        if op == "not_in":
            return f"{label}不是{show(value)}之一"
        if op == "empty":
            return f"{label}为空"
        if op == "not_empty":
            return f"{label}不为空"
        if op == "gte":
            return f"{label}不少于{value}{unit}"
        if op == "lte":
            return f"{label}不多于{value}{unit}"
        return f"{label}在{value[0]}–{value[1]}{unit}之间"

    @property
    def is_exclusion(self) -> bool:
        """ne / not_in conditions carve out exceptions; explanations name the values that matched."""
        return self.op in ("ne", "not_in")


def conditions_from(raw: list[dict[str, Any]]) -> tuple[Condition, ...]:
    return tuple(Condition(c["field"], c["op"], c.get("value")) for c in raw)


def kleene_all(values: list[bool | None]) -> bool | None:
    if any(v is False for v in values):
        return False
    if any(v is None for v in values):
        return None
    return True


def kleene_any(values: list[bool | None]) -> bool | None:
    if any(v is True for v in values):
        return True
    if any(v is None for v in values):
        return None
    return False


# --- operators ----------------------------------------------------------------------------------

HOUSEHOLD_OPERATORS: dict[str, str] = {
    "income_above_line": "人均纯收入高于当年扶贫标准",
    "household_where": "户的字段满足条件",
    "no_member_where": "没有满足条件的成员",
    "every_member_where": "每名成员都满足条件",
    "member_count_where": "满足条件的成员人数",
}
VILLAGE_OPERATORS: dict[str, str] = {
    "village_incidence_below": "贫困发生率低于阈值",
    "village_where": "村的字段满足条件",
}
COUNTY_OPERATORS: dict[str, str] = {
    "county_incidence_below": "综合贫困发生率低于阈值",
    "county_village_exit_rate": "贫困村退出率不低于阈值",
    "county_sample_rate": "抽样核查指标",
}
OPERATORS_BY_LEVEL = {
    "household": HOUSEHOLD_OPERATORS,
    "village": VILLAGE_OPERATORS,
    "county": COUNTY_OPERATORS,
}
FIELDS_BY_OPERATOR = {
    "household_where": HOUSEHOLD_FIELDS,
    "no_member_where": MEMBER_FIELDS,
    "every_member_where": MEMBER_FIELDS,
    "member_count_where": MEMBER_FIELDS,
    "village_where": VILLAGE_FIELDS,
}


class ParamError(ValueError):
    """Invalid operator parameters; the message is Chinese."""


def _clean_value(fdef: FieldDef, op: str, value: Any) -> Any:
    if op in ("empty", "not_empty"):
        return None

    def one(v: Any) -> Any:
        if fdef.kind == "choice":
            v = "" if v is None else str(v)
            if v not in fdef.choices:
                raise ParamError(
                    f"{fdef.label}的取值“{v}”不在可选范围内：{'、'.join(c or '空' for c in fdef.choices)}"
                )
            return v
        if fdef.kind == "bool":
            if v in (True, "是", "true", "1", 1):
                return True
            if v in (False, "否", "false", "0", 0):
                return False
            raise ParamError(f"{fdef.label}的取值应为 是/否")
        try:
            number = int(v) if fdef.kind in ("int", "age") else str(Decimal(str(v)))
        except Exception as exc:
            raise ParamError(f"{fdef.label}的取值应为数字") from exc
        if fdef.kind in ("int", "age") and int(number) < 0:
            raise ParamError(f"{fdef.label}不能为负数")
        return number

    if op in ("in", "not_in"):
        items = (
            value
            if isinstance(value, list | tuple)
            else [s for s in str(value).replace("，", ",").split(",")]
        )
        cleaned = [one(v.strip() if isinstance(v, str) else v) for v in items]
        if not cleaned:
            raise ParamError("请至少给出一个取值")
        return cleaned
    if op == "between":
        items = value if isinstance(value, list | tuple) else str(value).replace("，", ",").split(",")
        if len(items) != 2:
            raise ParamError("“介于”需要两个数：下限,上限")
        low, high = one(items[0]), one(items[1])
        if Decimal(str(low)) > Decimal(str(high)):
            raise ParamError("下限不能大于上限")
        return [low, high]
    return one(value)


def clean_conditions(raw: Any, fields: dict[str, FieldDef]) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        raise ParamError("请至少给出一个条件")
    out = []
    for item in raw:
        name, op = item.get("field"), item.get("op")
        if name not in fields:
            raise ParamError(f"未知字段：{name}")
        fdef = fields[name]
        if op not in OPS_BY_KIND[fdef.kind]:
            raise ParamError(f"{fdef.label}不能使用运算“{OPS.get(op, op)}”")
        out.append({"field": name, "op": op, "value": _clean_value(fdef, op, item.get("value"))})
    return out


def _number(params: dict[str, Any], key: str, label: str, *, minimum: float = 0) -> str:
    try:
        value = Decimal(str(params.get(key)))
    except Exception as exc:
        raise ParamError(f"{label}应为数字") from exc
    if value < Decimal(str(minimum)):
        raise ParamError(f"{label}不能小于{minimum}")
    return str(value)


def clean_params(operator: str, params: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise an operator's parameters (raises ParamError)."""
    if operator == "income_above_line":
        return {}
    if operator in ("household_where", "village_where"):
        match = params.get("match", "all")
        if match not in ("all", "any"):
            raise ParamError("匹配方式应为 all（全部满足）或 any（任一满足）")
        return {
            "match": match,
            "conditions": clean_conditions(params.get("conditions"), FIELDS_BY_OPERATOR[operator]),
        }
    if operator in ("no_member_where", "every_member_where"):
        return {"conditions": clean_conditions(params.get("conditions"), MEMBER_FIELDS)}
    if operator == "member_count_where":
        cmp = params.get("cmp", "gte")
        if cmp not in ("gte", "lte"):
            raise ParamError("比较方式应为 gte（不少于）或 lte（不多于）")
        try:
            n = int(str(params.get("n")))
        except (TypeError, ValueError) as exc:
            raise ParamError("人数应为整数") from exc
        if n < 0:
            raise ParamError("人数不能为负数")
        return {"conditions": clean_conditions(params.get("conditions"), MEMBER_FIELDS), "cmp": cmp, "n": n}
    if operator in ("village_incidence_below", "county_incidence_below"):
        return {"threshold_pct": _number(params, "threshold_pct", "阈值（%）")}
    if operator == "county_village_exit_rate":
        return {"threshold_pct": _number(params, "threshold_pct", "阈值（%）")}
    if operator == "county_sample_rate":
        direction = params.get("direction", "lte")
        if direction not in ("gte", "lte"):
            raise ParamError("方向应为 gte 或 lte")
        return {"threshold_pct": _number(params, "threshold_pct", "阈值（%）"), "direction": direction}
    raise ParamError(f"未知运算：{operator}")
