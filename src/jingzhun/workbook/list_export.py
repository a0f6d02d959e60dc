"""xlsx downloads of lists (列表导出): every list a cadre may want in Excel, through one path.

An app describes a list once as a `core.lists.ListSpec` (title, headers, how to count and read its rows
for an actor) and registers it in its AppConfig.ready(); `/lists/<name>.xlsx` then serves it like the registry export
(workbook.export_jobs): checked against the list's permission and `registry.export`, masked with the
requesting role's masker (registry.presenters), audited as an export of personal data (who, when, which
list and parameters, how many rows), and — when it has more than `SYNC_LIMIT` rows — written by a
background `list_export` job whose page shows the progress and the link for its owner only.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone

from jingzhun.accounts.access import Actor, actor_for
from jingzhun.accounts.roles import Perm
from jingzhun.core import audit
from jingzhun.core.lists import ListSpec, registered_list
from jingzhun.jobs.models import Job
from jingzhun.jobs.queue import Progress, enqueue, handler
from jingzhun.registry.presenters import masker
from jingzhun.workbook import export_jobs
from jingzhun.workbook.xlsx_writer import FastBook

KIND = "list_export"
SYNC_LIMIT = 5000  # rows; a list's xlsx of this size is written in well under a second
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def list_get(actor: Actor, name: str) -> ListSpec:
    spec = registered_list(name)
    if spec is None or not actor.can(spec.perm) or not actor.can(Perm.EXPORT_REGISTRY):
        raise Http404
    return spec


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def write_list(
    spec: ListSpec, *, actor: Actor, out: str, progress: Any = None, total: int = 0, job_id: Any = None
) -> dict[str, Any]:
    """Write the list for `actor` to `out` and audit it; returns the row count and seconds."""
    started = time.monotonic()
    book = FastBook(out)
    sheet = book.add_sheet(
        name=spec.title[:31],
        headers=list(spec.headers),
        text_columns=[h in spec.text_headers for h in spec.headers],
        widths=[22 if h in spec.text_headers else max(10, len(h) * 2 + 2) for h in spec.headers],
    )
    rows = 0
    try:
        for row in spec.rows(actor, masker(actor)):
            sheet.row([_cell(v) for v in row])
            rows += 1
            if progress and rows % 2000 == 0:
                progress(rows, max(total, rows), f"导出{spec.title}")
    finally:
        book.close()
    with transaction.atomic():
        audit.record(
            actor=actor.user,
            action="list.export",
            object_type="list",
            object_id=spec.name,
            object_label=spec.title,
            after={"rows": rows, "masked": not actor.sees_sensitive},
            note=f"导出{spec.title} {rows} 行",
            job_id=job_id,
        )
    return {"rows": rows, "seconds": round(time.monotonic() - started, 1)}


def download(actor: Actor, name: str) -> HttpResponseBase:
    """The list as an xlsx now, or (when large) the page of the job that writes it."""
    spec = list_get(actor, name)
    total = spec.count(actor) if spec.count else 0
    if total > SYNC_LIMIT:
        export_jobs.cleanup_expired()
        job = enqueue(
            kind=KIND,
            created_by=actor.user,
            params={"list": spec.name, "rows": total, "label": f"{spec.title}导出：{total} 行"},
        )
        return redirect("jobs:detail", pk=job.pk)
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    write_list(spec, actor=actor, out=handle.name)
    handle.seek(0)
    filename = f"{spec.title}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)


@handler(KIND)
def run_list_export(job: Job, progress: Progress) -> dict[str, Any]:
    """params: {"list": name}. Reads with the submitter's scope and masking as they are when it runs."""
    export_jobs.cleanup_expired()
    actor = actor_for(job.created_by)
    spec = list_get(actor, job.params["list"])
    directory = export_jobs.export_dir()
    directory.mkdir(parents=True, exist_ok=True)
    name = f"job-{job.pk}-{uuid.uuid4().hex[:12]}.xlsx"
    counts = write_list(
        spec,
        actor=actor,
        out=str(directory / name),
        progress=progress,
        total=int(job.params.get("rows") or 0),
        job_id=job.pk,
    )
    return {
        **counts,
        "path": name,
        "title": spec.title,
        "filename": f"{spec.title}-{timezone.localtime():%Y%m%d-%H%M}.xlsx",
        "retention_hours": settings.JINGZHUN_EXPORT_RETENTION_HOURS,
    }
