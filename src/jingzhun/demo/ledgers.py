"""Demo ledgers (台账演示数据) for `jingzhun demo`, bulk-created (no per-row saves):

- 284 petitions (236 交办 from 中央/省/市 + 48 县本级), 279 closed on time and 5 still being handled as of
  the demo date — the seed's "已按时办结回复279件，5件正在办理中";
- problems from every source, some overdue, some waiting for 销号 acceptance, a few 信访转办 with their link;
- the command system as data (county 指挥部 with 一办四组 and ten sector posts, 26 township 指挥部, village
  作战室) and directives, some recipients not yet signed;
- the 2018 indicators (预脱贫 26,702 people, 73 villages 出列) decomposed to the 26 townships;
- 390 discipline cases (≈340 people disciplined, 7 移送司法, ≈276 万元 追缴, ≈58 万元 退还).
The demo users get work: the township and village cadres are responsible for items in their region."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import Substr

from jingzhun.assistance.models import HelpUnit
from jingzhun.core import audit
from jingzhun.ledger import kinds
from jingzhun.ledger.models import (
    CaseDetail,
    Indicator,
    Item,
    Post,
    Recipient,
    Step,
    UnitCategory,
    UnitProfile,
)
from jingzhun.regions.models import Region
from jingzhun.registry.models import Household

DEMO_DATE = date(2018, 12, 20)
PETITIONS = {"中央交办": 38, "省交办": 92, "市交办": 106, "县本级": 48}  # 236 交办 + 48
OPEN_PETITIONS = 5
SECTOR_WORDS = (
    "教育",
    "卫生健康",
    "住房",
    "水利",
    "民政",
    "人力资源",
    "医疗保障",
    "残疾人",
    "农业农村",
    "交通",
)
OFFICE_GROUPS = ("指挥部办公室", "综合协调组", "督查巡查组", "宣传舆论组", "后勤保障组")  # 一办四组
SECTOR_POSTS = (
    "产业发展",
    "教育发展",
    "健康扶贫",
    "危房改造",
    "安全饮水",
    "交通建设",
    "电力保障",
    "社会兜底",
    "就业扶贫",
    "生态补偿",
)
CASE_COUNT = 390
PROBLEM_TEXT = {
    "中央巡视": "扶贫领域形式主义问题",
    "国务院督查": "易地搬迁后续扶持不到位",
    "省级督查": "产业扶贫项目进度滞后",
    "市县巡察": "村级扶贫资金公示不规范",
    "审计": "扶贫资金拨付滞后",
    "纪检监察": "优亲厚友问题线索",
    "督查指导组": "帮扶责任人走访不到位",
    "数据比对": "建档立卡信息与部门数据不一致",
    "抽样复核": "收入核算不准确",
    "信访转办": "群众反映低保评定不公",
    "其他": "基础设施管护不到位",
}


class _Builder:
    """Collects items with their step paths, then writes everything in a few bulk statements."""

    def __init__(self) -> None:
        self.items: list[Item] = []
        self.paths: list[list[tuple[str, str, str, date, str]]] = []

    def add(self, item: Item, path: list[tuple[str, str, str, date, str]]) -> Item:
        last_status, last_on = path[-1][2], path[-1][3]
        item.status = last_status
        if kinds.get(item.kind).is_closed(last_status):
            item.closed_on = last_on
        item.due_on = item.due_on or item.deadline
        self.items.append(item)
        self.paths.append(path)
        return item

    def write(self) -> list[Item]:
        Item.objects.bulk_create(self.items, batch_size=2000)
        steps, entries = [], []
        for item, path in zip(self.items, self.paths, strict=True):
            closed = None
            for action, label, status, on, note in path:
                if kinds.get(item.kind).is_closed(status):
                    closed = on
                steps.append(
                    Step(
                        item=item,
                        action=action,
                        label=label,
                        from_status="",
                        status=status,
                        on=on,
                        actor_name="演示数据",
                        note=note,
                        evidence="演示佐证" if closed else "",
                        due_on=item.due_on,
                        closed_on=closed,
                    )
                )
            entries.append(
                audit.entry(
                    actor=None,
                    action="ledger.demo_create",
                    object_type="ledger_item",
                    object_id=item.pk,
                    object_label=f"{kinds.LABELS[item.kind]} {item.code}",
                    household_id=item.household_id,
                    after={"status": item.status, "code": item.code},
                )
            )
        for prev, step in zip([None, *steps], steps, strict=False):
            if prev is not None and prev.item is step.item:
                step.from_status = prev.status
        Step.objects.bulk_create(steps, batch_size=5000)
        audit.record_many(entries)
        return self.items


def _units() -> dict[str, HelpUnit]:
    units = {u.name: u for u in HelpUnit.objects.all()}
    profiles = []
    for unit in units.values():
        if unit.name.endswith("人民政府"):
            category = UnitCategory.TOWNSHIP
        elif unit.name.startswith("慈利县") and any(w in unit.name for w in SECTOR_WORDS):
            category = UnitCategory.SECTOR
        else:
            category = UnitCategory.HELP
        profiles.append(UnitProfile(unit=unit, category=category))
    if "慈利县信访局" not in units:
        units["慈利县信访局"] = HelpUnit.objects.create(name="慈利县信访局", affiliation="县直")
        profiles.append(UnitProfile(unit=units["慈利县信访局"], category=UnitCategory.OTHER))
    UnitProfile.objects.bulk_create(profiles, ignore_conflicts=True)
    return units


@transaction.atomic
def seed(*, seed: int = 2018, printer: Callable[[str], Any] = print) -> dict[str, int]:
    rng = random.Random(f"ledger-{seed}")
    User = get_user_model()
    users = {
        u.username: u for u in User.objects.filter(username__in=["township", "village", "leader", "admin"])
    }
    units = _units()
    sector = [u for n, u in units.items() if n.startswith("慈利县") and any(w in n for w in SECTOR_WORDS)]
    sector = sector or list(units.values())[:5]
    petition_unit = units["慈利县信访局"]
    townships = list(Region.objects.filter(level="township", code__startswith="430821").order_by("code"))
    villages = list(Region.objects.filter(level="village", code__startswith="430821").order_by("code"))
    poor = [v for v in villages if v.is_poor_village] or villages[:134]
    demo_village = users.get("village") and users["village"].grants.first()
    home = Region.objects.get(code=demo_village.region_id) if demo_village else poor[0]
    b = _Builder()

    # 信访: 279 closed on time (答复 within the limit), 5 open and within their limit on the demo date.
    all_levels = [lvl for lvl, count in PETITIONS.items() for _ in range(count)]
    rng.shuffle(all_levels)
    petitions = []
    for i, level in enumerate(all_levels):
        n = i + 1
        is_open = i >= len(all_levels) - OPEN_PETITIONS
        registered = (
            DEMO_DATE - timedelta(days=rng.randint(3, 20))
            if is_open
            else date(2018, 1, 2) + timedelta(days=rng.randint(0, 270))
        )
        region = home if i % 40 == 0 else rng.choice(villages)
        accepted = registered + timedelta(days=rng.randint(1, 10))
        item = Item(
            kind="petition",
            code=f"XF2018-{n:04d}",
            source=level,
            region=region,
            unit=rng.choice([petition_unit, *sector]),
            description=rng.choice(list(PROBLEM_TEXT.values())),
            petitioner_name=rng.choice("张王李赵刘陈杨黄周吴") + rng.choice("明华强军芳丽平"),
            petitioner_phone=f"139{rng.randint(0, 99999999):08d}",
            assigned_on=registered,
            deadline=registered + timedelta(days=75),
            responsible=users.get("village") if region == home else None,
            responsible_name="赵书记" if region == home else "经办人",
        )
        path = [
            ("create", "登记", "登记", registered, "登记"),
            ("accept_case", "受理", "已受理", accepted, ""),
        ]
        if is_open:
            path = [
                path[0],
                ("accept_case", "受理", "已受理", min(accepted, DEMO_DATE), ""),
                ("start", "开始办理", "办理中", min(accepted, DEMO_DATE), ""),
            ]
        else:
            replied = accepted + timedelta(days=rng.randint(10, 50))
            path += [
                ("start", "开始办理", "办理中", accepted, ""),
                ("reply", "答复", "已答复", replied, "已书面答复"),
                ("close", "办结", "已办结", replied + timedelta(days=rng.randint(1, 5)), "信访人满意"),
            ]
            item.reply = "经调查核实，已依政策办理并书面答复信访人。"
        petitions.append(b.add(item, path))

    # 问题整改: every source; closed, in progress (some overdue), waiting for acceptance, sent back.
    problems = 0
    for s_index, source in enumerate(kinds.PROBLEM_SOURCES):
        for j in range(rng.randint(10, 18)):
            problems += 1
            assigned = date(2018, 1, 10) + timedelta(days=rng.randint(0, 300))
            deadline = assigned + timedelta(days=rng.choice((15, 30, 30, 60, 90)))
            region = home if (problems % 9 == 0) else rng.choice(poor)
            mine = region == home
            item = Item(
                kind="problem",
                code=f"WT2018-{s_index + 1:02d}{j + 1:03d}",
                source=source,
                region=region,
                unit=rng.choice(sector),
                description=PROBLEM_TEXT[source],
                measures="明确责任人，限期整改到位",
                responsible=users.get("village") if mine else None,
                responsible_name="赵书记" if mine else rng.choice(["李局长", "王科长", "陈主任", "刘站长"]),
                leader_name=rng.choice(["李县长", "张副县长", "王常委"]),
                assigned_on=assigned,
                deadline=deadline,
            )
            path = [
                ("create", "交办", "已交办", assigned, "交办"),
                ("start", "开始整改", "整改中", assigned + timedelta(days=2), ""),
            ]
            fate = rng.random()
            if fate < 0.78 and deadline < DEMO_DATE:
                done = min(deadline + timedelta(days=rng.choice((-12, -8, -5, -3, -1, 3))), DEMO_DATE)
                path += [
                    ("apply_close", "申请销号", "申请销号", done - timedelta(days=2), "已整改到位"),
                    ("accept", "验收销号", "已销号", done, "验收合格"),
                ]
            elif fate < 0.88:
                path += [
                    ("apply_close", "申请销号", "申请销号", min(deadline, DEMO_DATE), "已整改，申请销号")
                ]
            elif fate < 0.93:
                path += [
                    ("apply_close", "申请销号", "申请销号", assigned + timedelta(days=5), "已整改"),
                    ("send_back", "退回整改", "退回整改", assigned + timedelta(days=8), "佐证不足"),
                ]
            b.add(item, path)

    # 任务指标: 2018 预脱贫 26,702 people and 73 villages 出列, decomposed by the townships' shares; both
    # computed from the data (the assessment's ready people, the poor villages meeting every V-* rule).
    people = {
        row["t"]: row["n"]
        for row in Household.objects.annotate(t=Substr("village_id", 1, 9))
        .values("t")
        .annotate(n=Count("id"))
    }
    poor_by_t: dict[str, int] = {}
    for v in poor:
        poor_by_t[v.code[:9]] = poor_by_t.get(v.code[:9], 0) + 1
    indicators = []
    for metric, total, weights, source in (
        ("预脱贫人数", 26702, people, "ready_people"),
        ("贫困村出列", 73, poor_by_t, "exit_villages"),
    ):
        shares = _decompose(total, [weights.get(t.code[:9], 0) or 1 for t in townships])
        for t, target in zip(townships, shares, strict=True):
            item = Item(
                kind="task",
                code=f"ZB2018-{'RK' if source == 'ready_people' else 'CL'}-{t.code[6:9]}",
                title=metric,
                description=f"{t.name}2018年{metric}目标{target}",
                region=t,
                unit=units.get(f"{t.name}人民政府"),
                responsible_name=f"{t.name}党委书记",
                assigned_on=date(2018, 2, 1),
                deadline=date(2018, 12, 31),
            )
            b.add(
                item,
                [
                    ("create", "分解", "已分解", date(2018, 2, 1), "县指挥部分解"),
                    ("start", "开始推进", "推进中", date(2018, 2, 10), ""),
                ],
            )
            indicators.append((item, metric, target, source))

    # 违纪案件
    cases = []
    for i in range(CASE_COUNT):
        opened = date(2018, 1, 5) + timedelta(days=rng.randint(0, 320))
        item = Item(
            kind="case",
            code=f"AJ2018-{i + 1:04d}",
            description="扶贫领域腐败和作风问题",
            region=rng.choice(villages),
            unit=units.get("慈利县纪委监委") or sector[0],
            responsible_name="县纪委监委第三审查调查室",
            assigned_on=opened,
            deadline=opened + timedelta(days=90),
        )
        path = [
            ("create", "受理", "线索受理", opened, "线索受理"),
            ("verify", "初步核实", "初核", opened + timedelta(days=5), ""),
        ]
        if i < 30:
            path.append(("dismiss", "了结", "了结", opened + timedelta(days=20), "经初核问题不属实"))
        elif i < 372:
            step = opened + timedelta(days=10)
            path += [
                ("file", "立案", "立案", step, ""),
                ("investigate", "审查调查", "审查调查", step + timedelta(days=5), ""),
                ("try", "移送审理", "审理", step + timedelta(days=30), ""),
                ("conclude", "结案", "结案", min(step + timedelta(days=45), DEMO_DATE), "给予处分"),
            ]
        else:
            path += [("file", "立案", "立案", opened + timedelta(days=10), "")]
        cases.append(b.add(item, path))

    b.write()
    _posts_and_directives(rng, townships, poor, home, users)
    Indicator.objects.bulk_create(
        [
            Indicator(
                item=item,
                metric=metric,
                target=target,
                source=source,
                year=2018,
                reported=0 if source else rng.randint(0, target),
            )
            for item, metric, target, source in indicators
        ]
    )
    _case_details(rng, cases)
    # 信访转办: each such problem links to the (closed) petition it came from.
    transfers = [i for i in b.items if i.kind == "problem" and i.source == "信访转办"]
    closed = [p for p in petitions if p.status == "已办结"]
    for problem, petition in zip(transfers, closed, strict=False):
        problem.origin = petition
        problem.region = petition.region
    Item.objects.bulk_update(transfers, ["origin", "region"])
    counts = {
        "petitions": len(petitions),
        "problems": problems,
        "tasks": len(indicators),
        "cases": len(cases),
    }
    printer(
        f"台账演示数据：信访 {counts['petitions']} 件、问题 {problems} 个、任务指标 {len(indicators)} 项、"
        f"违纪案件 {len(cases)} 件"
    )
    return counts


def _decompose(total: int, weights: list[int]) -> list[int]:
    """Split `total` by weights, largest remainders first, so the parts add up exactly."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    parts = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _posts_and_directives(rng: random.Random, townships, poor, home, users) -> None:
    county = Post.objects.create(name="慈利县脱贫攻坚指挥部", level="县", region_id="430821000000")
    Post.objects.bulk_create(
        [
            Post(name=f"县指挥部{g}", level="县", region_id="430821000000", parent=county)
            for g in OFFICE_GROUPS
        ]
        + [Post(name=f"{s}指挥部", level="县", region_id="430821000000", parent=county) for s in SECTOR_POSTS]
        + [Post(name=f"{t.name}脱贫攻坚指挥部", level="乡镇", region=t, parent=county) for t in townships]
    )
    town_posts = {p.region_id[:9]: p for p in Post.objects.filter(level="乡镇")}
    Post.objects.bulk_create(
        [
            Post(
                name=f"{town_posts[v.code[:9]].name.removesuffix('脱贫攻坚指挥部')}{v.name}作战室",
                level="村",
                region=v,
                parent=town_posts[v.code[:9]],
            )
            for v in poor
            if v.code[:9] in town_posts
        ]
    )
    if "leader" in users:
        county.members.add(users["leader"])
    if "township" in users:
        grant = users["township"].grants.first()
        if grant and grant.region_id[:9] in town_posts:
            town_posts[grant.region_id[:9]].members.add(users["township"])
    room = Post.objects.filter(level="村", region=home).first()
    if room and "village" in users:
        room.members.add(users["village"])
    topics = (
        "开展“四访”活动",
        "迎接省级考核前全面自查",
        "落实“五天四夜”驻村要求",
        "完成危房改造验收",
        "核实贫困户收入",
        "整改中央巡视反馈问题",
        "做好冬季送温暖",
        "完善“一户一档”资料",
    )
    b = _Builder()
    plans = []
    for i, topic in enumerate(topics):
        issued = DEMO_DATE - timedelta(days=60 - i * 7)
        item = Item(
            kind="directive",
            code=f"ZL2018-{i + 1:03d}",
            title=topic,
            description=f"各乡镇指挥部：{topic}",
            region_id="430821000000",
            post=county,
            assigned_on=issued,
            deadline=issued + timedelta(days=14),
        )
        b.add(item, [("create", "下达", "已下达", issued, "县指挥部下达")])
        plans.append((item, list(town_posts.values())))
    if room is not None and room.parent is not None:
        town = room.parent
        item = Item(
            kind="directive",
            code="ZL2018-101",
            title="本周完成遍访",
            description="各村作战室完成本周遍访",
            region=town.region,
            post=town,
            assigned_on=DEMO_DATE - timedelta(days=3),
            deadline=DEMO_DATE + timedelta(days=4),
        )
        b.add(item, [("create", "下达", "已下达", DEMO_DATE - timedelta(days=3), "乡镇指挥部下达")])
        plans.append((item, list(town.children.all())))
    b.write()
    recipients = []
    for index, (item, posts) in enumerate(plans):
        done_share = 1.0 if index < 3 else rng.uniform(0.5, 0.95)
        for p in posts:
            r = rng.random()
            status = (
                "已反馈"
                if r < done_share
                else (
                    "待签收"
                    if r < done_share + 0.03 or index == len(plans) - 1
                    else rng.choice(("已签收", "落实中"))
                )
            )
            recipients.append(
                Recipient(
                    item=item, post=p, status=status, report="已按要求落实" if status == "已反馈" else ""
                )
            )
    Recipient.objects.bulk_create(recipients)
    for item, _posts in plans:
        if not Recipient.objects.filter(item=item).exclude(status="已反馈").exists():
            Item.objects.filter(pk=item.pk).update(
                status="已完成", closed_on=item.assigned_on + timedelta(days=10)
            )
            Step.objects.create(
                item=item,
                action="complete",
                label="全部反馈",
                from_status="已下达",
                status="已完成",
                on=item.assigned_on + timedelta(days=10),
                actor_name="演示数据",
                due_on=item.due_on,
                closed_on=item.assigned_on + timedelta(days=10),
            )


def _case_details(rng: random.Random, cases: list[Item]) -> None:
    concluded = [c for c in cases if c.status == "结案"]
    details = []
    judicial = set(rng.sample(range(len(concluded)), 7))
    # 276 万元 recovered, 58 万元 returned to the people (the seed's ≈ figures): random shares of the two
    # totals, the last case taking the rounding remainder, so the county's totals are the seed's exactly.
    weights = [Decimal(rng.uniform(0.5, 1.5)) for _ in concluded]
    recovered = _shares(Decimal("2760000"), weights)
    returned = _shares(Decimal("580000"), recovered)
    for i, case in enumerate(concluded):
        details.append(
            CaseDetail(
                item=case,
                party_discipline=1 if i % 3 else 0,
                government_discipline=0 if i % 3 else 1,
                judicial=1 if i in judicial else 0,
                recovered=recovered[i],
                returned=returned[i],
            )
        )
    CaseDetail.objects.bulk_create(details)


def _shares(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """`total` split in proportion to `weights`, to the cent, summing to `total` exactly."""
    whole = sum(weights)
    shares = [(total * w / whole).quantize(Decimal("0.01")) for w in weights]
    if shares:
        shares[-1] += total - sum(shares)
    return shares
