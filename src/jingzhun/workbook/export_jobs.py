"""Registry export (登记簿导出) of the filtered household list, as a background job when it is large.

A county-wide export takes tens of seconds (spec: ≤ 60 s for 330k households), too long to hold a
request thread: the server would stop answering other users (issue 11). So the list's export button
counts the households first:

- at most `SYNC_LIMIT` households (a village, a small township filtered by status): written in the
  request, a fraction of a second, and downloaded at once;
- more: a `registry_export` job is enqueued; its page shows the progress bar and, when done, a download
  link. The file lives under the data directory (`MEDIA_ROOT/exports`), its path in `Job.result`; only the
  user who asked may download it (anyone else: 404), and after `JINGZHUN_EXPORT_RETENTION_HOURS` it is
  deleted and no longer served.

Either way the export is audited as a transfer of personal data (个人信息): who, when, which filter,
how many households and members — once when the file is written, and once for each download of a job's
file. Masking is the requesting role's, applied by `export_registry` (registry.presenters.masker).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from jingzhun.accounts.access import Actor, actor_for
from jingzhun.accounts.roles import Perm
from jingzhun.core import audit
from jingzhun.jobs.models import Job, JobStatus
from jingzhun.jobs.queue import Progress, enqueue, handler
from jingzhun.registry.selectors import HouseholdFilter, filter_households, households_visible
from jingzhun.workbook.exporter import export_registry
from jingzhun.workbook.national_export import LAYOUT_CHOICES as NATIONAL_LAYOUTS
from jingzhun.workbook.national_export import LAYOUT_TITLES as NATIONAL_TITLES
from jingzhun.workbook.national_export import export_national

KIND = "registry_export"
FILE_KINDS = (KIND, "list_export")  # jobs whose result is a file here (workbook.list_export writes lists)
EXPORT_DIR = "exports"
# One village holds a few hundred households (the demo's largest: ~400); its export takes ~0.3 s. Above
# this many households the export runs as a job, so no request waits more than about a second.
SYNC_LIMIT = 2000


def export_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / EXPORT_DIR


def retention() -> timedelta:
    return timedelta(hours=settings.JINGZHUN_EXPORT_RETENTION_HOURS)


def filters_of(flt: HouseholdFilter) -> dict[str, Any]:
    """The filter as the audit trail and the job's params keep it: only what was set."""
    return {k: v for k, v in asdict(flt).items() if v}


def export_query(actor: Actor, flt: HouseholdFilter) -> Any:
    return filter_households(households_visible(actor), flt, actor=actor)


def layout_of(raw: Any) -> str:
    """The export's layout from a request or job: "registry" (the workbook) or a national layout."""
    return raw if raw in NATIONAL_LAYOUTS else "registry"


def filename(layout: str) -> str:
    title = "登记簿" if layout == "registry" else NATIONAL_TITLES[layout]
    return f"{title}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"


def write_export(
    *,
    actor: Actor,
    flt: HouseholdFilter,
    out: str,
    progress: Any = None,
    job_id: Any = None,
    layout: str = "registry",
):
    """Write the export of `flt` for `actor` to `out` (the registry workbook, or the person list in a
    national layout) and audit it; returns the counts."""
    filters = filters_of(flt)
    started = time.monotonic()
    if layout == "registry":
        counts = export_registry(
            out,
            actor_or_none=actor,
            household_ids_query=export_query(actor, flt),
            villages_of_households=bool(filters),
            progress=progress,
        )
    else:
        counts = export_national(
            out,
            layout=NATIONAL_LAYOUTS[layout],
            actor_or_none=actor,
            household_ids_query=export_query(actor, flt),
            progress=progress,
        )
        filters = {**filters, "layout": layout}
    with transaction.atomic():
        audit.record(
            actor=actor.user,
            action="registry.export",
            object_type="registry",
            object_id="export",
            object_label="登记簿导出",
            after={**counts, "filters": filters, "masked": not actor.sees_sensitive},
            note=f"导出 {counts['households']} 户 {counts['members']} 人",
            job_id=job_id,
        )
    return {**counts, "seconds": round(time.monotonic() - started, 1)}


def export_enqueue(*, actor: Actor, flt: HouseholdFilter, households: int, layout: str = "registry") -> Job:
    cleanup_expired()
    actor.require(Perm.EXPORT_REGISTRY)
    title = "登记簿导出" if layout == "registry" else f"{NATIONAL_TITLES[layout]}导出"
    return enqueue(
        kind=KIND,
        created_by=actor.user,
        params={
            "filters": filters_of(flt),
            "households": households,
            "layout": layout,
            "label": f"{title}：{households} 户",
        },
    )


@handler(KIND)
def run_registry_export(job: Job, progress: Progress) -> dict[str, Any]:
    """params: {"filters": HouseholdFilter fields}. Acts with the scope and masking of the submitter, as
    they are when the job runs (a role revoked meanwhile exports nothing it no longer covers)."""
    cleanup_expired()
    actor = actor_for(job.created_by)
    actor.require(Perm.EXPORT_REGISTRY)
    flt = HouseholdFilter(**job.params.get("filters", {}))
    directory = export_dir()
    directory.mkdir(parents=True, exist_ok=True)
    name = f"job-{job.pk}-{uuid.uuid4().hex[:12]}.xlsx"
    layout = layout_of(job.params.get("layout"))
    counts = write_export(
        actor=actor, flt=flt, out=str(directory / name), progress=progress, job_id=job.pk, layout=layout
    )
    return {
        **counts,
        "path": name,
        "filename": filename(layout),
        "retention_hours": settings.JINGZHUN_EXPORT_RETENTION_HOURS,
    }


def downloadable(actor: Actor, pk: Any) -> tuple[Job, Path]:
    """The finished export job of *this* user and its file; anything else — another user's job (a county
    admin's included: the file is personal data asked for by someone else), unfinished, expired — is the
    same 404."""
    job = Job.objects.filter(pk=pk, kind__in=FILE_KINDS, status=JobStatus.SUCCEEDED).first()
    if job is None or actor.user is None or job.created_by_id != actor.user.pk:
        raise Http404
    if not actor.can(Perm.EXPORT_REGISTRY) or expired(job):
        raise Http404
    path = export_dir() / Path(str(job.result.get("path", ""))).name
    if not job.result.get("path") or not path.is_file():
        raise Http404
    return job, path


def expired(job: Job) -> bool:
    return job.finished_at is None or job.finished_at < timezone.now() - retention()


def audit_download(actor: Actor, job: Job) -> None:
    counts = {k: job.result[k] for k in ("households", "members", "rows") if k in job.result}
    if job.kind == KIND:
        what = {"object_type": "registry", "object_id": "export", "object_label": "登记簿导出下载"}
        after = {**counts, "filters": job.params.get("filters", {})}
    else:
        what = {
            "object_type": "list",
            "object_id": job.params.get("list", ""),
            "object_label": "列表导出下载",
        }
        after = counts
    with transaction.atomic():
        audit.record(
            actor=actor.user,
            action=f"{'registry' if job.kind == KIND else 'list'}.export_download",
            after=after,
            note=f"下载导出文件（任务 #{job.pk}）",
            job_id=job.pk,
            **what,
        )


def cleanup_expired() -> int:
    """Delete export files older than the retention period and mark their jobs; returns files deleted.
    Runs before each new export is queued and at the start of each export job, so files never pile up
    and an expired file is never served (downloadable checks the age as well)."""
    cutoff = timezone.now() - retention()
    removed = 0
    for job in Job.objects.filter(kind__in=FILE_KINDS, status=JobStatus.SUCCEEDED, finished_at__lt=cutoff):
        if job.result.get("expired"):
            continue
        name = Path(str(job.result.get("path", ""))).name
        if name:
            path = export_dir() / name
            if path.is_file():
                path.unlink()
                removed += 1
        Job.objects.filter(pk=job.pk).update(result={**job.result, "expired": True})
    return removed
