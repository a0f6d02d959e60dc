"""督查组 administration: which regions each group is assigned, and who is in it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from jingzhun.accounts.access import actor_for
from jingzhun.accounts.models import User
from jingzhun.accounts.roles import Perm, RoleCode
from jingzhun.core.errors import ValidationFailed
from jingzhun.ledger import groups
from jingzhun.ledger.models import InspectionGroup
from jingzhun.regions.models import Region


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    actor.require(Perm.MANAGE_GRANTS)
    edit = None
    if request.GET.get("edit"):
        edit = InspectionGroup.objects.filter(
            pk=request.GET["edit"] if request.GET["edit"].isdigit() else 0
        ).first()
        if edit is None:
            raise Http404
    values = {
        "name": edit.name if edit else "",
        "regions": sorted(edit.regions.values_list("code", flat=True)) if edit else [],
        "members": " ".join(sorted(edit.members.values_list("username", flat=True))) if edit else "",
        "extra": " ".join(sorted(edit.regions.exclude(level="township").values_list("code", flat=True)))
        if edit
        else "",
    }
    errors: dict[str, str] = {}
    if request.method == "POST":
        target = InspectionGroup.objects.filter(pk=request.POST.get("group") or 0).first()
        codes = (
            request.POST.getlist("regions") + request.POST.get("extra_regions", "").replace("，", " ").split()
        )
        values = {
            "name": request.POST.get("name", ""),
            "regions": codes,
            "members": request.POST.get("members", ""),
        }
        try:
            members = request.POST.get("members", "")
            saved = groups.group_save(
                actor=actor,
                group=target,
                name=request.POST.get("name", ""),
                region_codes=codes,
                usernames=members.replace("，", " ").replace(",", " ").split(),
            )
        except ValidationFailed as exc:
            errors = dict(exc.errors)
            edit = target
        else:
            messages.success(request, f"已保存督查组“{saved.name}”")
            return redirect("ledger:groups")
    townships = Region.objects.filter(level="township", code__startswith="430821").order_by("code")
    rows = [
        {
            "group": g,
            "regions": [r.name for r in g.regions.order_by("code")],
            "members": [u.display_name or u.username for u in g.members.order_by("username")],
        }
        for g in InspectionGroup.objects.order_by("name")
    ]
    inspectors = User.objects.filter(grants__role=RoleCode.INSPECTOR).distinct().order_by("username")
    return render(
        request,
        "ledger/groups.html",
        {
            "rows": rows,
            "edit": edit,
            "values": values,
            "errors": errors,
            "townships": townships,
            "inspectors": inspectors,
        },
        status=400 if errors else 200,
    )
