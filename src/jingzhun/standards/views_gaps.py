"""数据待补 page: per village, how many households have 数据缺失项 and which; then the households with
what each must still collect (standards.data_gaps). Scoped like the 脱贫攻坚 page; phones masked for
roles without registry.view_sensitive; the xlsx is the registered list `data-gaps` (/lists/data-gaps.xlsx)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jingzhun.accounts.access import actor_for
from jingzhun.accounts.roles import Perm
from jingzhun.registry.presenters import masker
from jingzhun.standards import data_gaps
from jingzhun.standards.loading import default_year, load_spec, standard_for_year
from jingzhun.standards.selectors import dashboard_region
from jingzhun.standards.views import _year


@login_required
def data_gaps_page(request: HttpRequest, code: str | None = None) -> HttpResponse:
    actor = actor_for(request.user)
    region = dashboard_region(actor, code)
    year = _year(request)
    standard = standard_for_year(year)
    context = {"region": region, "year": year, "standard": standard, "error": ""}
    if standard is None:
        context["error"] = f"没有适用于{year}年的已发布标准"
        return render(request, "standards/data_gaps.html", context)
    spec = load_spec(standard)
    villages = data_gaps.village_counts(spec, year, region.prefix, actor)
    rows = list(
        data_gaps.household_rows(
            spec, year, region.prefix, actor, masker(actor), limit=data_gaps.DISPLAY_LIMIT
        )
    )
    context.update(
        {
            "villages": villages,
            "total": sum(v.households for v in villages),
            "rows": rows,
            "limit": data_gaps.DISPLAY_LIMIT,
            "rule_names": {r.code: r.name for r in spec.rules},
            "rule_fields": {
                r.code: "、".join(data_gaps.rule_fields(r)) for r in spec.level_rules("household")
            },
            "can_export": actor.can(Perm.EXPORT_REGISTRY),
            "xlsx_year": default_year(),
        }
    )
    return render(request, "standards/data_gaps.html", context)
