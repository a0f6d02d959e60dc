"""Scoped reads for help and responsibility."""

from __future__ import annotations

from django.db.models import Q

from jingzhun.accounts.access import Actor
from jingzhun.assistance.models import HelperPairing


def paired_household_ids_q(actor: Actor) -> Q:
    """Households with an open pairing to this helper (a 帮扶责任人's whole scope)."""
    if actor.user is None:
        return Q(pk__in=[])
    ids = HelperPairing.objects.filter(helper=actor.user, ended_on__isnull=True).values("household_id")
    return Q(id__in=ids)
