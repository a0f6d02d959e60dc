"""Scoped reads of jobs: a user sees their own jobs; a county admin sees all."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from jingzhun.accounts.access import Actor
from jingzhun.accounts.roles import Perm
from jingzhun.jobs.models import Job


def job_get(actor: Actor, pk: Any) -> Job:
    job = Job.objects.filter(pk=pk).first()
    if job is None or actor.user is None:
        raise Http404
    if job.created_by_id != actor.user.pk and not actor.can(Perm.MANAGE_USERS):
        raise Http404
    return job
