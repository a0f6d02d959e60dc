"""Create forms on the pages: 交办 a problem, 登记 a petition or a case, 下达 a directive from a command
post, 分解下达 an indicator to townships and departments.

The form only collects text; the services validate, and their Chinese messages are shown beside the
fields with everything typed kept (files cannot be kept by a browser: the form says so)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from jingzhun.accounts.access import Actor, actor_for
from jingzhun.accounts.roles import Perm
from jingzhun.assistance.models import HelpUnit
from jingzhun.core.errors import ValidationFailed
from jingzhun.core.forms import Done, submit
from jingzhun.ledger import kinds, selectors, services, workflows
from jingzhun.ledger.models import Post
from jingzhun.regions.home import home_county_code
from jingzhun.regions.models import Region

TEXT_FIELDS = (
    "code",
    "source",
    "assigned_on",
    "deadline",
    "title",
    "description",
    "measures",
    "region",
    "household",
    "unit",
    "responsible_name",
    "leader_name",
    "petitioner_name",
    "petitioner_phone",
    "post",
    "metric",
    "year",
    "progress_source",
)


def _required_date(values: dict[str, Any], name: str, label: str) -> date:
    value = _date(values, name, label)
    assert value is not None  # _date raises when a required date is missing
    return value


def _date(values: dict[str, Any], name: str, label: str, *, required: bool = True) -> date | None:
    raw = values.get(name, "").strip()
    if not raw:
        if required:
            raise ValidationFailed({name: f"请填写{label}"})
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationFailed({name: f"{label}应为日期（YYYY-MM-DD）"}) from exc


def _region(actor: Actor, raw: str, name: str = "region") -> Region:
    region = selectors.region_find(raw)
    if region is None:
        raise ValidationFailed({name: "请选择涉及地区（12 位区划代码）"})
    if not selectors.ledger_actor(actor).covers_code(region.code):
        raise ValidationFailed({name: f"地区 {region.code} 不在您的管辖范围内"})
    return region


def _unit(raw: str, name: str = "unit", *, required: bool = False) -> HelpUnit | None:
    if not (raw or "").strip():
        if required:
            raise ValidationFailed({name: "请选择责任单位"})
        return None
    unit = selectors.unit_get(raw)
    if unit is None:
        raise ValidationFailed({name: "责任单位不存在"})
    return unit


def _below(post: Post, tree: dict[int | None, list[Post]] | None = None) -> list[Post]:
    """Every post below `post` (children, their children …), from one read of the command tree."""
    if tree is None:
        tree = selectors.post_tree()
    out, frontier = [], [post]
    while frontier:
        children = [c for p in frontier for c in tree.get(p.pk, [])]
        out += children
        frontier = children
    return out


def _create(actor: Actor, kind: str, values: dict[str, str], files: list[Any]) -> Any:
    if kind == "directive":
        posts = {str(p.pk): p for p in selectors.issuing_posts(actor)}
        post = posts.get(values.get("post", ""))
        if post is None:
            raise ValidationFailed({"post": "请选择下达单位（您所在的指挥部/作战室）"})
        picked = [pk for pk in values.get("recipients_list", []) if pk.isdigit()]
        if not picked:
            raise ValidationFailed({"recipients": "请选择接收单位（下级指挥部/作战室）"})
        found = selectors.posts_by_pk(picked)
        if len(found) != len(set(picked)):
            raise ValidationFailed({"recipients": "所选接收单位不存在，请重新选择"})
        # a post that is not below the issuer is refused by the workflow with its Chinese message
        chosen = [found[pk] for pk in dict.fromkeys(picked)]
        return workflows.directive_issue(
            actor=actor,
            post=post,
            code=values.get("code", ""),
            title=values.get("title", "").strip(),
            description=values.get("description", ""),
            deadline=_required_date(values, "deadline", "时限"),
            recipients=chosen,
            on=_date(values, "assigned_on", "下达日期", required=False),
            attachments=files,
        )
    return services.item_create(
        actor=actor,
        kind=kind,
        code=values.get("code", ""),
        source=values.get("source", ""),
        assigned_on=_required_date(values, "assigned_on", "交办日期" if kind != "petition" else "登记日期"),
        deadline=_date(values, "deadline", "时限", required=kind == "problem"),
        title=values.get("title", "").strip(),
        description=values.get("description", ""),
        measures=values.get("measures", "").strip(),
        region=_region(actor, values.get("region", "")),
        household=_household(values.get("household", "")),
        unit=_unit(values.get("unit", ""), required=kind in ("problem", "petition")),
        responsible_name=values.get("responsible_name", "").strip(),
        leader_name=values.get("leader_name", "").strip(),
        petitioner_name=values.get("petitioner_name", "").strip(),
        petitioner_phone=values.get("petitioner_phone", "").strip(),
        attachments=files,
    )


def _household(raw: str) -> Any:
    raw = (raw or "").strip()
    if not raw:
        return None
    household = selectors.household_find(raw)
    if household is None:
        raise ValidationFailed({"household": f"户编号 {raw} 不存在"})
    return household


def _task_rows(actor: Actor, post: Any) -> list[dict[str, Any]]:
    rows = []
    for n in range(int(post.get("row_count") or 0)):
        target = (post.get(f"row-{n}-target") or "").strip()
        region_code = (post.get(f"row-{n}-region") or "").strip()
        unit_raw = (post.get(f"row-{n}-unit") or "").strip()
        if not target:
            continue
        label = f"第 {n + 1} 行"
        if not target.isdigit():
            raise ValidationFailed({"rows": f"{label}：目标值应为正整数"})
        region = _region(actor, region_code or home_county_code(), "rows")
        rows.append(
            {
                "region": region,
                "unit": _unit(unit_raw, "rows"),
                "target": int(target),
                "responsible_name": (post.get(f"row-{n}-responsible") or "").strip(),
                "label": region.name,
            }
        )
    return rows


def _create_task(actor: Actor, values: dict[str, str], post: Any) -> list[Any]:
    year = values.get("year", "").strip()
    if not year.isdigit():
        raise ValidationFailed({"year": "年度应为四位数字"})
    return workflows.indicator_breakdown(
        actor=actor,
        code=values.get("code", ""),
        metric=values.get("metric", ""),
        year=int(year),
        deadline=_required_date(values, "deadline", "时限"),
        rows=_task_rows(actor, post),
        source=values.get("progress_source", ""),
        assigned_on=_date(values, "assigned_on", "下达日期", required=False),
    )


def _task_grid(actor: Actor, post: Any) -> list[dict[str, str]]:
    """The breakdown grid: one row per township in scope, then blank department rows (county level)."""
    scoped = selectors.ledger_actor(actor)
    towns = [t for t in selectors.county_townships() if scoped.covers_code(t.code)]
    county = home_county_code()
    grid = [{"region": t.code, "name": t.name} for t in towns] + [
        {"region": county, "name": "县直部门"} for _ in range(6)
    ]
    for n, row in enumerate(grid):
        row["n"] = str(n)
        if post is not None:
            row.update(
                target=post.get(f"row-{n}-target", ""),
                unit=post.get(f"row-{n}-unit", ""),
                responsible=post.get(f"row-{n}-responsible", ""),
            )
    return grid


@login_required
def item_new(request: HttpRequest, kind: str) -> HttpResponse:
    actor = actor_for(request.user)
    actor.require(Perm.LEDGER_VIEW)
    # a kind with pages of its own (线索核查) is raised by its app, never by hand through this form
    if kind not in kinds.ORDER or (kind == "case" and not actor.can(Perm.LEDGER_CASES)):
        raise Http404
    posts = selectors.issuing_posts(actor) if kind == "directive" else []
    if kind == "directive" and not posts:
        raise Http404
    if kind != "directive":
        actor.require(Perm.LEDGER_ASSIGN)
    spec = kinds.KINDS[kind]
    tree = selectors.post_tree() if kind == "directive" else {}
    values: dict[str, Any] = {"assigned_on": date.today().isoformat(), "year": str(date.today().year)}
    errors: dict[str, str] = {}
    if request.method == "GET" and kind == "directive" and request.GET.get("post"):
        values["post"] = request.GET["post"]  # the issuer changed (htmx swaps the recipients only)
    refresh = request.method == "POST" and kind == "directive" and "refresh_recipients" in request.POST
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in TEXT_FIELDS}
        values["recipients_list"] = request.POST.getlist("recipients")
    if request.method == "POST" and not refresh:

        def create(post: QueryDict) -> Done:
            if kind == "task":
                created = _create_task(actor, values, post)
                return Done(f"已分解下达 {len(created)} 项指标", "ledger:list", kwargs={"kind": "task"})
            item = _create(actor, kind, values, request.FILES.getlist("attachments"))
            return Done(f"已创建{spec.label} {item.code}", "ledger:detail", kwargs={"pk": item.pk})

        def keep(exc: ValidationFailed) -> None:
            errors.update({("all" if k == "__all__" else k): v for k, v in exc.errors.items()})

        if (response := submit(request, None, create, on_error=keep)) is not None:
            return response
    selected_post = next((p for p in posts if str(p.pk) == values.get("post")), posts[0] if posts else None)
    scoped = selectors.ledger_actor(actor)
    return render(
        request,
        "ledger/new.html",
        {
            "spec": spec,
            "kinds": [kinds.KINDS[c] for c in kinds.ORDER if c != "case" or actor.can(Perm.LEDGER_CASES)],
            "values": values,
            "errors": errors,
            "units": selectors.units(),
            "regions": [
                (r.code, r.name, r.level)
                for r in selectors.county_and_townships()
                if scoped.covers_code(r.code)
            ],
            "posts": posts,
            "selected_post": selected_post,
            # only the chosen issuer's subordinate posts: the form re-renders when the issuer changes
            "recipient_choices": _below(selected_post, tree) if selected_post is not None else [],
            "refreshed": refresh,
            "grid": _task_grid(actor, request.POST if request.method == "POST" else None)
            if kind == "task"
            else [],
            "progress_sources": workflows.SOURCES,
            "status": 400 if errors else 200,
        },
        status=400 if errors else 200,
    )
