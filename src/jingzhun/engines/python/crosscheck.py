"""Departmental cross-checks (部门数据比对, spec/verification.md §2) in plain Python: matching a
dataset's records to registry members, and every X-* rule per household. No Django: the caller hands
in plain data (`Person`, `HouseholdFacts`, `Record`).

The same rules run set-based in SQL (`engines.sql.crosscheck`); tests/verification/test_parity.py
proves with hypothesis that both give the same hits with the same records. Both write the 说明 with
`explain` below, so the sentences agree to the character."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from jingzhun.rules.datasets import (
    BY_ID,
    BY_NEAR,
    BY_OLD_ID,
    KIND_ID,
    KIND_OLD,
    METHOD_RANK,
    SPEC_BY_RULE,
)
from jingzhun.rules.hits import Hit
from jingzhun.rules.terms import Health, SchoolStatus

RULES = tuple(SPEC_BY_RULE)  # X-* codes, in the spec's order
NEAR_MAX_DIFFERENCES = 2  # a mistyped digit, two, or a swap of neighbours (which changes two positions)


@dataclass(frozen=True)
class Person:
    """A registry member in scope (household not 注销/清退, member not removed)."""

    member_id: int
    household_id: int
    household_code: str
    resident_id: str  # the 18-character ID (a 残疾人证 number's first 18)
    id_number: str
    name: str
    gender: str
    birth_date: date
    health: str = Health.HEALTHY.value
    school_status: str = SchoolStatus.NOT_IN_SCHOOL.value
    medical_insurance: bool | None = None
    dibao: bool | None = None
    tekun: bool | None = None


@dataclass(frozen=True)
class HouseholdFacts:
    household_id: int
    code: str
    housing_safety: str  # A–D, "" = never appraised
    members: tuple[Person, ...]


@dataclass(frozen=True, eq=False)
class Record:
    """A departmental record, with the typed columns the rules read (`rules.datasets`)."""

    id: int  # file order within the import: ties between a member's records go to the first
    dataset: str
    id18: str
    id_kind: str  # KIND_ID · KIND_OLD · KIND_NONE
    name: str = ""
    birth_date: date | None = None  # encoded in id18
    gender: str = ""
    date1: date | None = None
    date2: date | None = None
    kind: str = ""
    status: str = ""
    amount: Decimal | None = None
    year: int | None = None
    key: str = ""
    columns: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Match:
    record: Record
    member_id: int
    method: str

    @property
    def order(self) -> tuple[int, int]:
        """A member's records, best first: by 匹配方式, then file order."""
        return (METHOD_RANK[self.method], self.record.id)


def differences(a: str, b: str) -> int:
    """Positions at which two IDs of equal length differ (an adjacent swap differs in two)."""
    return sum(1 for x, y in zip(a, b, strict=True) if x != y)


def match_records(persons: Iterable[Person], records: Iterable[Record]) -> list[Match]:
    """Each record's member, in the spec's order: 证件号码, 旧证件号码, then 近似 (exactly one member with
    the record's 姓名, the gender and birth date its ID encodes, and an ID at most two positions off)."""
    by_id: dict[str, Person] = {}
    by_identity: dict[tuple[str, date, str], list[Person]] = defaultdict(list)
    for p in persons:
        by_id[p.resident_id] = p
        by_identity[(p.name, p.birth_date, p.gender)].append(p)
    matches: list[Match] = []
    for r in records:
        if r.id_kind not in (KIND_ID, KIND_OLD):
            continue
        person = by_id.get(r.id18)
        if person is not None:
            matches.append(Match(r, person.member_id, BY_ID if r.id_kind == KIND_ID else BY_OLD_ID))
            continue
        if r.id_kind != KIND_ID or r.birth_date is None:
            continue
        near = [
            p
            for p in by_identity.get((r.name, r.birth_date, r.gender), ())
            if differences(p.resident_id, r.id18) <= NEAR_MAX_DIFFERENCES
        ]
        if len(near) == 1:
            matches.append(Match(r, near[0].member_id, BY_NEAR))
    return matches


# ---- 说明: one sentence per hit, shared with the SQL engine ----------------------------------------------


def _d(value: date | None) -> str:
    return value.isoformat() if value else "无"


def _yes(flag: bool | None) -> str:
    return "是" if flag is True else ("否" if flag is False else "未填")


def explain(rule: str, person: Person, record: Record | None, year: int, **facts: Any) -> str:
    """The 说明 of a hit, naming the values (spec §2)."""
    name = person.name
    rec: Any = record  # the rules that read a record field are those whose hit has a matched record
    c = record.columns if record is not None else {}
    if rule == "X-DEATH":
        return f"{name} 在死亡人口名单中（死亡日期 {_d(rec.date1)}），仍在册"
    if rule == "X-MOVED":
        where = c.get("迁往地区") or "未填"
        return f"{name} 户籍已于 {_d(rec.date1)} 迁出（迁往 {where}），仍在册"
    if rule == "X-VEHICLE":
        return f"{name} 名下有车辆 {c.get('号牌号码', '')}（{rec.kind}）"
    if rule == "X-HOUSE":
        return f"{name} 名下有商品房：{c.get('房屋坐落', '')}"
    if rule == "X-BUSINESS":
        return (
            f"{name} 为企业“{c.get('企业名称', '')}”的{rec.kind}（注册资本 {rec.amount.normalize():f} 万元，"
            f"{rec.status}）"
        )
    if rule == "X-PAYROLL":
        return f"{name} 为财政供养人员（工作单位 {c.get('工作单位', '')}）"
    if rule == "X-DIBAO":
        parts = []
        for label, flag, covered in (
            ("低保", person.dibao, facts["covered_dibao"]),
            ("特困供养", person.tekun, facts["covered_tekun"]),
        ):
            if flag is True and not covered:
                parts.append(f"登记为{label}，但民政名单在 {year} 年末无有效{label[:2]}记录")
            elif covered and flag is not True:
                parts.append(f"民政名单在 {year} 年末有有效{label[:2]}记录，但登记{label}为{_yes(flag)}")
        return f"{name} " + "；".join(parts)
    if rule == "X-DISABILITY":
        if record is None:
            return f"{name} 健康状况为{person.health}，但不在残联名单中"
        return (
            f"{name} 在残联名单中（残疾类别为{rec.kind}、残疾等级为{rec.status}），健康状况为{person.health}"
        )
    if rule == "X-SCHOOL":
        return f"{name} 学籍状态为{rec.status}（{rec.kind}），在校生状况为{person.school_status}"
    if rule == "X-INSURANCE":
        if person.medical_insurance is True:
            return f"{name} 登记参加基本医疗保险，但医保名单无 {year} 年参保记录"
        return f"{name} 登记未参加基本医疗保险，但医保名单有 {year} 年参保记录"
    if rule == "X-HOUSING":
        return (
            f"户住房安全等级为{facts['housing_safety'] or '未鉴定'}，危房鉴定最新等级为{rec.kind}"
            f"（{_d(rec.date1)}，产权人 {name}）"
        )
    raise ValueError(rule)


def dibao_direction(person: Person, covered_dibao: bool, covered_tekun: bool) -> str:
    """Which way X-DIBAO disagrees, per 救助类别: `低保+` on the roll but not flagged 是, `特困-` flagged 是
    without a covering period (both parts when both disagree)."""
    parts = []
    for kind, flag, covered in (("低保", person.dibao, covered_dibao), ("特困", person.tekun, covered_tekun)):
        if flag is True and not covered:
            parts.append(f"{kind}-")
        elif covered and flag is not True:
            parts.append(f"{kind}+")
    return "".join(parts)


def hit_record_key(rule: str, person: Person, record: Record | None, **facts: Any) -> str:
    """The fingerprint a dismissed clue is remembered by: the departmental record's, and for X-DIBAO
    also the direction — the same 低保 record can back "on the roll, not flagged" and, once the flags
    change, "flagged 特困 without a period"; dismissing one must not silence the other. A hit without a
    record has "" (the clue store then remembers its 说明, which names the direction)."""
    if record is None:
        return ""
    if rule == "X-DIBAO":
        direction = dibao_direction(person, facts["covered_dibao"], facts["covered_tekun"])
        return f"{record.key}|{direction}"
    return record.key


def make_hit(rule: str, person: Person, match: Match | None, year: int, **facts: Any) -> Hit:
    record = match.record if match is not None else None
    return Hit(
        rule=rule,
        household_id=person.household_id,
        member_id=person.member_id,
        explanation=explain(rule, person, record, year, **facts),
        dataset=SPEC_BY_RULE[rule].name,
        match=match.method if match is not None else "",
        record_key=hit_record_key(rule, person, record, **facts),
        record=dict(record.columns) if record is not None else {},
    )


# ---- the rules, per household --------------------------------------------------------------------------


def _best(matches: Iterable[Match]) -> Match | None:
    return min(matches, key=lambda m: m.order, default=None)


def _covers(r: Record, ref: date) -> bool:
    return r.date1 is not None and r.date1 <= ref and (r.date2 is None or r.date2 >= ref)


def evaluate_household(
    household: HouseholdFacts,
    matches: Iterable[Match],
    *,
    imported: Iterable[str],
    year: int,
    params: dict[str, dict[str, Any]],
) -> list[Hit]:
    """Every X-* hit of one household, given the matches of its members' records (county-wide
    matching decides them: a near match depends on who else is in the registry)."""
    ref = date(year, 12, 31)
    imported = set(imported)
    mine: dict[tuple[str, int], list[Match]] = defaultdict(list)
    for m in matches:
        mine[(m.record.dataset, m.member_id)].append(m)
    hits: list[Hit] = []

    def first(rule: str, person: Person, ok: Any) -> None:
        best = _best(m for m in mine[(SPEC_BY_RULE[rule].name, person.member_id)] if ok(m.record))
        if best is not None:
            hits.append(make_hit(rule, person, best, year))

    vehicle = params["X-VEHICLE"]
    exempt = {t.strip() for t in vehicle.get("exempt_vehicle_types", [])}
    business = params["X-BUSINESS"]
    roles, states = set(business["roles"]), set(business["active_states"])
    min_capital = Decimal(str(business["min_capital_wan"]))
    for p in household.members:
        first("X-DEATH", p, lambda r: r.date1 is not None and r.date1 <= ref)
        first("X-MOVED", p, lambda r: r.date1 is not None and r.date1 <= ref)
        first("X-VEHICLE", p, lambda r: r.kind.strip() not in exempt)
        first("X-HOUSE", p, lambda r: True)
        first(
            "X-BUSINESS",
            p,
            lambda r: (
                r.kind in roles and r.status in states and r.amount is not None and r.amount >= min_capital
            ),
        )
        first("X-PAYROLL", p, lambda r: True)
        if "低保特困" in imported:
            _dibao(p, mine[("低保特困", p.member_id)], ref, year, hits)
        if "残疾人" in imported:
            listed = mine[("残疾人", p.member_id)]
            disabled = p.health == Health.DISABLED.value
            if listed and not disabled:
                hits.append(make_hit("X-DISABILITY", p, _best(listed), year))
            elif disabled and not listed:
                hits.append(make_hit("X-DISABILITY", p, None, year))
        first(
            "X-SCHOOL",
            p,
            lambda r, out=p.school_status == SchoolStatus.NOT_IN_SCHOOL.value: (
                (r.status == "在读" and out) or (r.status == "辍学" and not out)
            ),
        )
        if "医保参保" in imported:
            rows = mine[("医保参保", p.member_id)]
            insured = [m for m in rows if m.record.year == year and m.record.status == "参保"]
            if p.medical_insurance is True and not insured:
                hits.append(make_hit("X-INSURANCE", p, _best(rows), year))
            elif p.medical_insurance is False and insured:
                hits.append(make_hit("X-INSURANCE", p, _best(insured), year))
    _housing(household, mine, ref, year, hits)
    return hits


def assistance_covered(rows: Iterable[Match], ref: date) -> dict[str, bool]:
    """救助类别 → whether one of the member's 低保特困 records of that category covers `ref` (X-DIBAO
    reads both: the registry's 低保 and 特困供养 flags are each compared with their own category)."""
    rows = list(rows)
    return {
        kind: any(m.record.kind == kind and _covers(m.record, ref) for m in rows) for kind in ("低保", "特困")
    }


def _dibao(p: Person, rows: list[Match], ref: date, year: int, hits: list[Hit]) -> None:
    covered = assistance_covered(rows, ref)
    flags = {"低保": p.dibao, "特困": p.tekun}
    listed = {k for k in covered if covered[k] and flags[k] is not True}
    unlisted = {k for k in covered if flags[k] is True and not covered[k]}
    if not listed and not unlisted:
        return
    candidates = [m for m in rows if m.record.kind in listed and _covers(m.record, ref)] if listed else rows
    hits.append(
        make_hit(
            "X-DIBAO",
            p,
            _best(candidates),
            year,
            covered_dibao=covered["低保"],
            covered_tekun=covered["特困"],
        )
    )


def _housing(
    household: HouseholdFacts, mine: dict[tuple[str, int], list[Match]], ref: date, year: int, hits: list[Hit]
) -> None:
    rated = [
        m
        for p in household.members
        for m in mine.get(("危房鉴定", p.member_id), ())
        if m.record.date1 is not None and m.record.date1 <= ref
    ]
    if not rated:
        return
    latest = min(rated, key=lambda m: (-m.record.date1.toordinal(), *m.order))  # type: ignore[union-attr]  # rated: dated rows only
    if latest.record.kind != household.housing_safety:
        owner = next(p for p in household.members if p.member_id == latest.member_id)
        hits.append(make_hit("X-HOUSING", owner, latest, year, housing_safety=household.housing_safety))


def crosscheck(
    households: Iterable[HouseholdFacts],
    records: Iterable[Record],
    *,
    imported: Iterable[str],
    year: int,
    params: dict[str, dict[str, Any]],
    persons: Iterable[Person] | None = None,
) -> list[Hit]:
    """All hits: match every record against `persons` (default: the households' members — the whole
    county in scope), then the rules household by household."""
    households = list(households)
    everyone = list(persons) if persons is not None else [p for h in households for p in h.members]
    matches = match_records(everyone, records)
    by_household: dict[int, list[Match]] = defaultdict(list)
    household_of = {p.member_id: p.household_id for p in everyone}
    for m in matches:
        by_household[household_of[m.member_id]].append(m)
    imported = set(imported)
    hits: list[Hit] = []
    for h in households:
        hits.extend(
            evaluate_household(
                h, by_household.get(h.household_id, []), imported=imported, year=year, params=params
            )
        )
    return hits
