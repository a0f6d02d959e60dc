"""Pages of the registry workbook: upload (→ background import job), error report, template, export of
the filtered household list."""

from __future__ import annotations

import tempfile
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

# The list's own parser: a filter added to the household list reaches its export too.
from jingzhun.registry.views.lists import _filter_from
from jingzhun.workbook import export_jobs, list_export, national_views
from jingzhun.workbook.jobs import report_path
from jingzhun.workbook.template import write_template
from jingzhun.workbook.upload_store import import_dir

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ALLOWED_SUFFIXES = {".xlsx", ".zip", ".csv"}  # .csv: a national person list (docs/national-list.md)


def _upload_error(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "workbook/upload.html", {"error": message}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """County admin, or a township cadre for their township: the scope comes from the Actor."""
    actor = actor_for(request.user)
    actor.require(Perm.IMPORT_REGISTRY)
    if request.method == "GET":
        return render(request, "workbook/upload.html", {})
    upload_file = request.FILES.get("file")
    if upload_file is None:
        return _upload_error(request, "请选择要导入的文件（.xlsx，或装有 户.csv、成员.csv 的 .zip）")
    suffix = Path(upload_file.name or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        return _upload_error(
            request,
            "只能导入 .xlsx 文件，装有 CSV 文件（户.csv、成员.csv、村.csv）的 .zip 压缩包，或全国系统人员名单（.xlsx 或 .csv）",
        )
    if (upload_file.size or 0) > settings.JINGZHUN_UPLOAD_MAX_BYTES:
        return _upload_error(
            request, f"文件过大（上限 {settings.JINGZHUN_UPLOAD_MAX_BYTES // 1024 // 1024} MB）"
        )
    head = upload_file.read(4)
    upload_file.seek(0)
    if suffix != ".csv" and head[:2] != b"PK":  # both .xlsx and .zip are zip containers
        return _upload_error(request, "文件内容不是有效的 .xlsx 或 .zip")
    directory = import_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stored = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}{suffix}"
    with (directory / stored).open("wb") as fh:
        for chunk in upload_file.chunks():
            fh.write(chunk)
    dry_run = request.POST.get("dry_run") == "1"
    if national_views.detect(directory / stored, actor) is not None:
        # a national person list: first the mapping step (layout, columns, hand mappings), then the job
        token = national_views.remember_upload(
            request, stored=stored, filename=upload_file.name or stored, dry_run=dry_run
        )
        return redirect("workbook:national_mapping", token=token)
    if suffix == ".csv":
        (directory / stored).unlink(missing_ok=True)
        return _upload_error(
            request,
            "该 CSV 不是全国系统人员名单（应有 户编号、与户主关系、行政村 和 身份证/证件号码 列）；"
            "登记簿的 CSV 请把 户.csv、成员.csv 打包成 .zip 上传",
        )
    label = f"登记簿{'校验' if dry_run else '导入'}：{upload_file.name}"
    job = enqueue(
        kind="registry_import",
        created_by=request.user,
        params={"path": stored, "filename": upload_file.name, "dry_run": dry_run, "label": label},
    )
    return redirect("jobs:detail", pk=job.pk)


@login_required
@require_GET
def error_report(request: HttpRequest, pk: int, kind: str) -> HttpResponseBase:
    job = job_get(actor_for(request.user), pk)
    if job.kind != "registry_import" or kind not in ("xlsx", "csv"):
        raise Http404
    path = report_path(job, kind)
    if not path.exists():
        raise Http404
    content_type = XLSX if kind == "xlsx" else "text/csv; charset=utf-8"
    with transaction.atomic():  # the report quotes the file's values (ID numbers among them)
        audit.record(
            actor=request.user,
            action="registry.error_report_download",
            object_type="job",
            object_id=job.pk,
            object_label=f"错误报告-任务{job.pk}.{kind}",
            after={"errors": (job.result or {}).get("total_errors")},
        )
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"错误报告-任务{job.pk}.{kind}",
        content_type=content_type,
    )


@login_required
@require_GET
def template_download(request: HttpRequest) -> HttpResponseBase:
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it (and so deletes it)
    write_template(handle.name)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename="登记簿导入模板.xlsx", content_type=XLSX)


@login_required
@require_GET
def export_download(request: HttpRequest) -> HttpResponseBase:
    """The currently filtered household list as a registry workbook; every export is audited.

    A small list (≤ export_jobs.SYNC_LIMIT households, e.g. one village) is written and sent at once; a
    larger one becomes a background job, and the user lands on its page (progress bar, then the link)."""
    actor = actor_for(request.user)
    actor.require(Perm.EXPORT_REGISTRY)
    flt = _filter_from(request)
    layout = export_jobs.layout_of(
        request.GET.get("layout")
    )  # 登记簿 or a national layout (the button's choice)
    households = export_jobs.export_query(actor, flt).count()
    if households > export_jobs.SYNC_LIMIT:
        job = export_jobs.export_enqueue(actor=actor, flt=flt, households=households, layout=layout)
        return redirect("jobs:detail", pk=job.pk)
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    export_jobs.write_export(actor=actor, flt=flt, out=handle.name, layout=layout)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=export_jobs.filename(layout), content_type=XLSX)


@login_required
@require_GET
def export_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A finished export job's file, for the user who asked for it only; each download is audited."""
    actor = actor_for(request.user)
    job, path = export_jobs.downloadable(actor, pk)
    export_jobs.audit_download(actor, job)
    filename = str(job.result.get("filename") or f"登记簿-任务{job.pk}.xlsx")
    return FileResponse(path.open("rb"), as_attachment=True, filename=filename, content_type=XLSX)


@login_required
@require_GET
def list_xlsx(request: HttpRequest, name: str) -> HttpResponseBase:
    """Any registered list (alerts, …) as xlsx: at once when small, else a background job."""
    return list_export.download(actor_for(request.user), name)
