"""Periods (任期、结对期): rows with `started_on` and `ended_on` that are never overwritten — a change ends
one row and starts another, and the open row (no end date yet) is the current one. One definition of
"current" and "during", used by every period model's queryset and by lookups across a relation."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q


def current_q(prefix: str = "") -> Q:
    """The open rows (not ended); `prefix` "pairings__" reaches them across a relation."""
    return Q(**{f"{prefix}ended_on__isnull": True})


def during_q(start: date, end: date, prefix: str = "") -> Q:
    """Rows whose period overlaps [start, end] (both days included)."""
    return Q(**{f"{prefix}started_on__lte": end}) & (
        current_q(prefix) | Q(**{f"{prefix}ended_on__gte": start})
    )


class PeriodQuerySet(models.QuerySet):
    def current(self) -> PeriodQuerySet:
        return self.filter(current_q())

    def during(self, start: date, end: date) -> PeriodQuerySet:
        return self.filter(during_q(start, end))
