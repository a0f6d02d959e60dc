"""脱贫攻坚 pages: the county (or township/village) exit dashboard, its xlsx tables, and the button that
runs the whole-county assessment as a background job."""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jingzhun.accounts.access import actor_for
from jingzhun.accounts.roles import Perm
from jingzhun.core import audit
from jingzhun.standards import reports
from jingzhun.standards.loading import default_year, load_spec
from jingzhun.standards.selectors import dashboard_region, exit_dashboard


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year") or request.POST.get("year") or ""
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else default_year()


@login_required
def dashboard(request: HttpRequest, code: str | None = None) -> HttpResponse:
    actor = actor_for(request.user)
    region = dashboard_region(actor, code)
    context = exit_dashboard(actor, year=_year(request), region=region)
    context["can_run"] = _may_run_county(actor)
    # ↑ only to a parent the actor may open (a township cadre's county page would be a 404)
    parent = region.parent
    context["parent"] = (
        parent
        if parent is not None and parent.level != "province" and actor.covers_code(parent.code)
        else None
    )
    return render(request, "standards/dashboard.html", context)


def _may_run_county(actor: Any) -> bool:
    """The whole-county assessment is for county roles: the permission over the whole county."""
    return actor.can(Perm.RUN_ASSESSMENT) and any(len(p) <= 6 for p in actor.prefixes)


def _pct(value: Any) -> str:
    return "" if value is None else f"{value:.2f}"


def _tables(ctx: dict[str, Any]) -> dict[str, tuple[str, list[str], list[list[Any]]]]:
    """Each dashboard table as (sheet title, header, rows) — the same rows the page shows."""
    plan_head = [
        "代码",
        "名称",
        "计划户数",
        "计划人数",
        "达标户数",
        "达标人数",
        "未达标户数",
        "未达标人数",
        "达标率",
        "未达标项（户数）",
    ]
    plan_rows = [
        [
            p.code,
            p.name,
            p.planned_households,
            p.planned_people,
            p.ready_households,
            p.ready_people,
            p.not_ready_households,
            p.not_ready_people,
            p.ready_rate,
            "；".join(f"{k} {v}户" for k, v in p.by_rule.items()),
        ]
        for p in [*ctx["plan"], ctx["plan_total"]]
    ]
    return {
        "indicators": (
            "县级指标",
            ["指标", "代码", "数值（%）", "阈值（%）", "结果", "口径"],
            [
                [
                    i.name,
                    i.code,
                    _pct(i.value),
                    i.threshold,
                    {"pass": "达标", "fail": "未达标"}.get(i.status, "待核查"),
                    i.basis,
                ]
                for i in ctx["indicators"]
            ],
        ),
        "plan": ("预脱贫", plan_head, plan_rows),
        "suspected": (
            "疑似错退",
            ["户编号", "户主", "村", "行政区划代码", "家庭人口数", "未达标项", "数据缺失项"],
            [
                [
                    s["code"],
                    s["head_name"],
                    s["village_name"],
                    s["village_code"],
                    s["people"],
                    s["failed"],
                    s["missing"],
                ]
                for s in ctx["suspected"]
            ],
        ),
        "townships": (
            "乡镇贫困发生率",
            ["代码", "乡镇", "村数", "户籍人口", "剩余贫困人口", "贫困发生率（%）", "未填户籍人口村数"],
            [
                [
                    t["code"],
                    t["name"],
                    t["villages"],
                    t["population"],
                    t["remaining"],
                    _pct(t["incidence"]),
                    t["missing_population"],
                ]
                for t in ctx["townships"]
            ],
        ),
        "villages": (
            "村出列",
            [
                "行政区划代码",
                "村名",
                "是否贫困村",
                "户籍人口",
                "剩余贫困人口",
                "贫困发生率（%）",
                "是否达标",
                "未达标项",
                "数据缺失项",
            ],
            [
                [
                    v.code,
                    v.name,
                    "是" if v.is_poor_village else "否",
                    v.population,
                    v.remaining_poor,
                    _pct(v.incidence),
                    ("是" if v.passed else "否") if v.is_poor_village else "不适用（非贫困村）",
                    ";".join(v.failed_codes),
                    ";".join(v.missing_codes),
                ]
                for v in ctx["villages"]
            ],
        ),
    }


@login_required
def dashboard_xlsx(request: HttpRequest, code: str, table: str) -> HttpResponse:
    actor = actor_for(request.user)
    if not actor.can(Perm.EXPORT_REGISTRY):
        raise Http404
    region = dashboard_region(actor, code)
    year = _year(request)
    ctx = exit_dashboard(actor, year=year, region=region)
    if ctx.get("error"):
        raise Http404
    if table == "suspected":  # the page shows the first rows; the download is the whole list
        ctx["suspected"] = reports.suspected_wrong_exits(
            load_spec(ctx["standard"]),
            year,
            region.prefix,
            scope_q=actor.region_q("village_code"),
            limit=None,
        )
    tables = _tables(ctx)
    if table not in tables:
        raise Http404
    title, header, rows = tables[table]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(title[:31])
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, header, bold)
    for index, row in enumerate(rows, start=1):
        sheet.write_row(index, 0, ["" if v is None else v for v in row])
    sheet.freeze_panes(1, 0)
    book.close()
    with transaction.atomic():
        audit.record(
            actor=request.user,
            action="standards.export",
            object_type="region",
            object_id=region.code,
            object_label=f"{region.name} {year}年{title}",
            after={"rows": len(rows), "table": table},
        )
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = f"{region.code}-{year}-{table}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def run_assessment(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    if not _may_run_county(actor):
        raise Http404
    from jingzhun.standards.jobs import assessment_enqueue

    job = assessment_enqueue(actor=actor, year=_year(request))
    messages.info(request, "已提交全县评估任务，完成后各页面即显示最新结果")
    return redirect("jobs:detail", pk=job.pk)
