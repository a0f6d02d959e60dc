"""Background import job (`registry_import`): runs import_path on an uploaded file with live progress,
deletes the upload when done, and leaves the error report (xlsx and CSV) in the imports folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jingzhun.accounts.access import actor_for
from jingzhun.jobs.models import Job
from jingzhun.jobs.queue import Progress, handler
from jingzhun.workbook import export_jobs as _export_jobs  # noqa: F401 - registers "registry_export"
from jingzhun.workbook import list_export as _list_export  # noqa: F401 - registers "list_export"
from jingzhun.workbook import upload_sweep as _upload_sweep  # noqa: F401 - registers "upload_sweep" (hourly)
from jingzhun.workbook.upload_store import import_dir


def report_path(job: Job, kind: str) -> Path:
    return import_dir() / f"job-{job.pk}-错误报告.{kind}"


@handler("registry_import")
def run_registry_import(job: Job, progress: Progress) -> dict[str, Any]:
    """params: {"path": stored upload (relative to MEDIA_ROOT/imports), "filename": the user's name,
    "dry_run": bool}. The importer acts with the scope of the user who submitted the job."""
    # imported here, not at start-up: every process autodiscovers the job modules (jobs.runner)
    from jingzhun.workbook.importer import import_path
    from jingzhun.workbook.report import write_report

    params = job.params
    path = import_dir() / params["path"]
    actor = actor_for(job.created_by)
    try:
        result = import_path(
            str(path),
            actor=actor,
            dry_run=bool(params.get("dry_run")),
            job=job,
            progress=progress,
            year=params.get("year"),
            header_map=params.get("header_map"),  # a national list's hand mappings (national_views)
        )
    finally:
        # The upload holds a whole register of personal data: once read (or failed), it is not kept.
        # What was imported is in the database; what was wrong is in the error report.
        path.unlink(missing_ok=True)
    result.source = params.get("filename") or result.source
    summary = result.to_dict()
    # what the import wrote is re-assessed by its reaction (standards' `reassess_import`, jobs.outbox), a job
    # of its own that runs right after this one returns (runner.execute)
    if result.total_errors or result.total_warnings:
        for kind in ("xlsx", "csv"):
            write_report(result, str(report_path(job, kind)))
        summary["report"] = True
    return summary
