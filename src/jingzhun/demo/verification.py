"""Demo clues (线索演示数据) for `jingzhun demo`: the product's own findings on the demo county.

The departmental datasets are generated from the demo registry (`verification_datasets`: realistic rolls with
real disagreements, decoys, outsiders, old and mistyped IDs), written as the CSVs the departments would
send and imported through the real importer as the county admin; then 数据清洗 and 部门比对 run over the
county for the demo year and keep their hits as clues (`keep_as_clues`), as `jingzhun verify` does.

A share of the clues is then checked through the ledger engine, each rule with its own share confirmed
(closed 不属实 with the reason a cadre would write: 同名同姓, 车辆登记在已故父亲名下 …), so precision per rule
differs as it does in the field (老河口: 14–29% confirmed overall; deaths far more often true than
vehicles). The demo village gets clues in every state for the demo users: 待核查 in the village cadre's
我的待办, some 核查中, some closed, and confirmed deaths whose 自然减少 the county admin has applied."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from jingzhun.accounts.access import actor_for
from jingzhun.core.errors import ValidationFailed
from jingzhun.demo import verification_datasets
from jingzhun.ledger.selectors import system_actor
from jingzhun.ledger.services import item_move
from jingzhun.verification.cleanse import run_cleanse
from jingzhun.verification.crosscheck import county_datasets, run_crosscheck
from jingzhun.verification.followups import followup_apply
from jingzhun.verification.importer import county_code, import_datasets
from jingzhun.verification.models import Clue
from jingzhun.verification.runs import (
    CLEANSING_CODES,
    cleanse_records,
    crosscheck_records,
    crosscheck_rules,
    keep_as_clues,
)

YEAR = 2018
# rule → share confirmed 属实 among the clues checked (others: 0.3)
CONFIRMED = {
    "X-DEATH": 0.85,
    "X-MOVED": 0.6,
    "X-VEHICLE": 0.15,
    "X-HOUSE": 0.25,
    "X-BUSINESS": 0.3,
    "X-PAYROLL": 0.5,
    "X-DIBAO": 0.4,
    "X-DISABILITY": 0.35,
    "X-SCHOOL": 0.5,
    "X-INSURANCE": 0.2,
    "X-HOUSING": 0.5,
    "Q-SPOUSE-SEX": 0.5,
    "Q-CHILD-LABOUR": 0.7,
    "Q-INCOME-ZERO": 0.25,
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


def village_checkers() -> dict[str, list[Any]]:
    """Village code → actors of the people who check its clues on the ground: the users with a
    village-level grant there (the demo's 村干部, 第一书记 and 驻村工作队), by username."""
    from jingzhun.accounts.models import RoleGrant
    from jingzhun.accounts.roles import RoleCode

    grants = (
        RoleGrant.objects.filter(role=RoleCode.VILLAGE_CADRE, region__level="village", user__is_active=True)
        .select_related("user")
        .order_by("region_id", "user__username")
    )
    out: dict[str, list[Any]] = {}
    for grant in grants:
        out.setdefault(grant.region_id, []).append(actor_for(grant.user))
    return out


@transaction.atomic
def seed(*, seed: int = 2018, printer: Callable[[str], Any] = print) -> dict[str, int]:
    rng = random.Random(f"clues-{seed}")
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["admin", "village", "township"])
    }
    grant = users["village"].grants.first() if "village" in users else None
    village_code = grant.region_id if grant else ""
    county = system_actor()
    admin_user = users.get("admin")
    admin = actor_for(admin_user) if admin_user else county
    folder = Path(settings.CONFIG.data_dir) / "demo-datasets"
    paths = verification_datasets.generate(folder, home=village_code, year=YEAR, seed=seed)
    imported = 0
    for path in paths:  # one file per department, as they arrive (each dataset keeps its file name)
        outcome = import_datasets([str(path)], actor=admin, user=admin_user, file_name=path.name)
        if not outcome.result.ok:
            raise ValidationFailed({"__all__": f"演示部门数据导入失败：{outcome.result.errors[0]}"})
        imported += sum(outcome.datasets.values())
    code = county_code()
    cleanse_line = keep_as_clues(
        hits=run_cleanse(YEAR),
        rules_run=set(CLEANSING_CODES),
        year=YEAR,
        region=None,
        actor=None,
        village_records=cleanse_records(code),
    )
    counted: dict[str, tuple[int, int]] = {}
    by_village: dict[str, int] = {}
    cross = run_crosscheck(YEAR, unmatched=counted, by_village=by_village)
    cross_line = keep_as_clues(
        hits=cross,
        rules_run=crosscheck_rules(set(county_datasets().datasets)),
        year=YEAR,
        region=None,
        actor=None,
        village_records=crosscheck_records(counted, by_village, code),
    )
    unmatched = sum(c[1] for c in counted.values())
    printer(
        f"演示部门数据：{len(paths)} 个数据集 {imported:,} 条记录（{unmatched:,} 条未匹配到在册人员）；"
        f"数据清洗{cleanse_line}；部门比对{cross_line}"
    )

    checkers = village_checkers()
    counts = {"待核查": 0, "核查中": 0, "属实": 0, "不属实": 0, "已处置": 0}
    clues = list(Clue.objects.select_related("item").order_by("item__code"))
    home = [c for c in clues if c.village_code == village_code]
    deaths: list[tuple[bool, int]] = []
    for clue in clues:
        in_home = clue.village_code == village_code
        # the demo village keeps work for its cadre: its first clues stay 待核查, the next 核查中
        fate = rng.random()
        people = checkers.get(clue.village_code, [])
        if (in_home and home.index(clue) < 6) or not people:
            counts["待核查"] += 1  # … and a village with nobody of its own to check stays 待核查
            continue
        # checked on the ground by one of the village's own people (村干部/第一书记/工作队), by name
        checker = actor_for(users["village"]) if in_home and "village" in users else rng.choice(people)
        if (in_home and home.index(clue) < 9) or (not in_home and fate < 0.25):
            item_move(actor=checker, item=clue.item, action="start")
            counts["核查中"] += 1
            continue
        if not in_home and fate < 0.45:
            counts["待核查"] += 1
            continue
        item_move(actor=checker, item=clue.item, action="start")
        true = rng.random() < CONFIRMED.get(clue.rule, 0.3) or (in_home and clue.rule == "X-DEATH")
        note = (TRUE_NOTES if true else FALSE_NOTES).get(
            clue.rule, "入户核实" + ("，情况属实" if true else "，情况不属实，登记数据无误")
        )
        item_move(actor=checker, item=clue.item, action="close_true" if true else "close_false", note=note)
        counts["属实" if true else "不属实"] += 1
        if true and clue.rule == "X-DEATH":
            deaths.append((not in_home, clue.pk))
    # the county admin applies 自然减少 for two confirmed deaths, the demo village's first
    for _, pk in sorted(deaths):
        if counts["已处置"] == 2:
            break
        try:
            followup_apply(actor=admin, clue=Clue.objects.get(pk=pk))
        except ValidationFailed:
            # refused, e.g. the household's last member: that clue stays proposed (to be applied by hand,
            # as the page shows) and the demo takes the next confirmed death
            continue
        counts["已处置"] += 1
    printer(
        f"已生成线索 {len(clues)} 条：待核查 {counts['待核查']}，核查中 {counts['核查中']}，"
        f"属实 {counts['属实']}，不属实 {counts['不属实']}，已执行处置 {counts['已处置']}"
    )
    return {"clues": len(clues), **counts}
