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


def default_params() -> dict[str, dict[str, Any]]:
    """The shipped parameters of every rule, by code (the first rule-set version a county gets)."""
    return {r.code: dict(r.defaults) for r in CLEANSING + CROSSCHECK}
