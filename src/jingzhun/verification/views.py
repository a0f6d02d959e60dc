"""Pages of departmental datasets (部门数据): the list with each dataset's import date and importer,
an upload (→ background import job), a dataset's first rows (masked), and the import's error report."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from jingzhun.accounts.access import actor_for
from jingzhun.accounts.roles import Perm
from jingzhun.core import audit
from jingzhun.jobs.queue import enqueue
from jingzhun.jobs.selectors import job_get
from jingzhun.rules.datasets import SPECS
from jingzhun.verification import selectors
from jingzhun.verification.jobs import KIND, report_path
from jingzhun.workbook.upload_store import import_dir

ALLOWED_SUFFIXES = {".xlsx", ".zip", ".csv"}


def _page(request: HttpRequest, actor, *, error: str = "", status: int = 200) -> HttpResponse:
    imported = {d.name: d for d in selectors.datasets_for(actor)}
    rows = [(spec, imported.get(spec.name)) for spec in SPECS]
    context = {"rows": rows, "error": error, "can_import": actor.can(Perm.IMPORT_DATASETS)}
    return render(request, "verification/datasets.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def datasets(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    actor.require(Perm.VIEW_DATASETS)
    if request.method == "GET":
        return _page(request, actor)
    actor.require(Perm.IMPORT_DATASETS)
    upload = request.FILES.get("file")
    if upload is None:
        return _page(request, actor, error="请选择要导入的文件（.xlsx、<数据集>.csv 或 .zip）", status=400)
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        return _page(
            request, actor, error="只能导入 .xlsx、以数据集命名的 .csv，或装有这些文件的 .zip", status=400
        )
    if (upload.size or 0) > settings.JINGZHUN_UPLOAD_MAX_BYTES:
        limit = settings.JINGZHUN_UPLOAD_MAX_BYTES // 1024 // 1024
        return _page(request, actor, error=f"文件过大（上限 {limit} MB）", status=400)
    directory = import_dir()
    directory.mkdir(parents=True, exist_ok=True)
    # a CSV keeps its name in a folder of its own: the name says which dataset it is
    folder = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}"
    if suffix == ".csv":
        (directory / folder).mkdir()
        stored = f"{folder}/{Path(upload.name or 'upload.csv').name}"
    else:
        stored = f"{folder}{suffix}"
    with (directory / stored).open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    job = enqueue(
        kind=KIND,
        created_by=request.user,
        params={"path": stored, "filename": upload.name, "label": f"部门数据导入：{upload.name}"},
    )
    return redirect("jobs:detail", pk=job.pk)


@login_required
@require_GET
def dataset_detail(request: HttpRequest, name: str) -> HttpResponse:
    actor = actor_for(request.user)
    dataset = selectors.dataset_get(actor, name)
    rows = selectors.dataset_rows(actor, dataset)
    with transaction.atomic():  # personal data of a department, read: logged like an export
        audit.record(
            actor=request.user,
            action="verification.dataset_view",
            object_type="dataset",
            object_id=dataset.name,
            object_label=dataset.name,
            after={"rows_shown": len(rows), "masked": not actor.sees_sensitive},
        )
    return render(request, "verification/dataset.html", {"dataset": dataset, "rows": rows})


@login_required
@require_GET
def error_report(request: HttpRequest, pk: int, kind: str) -> HttpResponseBase:
    job = job_get(actor_for(request.user), pk)
    if job.kind != KIND or kind not in ("xlsx", "csv"):
        raise Http404
    path = report_path(job, kind)
    if not path.exists():
        raise Http404
    with transaction.atomic():  # the report quotes the file's values (ID numbers among them)
        audit.record(
            actor=request.user,
            action="verification.error_report_download",
            object_type="job",
            object_id=job.pk,
            object_label=f"部门数据错误报告-任务{job.pk}.{kind}",
        )
    content_type = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if kind == "xlsx"
        else "text/csv; charset=utf-8"
    )
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"部门数据错误报告-任务{job.pk}.{kind}",
        content_type=content_type,
    )
