"""A job's page: a live progress bar (htmx polling) that becomes the result when the job ends."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.views.decorators.http import require_POST

from jingzhun.accounts.access import actor_for
from jingzhun.jobs import runner
from jingzhun.jobs.outbox import is_reaction, note
from jingzhun.jobs.runner import reactions_run
from jingzhun.jobs.selectors import job_get


def _result_template(kind: str) -> str:
    try:
        return select_template([f"jobs/result_{kind}.html"]).template.name
    except TemplateDoesNotExist:
        return "jobs/result_default.html"


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = job_get(actor_for(request.user), pk)
    context = {"job": job, "result_template": _result_template(job.kind), "retryable": _retryable(job)}
    return render(request, "jobs/detail.html", context)


def _retryable(job) -> bool:
    """A failed reaction (jobs.outbox) runs again as it was: its write has long committed. Other jobs are
    asked for again from their page (an upload is not kept)."""
    return job.status == "failed" and is_reaction(job)


@login_required
@require_POST
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = job_get(actor_for(request.user), pk)
    if not _retryable(job):
        messages.error(request, "只有失败的后续任务可以重试")
        return redirect("jobs:detail", pk=job.pk)
    with reactions_run(own=True):
        runner.retry(job)
        note([job.pk])  # run now, as the write that queued it would have
    job.refresh_from_db()
    if job.status == "failed":
        messages.error(request, "重试仍然失败，错误见下")
    else:
        messages.success(request, "已重试")
    return redirect("jobs:detail", pk=job.pk)


@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = job_get(actor_for(request.user), pk)
    response = render(
        request, "jobs/_progress.html", {"job": job, "result_template": _result_template(job.kind)}
    )
    if job.finished:
        response["HX-Refresh"] = "true"  # show the whole result page once
    return response
