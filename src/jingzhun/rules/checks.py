"""The catalogue of data-truth rules (数据核查规则, spec/verification.md §1–§2) — one definition per rule:
its code, Chinese name, level and the parameters it reads, with the shipped defaults. Plain data, no
Django. The Python evaluator (per household, for pages) and the SQL compiler (set-based, for the county)
both take a rule's parameters from a published rule-set version (`verification`), whose defaults are
these; a county changes the thresholds without code. No rule logic is ever stored in the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MEMBER = "member"  # one hit per member (证件号码 and 姓名 are the member's)
HOUSEHOLD = "household"  # one hit per household (证件号码 and 姓名 are the 户主's)


@dataclass(frozen=True)
class CheckRule:
    code: str
    name: str  # shown first; the code is secondary text
    level: str  # MEMBER or HOUSEHOLD
    dataset: str = ""  # X-* rules: the departmental dataset they read
    defaults: dict[str, Any] = field(default_factory=dict)
    note: str = ""


CLEANSING: tuple[CheckRule, ...] = (
    CheckRule("Q-SPOUSE-SEX", "配偶与户主同性别", MEMBER),
    CheckRule("Q-SPOUSE-COUNT", "配偶多于一人", MEMBER),
    CheckRule("Q-PARENT-AGE", "父母辈与户主年龄差过小", MEMBER, defaults={"min_gap_years": 15}),
    CheckRule("Q-CHILD-AGE", "子女与户主年龄差过小", MEMBER, defaults={"min_gap_years": 15}),
    CheckRule("Q-GRANDCHILD-AGE", "孙辈与户主年龄差过小", MEMBER, defaults={"min_gap_years": 30}),
    CheckRule("Q-HEAD-MINOR", "户主未成年", MEMBER, defaults={"min_age": 16}),
    CheckRule("Q-CHILD-LABOUR", "未成年人登记为劳动力", MEMBER, defaults={"min_age": 16}),
    CheckRule("Q-PRESCHOOL-OLD", "适龄儿童仍登记为学前", MEMBER, defaults={"min_age": 7}),
    CheckRule("Q-INFANT-SCHOOL", "幼儿登记为在校生", MEMBER, defaults={"max_age": 5}),
    CheckRule("Q-AGE-EXTREME", "年龄异常", MEMBER, defaults={"max_age": 105}),
    CheckRule("Q-WORK-NO-WAGE", "务工但无工资性收入", MEMBER, defaults={"min_months": 3}),
    CheckRule("Q-INCOME-ZERO", "家庭无任何收入", HOUSEHOLD),
    CheckRule("Q-INCOME-HIGH", "人均纯收入畸高", HOUSEHOLD, defaults={"line_multiple": 3}),
    CheckRule("Q-INCOME-JUMP", "人均纯收入骤增", HOUSEHOLD, defaults={"jump_multiple": 3}),
    CheckRule("Q-DIBAO-ATTR", "低保户属性与成员低保不符", HOUSEHOLD),
    CheckRule("Q-TEKUN-ATTR", "特困户属性与成员特困供养不符", HOUSEHOLD),
    CheckRule("Q-DUP-PERSON", "疑似同一人重复登记", MEMBER),
    CheckRule("Q-EXIT-NO-INCOME", "已脱贫但无脱贫年度收入", HOUSEHOLD),
    CheckRule("Q-PLAN-OVERDUE", "计划脱贫年度已过", HOUSEHOLD),
)

CROSSCHECK: tuple[CheckRule, ...] = (
    CheckRule("X-DEATH", "已死亡仍在册", MEMBER, "死亡人口"),
    CheckRule("X-MOVED", "户籍已迁出仍在册", MEMBER, "户籍迁出"),
    CheckRule(
        "X-VEHICLE",
        "家庭成员名下有车辆",
        MEMBER,
        "车辆登记",
        defaults={"exempt_vehicle_types": ["三轮汽车", "低速货车", "摩托车", "拖拉机", "农用车"]},
    ),
    CheckRule("X-HOUSE", "家庭成员名下有商品房", MEMBER, "商品房"),
    CheckRule(
        "X-BUSINESS",
        "家庭成员经营企业",
        MEMBER,
        "工商注册",
        defaults={
            "roles": ["法定代表人", "股东"],
            "active_states": ["存续", "在业"],
            "min_capital_wan": 10,
        },
    ),
    CheckRule("X-PAYROLL", "家庭成员为财政供养人员", MEMBER, "财政供养"),
    CheckRule("X-DIBAO", "低保特困标识与民政名单不符", MEMBER, "低保特困"),
    CheckRule("X-DISABILITY", "残疾状况与残联名单不符", MEMBER, "残疾人"),
    CheckRule("X-SCHOOL", "在校状况与学籍不符", MEMBER, "学籍"),
    CheckRule("X-INSURANCE", "医保参保与医保名单不符", MEMBER, "医保参保"),
    CheckRule("X-HOUSING", "住房安全等级与危房鉴定不符", HOUSEHOLD, "危房鉴定"),
)

ALL_CHECKS: dict[str, CheckRule] = {r.code: r for r in CLEANSING + CROSSCHECK}
DATASETS: tuple[str, ...] = tuple(r.dataset for r in CROSSCHECK)


@dataclass(frozen=True)
class ParamDef:
    """What a rule parameter may hold: an integer in [low, high], or a list of non-empty strings."""

    label: str
    kind: str  # "int" | "list"
    low: int = 0
    high: int = 0


PARAMETERS: dict[str, ParamDef] = {
    "min_gap_years": ParamDef("最小年龄差（岁）", "int", 1, 60),
    "min_age": ParamDef("年龄界限（岁）", "int", 0, 120),
    "max_age": ParamDef("年龄界限（岁）", "int", 0, 150),
    "min_months": ParamDef("务工时间下限（月）", "int", 1, 12),
    "line_multiple": ParamDef("扶贫标准的倍数", "int", 1, 100),
    "jump_multiple": ParamDef("上年人均纯收入的倍数", "int", 1, 100),
    "exempt_vehicle_types": ParamDef("不计入的车辆类型", "list"),
    "roles": ParamDef("计入的身份", "list"),
    "active_states": ParamDef("计入的经营状态", "list"),
    "min_capital_wan": ParamDef("注册资本下限（万元）", "int", 0, 1_000_000),
}


def default_params() -> dict[str, dict[str, Any]]:
    """The shipped parameters of every rule, by code (the first rule-set version a county gets)."""
    return {r.code: dict(r.defaults) for r in CLEANSING + CROSSCHECK}


class CheckParamError(ValueError):
    """A parameter value a rule cannot take; the message is Chinese and names the rule and the value."""


def clean_rule_params(code: str, params: dict[str, Any]) -> dict[str, Any]:
    """The rule's parameters validated and normalised (ints as int, lists of trimmed non-empty strings,
    no duplicates). Only the parameters the rule declares are accepted, and all of them are required."""
    rule = ALL_CHECKS.get(code)
    if rule is None:
        raise CheckParamError(f"没有规则 {code}")
    unknown = sorted(set(params) - set(rule.defaults))
    if unknown:
        raise CheckParamError(f"{rule.name}（{code}）没有参数 {'、'.join(unknown)}")
    cleaned: dict[str, Any] = {}
    for name in rule.defaults:
        pdef = PARAMETERS[name]
        if name not in params:
            raise CheckParamError(f"{rule.name}：缺少参数“{pdef.label}”")
        value = params[name]
        if pdef.kind == "int":
            try:
                number = int(str(value).strip())
            except ValueError as exc:
                raise CheckParamError(f"{rule.name}：“{pdef.label}”应为整数，收到“{value}”") from exc
            if isinstance(value, float) and value != number:
                raise CheckParamError(f"{rule.name}：“{pdef.label}”应为整数，收到“{value}”")
            if not pdef.low <= number <= pdef.high:
                raise CheckParamError(
                    f"{rule.name}：“{pdef.label}”应在 {pdef.low}–{pdef.high} 之间，收到 {number}"
                )
            cleaned[name] = number
        else:
            items = (
                value.replace("，", ",").replace("、", ",").split(",") if isinstance(value, str) else value
            )
            if not isinstance(items, list | tuple) or not all(isinstance(v, str) for v in items):
                raise CheckParamError(f"{rule.name}：“{pdef.label}”应为文字列表")
            out: list[str] = []
            for item in (v.strip() for v in items):
                if item and item not in out:
                    out.append(item)
            if any(len(v) > 40 for v in out):
                raise CheckParamError(f"{rule.name}：“{pdef.label}”每项不超过 40 个字")
            cleaned[name] = out
    return cleaned
