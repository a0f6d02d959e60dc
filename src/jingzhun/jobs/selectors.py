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
    # Everyone's jobs only for the county admin: a job's result may quote personal data, which the system
    # administrator (users and settings only, 三员分立) must not read.
    county_admin = actor.can(Perm.MANAGE_USERS) and actor.can(Perm.VIEW_SENSITIVE)
    if job.created_by_id != actor.user.pk and not county_admin:
        raise Http404
    return job
