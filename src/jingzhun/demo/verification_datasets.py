"""Departmental datasets for the demo county (演示部门数据, spec/verification.md §2), written as the CSVs
the departments would send (`<数据集>.csv`, one per dataset) and imported through the real importer.

Each roll is generated from the demo registry, deterministic for a seed, and mostly agrees with it: the
民政 低保特困 roll covers everyone the registry flags, 医保 has a 参保 row for the insured, 学籍 has pupils
在读, 残联 lists the disabled, 危房鉴定 repeats the registry's ratings. Decoys sit beside the real hits —
exempt vehicle types (三轮汽车、摩托车 …), businesses 注销 or under 10 万元 or where the person is only
监事, deaths and moves dated after the reference date, 低保 periods that ended last year, a later 危房
rating not yet in force — so the cross-check has to decide. A few dozen real disagreements per rule
are planted (some in the demo village, for its cadre), plus people outside the registry (unmatched),
some first-generation 15-digit IDs (匹配方式 旧证件号码) and a few mistyped IDs (近似)."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from jingzhun.lib import idcard
from jingzhun.rules.datasets import SPECS
from jingzhun.rules.terms import Health, SchoolStatus
from jingzhun.verification.crosscheck import in_scope_members

# real disagreements planted per rule (over ~2,000 households; scaled with the registry)
HITS = {
    "X-DEATH": 40,
    "X-MOVED": 25,
    "X-VEHICLE": 40,
    "X-HOUSE": 20,
    "X-BUSINESS": 12,
    "X-PAYROLL": 10,
    "X-DIBAO": 24,
    "X-DISABILITY": 20,
    "X-SCHOOL": 14,
    "X-INSURANCE": 30,
    "X-HOUSING": 12,
}
PER_HOUSEHOLDS = 2000
HOME_HITS = 2  # hits per rule placed in the demo village first (3 deaths: one is kept 待核查)
EXEMPT = ["三轮汽车", "低速货车", "摩托车", "拖拉机", "农用车"]
CARS = ["小型普通客车", "小型轿车", "轻型厢式货车", "重型自卸货车", "中型普通客车"]
PLACES = ["长沙市岳麓区", "广东省东莞市", "张家界市永定区", "浙江省义乌市", "常德市武陵区"]
UNITS = ["慈利县第一中学", "慈利县人民医院", "溪口镇人民政府", "慈利县林业局", "慈利县第二中学"]
STREETS = ["建设路", "迎宾路", "朝阳路", "零阳路", "环城北路"]
FIRMS = ["兴农", "金穗", "宏达", "山水", "阳和", "溇水"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = "建国伟芳娟敏静丽强磊军洋勇艳杰涛明超秀兰霞平刚桂英华玉珍红梅"


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    gender: str
    birth: date
    relation: str
    health: str
    school: str
    insured: bool | None
    dibao: bool | None
    tekun: bool | None
    household: int
    housing: str
    village: str
    head: bool


def _people() -> list[Person]:
    rows = (
        in_scope_members("430821")
        .order_by("id")
        .values_list(
            "id_number",
            "name",
            "gender",
            "birth_date",
            "relation",
            "health",
            "school_status",
            "medical_insurance",
            "dibao",
            "tekun",
            "household_id",
            "household__housing_safety",
            "household__village_id",
        )
    )
    return [Person(*r[:13], r[4] == "户主") for r in rows]  # type: ignore[call-arg]  # 13 columns + 户主


class Rolls:
    """The eleven rolls being written, with the helpers that make their IDs look as they arrive."""

    def __init__(self, people: list[Person], home: str, year: int, seed: int):
        self.rng = random.Random(f"datasets-{seed}")
        self.people = people
        self.home = home
        self.year = year
        self.ref = date(year, 12, 31)
        self.known = {p.id for p in people}
        self.scale = max(1, len(people)) / (PER_HOUSEHOLDS * 3.0)  # ~3 people a household
        self.rows: dict[str, list[dict[str, str]]] = {s.name: [] for s in SPECS}

    def count(self, rule: str) -> int:
        return max(3, round(HITS[rule] * self.scale))

    def pick(self, rule: str, pool: list[Person], home_first: int = HOME_HITS) -> list[Person]:
        """`count(rule)` people of `pool`: a few of the demo village first, then drawn at random."""
        home = [p for p in pool if p.village == self.home][:home_first]
        rest = [p for p in pool if p.village != self.home]
        self.rng.shuffle(rest)
        return (home + rest)[: self.count(rule)]

    def day(self, lo: date, hi: date) -> str:
        return (lo + timedelta(days=self.rng.randint(0, (hi - lo).days))).isoformat()

    def ident(self, p: Person, n: int) -> dict[str, str]:
        """The ID as the department has it: mostly exact; every 12th a 15-digit first-generation ID
        (if born in the 1900s), every 17th mistyped in one digit of the sequence (a near match)."""
        number = p.id[:18]
        if n % 12 == 5 and number[6:8] == "19":
            number = number[:6] + number[8:17]
        elif n % 17 == 8:
            digit = str((int(number[14]) + 1 + self.rng.randint(0, 7)) % 10)
            typo = number[:14] + digit + number[15:]
            if typo not in self.known:
                number = typo
        return {"证件号码": number, "姓名": p.name}

    def outsider(self, young: bool = False) -> dict[str, str]:
        """Someone outside the registry: a county-born ID nobody in the registry has."""
        while True:
            born = date(2003, 1, 1) if young else date(1940, 1, 1)
            born += timedelta(days=self.rng.randint(0, 365 * (12 if young else 60)))
            seq = f"{self.rng.randint(0, 999):03d}"
            first17 = "430821" + born.strftime("%Y%m%d") + seq
            number = first17 + idcard.check_char(first17)
            if number not in self.known:
                name = self.rng.choice(SURNAMES) + "".join(self.rng.choices(GIVEN, k=self.rng.randint(1, 2)))
                return {"证件号码": number, "姓名": name}

    def add(
        self, dataset: str, rows: list[dict[str, str]], outsiders: int, make: Any, young: bool = False
    ) -> None:
        for _ in range(round(outsiders * self.scale)):
            rows.append({**self.outsider(young), **make()})
        self.rng.shuffle(rows)
        self.rows[dataset] = rows


def _sprinkle(n: int) -> int:
    """For the long rolls: a first-generation ID now and then (matched by 旧证件号码), otherwise exact."""
    return 5 if n % 150 == 31 else 0


def build(people: list[Person], home: str, year: int, seed: int) -> dict[str, list[dict[str, str]]]:
    r = Rolls(people, home, year, seed)
    adults = [p for p in people if p.birth < date(year - 20, 1, 1)]
    old = [p for p in people if p.birth < date(1950, 1, 1) and not p.head]
    y = year

    # 死亡人口: deaths this year (hits) and early next year (after the reference date: decoys)
    deaths = r.pick("X-DEATH", old, home_first=3)
    rows = [
        {
            **r.ident(p, n),
            "死亡日期": r.day(date(y, 1, 1), date(y, 11, 30)),
            "来源": r.rng.choice(["公安", "民政", "卫健"]),
        }
        for n, p in enumerate(deaths)
    ]
    later = [p for p in old if p not in deaths][: r.count("X-DEATH") // 3]
    rows += [
        {**r.ident(p, 0), "死亡日期": r.day(date(y + 1, 1, 5), date(y + 1, 3, 31)), "来源": "公安"}
        for p in later
    ]
    r.add("死亡人口", rows, 60, lambda: {"死亡日期": r.day(date(y - 3, 1, 1), r.ref), "来源": "民政"})

    moved = r.pick("X-MOVED", [p for p in adults if not p.head and p not in deaths])
    rows = [
        {
            **r.ident(p, n),
            "迁出日期": r.day(date(y - 1, 6, 1), date(y, 11, 30)),
            "迁往地区": r.rng.choice(PLACES),
        }
        for n, p in enumerate(moved)
    ]
    rows += [
        {
            **r.ident(p, 0),
            "迁出日期": r.day(date(y + 1, 1, 10), date(y + 1, 2, 28)),
            "迁往地区": r.rng.choice(PLACES),
        }
        for p in adults[7::400]
    ]
    r.add(
        "户籍迁出",
        rows,
        80,
        lambda: {"迁出日期": r.day(date(y - 2, 1, 1), r.ref), "迁往地区": r.rng.choice(PLACES)},
    )

    def plate() -> str:
        return "湘G·" + "".join(r.rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(5))

    def vehicle(kinds: list[str]) -> dict[str, str]:
        return {
            "号牌号码": plate(),
            "车辆类型": r.rng.choice(kinds),
            "注册日期": r.day(date(2008, 1, 1), r.ref),
        }

    owners = r.pick("X-VEHICLE", adults)
    rows = [{**r.ident(p, n), **vehicle(CARS)} for n, p in enumerate(owners)]
    rows += [{**r.ident(p, n), **vehicle(EXEMPT)} for n, p in enumerate(adults[3::25])]  # 农用车辆: no hit
    r.add("车辆登记", rows, 300, lambda: vehicle(CARS + EXEMPT))

    def flat() -> dict[str, str]:
        return {
            "房屋坐落": f"慈利县零阳街道{r.rng.choice(STREETS)}{r.rng.randint(1, 199)}号",
            "建筑面积": f"{r.rng.randint(60, 140)}.{r.rng.randint(0, 9)}",
            "登记日期": r.day(date(2010, 1, 1), r.ref),
        }

    rows = [{**r.ident(p, n), **flat()} for n, p in enumerate(r.pick("X-HOUSE", adults))]
    r.add("商品房", rows, 200, flat)

    def firm(status: str, capital: int, role: str) -> dict[str, str]:
        return {
            "企业名称": f"慈利县{r.rng.choice(FIRMS)}{r.rng.choice(['农业开发', '商贸', '建材'])}有限公司",
            "身份": role,
            "注册资本（万元）": str(capital),
            "经营状态": status,
        }

    bosses = r.pick("X-BUSINESS", adults)
    rows = [
        {
            **r.ident(p, n),
            **firm(
                r.rng.choice(["存续", "在业"]),
                r.rng.choice([10, 20, 50, 100]),
                r.rng.choice(["法定代表人", "股东"]),
            ),
        }
        for n, p in enumerate(bosses)
    ]
    for n, p in enumerate(adults[11::60]):  # decoys: 注销/吊销, under 10 万元, or only 监事
        fate = n % 3
        rows.append(
            {
                **r.ident(p, 0),
                **(
                    firm(r.rng.choice(["注销", "吊销"]), 50, "法定代表人")
                    if fate == 0
                    else firm("存续", r.rng.choice([1, 3, 5]), "股东")
                    if fate == 1
                    else firm("存续", 100, "监事")
                ),
            }
        )
    r.add("工商注册", rows, 150, lambda: firm("存续", r.rng.choice([10, 30, 200]), "法定代表人"))

    def job() -> dict[str, str]:
        return {"工作单位": r.rng.choice(UNITS), "人员类别": r.rng.choice(["在编", "编外聘用"])}

    rows = [{**r.ident(p, n), **job()} for n, p in enumerate(r.pick("X-PAYROLL", adults))]
    r.add("财政供养", rows, 400, job)

    _assistance_rolls(r, people, adults)
    _school_and_insurance(r, people)
    _housing(r, people)
    return r.rows


def _assistance_rolls(r: Rolls, people: list[Person], adults: list[Person]) -> None:
    y = r.year

    def period(kind: str, ended: str = "") -> dict[str, str]:
        return {"救助类别": kind, "起始日期": r.day(date(y - 4, 1, 1), date(y - 1, 6, 30)), "终止日期": ended}

    flagged = [p for p in people if p.dibao is True or p.tekun is True]
    unflagged = [p for p in adults if p.dibao is not True and p.tekun is not True]
    half = r.count("X-DIBAO") // 2
    dropped = set(r.pick("X-DIBAO", flagged)[:half])  # flag 是, but 民政 ended the period mid-year
    added = r.pick("X-DIBAO", unflagged)[: r.count("X-DIBAO") - half]  # 民政 pays, the registry says 否
    rows = []
    for n, p in enumerate(flagged):
        kind = "低保" if p.dibao is True else "特困"
        rows.append(
            {
                **r.ident(p, _sprinkle(n)),
                **period(kind, r.day(date(y, 3, 1), date(y, 10, 31)) if p in dropped else ""),
            }
        )
    rows += [{**r.ident(p, n), **period("低保")} for n, p in enumerate(added)]
    # decoys: 低保 that ended last year for people the registry rightly says 否
    rows += [
        {**r.ident(p, 0), **period("低保", r.day(date(y - 1, 7, 1), date(y - 1, 12, 31)))}
        for p in unflagged[5::90]
    ]
    r.add("低保特困", rows, 50, lambda: period(r.rng.choice(["低保", "低保", "特困"])))

    def card(p_id: str) -> dict[str, str]:
        kind = r.rng.randint(1, 7)
        grade = r.rng.randint(1, 4)
        return {
            "证件号码": p_id[:18] + f"{kind}{grade}",  # 残疾人证号: the ID and two digits
            "残疾类别": ["视力", "听力", "言语", "肢体", "智力", "精神", "多重"][kind - 1],
            "残疾等级": ["一级", "二级", "三级", "四级"][grade - 1],
        }

    disabled = [p for p in people if p.health == Health.DISABLED.value]
    half = r.count("X-DISABILITY") // 2
    missing = set(r.pick("X-DISABILITY", disabled)[:half])
    healthy = [p for p in adults if p.health != Health.DISABLED.value]
    listed = r.pick("X-DISABILITY", healthy)[: r.count("X-DISABILITY") - half]
    rows = [{"姓名": p.name, **card(p.id)} for p in disabled if p not in missing]
    rows += [{"姓名": p.name, **card(p.id)} for p in listed]
    r.add("残疾人", rows, 40, lambda: {})
    for row in r.rows["残疾人"]:
        if len(row["证件号码"]) == 18:  # the outsiders: give them a card number too
            row.update(card(row["证件号码"]))


def _school_and_insurance(r: Rolls, people: list[Person]) -> None:
    y = r.year
    pupils = [p for p in people if p.school != SchoolStatus.NOT_IN_SCHOOL.value]
    half = r.count("X-SCHOOL") // 2
    dropouts = set(r.pick("X-SCHOOL", [p for p in pupils if p.school in ("初中", "高中", "中职")])[:half])
    kids_out = [
        p
        for p in people
        if p.school == SchoolStatus.NOT_IN_SCHOOL.value and date(y - 15, 9, 1) < p.birth < date(y - 7, 1, 1)
    ]
    enrolled = r.pick("X-SCHOOL", kids_out)[: r.count("X-SCHOOL") - half]
    rows = []
    for n, p in enumerate(pupils):
        status = "辍学" if p in dropouts else ("休学" if n % 97 == 13 else "在读")  # 休学: still a pupil
        rows.append({**r.ident(p, _sprinkle(n)), "学段": p.school, "学籍状态": status})
    rows += [
        {**r.ident(p, n), "学段": "初中" if p.birth < date(y - 12, 9, 1) else "小学", "学籍状态": "在读"}
        for n, p in enumerate(enrolled)
    ]
    r.add(
        "学籍",
        rows,
        100,
        lambda: {"学段": r.rng.choice(["小学", "初中", "高中"]), "学籍状态": "在读"},
        young=True,
    )

    insured = [p for p in people if p.insured is True]
    half = r.count("X-INSURANCE") * 2 // 3
    lapsed = set(r.pick("X-INSURANCE", insured)[:half])
    uninsured = [p for p in people if p.insured is False]
    joined = set(r.pick("X-INSURANCE", uninsured)[: r.count("X-INSURANCE") - half])
    rows = []
    for n, p in enumerate(people):
        if p in lapsed:
            rows.append({**r.ident(p, 0), "参保年度": str(y - 1), "参保状态": "参保"})  # paid last year only
        elif p.insured is True or p in joined:
            rows.append({**r.ident(p, _sprinkle(n)), "参保年度": str(y), "参保状态": "参保"})
        elif p.insured is False:
            rows.append({**r.ident(p, 0), "参保年度": str(y), "参保状态": "未参保"})
    r.add("医保参保", rows, 100, lambda: {"参保年度": str(y), "参保状态": "参保"})


def _housing(r: Rolls, people: list[Person]) -> None:
    y = r.year
    heads = [p for p in people if p.head and p.housing]
    changed = set(r.pick("X-HOUSING", heads))
    worse = {"A": "C", "B": "D", "C": "A", "D": "B"}
    rows = []
    for n, p in enumerate(heads):
        if p in changed:  # appraised again this year: the registry still has the old rating
            rows.append(
                {
                    "证件号码": p.id[:18],
                    "姓名": p.name,
                    "鉴定等级": p.housing,
                    "鉴定日期": r.day(date(y - 3, 1, 1), date(y - 2, 12, 31)),
                }
            )
            rows.append(
                {
                    "证件号码": p.id[:18],
                    "姓名": p.name,
                    "鉴定等级": worse[p.housing],
                    "鉴定日期": r.day(date(y, 3, 1), date(y, 11, 30)),
                }
            )
        elif n % 6 == 0:  # the rating the registry has
            rows.append(
                {
                    "证件号码": p.id[:18],
                    "姓名": p.name,
                    "鉴定等级": p.housing,
                    "鉴定日期": r.day(date(y - 2, 1, 1), r.ref),
                }
            )
        elif n % 53 == 7:  # decoy: a new rating dated after the reference date, not yet in force
            rows.append(
                {
                    "证件号码": p.id[:18],
                    "姓名": p.name,
                    "鉴定等级": worse[p.housing],
                    "鉴定日期": r.day(date(y + 1, 1, 10), date(y + 1, 3, 31)),
                }
            )
    r.add(
        "危房鉴定",
        rows,
        40,
        lambda: {"鉴定等级": r.rng.choice("CD"), "鉴定日期": r.day(date(y - 1, 1, 1), r.ref)},
    )


def write(rolls: dict[str, list[dict[str, str]]], folder: Path) -> list[Path]:
    """One `<数据集>.csv` per dataset, the spec's columns first (then any extra the department keeps)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for spec in SPECS:
        rows = rolls[spec.name]
        extra = sorted({k for row in rows for k in row} - set(spec.labels))
        path = folder / f"{spec.name}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=[*spec.labels, *extra], restval="")
            writer.writeheader()
            writer.writerows(rows)
        paths.append(path)
    return paths


def generate(folder: Path, *, home: str, year: int, seed: int) -> list[Path]:
    return write(build(_people(), home, year, seed), folder)
