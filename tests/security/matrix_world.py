"""The world the authorization matrix runs in: one persona per role and, for every kind of object a URL
names, one object on side A (杜坪村, 溪口镇) and one on side B (琵琶村, 零阳街道).

Scope of the personas: county admin, county leader and the three administrators cover both sides; township and village cadre
cover A only; the helper is paired with household A only; the outsider (a village cadre of 琵琶村)
covers B only. So every route is asked for an object inside and one outside each restricted role's scope.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import OTHER_VILLAGE, VILLAGE, register

ROLES = (
    "anon",
    "admin",
    "leader",
    "township",
    "village",
    "helper",
    "outsider",
    "sysadmin",  # 系统管理员 (三员分立)
    "secadmin",  # 安全管理员
    "auditadmin",  # 审计管理员
    "nootp",  # the county admin after the password, before the TOTP code (等保 L3 second factor)
)
SIDES = ("A", "B")
PASSWORD = "Pass-word-123"


def _png() -> bytes:
    from tests.assistance.conftest import png_bytes

    return png_bytes()


def build_world() -> dict[str, Any]:
    """Create everything through the services (as users would) and return the objects by kind and side."""
    from jingzhun.accounts.access import actor_for
    from jingzhun.accounts.services import api_token_create, role_grant, user_create
    from jingzhun.assistance import models as am
    from jingzhun.assistance import services as asv
    from jingzhun.jobs.models import Job
    from jingzhun.regions.loader import load_divisions
    from jingzhun.standards.defaults import ensure_defaults
    from jingzhun.standards.loading import clear_cache

    load_divisions()
    clear_cache()
    standard = ensure_defaults()

    def persona(username: str, role: str, region: str):
        user, _ = user_create(username=username, password=PASSWORD, display_name=username)
        role_grant(user=user, role=role, region_code=region)
        return user

    users = {
        "admin": persona("admin", "county_admin", "430821000000"),
        "leader": persona("leader", "county_leader", "430821000000"),
        "township": persona("township", "township_cadre", VILLAGE[:9] + "000"),
        "village": persona("village", "village_cadre", VILLAGE),
        "helper": persona("helper", "helper", VILLAGE),
        "outsider": persona("outsider", "village_cadre", OTHER_VILLAGE),
        "sysadmin": persona("sysadmin", "system_admin", "430821000000"),
        "secadmin": persona("secadmin", "security_admin", "430821000000"),
        "auditadmin": persona("auditadmin", "audit_admin", "430821000000"),
        "nootp": persona("nootp", "county_admin", "430821000000"),
    }
    other_helper = persona("helper_b", "helper", OTHER_VILLAGE)  # a 帮扶责任人 of side B (not signed in)
    admin = actor_for(users["admin"])
    hh = {"A": register(admin), "B": register(admin, village=OTHER_VILLAGE)}
    asv.helper_assign(actor=admin, household=hh["A"], helper=users["helper"], started_on=date(2018, 1, 1))
    asv.helper_assign(actor=admin, household=hh["B"], helper=other_helper, started_on=date(2018, 1, 1))
    visits, measures, teams, team_members = {}, {}, {}, {}
    for side, village, cadre in (("A", VILLAGE, users["village"]), ("B", OTHER_VILLAGE, users["outsider"])):
        photo = SimpleUploadedFile("v.png", _png(), content_type="image/png")
        visits[side] = asv.visit_log(
            actor=admin, household=hh[side], visited_on=date(2024, 3, 1), activities="走访", photos=[photo]
        )
        measures[side] = asv.measure_add(
            actor=admin,
            household=hh[side],
            data={"category": am.MeasureCategory.values[0], "content": "产业", "started_on": "2024-01-01"},
        )
        teams[side] = asv.work_team_create(actor=admin, village_code=village)
        team_members[side] = asv.team_member_add(actor=admin, team=teams[side], cadre=cadre)
    jobs = {
        "A": Job.objects.create(kind="registry_import", params={}, created_by=users["village"]),
        "B": Job.objects.create(kind="registry_import", params={}, created_by=users["outsider"]),
    }
    # an import's error report and a finished export's file on disk, so their downloads are reachable
    from django.utils import timezone

    from jingzhun.jobs.models import JobStatus
    from jingzhun.verification.models import Dataset
    from jingzhun.workbook.export_jobs import KIND, export_dir
    from jingzhun.workbook.jobs import report_path

    # a departmental dataset of the county (verification:dataset), county-level data
    Dataset.objects.create(
        county_code="430821",
        name="死亡人口",
        columns=["证件号码", "姓名", "死亡日期"],
        file_name="死亡人口.csv",
        imported_at=timezone.now(),
    )

    export_dir().mkdir(parents=True, exist_ok=True)
    exports = {}
    for side, owner in (("A", users["village"]), ("B", users["outsider"])):
        path = report_path(jobs[side], "csv")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("行,错误\n", encoding="utf-8")
        (export_dir() / f"matrix-{side}.xlsx").write_bytes(b"PK")
        exports[side] = Job.objects.create(
            kind=KIND,
            status=JobStatus.SUCCEEDED,
            finished_at=timezone.now(),
            created_by=owner,
            params={},
            result={"path": f"matrix-{side}.xlsx", "filename": f"matrix-{side}.xlsx", "households": 1},
        )
    tokens = {"A": api_token_create(user=users["village"], name="a")[0]}
    tokens["B"] = api_token_create(user=users["outsider"], name="b")[0]
    rule = standard.rules.order_by("code").first()
    ledger = _ledger_world(users)
    clues = _clue_world(hh)
    return {
        **ledger,
        **clues,
        "users": users,
        "household": hh,
        "member": {s: hh[s].members.order_by("pk").first() for s in SIDES},
        "visit": visits,
        "photo": {s: visits[s].photos.first() for s in SIDES},
        "measure": measures,
        "team": teams,
        "team_member": team_members,
        "job": jobs,
        "export_job": exports,
        "token": tokens,
        "standard": standard,
        "rule": rule,
        "village": {"A": VILLAGE, "B": OTHER_VILLAGE},
        "township": {"A": VILLAGE[:9] + "000", "B": OTHER_VILLAGE[:9] + "000"},
        "helper_user": {"A": users["helper"], "B": other_helper},
        "managed_user": {"A": users["village"], "B": users["outsider"]},
    }


def _ledger_world(users: dict[str, Any]) -> dict[str, Any]:
    """台账 objects per side, each of the kind its route needs: a 问题 with an attachment (detail, move,
    attachment), a 信访件 (transfer), a 指令 from the township 指挥部 to the village 作战室 (recipients), a
    任务指标 (indicator) and a 违纪案件 (case figures). Made by the county (system actor), as an import would."""
    from jingzhun.assistance.models import Affiliation, HelpUnit
    from jingzhun.ledger import workflows
    from jingzhun.ledger.models import Attachment, Post
    from jingzhun.ledger.selectors import system_actor
    from jingzhun.ledger.services import item_create, item_note
    from jingzhun.regions.models import Region

    county = system_actor()
    unit = HelpUnit.objects.create(name="县水利局", affiliation=Affiliation.COUNTY)
    top = Post.objects.create(name="县脱贫攻坚指挥部", level="县", region_id="430821000000")
    out: dict[str, dict[str, Any]] = {
        k: {} for k in ("ledger_item", "petition", "directive", "recipient", "task", "case", "attachment")
    }
    sides = (
        ("A", VILLAGE, users["township"], users["village"]),
        ("B", OTHER_VILLAGE, None, users["outsider"]),
    )
    for side, village, town_cadre, village_cadre in sides:
        region = Region.objects.get(code=village)
        common = {
            "actor": county,
            "assigned_on": date(2024, 3, 1),
            "region": region,
            "unit": unit,
            "responsible_name": "赵书记",
        }
        item = item_create(
            kind="problem",
            code=f"WT-{side}",
            description="问题",
            source="市县巡察",
            deadline=date(2024, 3, 31),
            **common,
        )
        item_note(
            actor=county,
            item=item,
            note="整改照片",
            attachments=[SimpleUploadedFile("p.png", _png(), "image/png")],
        )
        out["ledger_item"][side] = item
        out["attachment"][side] = Attachment.objects.get(step__item=item)
        out["petition"][side] = item_create(
            kind="petition",
            code=f"XF-{side}",
            description="信访",
            source="县本级",
            petitioner_name="张三",
            petitioner_phone="13907440001",
            **common,
        )
        out["case"][side] = item_create(kind="case", code=f"AJ-{side}", description="案件", **common)
        out["task"][side] = workflows.indicator_create(
            actor=county,
            code=f"RW-{side}",
            metric="危房改造",
            target=10,
            year=2024,
            region=region,
            deadline=date(2024, 12, 31),
        )
        town = Post.objects.create(
            name=f"{side}乡镇指挥部", level="乡镇", region_id=village[:9] + "000", parent=top
        )
        room = Post.objects.create(name=f"{side}村作战室", level="村", region_id=village, parent=town)
        if town_cadre is not None:
            town.members.add(town_cadre)
        room.members.add(village_cadre)
        out["directive"][side] = workflows.directive_issue(
            actor=county,
            post=town,
            code=f"ZL-{side}",
            title="开展遍访",
            description="全面遍访",
            deadline=date(2024, 12, 31),
            recipients=[room],
            on=date(2024, 3, 1),
        )
        out["recipient"][side] = out["directive"][side].recipients.get()
    return out


def _clue_world(hh: dict[str, Any]) -> dict[str, Any]:
    """线索核查 per side: a clue confirmed 属实 (so its follow-up can be applied) on each side's household."""
    from jingzhun.ledger.selectors import system_actor
    from jingzhun.ledger.services import item_move
    from jingzhun.rules.hits import Hit
    from jingzhun.verification.clue_store import store_hits
    from jingzhun.verification.models import Clue

    county = system_actor()
    hits = []
    for side in SIDES:
        member = hh[side].members.order_by("-pk").first()
        hits.append(
            Hit(
                rule="X-INSURANCE",
                household_id=hh[side].pk,
                member_id=member.pk,
                explanation="医保参保名单无记录",
                dataset="医保参保",
            )
        )
    store_hits(hits=hits, rules_run={"X-INSURANCE"}, year=2024, actor=county)
    out: dict[str, Any] = {"clue": {}}
    for side in SIDES:
        clue = Clue.objects.get(household=hh[side])
        item_move(actor=county, item=clue.item, action="start")
        item_move(actor=county, item=clue.item, action="close_true", note="核实属实")
        out["clue"][side] = clue.item
    return out


# How each URL parameter is filled, per route (the route's name → parameter → value for a side).
# A parameter named here by kind alone ("pk") takes its object from ROUTE_OBJECT.
ROUTE_OBJECT = {
    "accounts:token_revoke": "token",
    "accounts:user_detail": "managed_user",
    "accounts:user_action": "managed_user",
    "registry:household_detail": "household",
    "registry:household_edit": "household",
    "registry:member_create": "household",
    "registry:head_change": "household",
    "registry:income_create": "household",
    "registry:event_create": "household",
    "registry:step_create": "household",
    "registry:member_edit": "member",
    "registry:member_remove": "member",
    "jobs:detail": "job",
    "jobs:progress": "job",
    "jobs:retry": "job",
    "workbook:report": "job",
    "verification:report": "job",
    "workbook:export_file": "export_job",
    "standards:detail": "standard",
    "standards:copy": "standard",
    "standards:edit": "standard",
    "standards:rule_add": "standard",
    "standards:rule_remove": "standard",
    "standards:publish": "standard",
    "assistance:helper_detail": "helper_user",
    "assistance:team_member_add": "team",
    "assistance:team_leader_set": "team",
    "assistance:structure_member_end": "team_member",
    "assistance:visit_create": "household",
    "assistance:measure_create": "household",
    "assistance:helper_assign": "household",
    "assistance:visit_detail": "visit",
    "assistance:photo": "photo",
    "assistance:photo_thumb": "photo",
    "ledger:detail": "ledger_item",
    "ledger:move": "ledger_item",
    "ledger:transfer": "petition",
    "ledger:attachment": "attachment",
    "ledger:recipients": "directive",
    "ledger:recipient_move": "recipient",
    "ledger:indicator_report": "task",
    "ledger:case_figures": "case",
    "assistance:measure_edit": "measure",
    "verification:clue": "clue",
    "verification:move": "clue",
    "verification:apply": "clue",
}
FIXED_ARGS = {
    "action": "activate",
    "kind": "csv",  # workbook:report; assistance alerts override below
    "name": "alert-no-helper",
    "table": "suspected",
    "token": "no-such-upload",  # workbook:national_mapping: a pending upload lives in its uploader's session
}
ROUTE_ARGS = {
    "assistance:alert": {"kind": "no-helper"},
    "assistance:alert_count": {"kind": "no-helper"},
    "ledger:list": {"kind": "problem"},
    "verification:dataset": {"name": "死亡人口"},
    "ledger:new": {"kind": "directive"},  # the township's 指挥部 has a 作战室 below: its members may issue
}


def url_kwargs(world: dict[str, Any], route: str, params: list[str], side: str) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    for name in params:
        if name in ROUTE_ARGS.get(route, {}):
            kwargs[name] = ROUTE_ARGS[route][name]
        elif name == "pk":
            kwargs[name] = (
                world[ROUTE_OBJECT[route]][side].pk
                if ROUTE_OBJECT[route] != "standard"
                else (world["standard"].pk)
            )
        elif name == "code":
            if route == "standards:rule_remove":
                kwargs[name] = world["rule"].code
            elif route.startswith("standards:dashboard") or route == "regions:villages_json":
                kwargs[name] = world["township"][side]
            else:
                kwargs[name] = world["village"][side]
        else:
            kwargs[name] = FIXED_ARGS[name]
    return kwargs


def api_path(world: dict[str, Any], path: str, side: str) -> str:
    return (
        path.replace("{household_id}", str(world["household"][side].pk))
        .replace("{member_id}", str(world["member"][side].pk))
        .replace("{visit_id}", str(world["visit"][side].pk))
        .replace("{measure_id}", str(world["measure"][side].pk))
        .replace("{year}", "2018")
        .replace("{code}", world["village"][side])
        .replace("{item_id}", str(world["ledger_item"][side].pk))
        .replace("{attachment_id}", str(world["attachment"][side].pk))
    )
