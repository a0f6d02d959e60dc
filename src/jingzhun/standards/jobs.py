"""Background job: the whole-county assessment (`@handler("assessment")`), with progress."""

from __future__ import annotations

from typing import Any

from jingzhun.accounts.access import actor_for
from jingzhun.jobs.models import Job
from jingzhun.jobs.runner import Progress, enqueue, handler
from jingzhun.standards.services import assess


@handler("assessment")
def run_assessment(job: Job, progress: Progress) -> dict[str, Any]:
    actor = actor_for(job.created_by) if job.created_by_id else None
    year = int(job.params["year"])
    run = assess(year=year, actor=actor, progress=progress, job_id=job.pk)
    return {
        "year": year,
        "households": run.households,
        "seconds": run.seconds,
        "run_id": run.pk,
        "standard": str(run.standard),
        "standard_id": run.standard_id,
    }


def assessment_enqueue(*, actor: Any, year: int) -> Job:
    """One county run at a time per year: an already queued or running one is reused."""
    from jingzhun.jobs.models import JobStatus

    lock = f"assessment:{year}"
    existing = Job.objects.filter(
        kind="assessment",
        lock_key=lock,
        created_by=actor.user,
        status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
    ).first()
    if existing is not None:
        return existing
    return enqueue(
        kind="assessment",
        params={"year": year, "label": f"{year}年全县脱贫标准评估"},
        created_by=actor.user,
        lock_key=lock,
    )
