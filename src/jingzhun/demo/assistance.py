"""Demo responsibility data (帮扶演示数据) for `jingzhun demo`, bulk-created (no per-row saves).

Builds units (帮扶单位), county leaders linked to townships (联点), units linked to villages (联村),
93 work teams with 282 cadres (each with a 队长) in poor villages, first secretaries, about 8,600
helpers paired with the households, visits, check-ins and help measures — with deliberate gaps, so
every alert list shows something: unpaired poor households, overloaded helpers, households not visited
for a while, poor villages without a team or first secretary, cadres who missed 五天四夜 last week.
Dates of visits and check-ins are relative to today, so the alerts are live on the day the demo runs."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction

from jingzhun.accounts.models import RoleGrant
from jingzhun.assistance import models as m
from jingzhun.assistance.rules import week_start
from jingzhun.core import audit
from jingzhun.demo.synthetic import FEMALE_CHARS, MALE_CHARS, SURNAMES
from jingzhun.regions.models import Region
from jingzhun.registry.models import Household

TEAMS = 93
TEAM_CADRES = 282
BATCH = 2000

PROVINCE_UNITS = (
    "湖南省财政厅",
    "湖南省交通运输厅",
    "湖南省农业农村厅",
    "湖南省卫生健康委员会",
    "湖南省水利厅",
    "湖南省林业局",
)
CITY_UNITS = (
    "张家界市发展和改革委员会",
    "张家界市教育局",
    "张家界市人力资源和社会保障局",
    "张家界市住房和城乡建设局",
    "张家界市文化旅游广电体育局",
    "张家界市供销合作社",
    "张家界市农业农村局",
    "张家界市生态环境局",
)
COUNTY_UNITS = (
    "县委组织部",
    "县委宣传部",
    "县委统战部",
    "县纪委监委",
    "县发展和改革局",
    "县教育局",
    "县卫生健康局",
    "县住房和城乡建设局",
    "县水利局",
    "县民政局",
    "县人力资源和社会保障局",
    "县医疗保障局",
    "县残疾人联合会",
    "县农业农村局",
    "县林业局",
    "县交通运输局",
    "县财政局",
    "县审计局",
    "县自然资源局",
    "县市场监督管理局",
    "县公安局",
    "县人民法院",
    "县人民检察院",
    "县司法局",
    "县文化旅游广电体育局",
    "县商务局",
    "县科技和工业信息化局",
    "县生态环境局",
    "县应急管理局",
    "县统计局",
    "县扶贫开发办公室",
    "县供销合作社",
    "县农村商业银行",
    "县邮政分公司",
    "国网慈利县供电公司",
    "县电信分公司",
    "县人民医院",
    "县中医医院",
    "县第一中学",
    "县职业中专",
)
ACTIVITIES = (
    "宣讲扶贫政策，核实家庭收入",
    "了解务工情况，联系就业岗位",
    "落实产业奖补，指导种养",
    "核实住房安全情况",
    "了解子女就学和资助落实情况",
    "了解家庭成员就医和报销情况",
    "帮助申请小额信贷",
    "协助办理低保年审",
    "填写扶贫手册，核对帮扶措施",
    "走访慰问，了解生产生活困难",
    "指导电商销售农产品",
    "核实饮水安全情况",
)
PROBLEMS = (
    "",
    "",
    "",
    "",
    "住房有漏雨，需维修",
    "子女教育补助未到账",
    "医疗报销材料不全",
    "缺少产业启动资金",
    "务工收入不稳定",
    "饮水管道老化",
    "慢性病卡未办理",
)
MEASURES_BY_CAUSE = {
    "因病": "健康(医疗)",
    "因残": "兜底(低保/特困)",
    "因学": "教育",
    "因灾": "产业",
    "缺土地": "土地流转",
    "缺水": "产业",
    "缺技术": "科技",
    "缺劳力": "兜底(低保/特困)",
    "缺资金": "金融(小额信贷及贴息)",
    "交通条件落后": "易地搬迁",
    "自身发展动力不足": "就业(务工)",
    "其他": "产业",
}
CONTENT = {
    "产业": "发展猕猴桃/茶叶/养牛产业，给予产业奖补",
    "就业(务工)": "推荐到县工业园务工，落实交通补贴",
    "易地搬迁": "纳入易地扶贫搬迁，集中安置",
    "教育": "落实雨露计划和义务教育阶段资助",
    "健康(医疗)": "家庭医生签约，落实先诊疗后付费",
    "兜底(低保/特困)": "纳入低保兜底保障",
    "金融(小额信贷及贴息)": "发放扶贫小额信贷5万元并贴息",
    "合作社入股分红": "产业资金入股合作社，按年分红",
    "土地流转": "土地流转给种植大户，收取租金",
    "电商": "通过电商服务站销售土特产",
    "光伏": "村级光伏电站收益分配",
    "生态(生态补偿/护林员)": "聘为生态护林员",
    "乡村旅游": "参与乡村旅游接待，发展农家乐",
    "文化": "送文化下乡，参加技能文艺培训",
    "科技": "参加实用技术培训",
    "公益性岗位": "安排村级保洁公益性岗位",
}


class _Names:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.surnames = [s for s, _ in SURNAMES]
        self.weights = [w for _, w in SURNAMES]

    def __call__(self) -> str:
        male = self.rng.random() < 0.65
        chars = MALE_CHARS if male else FEMALE_CHARS
        given = self.rng.choice(chars) + ("" if self.rng.random() < 0.2 else self.rng.choice(chars))
        return self.rng.choices(self.surnames, weights=self.weights)[0] + given


def _users(prefix: str, names: list[str]) -> list[Any]:
    """Plain user rows without a usable password (they log in once the county resets it)."""
    user_model = get_user_model()
    rows = [
        user_model(
            username=f"{prefix}{i + 1:05d}",
            display_name=name,
            password=f"{UNUSABLE_PASSWORD_PREFIX}demo{prefix}{i}",
        )
        for i, name in enumerate(names)
    ]
    user_model.objects.bulk_create(rows, batch_size=BATCH)
    if any(u.pk is None for u in rows):  # backends without RETURNING
        by_name = dict(user_model.objects.filter(username__startswith=prefix).values_list("username", "pk"))
        for u in rows:
            u.pk = by_name[u.username]
    return rows


@transaction.atomic
def seed(
    *, year: int, seed: int, printer: Callable[[str], Any] = print, today: date | None = None
) -> dict[str, int]:
    rng = random.Random(f"assistance-{seed}")
    name = _Names(rng)
    today = today or date.today()
    this_week = week_start(today)
    start_of_work = date(min(year, today.year) - 2, 3, 1)

    townships = list(Region.objects.filter(level="township", code__startswith="430821").order_by("code"))
    villages = list(Region.objects.filter(level="village", code__startswith="430821").order_by("code"))
    poor = [v for v in villages if v.is_poor_village]

    # 帮扶单位
    units = (
        [m.HelpUnit(name=n, affiliation=m.Affiliation.PROVINCE) for n in PROVINCE_UNITS]
        + [m.HelpUnit(name=n, affiliation=m.Affiliation.CITY) for n in CITY_UNITS]
        + [m.HelpUnit(name=f"慈利{n}", affiliation=m.Affiliation.COUNTY) for n in COUNTY_UNITS]
        + [m.HelpUnit(name=f"{t.name}人民政府", affiliation=m.Affiliation.TOWNSHIP) for t in townships]
    )
    m.HelpUnit.objects.bulk_create(units)
    units = list(m.HelpUnit.objects.order_by("id"))
    upper = [u for u in units if u.affiliation != m.Affiliation.TOWNSHIP]
    township_unit = {t.code: u for t in townships for u in units if u.name == f"{t.name}人民政府"}

    # 县领导联点
    leaders = _users("xld", [name() for _ in townships])
    m.LeaderLink.objects.bulk_create(
        [
            m.LeaderLink(leader=u, township=t, started_on=start_of_work)
            for u, t in zip(leaders, townships, strict=True)
        ]
    )
    county = Region.objects.get(code="430821000000")
    RoleGrant.objects.bulk_create([RoleGrant(user=u, role="county_leader", region=county) for u in leaders])

    # 单位联村: every poor village one or two upper units; every village its township government.
    links = [
        m.UnitVillageLink(unit=township_unit[v.code[:9] + "000"], village=v, started_on=start_of_work)
        for v in villages
        if v.code[:9] + "000" in township_unit
    ]
    village_unit: dict[str, m.HelpUnit] = {}
    for v in poor:
        chosen = rng.sample(upper, 2 if rng.random() < 0.3 else 1)
        village_unit[v.code] = chosen[0]
        links += [m.UnitVillageLink(unit=u, village=v, started_on=start_of_work) for u in chosen]
    m.UnitVillageLink.objects.bulk_create(links, batch_size=BATCH)

    # 驻村工作队 (93 of the poor villages; the rest are the "no work team" gap) and 第一书记
    shuffled = poor[:]
    rng.shuffle(shuffled)
    # 93 of Cili's 134 poor villages; a smaller county keeps the same proportion.
    team_count = TEAMS if len(poor) >= 134 else (len(poor) * TEAMS) // 134
    team_villages = sorted(shuffled[:team_count], key=lambda v: v.code)
    no_team = shuffled[team_count:]
    cadre_count = TEAM_CADRES if team_count == TEAMS else team_count * 3
    sizes = [cadre_count // team_count] * team_count if team_count else []
    for i in range(cadre_count - sum(sizes)):
        sizes[i] += 1
    cadres = _users("zcd", [name() for _ in range(cadre_count)])
    teams = [
        m.WorkTeam(village=v, unit=village_unit[v.code], started_on=start_of_work) for v in team_villages
    ]
    m.WorkTeam.objects.bulk_create(teams)
    if any(t.pk is None for t in teams):
        ids = dict(m.WorkTeam.objects.values_list("village_id", "pk"))
        for t in teams:
            t.pk = ids[t.village_id]
    members, grants, profiles, stationed = [], [], [], []
    secretaries = []
    it = iter(cadres)
    for team, size in zip(teams, sizes, strict=True):
        for k in range(size):
            cadre = next(it)
            members.append(
                m.WorkTeamMember(team=team, cadre=cadre, is_leader=k == 0, started_on=start_of_work)
            )
            grants.append(RoleGrant(user=cadre, role="village_cadre", region=team.village))
            profiles.append(
                m.Cadre(user=cadre, unit=team.unit, post="驻村工作队队长" if k == 0 else "驻村工作队队员")
            )
            stationed.append((cadre, team.village))
            if k == 0 and rng.random() > 0.04:  # the 队长 usually is the 第一书记; a few posts are vacant
                secretaries.append(
                    m.FirstSecretary(
                        village=team.village, cadre=cadre, unit=team.unit, started_on=start_of_work
                    )
                )
    lone = [v for v in no_team if rng.random() < 0.7]  # first secretary but no team
    lone_cadres = _users("dysj", [name() for _ in lone])
    for v, cadre in zip(lone, lone_cadres, strict=True):
        unit = village_unit[v.code]
        secretaries.append(m.FirstSecretary(village=v, cadre=cadre, unit=unit, started_on=start_of_work))
        grants.append(RoleGrant(user=cadre, role="village_cadre", region=v))
        profiles.append(m.Cadre(user=cadre, unit=unit, post="第一书记"))
        stationed.append((cadre, v))
    m.WorkTeamMember.objects.bulk_create(members, batch_size=BATCH)
    m.FirstSecretary.objects.bulk_create(secretaries, batch_size=BATCH)

    # 驻村考勤: four full weeks and this week up to yesterday; about one cadre in eight misses last week.
    check_ins = []
    last_week = this_week - timedelta(days=7)
    for cadre, village in stationed:
        for w in range(4, -1, -1):
            start = this_week - timedelta(days=7 * w)
            missing = start == last_week and rng.random() < 0.12
            days_in = rng.choice((3, 4)) if missing else rng.choice((5, 5, 6))
            nights = rng.choice((2, 3)) if missing else min(days_in, rng.choice((4, 4, 5)))
            offsets = sorted(rng.sample(range(7), days_in))
            for j, offset in enumerate(offsets):
                day = start + timedelta(days=offset)
                if day >= today:
                    continue
                check_ins.append(m.CheckIn(cadre=cadre, village=village, day=day, overnight=j < nights))
    m.CheckIn.objects.bulk_create(check_ins, batch_size=BATCH)

    # 帮扶责任人 and 结对: households in village order; each helper takes 1–7 (a few above the limit).
    taken = set(m.HelperPairing.objects.current().values_list("household_id", flat=True))
    households = list(
        Household.objects.filter(registry_status="在册")
        .order_by("village_id", "id")
        .values_list("id", "village_id", "exit_status", "main_cause")
    )
    free = [h for h in households if h[0] not in taken]
    unpaired = {h[0] for h in free if h[2] != "已脱贫" and rng.random() < 0.012}
    to_pair = [h for h in free if h[0] not in unpaired]
    loads = []
    remaining = len(to_pair)
    while remaining > 0:
        k = min(remaining, rng.choices((1, 2, 3, 4, 5, 6, 7), weights=(10, 16, 24, 27, 18, 3, 2))[0])
        loads.append(k)
        remaining -= k
    helpers = _users("bf", [name() for _ in loads])
    pairings, grants_h, profiles_h = [], [], []
    by_helper: list[tuple[Any, list[tuple[int, str, str, str]]]] = []
    pos = 0
    for helper, k in zip(helpers, loads, strict=True):
        mine = to_pair[pos : pos + k]
        pos += k
        by_helper.append((helper, mine))
        village_code = mine[0][1]  # a helper's grant: the village of their first household
        helper_unit = village_unit.get(village_code) or township_unit.get(village_code[:9] + "000")
        grants_h.append(RoleGrant(user=helper, role="helper", region_id=village_code))
        profiles_h.append(m.Cadre(user=helper, unit=helper_unit, post="帮扶责任人"))
        for hid, _, _, _ in mine:
            started = date(rng.choice((2015, 2016, 2017, 2018)), rng.randint(1, 12), 1)
            pairings.append(m.HelperPairing(helper=helper, household_id=hid, started_on=min(started, today)))
    # History: about 5% of households changed helper once (the earlier pairing ended).
    previous = []
    for p in pairings:
        if rng.random() < 0.05 and p.started_on.year > 2015:
            old = helpers[rng.randrange(len(helpers))]
            previous.append(
                m.HelperPairing(
                    helper=old,
                    household_id=p.household_id,
                    started_on=date(2015, 6, 1),
                    ended_on=p.started_on,
                )
            )
    m.HelperPairing.objects.bulk_create(previous + pairings, batch_size=BATCH)
    RoleGrant.objects.bulk_create(grants + grants_h, batch_size=BATCH)
    m.Cadre.objects.bulk_create(profiles + profiles_h, batch_size=BATCH)

    # 走访: most households visited within 30 days, some 31–120 days ago, a few never.
    visits = []
    for helper, mine in by_helper:
        for hid, _, _, _ in mine:
            roll = rng.random()
            if roll < 0.04:
                continue
            last = rng.randint(0, 29) if roll < 0.84 else rng.randint(31, 120)
            for ago in (last, last + rng.randint(25, 45), last + rng.randint(60, 100))[: rng.randint(1, 3)]:
                visits.append(
                    m.Visit(
                        household_id=hid,
                        visitor=helper,
                        visited_on=today - timedelta(days=ago),
                        activities=rng.choice(ACTIVITIES),
                        problems=rng.choice(PROBLEMS),
                    )
                )
    m.Visit.objects.bulk_create(visits, batch_size=BATCH)

    # 帮扶措施: one matching the main cause, plus an industry or employment measure for most.
    measures = []
    categories = m.MeasureCategory.values
    for hid, _, status, cause in households:
        picks = [MEASURES_BY_CAUSE.get(cause, "产业")]
        if rng.random() < 0.7:
            picks.append(rng.choice(("产业", "产业", "就业(务工)", "合作社入股分红", "光伏", "公益性岗位")))
        if rng.random() < 0.15:
            picks.append(rng.choice(categories))
        for category in dict.fromkeys(picks):
            begun = date(rng.choice((2016, 2017, 2018)), rng.randint(1, 12), 1)
            done = status == "已脱贫" and rng.random() < 0.6
            measures.append(
                m.HelpMeasure(
                    household_id=hid,
                    category=category,
                    content=CONTENT[category],
                    funds=Decimal(rng.choice((0, 500, 1000, 2000, 3000, 5000, 10000, 50000))),
                    started_on=begun,
                    ended_on=begun + timedelta(days=365) if done else None,
                    expected_income_gain=Decimal(rng.choice((300, 500, 800, 1200, 2000, 3000))),
                    status=m.MeasureStatus.DONE if done else m.MeasureStatus.ACTIVE,
                )
            )
    m.HelpMeasure.objects.bulk_create(measures, batch_size=BATCH)

    _demo_helper_visits(rng, today)
    if not m.AlertSettings.objects.exists():
        m.AlertSettings.objects.create()
    counts = {
        "units": len(units),
        "leaders": len(leaders),
        "teams": len(teams),
        "team_cadres": len(members),
        "first_secretaries": len(secretaries),
        "helpers": len(helpers),
        "pairings": len(pairings) + len(previous),
        "unpaired_poor": len(unpaired),
        "visits": len(visits),
        "check_ins": len(check_ins),
        "measures": len(measures),
    }
    audit.record(
        actor=None,
        action="assistance.demo_seed",
        object_type="assistance",
        object_id="demo",
        object_label="帮扶演示数据",
        after=counts,
    )
    printer(
        f"帮扶演示数据：{len(units)} 个帮扶单位、{len(teams)} 支工作队 {len(members)} 名队员、"
        f"{len(secretaries)} 名第一书记、{len(helpers)} 名帮扶责任人、{len(visits)} 条走访、"
        f"{len(check_ins)} 条考勤、{len(measures)} 条措施"
    )
    return counts


def _demo_helper_visits(rng: random.Random, today: date) -> None:
    """The demo `helper` user: recent visits to some of its households, an old one or none to the rest."""
    helper = get_user_model().objects.filter(username="helper").first()
    if helper is None:
        return
    ids = list(
        m.HelperPairing.objects.current()
        .filter(helper=helper)
        .order_by("household_id")
        .values_list("household_id", flat=True)
    )
    rows = []
    for i, hid in enumerate(ids):
        if i < 3:
            rows.append(
                m.Visit(
                    household_id=hid,
                    visitor=helper,
                    visited_on=today - timedelta(days=3 + 4 * i),
                    activities=ACTIVITIES[i],
                    problems=PROBLEMS[4 + i],
                )
            )
        elif i == 3:
            rows.append(
                m.Visit(
                    household_id=hid,
                    visitor=helper,
                    visited_on=today - timedelta(days=75),
                    activities=ACTIVITIES[i],
                )
            )
    m.Visit.objects.bulk_create(rows)
