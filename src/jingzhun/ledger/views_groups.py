"""督查组 administration: which regions each group is assigned, and who is in it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from jingzhun.accounts.access import actor_for
from jingzhun.accounts.roles import Perm
from jingzhun.core.errors import ValidationFailed
from jingzhun.core.forms import Done, submit
from jingzhun.ledger import groups, selectors


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    actor.require(Perm.MANAGE_GRANTS)
    edit = None
    if request.GET.get("edit"):
        edit = selectors.group_get(request.GET["edit"])
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
        target = selectors.group_find(request.POST.get("group"))
        codes = (
            request.POST.getlist("regions") + request.POST.get("extra_regions", "").replace("，", " ").split()
        )
        values = {
            "name": request.POST.get("name", ""),
            "regions": codes,
            "members": request.POST.get("members", ""),
        }

        def save(post: QueryDict) -> Done:
            saved = groups.group_save(
                actor=actor,
                group=target,
                name=post.get("name", ""),
                region_codes=codes,
                usernames=post.get("members", "").replace("，", " ").replace(",", " ").split(),
            )
            return Done(f"已保存督查组“{saved.name}”", "ledger:groups")

        def keep(exc: ValidationFailed) -> None:
            nonlocal edit
            errors.update(exc.errors)
            edit = target

        if (response := submit(request, None, save, on_error=keep)) is not None:
            return response
    rows = [
        {
            "group": g,
            "regions": [r.name for r in g.regions.order_by("code")],
            "members": [u.display_name or u.username for u in g.members.order_by("username")],
        }
        for g in selectors.groups_all()
    ]
    return render(
        request,
        "ledger/groups.html",
        {
            "rows": rows,
            "edit": edit,
            "values": values,
            "errors": errors,
            "townships": selectors.county_townships(),
            "inspectors": selectors.inspectors(),
        },
        status=400 if errors else 200,
    )
