"""Background import of departmental datasets (`dataset_import`): an upload from the datasets page,
imported all-or-nothing with live progress; the upload is deleted when done and the error report
(xlsx and CSV) is left for the page to offer, as the registry's import does."""

from __future__ import annotations

from typing import Any

from jingzhun.accounts.access import actor_for
from jingzhun.jobs.models import Job
from jingzhun.jobs.queue import Progress, handler
from jingzhun.verification.importer import import_datasets
from jingzhun.workbook.report import write_report
from jingzhun.workbook.upload_store import import_dir

KIND = "dataset_import"


def report_path(job: Job, kind: str) -> Any:
    return import_dir() / f"job-{job.pk}-部门数据错误报告.{kind}"


@handler(KIND)
def run_dataset_import(job: Job, progress: Progress) -> dict[str, Any]:
    """params: {"path": stored upload (relative to MEDIA_ROOT/imports), "filename": the user's name}."""
    params = job.params
    path = import_dir() / params["path"]
    try:
        outcome = import_datasets(
            [str(path)],
            actor=actor_for(job.created_by),
            user=job.created_by,
            file_name=params.get("filename") or path.name,
            progress=progress,
            job_id=job.pk,
        )
    finally:
        path.unlink(missing_ok=True)  # a department's roll of personal data is not kept as a file
        if path.parent != import_dir():  # a CSV came in a folder of its own (its name is the dataset)
            path.parent.rmdir()
    outcome.result.source = params.get("filename") or ""
    summary = outcome.to_dict()
    if outcome.result.total_errors:
        for kind in ("xlsx", "csv"):
            write_report(outcome.result, str(report_path(job, kind)))
        summary["report"] = True
    return summary
