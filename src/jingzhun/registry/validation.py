"""Cross-field rules of the registry (pure functions over cleaned values; messages in Chinese)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from jingzhun.lib import idcard
from jingzhun.registry import enums


def household_errors(values: Mapping[str, Any], *, this_year: int | None = None) -> dict[str, str]:
    errors: dict[str, str] = {}
    this_year = this_year or date.today().year
    status = values.get("exit_status")
    exit_year = values.get("exit_year")
    identified = values.get("identified_year")
    if status == enums.ExitStatus.EXITED and not exit_year:
        errors["exit_year"] = "脱贫状态为已脱贫时，脱贫年度必填"
    if exit_year and identified and exit_year < identified:
        errors["exit_year"] = f"脱贫年度 {exit_year} 早于识别年度 {identified}"
    if identified and identified > this_year:
        errors["identified_year"] = f"识别年度 {identified} 晚于今年"
    planned = values.get("planned_exit_year")
    if planned and identified and planned < identified:
        errors["planned_exit_year"] = f"计划脱贫年度 {planned} 早于识别年度 {identified}"
    main = values.get("main_cause")
    others = [c for c in (values.get("other_causes") or "").split("、") if c]
    if main and main in others:
        errors["other_causes"] = f"其他致贫原因不能与主要致贫原因（{main}）重复"
    return errors


def member_errors(values: dict[str, Any]) -> dict[str, str]:
    """Check the ID number and that gender and birth date agree with it; fills in birth_date and
    resident_id from the ID. Mutates `values` (the cleaned row) on success."""
    errors: dict[str, str] = {}
    raw_id = values.get("id_number")
    try:
        parsed = idcard.parse(raw_id)
    except idcard.IdNumberError as exc:
        return {"id_number": str(exc)}
    values["id_number"] = parsed.full
    values["resident_id"] = parsed.number
    gender = values.get("gender")
    if gender and gender != parsed.gender:
        errors["gender"] = f"性别“{gender}”与证件号码不符（证件号码第17位表示{parsed.gender}性）"
    birth = values.get("birth_date")
    if birth and birth != parsed.birth_date:
        errors["birth_date"] = (
            f"出生日期 {birth.isoformat()} 与证件号码中的 {parsed.birth_date.isoformat()} 不一致"
        )
    values["birth_date"] = parsed.birth_date
    if not gender:
        values["gender"] = parsed.gender
    status = values.get("school_status")
    reason = values.get("not_in_school_reason")
    if reason and status and status != enums.SchoolStatus.NOT_IN_SCHOOL:
        errors["not_in_school_reason"] = "只有非在校生才填写未上学原因"
    return errors


def head_errors(
    members: Iterable[Mapping[str, Any]], head_name: str | None = None, head_id: str | None = None
) -> dict[str, str]:
    """Exactly one 户主, and the household's 户主姓名/证件号码 equal that member's."""
    heads = [m for m in members if m.get("relation") == enums.Relation.HEAD]
    if not heads:
        return {"relation": "该户没有户主：每户必须有且只有一名与户主关系为“户主”的成员"}
    if len(heads) > 1:
        names = "、".join(str(h.get("name")) for h in heads)
        return {"relation": f"该户有{len(heads)}名户主（{names}）：每户只能有一名户主"}
    head = heads[0]
    errors: dict[str, str] = {}
    if head_name is not None and head_name != head.get("name"):
        errors["head_name"] = f"户主姓名“{head_name}”与户主成员的姓名“{head.get('name')}”不一致"
    if head_id is not None:
        normalized = idcard.normalize(head_id)
        if normalized != head.get("id_number"):
            errors["head_id_number"] = "户主证件号码与户主成员的证件号码不一致"
    return errors
