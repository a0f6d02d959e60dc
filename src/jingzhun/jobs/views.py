"""A job's page: a live progress bar (htmx polling) that becomes the result when the job ends."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template

from jingzhun.accounts.access import actor_for
from jingzhun.jobs.selectors import job_get


def _result_template(kind: str) -> str:
    try:
        return select_template([f"jobs/result_{kind}.html"]).template.name
    except TemplateDoesNotExist:
        return "jobs/result_default.html"


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = job_get(actor_for(request.user), pk)
    return render(request, "jobs/detail.html", {"job": job, "result_template": _result_template(job.kind)})


@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = job_get(actor_for(request.user), pk)
    response = render(
        request, "jobs/_progress.html", {"job": job, "result_template": _result_template(job.kind)}
    )
    if job.finished:
        response["HX-Refresh"] = "true"  # show the whole result page once
    return response
