"""督查组 assignments (group → regions, group → members): a scope, so it is managed like a grant — by
the 安全管理员 (and the county administrator) — and every change leaves an audit row."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from jingzhun.accounts.access import Actor
from jingzhun.accounts.roles import Perm, RoleCode
from jingzhun.core import audit
from jingzhun.core.errors import ValidationFailed
from jingzhun.ledger.models import InspectionGroup
from jingzhun.regions.models import Region


def _state(group: InspectionGroup) -> dict[str, Any]:
    return {
        "name": group.name,
        "regions": sorted(group.regions.values_list("code", flat=True)),
        "members": sorted(group.members.values_list("username", flat=True)),
    }


@transaction.atomic
def group_save(
    *,
    actor: Actor,
    name: str,
    region_codes: list[str],
    usernames: list[str],
    group: InspectionGroup | None = None,
) -> InspectionGroup:
    """Create or change a 督查组: its name, the regions assigned to it and its members (users who hold
    the 督查组 role). Nothing is written when any code or name is wrong; the message names it."""
    actor.require(Perm.MANAGE_GRANTS)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed({"name": "请填写督查组名称"})
    clash = InspectionGroup.objects.filter(name=name)
    if group is not None:
        clash = clash.exclude(pk=group.pk)
    if clash.exists():
        raise ValidationFailed({"name": f"督查组“{name}”已存在"})
    codes = sorted({c.strip() for c in region_codes if c.strip()})
    regions = list(Region.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {r.code for r in regions})
    if unknown:
        raise ValidationFailed({"regions": f"区划代码不存在：{'、'.join(unknown)}"})
    names = sorted({u.strip() for u in usernames if u.strip()})
    users = list(get_user_model().objects.filter(username__in=names))
    missing = sorted(set(names) - {u.username for u in users})
    if missing:
        raise ValidationFailed({"members": f"账号不存在：{'、'.join(missing)}"})
    not_inspectors = sorted(
        u.username for u in users if not u.grants.filter(role=RoleCode.INSPECTOR).exists()
    )
    if not_inspectors:
        raise ValidationFailed({"members": f"以下账号没有督查组角色：{'、'.join(not_inspectors)}"})
    before = _state(group) if group is not None else None
    if group is None:
        group = InspectionGroup.objects.create(name=name)
    else:
        group.name = name
        group.save(update_fields=["name"])
    group.regions.set(regions)
    group.members.set(users)
    audit.record(
        actor=actor.user,
        action="ledger.inspection_group",
        object_type="inspection_group",
        object_id=group.pk,
        object_label=f"督查组 {group.name}",
        before=before,
        after=_state(group),
    )
    return group
