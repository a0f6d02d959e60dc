"""An import changes verdicts: the CLI import re-assesses the current year, so county pages stay true."""

from __future__ import annotations

import pytest

from jingzhun.registry.models import Household
from jingzhun.standards.defaults import ensure_defaults
from jingzhun.standards.models import HouseholdVerdict
from jingzhun.workbook.commands import run_import

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_assesses_the_imported_households(regions, golden):
    ensure_defaults()
    assert (
        run_import(path=golden("valid_utf8"), dry_run=False, username=None, errors_out=None, progress=None)
        == 0
    )
    imported = set(Household.objects.values_list("id", flat=True))
    assessed = set(HouseholdVerdict.objects.values_list("household_id", flat=True))
    assert imported and imported == assessed
