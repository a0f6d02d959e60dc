"""Pages of the trail (痕迹): the state of the audit chain for the audit administrator."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render


def audit_reader(actor: Any) -> bool:
    """Who sees the state of the whole trail: the audit permission over the whole county (the chain is one
    per database, so a township's cadre would see beyond their scope)."""
    from jingzhun.accounts.roles import Perm

    return actor.can(Perm.VIEW_AUDIT) and any(len(prefix) <= 6 for prefix in actor.prefixes)


@login_required
def audit_verification(request: HttpRequest) -> HttpResponse:
    """审计校验: the last nightly verification of the audit chain (trail.jobs `audit_verify`)."""
    from jingzhun.accounts.access import actor_for
    from jingzhun.core.history import entry_count
    from jingzhun.trail.jobs import last_verification

    if not audit_reader(actor_for(request.user)):
        raise Http404
    job = last_verification()
    return render(
        request,
        "trail/audit_verify.html",
        {"job": job, "result": job.result if job else None, "entries": entry_count()},
    )
