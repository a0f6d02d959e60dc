"""Demo clues (线索演示数据) for `jingzhun demo`: hits built from the demo registry, stored through
`store_hits` as a 数据清洗 run and a 部门比对 run would store them, then checked through the ledger engine.

Until the cleansing and cross-check engines feed the demo (parts A/B of issue 13), the hits are made here
from registry members with plausible departmental records: deaths, moves, vehicles (the exempt types
never appear: they make no hit), flats, companies, public payroll, 低保/残疾/医保/危房 disagreements and a
few cleansing rules. Each rule gets its own share of decoys (closed 不属实 with the reason a cadre would
write: 同名同姓, 车辆登记在已故父亲名下 …), so precision per rule differs as it does in the field (老河口: 14–29%
confirmed overall; deaths far more often true than vehicles). The demo village gets clues in every state
for the demo users: 待核查 in the village cadre's 我的待办, some 核查中, some closed, and two confirmed
deaths whose 自然减少 the county admin has applied."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from jingzhun.accounts.access import actor_for
from jingzhun.core.errors import ValidationFailed
from jingzhun.ledger.selectors import system_actor
from jingzhun.ledger.services import item_move
from jingzhun.registry.models import Member
from jingzhun.rules.hits import Hit
from jingzhun.verification.clue_store import store_hits
from jingzhun.verification.followups import followup_apply
from jingzhun.verification.models import Clue

YEAR = 2018
# rule → (how many hits, share confirmed 属实 among those checked)
PLAN = {
    "X-DEATH": (40, 0.85),
    "X-MOVED": (25, 0.6),
    "X-VEHICLE": (40, 0.15),
    "X-HOUSE": (20, 0.25),
    "X-BUSINESS": (12, 0.3),
    "X-PAYROLL": (10, 0.5),
    "X-DIBAO": (25, 0.4),
    "X-DISABILITY": (20, 0.35),
    "X-INSURANCE": (30, 0.2),
    "X-HOUSING": (12, 0.5),
    "Q-SPOUSE-SEX": (6, 0.5),
    "Q-CHILD-LABOUR": (10, 0.7),
    "Q-INCOME-ZERO": (8, 0.25),
}
DATASET = {
    "X-DEATH": "死亡人口",
    "X-MOVED": "户籍迁出",
    "X-VEHICLE": "车辆登记",
    "X-HOUSE": "商品房",
    "X-BUSINESS": "工商注册",
    "X-PAYROLL": "财政供养",
    "X-DIBAO": "低保特困",
    "X-DISABILITY": "残疾人",
    "X-INSURANCE": "医保参保",
    "X-HOUSING": "危房鉴定",
}
TRUE_NOTES = {
    "X-DEATH": "入户核实：本人已于登记日期前去世，见火化证明",
    "X-MOVED": "入户核实：已随子女迁往外地落户",
    "X-VEHICLE": "入户核实：车辆为本户所有，用于跑运输",
    "X-HOUSE": "入户核实：县城商品房为本户购买",
    "X-BUSINESS": "入户核实：本人为公司股东，公司正常经营",
    "X-PAYROLL": "入户核实：本人为在编教师",
}
FALSE_NOTES = {
    "X-DEATH": "入户核实：本人健在，系同名同姓",
    "X-MOVED": "入户核实：户口未迁，系公安数据录入错误",
    "X-VEHICLE": "入户核实：车辆登记在已故父亲名下，早已报废",
    "X-HOUSE": "入户核实：房屋为亲属借名购买，本户未出资",
    "X-BUSINESS": "入户核实：公司已停业多年，未注销",
    "X-PAYROLL": "入户核实：本人为临时聘用，不属财政供养",
}
CLEANSE_RECORDS = 0  # filled with the member count: 数据清洗 reads every member once
CROSS_RECORDS = 186420  # rows of the ten demo datasets together (the summary's "比对 N 条记录")


def _plate(rng: random.Random) -> str:
    return "湘G·" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(5))


def _hit(rule: str, m: Member, rng: random.Random) -> Hit:
    day = date(YEAR, 1, 1) + timedelta(days=rng.randint(0, 330))
    ident = {"证件号码": m.id_number, "姓名": m.name}
    match = "证件号码" if rng.random() > 0.08 else "近似"
    record: dict[str, str]
    if rule == "X-DEATH":
        record = {**ident, "死亡日期": day.isoformat(), "来源": rng.choice(["公安", "民政", "卫健"])}
        text = f"死亡人口名单载有{m.name}，死亡日期 {day.isoformat()}，仍在册"
    elif rule == "X-MOVED":
        place = rng.choice(["长沙市岳麓区", "广东省东莞市", "张家界市永定区", "浙江省义乌市"])
        record = {**ident, "迁出日期": day.isoformat(), "迁往地区": place}
        text = f"户籍于 {day.isoformat()} 迁往{place}，仍在册"
    elif rule == "X-VEHICLE":
        kind = rng.choice(["小型普通客车", "小型轿车", "轻型厢式货车", "重型自卸货车"])
        record = {**ident, "号牌号码": _plate(rng), "车辆类型": kind, "注册日期": day.isoformat()}
        text = f"{m.name}名下有{kind} {record['号牌号码']}"
    elif rule == "X-HOUSE":
        area = f"{rng.randint(70, 140)}.{rng.randint(0, 9)}"
        record = {
            **ident,
            "房屋坐落": f"慈利县零阳街道{rng.choice(['建设路', '迎宾路', '朝阳路'])}{rng.randint(1, 99)}号",
            "建筑面积": area,
            "登记日期": day.isoformat(),
        }
        text = f"{m.name}名下有商品房（{record['房屋坐落']}，{area}㎡）"
    elif rule == "X-BUSINESS":
        capital = str(rng.choice([10, 20, 50, 100]))
        record = {
            **ident,
            "企业名称": f"慈利县{rng.choice(['兴农', '金穗', '宏达', '山水'])}农业开发有限公司",
            "身份": rng.choice(["法定代表人", "股东"]),
            "注册资本（万元）": capital,
            "经营状态": "存续",
        }
        text = f"{m.name}为{record['企业名称']}{record['身份']}，注册资本{capital}万元，存续"
    elif rule == "X-PAYROLL":
        unit = rng.choice(["慈利县第一中学", "慈利县人民医院", "溪口镇人民政府", "慈利县林业局"])
        record = {**ident, "工作单位": unit, "人员类别": rng.choice(["在编", "编外聘用"])}
        text = f"财政供养人员名单载有{m.name}（{unit}）"
    elif rule == "X-DIBAO":
        if m.dibao:
            record, text = {}, f"{m.name}登记为低保，民政名单中无 {YEAR} 年底有效的低保期间"
            match = ""
        else:
            record = {**ident, "救助类别": "低保", "起始日期": f"{YEAR - 1}-03-01", "终止日期": ""}
            text = f"民政名单载{m.name}自 {YEAR - 1}-03-01 享受低保，登记为否"
    elif rule == "X-DISABILITY":
        record = {
            **ident,
            "证件号码": m.id_number + rng.choice(["21", "42", "13"]),
            "残疾类别": rng.choice(["肢体", "视力", "智力"]),
            "残疾等级": rng.choice(["一级", "二级", "三级", "四级"]),
        }
        text = f"残联名单载有{m.name}，健康状况登记为{m.health}"
    elif rule == "X-INSURANCE":
        record = {**ident, "参保年度": str(YEAR), "参保状态": "参保"} if not m.medical_insurance else {}
        text = (
            f"医保参保名单无{m.name} {YEAR} 年参保记录，登记为已参保"
            if m.medical_insurance
            else f"{m.name} {YEAR} 年已参保，登记为未参保"
        )
        match = "证件号码" if record else ""
    elif rule == "X-HOUSING":
        grade = rng.choice(["C", "D"])
        record = {"证件号码": m.id_number, "鉴定等级": grade, "鉴定日期": day.isoformat()}
        text = f"危房鉴定 {day.isoformat()} 为{grade}级，登记住房安全等级为{m.household.housing_safety or '未鉴定'}"
    elif rule == "Q-SPOUSE-SEX":
        return Hit(
            rule=rule,
            household_id=m.household_id,
            member_id=m.pk,
            explanation=f"配偶 {m.name} 与户主同为{'男性' if m.gender == '男' else '女性'}",
        )
    elif rule == "Q-CHILD-LABOUR":
        return Hit(
            rule=rule,
            household_id=m.household_id,
            member_id=m.pk,
            explanation=f"{m.name} 未满16周岁，劳动技能登记为{m.labour_skill}",
        )
    else:  # Q-INCOME-ZERO (household level: the 户主 is named)
        return Hit(
            rule=rule,
            household_id=m.household_id,
            member_id=None,
            explanation=f"{m.household.head_name}户 {YEAR} 年各项收入均为0",
        )
    return Hit(
        rule=rule,
        household_id=m.household_id,
        member_id=m.pk if rule != "X-HOUSING" else None,
        explanation=text,
        dataset=DATASET[rule],
        match=match if record or rule not in ("X-DIBAO", "X-INSURANCE") else "",
        record_key=f"{DATASET[rule]}:{m.id_number}:{rng.randint(0, 10**9)}",
        record=record,
    )


def _candidates(rule: str, village_code: str, rng: random.Random) -> list[Member]:
    active = Member.objects.filter(is_active=True, household__registry_status="在册").select_related(
        "household"
    )
    if rule == "X-DEATH":
        query = active.filter(birth_date__lt=date(1950, 1, 1)).exclude(relation="户主")
    elif rule == "Q-SPOUSE-SEX":
        query = active.filter(relation="配偶")
    elif rule == "Q-CHILD-LABOUR":
        query = active.filter(birth_date__gt=date(YEAR - 16, 12, 31))
    elif rule in ("Q-INCOME-ZERO", "X-HOUSING"):
        query = active.filter(relation="户主")
    elif rule == "X-MOVED":
        query = active.exclude(relation="户主").filter(birth_date__lt=date(1995, 1, 1))
    else:
        query = active.filter(birth_date__lt=date(YEAR - 18, 1, 1))
    home = list(query.filter(household__village_id=village_code).order_by("id")[:6])
    pool = list(query.order_by("id")[:4000])
    rng.shuffle(pool)
    return home[:2] + pool


@transaction.atomic
def seed(*, seed: int = 2018, printer: Callable[[str], Any] = print) -> dict[str, int]:
    rng = random.Random(f"clues-{seed}")
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["admin", "village", "township"])
    }
    grant = users["village"].grants.first() if "village" in users else None
    village_code = grant.region_id if grant else ""
    county = system_actor()
    hits: dict[str, list[Hit]] = {"cleanse": [], "cross": []}
    used: set[tuple[str, int]] = set()
    for rule, (count, _) in PLAN.items():
        picked = 0
        for m in _candidates(rule, village_code, rng):
            if picked == count:
                break
            key = (rule, m.household_id if rule in ("Q-INCOME-ZERO", "X-HOUSING") else m.pk)
            if key in used:
                continue
            used.add(key)
            hits["cleanse" if rule.startswith("Q-") else "cross"].append(_hit(rule, m, rng))
            picked += 1
    members = Member.objects.filter(is_active=True).count()
    store_hits(
        hits=hits["cleanse"],
        rules_run={r for r in PLAN if r.startswith("Q-")},
        year=YEAR,
        actor=county,
        records=members,
    )
    store_hits(
        hits=hits["cross"],
        rules_run={r for r in PLAN if r.startswith("X-")},
        year=YEAR,
        actor=county,
        records=CROSS_RECORDS,
    )

    village = actor_for(users["village"]) if "village" in users else county
    admin = actor_for(users["admin"]) if "admin" in users else county
    counts = {"待核查": 0, "核查中": 0, "属实": 0, "不属实": 0, "已处置": 0}
    clues = list(Clue.objects.select_related("item").order_by("item__code"))
    home = [c for c in clues if c.village_code == village_code]
    for clue in clues:
        in_home = clue.village_code == village_code
        checker = village if in_home else county
        # the demo village keeps work for its cadre: its first clues stay 待核查, the next 核查中
        fate = rng.random()
        if in_home and home.index(clue) < 3:
            counts["待核查"] += 1
            continue
        if (in_home and home.index(clue) < 5) or (not in_home and fate < 0.25):
            item_move(actor=checker, item=clue.item, action="start")
            counts["核查中"] += 1
            continue
        if not in_home and fate < 0.45:
            counts["待核查"] += 1
            continue
        item_move(actor=checker, item=clue.item, action="start")
        true = rng.random() < PLAN[clue.rule][1] or (in_home and clue.rule == "X-DEATH")
        note = (TRUE_NOTES if true else FALSE_NOTES).get(
            clue.rule, "入户核实" + ("，情况属实" if true else "，情况不属实，登记数据无误")
        )
        item_move(actor=checker, item=clue.item, action="close_true" if true else "close_false", note=note)
        counts["属实" if true else "不属实"] += 1
        if true and clue.rule == "X-DEATH" and counts["已处置"] < 2 and in_home:
            try:
                followup_apply(actor=admin, clue=Clue.objects.get(pk=clue.pk))
                counts["已处置"] += 1
            except ValidationFailed:  # e.g. the last member: the clue stays proposed, to be applied by hand
                pass
    printer(
        f"已生成线索 {len(clues)} 条：待核查 {counts['待核查']}，核查中 {counts['核查中']}，"
        f"属实 {counts['属实']}，不属实 {counts['不属实']}，已执行处置 {counts['已处置']}"
    )
    return {"clues": len(clues), **counts}
