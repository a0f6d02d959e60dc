"""Background job: the daily escalation pass (督办升级), run by the worker like any other job."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from jingzhun.jobs.models import Job
from jingzhun.jobs.queue import Progress, handler
from jingzhun.jobs.schedule import recurring
from jingzhun.ledger.escalation import escalate


@handler("ledger_escalate")
def run_escalate(job: Job, progress: Progress) -> dict[str, Any]:
    as_of = job.params.get("as_of")
    counts = escalate(as_of=date.fromisoformat(as_of) if as_of else None)
    progress(1, 1, "督办升级完成", force=True)
    return {"counts": counts}


# Every night after midnight: overdue items climb the ladder for the new day (提醒 → 督办 → 通报 → 约谈).
recurring("ledger_escalate", daily_at=time(0, 30))
