"""Writes for help and responsibility."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from jingzhun.accounts.access import Actor
from jingzhun.accounts.models import User
from jingzhun.assistance.models import HelperPairing
from jingzhun.core import audit
from jingzhun.registry.models import Household


@transaction.atomic
def helper_assign(*, actor: Actor, household: Household, helper: User, started_on: date | None = None
                  ) -> HelperPairing:
    """Pair a helper with a household; an open pairing with someone else ends the day before."""
    start = started_on or date.today()
    current = HelperPairing.objects.select_for_update().filter(household=household, ended_on__isnull=True).first()
    if current is not None:
        if current.helper_id == getattr(helper, "pk", None):
            return current
        current.ended_on = start
        current.save(update_fields=["ended_on"])
        audit.record(actor=actor.user, action="pairing.end", object_type="pairing", object_id=current.pk,
                     object_label=str(household), household_id=household.pk,
                     before={"helper": current.helper_id, "ended_on": None},
                     after={"helper": current.helper_id, "ended_on": start.isoformat()})
    pairing = HelperPairing.objects.create(helper=helper, household=household, started_on=start)
    audit.record(actor=actor.user, action="pairing.start", object_type="pairing", object_id=pairing.pk,
                 object_label=str(household), household_id=household.pk,
                 after={"helper": pairing.helper_id, "started_on": start.isoformat()})
    return pairing
