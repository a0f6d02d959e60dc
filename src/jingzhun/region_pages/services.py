"""Writes to regions: the village facts of the 村 sheet (poor-village flag, 出列, infrastructure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from jingzhun.accounts.access import Actor
from jingzhun.core import audit
from jingzhun.core.errors import ValidationFailed
from jingzhun.core.fields import clean_row
from jingzhun.regions.fields import VILLAGE_FIELDS
from jingzhun.regions.models import VILLAGE_FACT_FIELDS, ExitState, Region


def village_fact_errors(values: Mapping[str, Any]) -> dict[str, str]:
    """Cross-field rules of the 村 sheet."""
    errors: dict[str, str] = {}
    if values.get("is_poor_village"):
        if not values.get("exit_state"):
            errors["exit_state"] = "贫困村必须填写出列状态"
        elif values.get("exit_state") == ExitState.EXITED and not values.get("exit_year"):
            errors["exit_year"] = "已出列的贫困村必须填写出列年度"
    elif values.get("exit_state") == ExitState.EXITED:
        errors["exit_state"] = "非贫困村没有出列状态"
    return errors


@transaction.atomic
def village_facts_update(
    *,
    actor: Actor,
    region: Region,
    changes: Mapping[str, Any],
    override: bool = False,
    override_reason: str = "",
) -> Region:
    """Save the 村情. Marking a poor village 已出列 passes the exit check first (its V-* rules for the
    出列年度, standards.exit_guard): refused with the failing items named, or — where the county allows
    it — let through by a county administrator with a written reason, audited and put on the 疑似错退
    board."""
    if not region.is_village:
        raise ValidationFailed({"__all__": "只有村级区划有村情数据"})
    if not actor.covers_code(region.code):
        raise ValidationFailed({"__all__": f"{region.name}不在您的管辖范围内"})
    specs = tuple(s for s in VILLAGE_FIELDS if s.name != "code")
    values, errors = clean_row(specs, changes, partial=True)
    merged = {f: getattr(region, f) for f in VILLAGE_FACT_FIELDS}
    merged.update(values)
    if not merged.get("is_poor_village"):
        merged["exit_state"] = values["exit_state"] = ""
    errors.update(village_fact_errors(merged))
    if errors:
        raise ValidationFailed(errors)
    region = Region.objects.select_for_update().get(pk=region.pk)
    was_exited = region.exit_state == ExitState.EXITED
    decision = None

    def exit_checked(updated: Region) -> None:  # before the save: a refused 出列 writes nothing
        nonlocal decision
        if updated.exit_state == ExitState.EXITED and not was_exited:
            decision = _exit_checked(actor, updated, override=override, override_reason=override_reason)

    audit.audited_update(
        region,
        {name: value if value != "" or name == "exit_state" else None for name, value in values.items()},
        fields=VILLAGE_FACT_FIELDS,
        actor=actor,
        action="region.update",
        label=region.name,
        object_type="region",
        on_change=exit_checked,
    )
    if decision is not None:
        from jingzhun.core.exit_gate import exit_gate

        exit_guard = exit_gate()
        exit_guard.exception_record(
            actor=actor,
            level=exit_guard.ExitLevel.VILLAGE,
            year=region.exit_year or 0,
            source=exit_guard.ExitSource.OVERRIDE,
            decision=decision,
            village_code=region.code,
            reason=override_reason,
        )
    return region


def _exit_checked(actor: Actor, region: Region, *, override: bool, override_reason: str) -> Any:
    """None when the village may 出列; the failing decision when a permitted override lets it through;
    otherwise ExitRefused (nothing is written: the caller's transaction rolls back)."""
    from jingzhun.core.exit_gate import ExitRefused, exit_gate

    exit_guard = exit_gate()

    decision = exit_guard.village_exit_check(region, year=int(region.exit_year or 0))
    if decision.allowed:
        return None
    if not override:
        raise ExitRefused(decision.message("标注出列"), decision)
    refusal = exit_guard.override_refusal(actor, override_reason)
    if refusal is not None:
        raise ExitRefused(f"{refusal}。{decision.message('标注出列')}", decision)
    return decision
