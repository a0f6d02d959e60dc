"""Remembered header mappings of a county (表头映射, `HeaderMapping`): a header of a national person list that
the layouts do not know (e.g. 身份证号码), mapped by hand on the upload page to one of their columns, is used
again for the county's next file (docs/national-list.md "The mapping step")."""

from __future__ import annotations

from django.db import transaction

from jingzhun.accounts.access import Actor
from jingzhun.core import audit
from jingzhun.workbook.columns import normalize_header
from jingzhun.workbook.models import HeaderMapping
from jingzhun.workbook.national_layout import KEYS


def remembered_mappings(county: str) -> dict[str, str]:
    """Normalised header → canonical key, for the county (6 digits)."""
    return dict(HeaderMapping.objects.filter(county=county).values_list("header", "target"))


@transaction.atomic
def header_mappings_remember(*, actor: Actor, county: str, mappings: dict[str, str]) -> int:
    """Store the county's hand mappings (header → key of `national_layout.KEYS`); an empty key forgets a
    header. Only a county-wide importer may change what the whole county's next files use. One audit row
    (`workbook.header_mapping`) with the mappings before and after. Returns how many changed."""
    if not any(len(p) <= 6 and county.startswith(p) for p in actor.prefixes):
        raise PermissionError("只有县级导入人员可以保存本县的表头映射")
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    for raw, target in mappings.items():
        header = normalize_header(raw)[:100]
        if not header or (target and target not in KEYS):
            continue
        row = HeaderMapping.objects.filter(county=county, header=header).first()
        old = row.target if row else ""
        if old == target:
            continue
        before[header], after[header] = old, target
        if not target:
            if row:
                row.delete()
        elif row:
            row.target = target
            row.created_by = actor.user
            row.save(update_fields=["target", "created_by", "updated_at"])
        else:
            HeaderMapping.objects.create(county=county, header=header, target=target, created_by=actor.user)
    if after:
        audit.record(
            actor=actor.user,
            action="workbook.header_mapping",
            object_type="header_mapping",
            object_id=county,
            object_label=f"全国系统名单表头映射（{county}）",
            before=before,
            after=after,
        )
    return len(after)
