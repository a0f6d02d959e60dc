"""Background jobs of the standards: the whole-county assessment (`@handler("assessment")`), with progress;
and the reactions to the registry's writes (jobs.outbox): a changed household re-assessed, an import's
scope re-assessed."""

from __future__ import annotations

from typing import Any

from jingzhun.accounts.access import actor_for
from jingzhun.jobs.models import Job
from jingzhun.jobs.queue import Progress, enqueue, handler
from jingzhun.standards.services import assess, reassess_household, reassess_imported

REASSESS_HOUSEHOLD = "reassess_household"
REASSESS_IMPORT = "reassess_import"


@handler(REASSESS_HOUSEHOLD)
def run_reassess_household(job: Job, progress: Progress) -> dict[str, Any]:
    """params: {"household_id"}. A failure is this job's (the registry's write stays)."""
    household_id = int(job.params["household_id"])
    reassess_household(household_id)
    return {"household_id": household_id, "message": "已重新评估该户"}


@handler(REASSESS_IMPORT)
def run_reassess_import(job: Job, progress: Progress) -> dict[str, Any]:
    """After an import wrote: the current year over the importer's scope, as the importer."""
    actor = actor_for(job.created_by) if job.created_by_id else _system(job.params.get("prefixes") or [])
    year = reassess_imported(actor=actor, progress=progress, job_id=job.pk)
    if year is None:
        return {"year": None, "message": "没有适用于今年的已发布标准，未重新评估"}
    return {"year": year, "message": f"已按 {year} 年标准重新评估"}


def _system(prefixes: list[str]) -> Any:
    from jingzhun.accounts.access import Actor

    return Actor(user=None, permissions=frozenset(), prefixes=tuple(prefixes))


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
