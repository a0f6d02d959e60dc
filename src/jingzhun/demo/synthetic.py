"""A synthetic 慈利县 (合成县) on the real villages: households, members and village facts as workbook rows.

Everything is drawn from one `random.Random(seed)` in a fixed order, so a seed gives the same county
byte for byte. Every row is valid for import; some carry the problems a real county's data has (a child
of 6–15 out of school, a member without medical insurance, C/D housing, incomes under the line) so that
assessment has something to find.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from jingzhun.lib import idcard
from jingzhun.regions.loader import division_rows
from jingzhun.registry.fields import HOUSEHOLD_FIELDS

# 元/人/年 by year, the shipped standard's lines (domain.md §3, `standards.defaults.POVERTY_LINES`)
POVERTY_LINES = {
    2013: 2736,
    2014: 2800,
    2015: 2855,
    2016: 2952,
    2017: 3335,
    2018: 3535,
    2019: 3747,
    2020: 4000,
}
POVERTY_LINE_2018 = POVERTY_LINES[2018]
# 已脱贫 households whose 脱贫年度 income was never recorded: the planted cases of Q-EXIT-NO-INCOME
EXIT_INCOME_UNRECORDED = 0.02
POOR_VILLAGE_COUNT = 134  # Cili's registered poor villages
NEW_ADDRESS, OLD_ADDRESS = "430821", "432428"  # 432428 for people born before 1988 (old Cili code)

# Common surnames, weighted; 向 田 覃 彭 龚 谷 卓 符 尚 钟 are frequent among Cili's 土家族 families.
SURNAMES = (
    ("王", 70),
    ("李", 60),
    ("张", 60),
    ("刘", 45),
    ("向", 45),
    ("田", 40),
    ("陈", 38),
    ("杨", 35),
    ("覃", 30),
    ("彭", 28),
    ("黄", 25),
    ("周", 24),
    ("吴", 22),
    ("龚", 20),
    ("赵", 18),
    ("唐", 18),
    ("朱", 16),
    ("胡", 16),
    ("谷", 15),
    ("卓", 14),
    ("宋", 14),
    ("钟", 13),
    ("熊", 12),
    ("邓", 12),
    ("曾", 12),
    ("罗", 12),
    ("符", 10),
    ("尚", 10),
    ("杜", 9),
    ("戴", 9),
    ("侯", 8),
    ("易", 8),
    ("雷", 8),
    ("贺", 7),
    ("汪", 7),
    ("高", 7),
    ("肖", 7),
    ("许", 6),
    ("郭", 6),
    ("毛", 5),
)
MALE_CHARS = "国建军明华平文志勇伟强春林德红兵海清光金祖福云生庆成贵永友新世家学仁发东"
FEMALE_CHARS = "秀英玉兰桂芳花梅翠香凤菊霞珍琴丽娟艳红云莲芬娥群巧春梅香慧敏婷"
ETHNICITIES = (("汉族", 55), ("土家族", 41), ("白族", 2), ("苗族", 2))
CAUSES = (
    ("因病", 38),
    ("缺技术", 14),
    ("缺资金", 12),
    ("缺劳力", 10),
    ("因残", 8),
    ("因学", 6),
    ("自身发展动力不足", 4),
    ("交通条件落后", 3),
    ("因灾", 2),
    ("缺土地", 1.5),
    ("缺水", 1),
    ("其他", 0.5),
)
SIZES = ((1, 16), (2, 24), (3, 23), (4, 19), (5, 12), (6, 6))


def _weighted(pairs: tuple[tuple[str, float], ...] | tuple[tuple[int, float], ...]):
    values = [p[0] for p in pairs]
    total = 0.0
    cumulative = []
    for _, weight in pairs:
        total += weight
        cumulative.append(total)
    return values, cumulative


# positions in a 户 row, which `_household` writes in the order of `registry.fields.HOUSEHOLD_FIELDS`
_HH = {spec.name: i for i, spec in enumerate(HOUSEHOLD_FIELDS)}
HH_STATUS, HH_EXIT_YEAR, HH_INCOME_YEAR = _HH["exit_status"], _HH["exit_year"], _HH["income_year"]
HH_AFTER_INCOME = _HH["business_expense"] + 1  # 收入年度, then 工资性 … 转移性 收入 and 生产经营性支出


def _components(rng: random.Random, net: int) -> tuple[int, int, int, int, int]:
    """工资性, 生产经营性, 财产性, 转移性 收入 and 生产经营性支出 of a household whose net income is `net`."""
    wage_share = rng.uniform(0.35, 0.75)
    transfer = round(net * rng.uniform(0.12, 0.35))
    prop = rng.choice((0, 0, 0, round(net * 0.03)))
    wage = round(max(0, net - transfer - prop) * wage_share)
    expense = round(rng.uniform(200, 1500))
    business = max(0, net - transfer - prop - wage) + expense
    return wage, business, prop, transfer, expense


@dataclass
class Village:
    code: str
    kind: str  # 村委会 / 居委会
    poor: bool
    households: int = 0
    members: int = 0
    without_water: int = 0
    facts: dict[str, str] = field(default_factory=dict)


def real_villages() -> list[Village]:
    """The real villages of 慈利县; 134 村委会 (codes 200–399) chosen as poor villages, independent of
    the seed, so every synthetic county has the same poor villages."""
    villages = []
    for row in division_rows(city=False):
        if row["level"] != "village":
            continue
        kind = "村委会" if 200 <= int(row["code"][9:12]) < 400 else "居委会"
        villages.append(Village(code=row["code"], kind=kind, poor=False))
    committees = [v for v in villages if v.kind == "村委会"]
    for village in random.Random("cili-poor-villages").sample(committees, POOR_VILLAGE_COUNT):
        village.poor = True
    return villages


class County:
    """Draws households of a synthetic county. Call `households()` once, then `village_rows()`."""

    def __init__(self, *, seed: int, year: int):
        self.rng = random.Random(seed)
        self.seed = seed
        self.year = year
        self.villages = real_villages()
        self.used_ids: set[str] = set()
        self._surnames = _weighted(SURNAMES)
        self._ethnic = _weighted(ETHNICITIES)
        self._causes = _weighted(CAUSES)
        self._sizes = _weighted(SIZES)
        weights = [4.0 if v.poor else (1.0 if v.kind == "村委会" else 0.25) for v in self.villages]
        self._village_weights = _weighted(tuple(zip(range(len(self.villages)), weights, strict=True)))

    # --- small draws ----------------------------------------------------------------------------
    def pick(self, table: tuple[list, list[float]]):
        values, cumulative = table
        return self.rng.choices(values, cum_weights=cumulative)[0]

    def given_name(self, male: bool) -> str:
        chars = MALE_CHARS if male else FEMALE_CHARS
        if self.rng.random() < 0.25:
            return self.rng.choice(chars)
        return self.rng.choice(chars) + self.rng.choice(chars)

    def birth(self, age: int) -> date:
        start = date(self.year - age - 1, 12, 31) + timedelta(days=1)
        return start + timedelta(days=self.rng.randrange(365))

    def id_number(self, birth: date, male: bool) -> str:
        address = OLD_ADDRESS if birth.year < 1988 else NEW_ADDRESS
        while True:
            sequence = self.rng.randrange(500) * 2 + (1 if male else 0)
            number = idcard.make(address, birth, sequence)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    # --- households -----------------------------------------------------------------------------
    def households(self, count: int) -> Iterator[tuple[list[str], list[list[str]]]]:
        per_village: dict[int, int] = {}
        for _ in range(count):
            index = self.pick(self._village_weights)
            village = self.villages[index]
            per_village[index] = per_village.get(index, 0) + 1
            code = f"{village.code}{per_village[index]:04d}"
            yield self._household(village, code)

    def _people(self, size: int) -> list[tuple[str, int, bool]]:
        """(relation, age, male) for a household of `size`, with a rural age structure."""
        rng = self.rng
        if size == 1:
            return [("户主", rng.randint(58, 90), rng.random() < 0.6)]
        head_age = rng.choice((rng.randint(28, 49), rng.randint(50, 80), rng.randint(45, 70)))
        head_male = rng.random() < 0.88
        people = [("户主", head_age, head_male)]
        if rng.random() < 0.82:
            people.append(("配偶", max(20, head_age + rng.randint(-6, 3)), not head_male))
        if head_age < 50:
            if len(people) < size and rng.random() < 0.5 and head_age < 45:
                people.append(("之母", min(95, head_age + rng.randint(22, 32)), False))
            while len(people) < size:
                male = rng.random() < 0.52
                people.append(
                    ("之子" if male else "之女", rng.randint(0, max(0, min(25, head_age - 21))), male)
                )
        else:
            if len(people) < size:
                people.append(("之子", rng.randint(20, max(20, head_age - 22)), True))
            if len(people) < size and rng.random() < 0.7:
                people.append(("之儿媳", rng.randint(20, max(20, head_age - 22)), False))
            while len(people) < size:
                male = rng.random() < 0.52
                people.append(("之孙子" if male else "之孙女", rng.randint(0, 16), male))
        return people[:size]

    def _member(
        self,
        household_code: str,
        surname: str,
        relation: str,
        age: int,
        male: bool,
        ethnicity: str,
        cause: str,
        attribute: str,
        problem_child: bool,
    ) -> list[str]:
        rng = self.rng
        family_name = (
            surname
            if relation in ("户主", "之子", "之女", "之孙子", "之孙女") or rng.random() < 0.1
            else self.pick(self._surnames)
        )
        name = family_name + self.given_name(male)
        birth = self.birth(age)
        number = self.id_number(birth, male)
        # School and education by age.
        school, education, reason = "非在校生", "", ""
        if age < 3:
            education = "学龄前儿童"
        elif age < 6:
            school, education = "学前教育", "学龄前儿童"
        elif age < 12:
            school, education = "小学", "小学" if age > 7 else "学龄前儿童"
        elif age < 15:
            school, education = "初中", "小学"
        elif age < 18:
            school = rng.choice(("高中", "中职", "初中", "非在校生"))
            education = "初中"
        elif age < 22 and rng.random() < 0.35:
            school, education = rng.choice(("高职高专", "本科及以上")), "高中(含中专)"
        else:
            education = self.rng.choices(
                ("文盲或半文盲", "小学", "初中", "高中(含中专)", "大专及以上"),
                weights=(25, 35, 30, 8, 2) if age >= 45 else (3, 15, 55, 22, 5),
            )[0]
        if problem_child and 6 <= age <= 15:
            school, education = "非在校生", "小学"
        # Health and labour.
        health = "健康"
        roll = rng.random()
        if cause == "因病" and relation == "户主":
            health = rng.choice(("患有大病", "长期慢性病"))
        elif cause == "因残" and relation == "户主":
            health = "残疾"
        elif roll < (0.35 if age >= 60 else 0.06):
            health = rng.choice(("长期慢性病", "长期慢性病", "患有大病", "残疾"))
        if age < 16 or school != "非在校生":
            labour = "无劳动力"
        elif age >= 75 or health in ("患有大病", "残疾"):
            labour = rng.choice(("丧失劳动力", "弱劳动力或半劳动力"))
        elif age >= 60 or health == "长期慢性病":
            labour = "弱劳动力或半劳动力"
        else:
            labour = "技能劳动力" if rng.random() < 0.15 else "普通劳动力"
        months = str(rng.randint(0, 12)) if labour in ("普通劳动力", "技能劳动力") else ""
        if health == "残疾" and rng.random() < 0.6:
            number += f"{rng.randint(1, 7)}{rng.randint(1, 4)}"  # 残疾人证号 = ID + category + level
        insured = "否" if rng.random() < 0.012 else "是"
        adult = age >= 16 and school == "非在校生"
        return [
            household_code,
            name,
            number,
            relation,
            "男" if male else "女",
            ethnicity,
            birth.isoformat(),
            education,
            school,
            reason,
            health,
            labour,
            months,
            insured,
            insured if rng.random() < 0.97 else "否",
            ("是" if rng.random() < 0.9 else "否") if adult else "",
            "是" if attribute == "低保贫困户" else "否",
            "是" if attribute == "特困供养贫困户" else "否",
        ]

    def _household(self, village: Village, code: str) -> tuple[list[str], list[list[str]]]:
        rng = self.rng
        year = self.year
        size = self.pick(self._sizes)
        people = self._people(size)
        attribute = (
            "特困供养贫困户"
            if size == 1 and rng.random() < 0.45
            else ("低保贫困户" if rng.random() < 0.22 else "一般贫困户")
        )
        cause = self.pick(self._causes)
        others = [
            c
            for c in rng.sample(["缺技术", "缺资金", "缺劳力", "因病", "因学", "交通条件落后"], 2)
            if c != cause
        ]
        others = others[: rng.choice((0, 1, 1, 2))]
        surname = self.pick(self._surnames)
        ethnicity = self.pick(self._ethnic)
        problem_child = rng.random() < 0.02
        members = [
            self._member(
                code,
                surname,
                relation,
                age,
                male,
                ethnicity if rng.random() < 0.95 else "汉族",
                cause,
                attribute,
                problem_child,
            )
            for relation, age, male in people
        ]
        head = members[0]
        identified = rng.choices((2014, 2015, 2016, 2017, 2018), weights=(70, 10, 9, 7, 4))[0]
        identified = min(identified, year)
        roll = rng.random()
        exit_year = ""
        if roll < 0.48 and identified < year:
            status = "已脱贫"
            exit_year = str(rng.randint(max(identified, year - 4), year - 1))
            planned = exit_year
            target = rng.lognormvariate(8.6, 0.3)  # ≈ 5,400 元 median
        elif roll < 0.495 and identified < year:
            status, planned, target = "返贫", str(year + 1), rng.lognormvariate(8.0, 0.35)
        else:
            status = "未脱贫"
            planned = str(rng.choices((year, year + 1, year + 2), weights=(58, 27, 15))[0])
            target = rng.lognormvariate(8.45, 0.3) if planned == str(year) else rng.lognormvariate(8.1, 0.3)
        if rng.random() < 0.05:  # households below the line, whatever their status says
            target = rng.uniform(1800, POVERTY_LINE_2018)
        wage, business, prop, transfer, expense = _components(rng, round(target * size))
        housing = rng.choices(("A", "B", "C", "D", ""), weights=(30, 60, 5, 1, 4))[0]
        relocation = rng.choices(("否", "已搬迁入住", "计划搬迁"), weights=(95, 4, 1))[0]
        water = "否" if rng.random() < 0.025 else "是"
        if water == "否":
            village.without_water += 1
        phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}" if rng.random() < 0.8 else ""
        village.households += 1
        village.members += len(members)
        household = [
            code,
            village.code,
            f"{rng.randint(1, 12)}组",
            head[1],
            head[2],
            phone,
            "国家标准" if rng.random() < 0.95 else "省定标准",
            attribute,
            cause,
            "、".join(others),
            str(identified),
            status,
            exit_year,
            planned,
            str(year),
            f"{wage}",
            f"{business}",
            f"{prop}",
            f"{transfer}",
            f"{expense}",
            "是" if rng.random() < 0.995 else "否",
            "是",
            water,
            housing,
            relocation,
        ]
        return household, members

    def exit_year_row(self, household: list[str], people: int) -> list[str] | None:
        """The 户 row of an 已脱贫 household as the registry stood in its 脱贫年度: the same row with that
        year's incomes (收入年度 = 脱贫年度), above that year's line. None for the other households and for
        the planted few whose exit-year income was never recorded. Drawn from a stream of the household's
        own, so the rows of `households()` are the same whether or not this is called."""
        if household[HH_STATUS] != "已脱贫":
            return None
        code, exit_year = household[0], int(household[HH_EXIT_YEAR])
        rng = random.Random(f"exit-income-{self.seed}-{code}")
        if rng.random() < EXIT_INCOME_UNRECORDED:
            return None
        wage, business, prop, transfer, expense = (
            int(v) for v in household[HH_INCOME_YEAR + 1 : HH_AFTER_INCOME]
        )
        latest = (wage + business + prop + transfer - expense) / people
        # incomes grew by about a tenth a year since the exit; at exit the household was above that year's line
        line = POVERTY_LINES[exit_year]
        then = latest / (1.1 ** (self.year - exit_year)) * rng.uniform(0.9, 1.05)
        per_capita = max(then, line * rng.uniform(1.05, 1.35))
        amounts = _components(rng, round(per_capita * people))
        return [
            *household[:HH_INCOME_YEAR],
            str(exit_year),
            *(str(v) for v in amounts),
            *household[HH_AFTER_INCOME:],
        ]

    # --- villages -------------------------------------------------------------------------------
    def village_rows(self) -> list[list[str]]:
        """One 村 row per real village, 户籍人口 consistent with (larger than) its registered poor."""
        rng = random.Random(f"villages-{self.rng.random()}")
        rows = []

        def good(p: float) -> str:
            return "是" if rng.random() < p else "否"

        for v in self.villages:
            base = rng.randint(1200, 3600) if v.kind == "村委会" else rng.randint(2500, 8000)
            population = max(base, v.members * rng.randint(3, 6) if v.poor else v.members * 10)
            if v.poor:
                exited = rng.random() < 0.35
                state = "已出列" if exited else "未出列"
                exit_year = str(rng.randint(self.year - 3, self.year - 1)) if exited else ""
                planned = exit_year or str(self.year)
            else:
                state = exit_year = planned = ""
            rows.append(
                [
                    v.code,
                    "是" if v.poor else "否",
                    state,
                    exit_year,
                    planned,
                    str(population),
                    str(max(v.households, round(population / rng.uniform(3.0, 3.6)))),
                    f"{rng.uniform(1.0, 12.0):.2f}",
                    good(0.97),
                    good(0.85),
                    str(v.without_water),
                    "是",
                    good(0.92),
                    str(rng.choice((0, 1, 1, 1, 2))),
                    good(0.93),
                    good(0.95),
                ]
            )
        return rows
