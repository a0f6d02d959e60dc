"""Writes of the standards app: assessments (stored verdicts) and new standard versions.

Keyword-only, atomic where it matters, and each leaves an audit row (core.audit.record).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from jingzhun.accounts.access import Actor
from jingzhun.core import audit
from jingzhun.core.errors import ValidationFailed
from jingzhun.engines.python.household import assess_household
from jingzhun.registry import enums
from jingzhun.registry.models import Household
from jingzhun.rules.spec import StandardSpec
from jingzhun.rules.vocabulary import OPERATORS_BY_LEVEL, ParamError, clean_params
from jingzhun.standards import verdicts
from jingzhun.standards.loading import default_year, household_data, load_spec, standard_for_year
from jingzhun.standards.models import (
    AssessmentRun,
    PovertyLine,
    Rule,
    StandardSet,
    StandardStatus,
)

log = logging.getLogger(__name__)
ProgressFn = Callable[..., Any]


class StandardError(ValidationFailed, ValueError):
    """A refused change or run; the message is Chinese and shown to the user. It is the application's
    one error (`core.errors.ValidationFailed`, under `__all__`), so pages, the API and the CLI show it as
    any other; still a ValueError for callers that caught it as one."""

    def __init__(self, message: str):
        super().__init__({"__all__": message})

    def __str__(self) -> str:
        return self.message


def _spec_for(year: int, standard: StandardSet | None = None) -> StandardSpec:
    standard = standard or standard_for_year(year)
    if standard is None:
        raise StandardError(f"没有适用于{year}年的已发布标准，请先发布一个覆盖该年度的标准版本")
    return load_spec(standard)


# --- assessment ---------------------------------------------------------------------------------


def assess(
    *,
    year: int,
    region_prefix: str = "",
    actor: Actor | None = None,
    progress: ProgressFn | None = None,
    standard: StandardSet | None = None,
    job_id: int | None = None,
) -> AssessmentRun:
    """Set-based assessment of every household on the register (or of one region subtree), stored as
    verdicts for (year, standard). Pages keep showing a complete (old or new) verdict for every household
    while it runs: each chunk, or the whole copy of a run on every core, is one transaction."""
    spec = _spec_for(year, standard)
    started = time.monotonic()
    written = 0
    if region_prefix:
        written = verdicts.store_region(spec=spec, year=year, prefix=region_prefix)
    else:
        written = verdicts.store_county(spec=spec, year=year, progress=progress)
    with transaction.atomic():
        run = AssessmentRun.objects.create(
            year=year,
            standard_id=spec.id,
            region_prefix=region_prefix,
            households=written,
            seconds=round(time.monotonic() - started, 3),
            created_by=getattr(actor, "user", None),
        )
        audit.record(
            actor=getattr(actor, "user", None),
            action="standards.assess",
            object_type="assessment",
            object_id=run.pk,
            object_label=f"{year}年评估（{spec.label}）",
            after={"year": year, "standard": spec.label, "region": region_prefix, "households": written},
            job_id=job_id,
        )
    if progress:
        progress(written, written, "评估完成")
    return run


def assess_all(*, year: int) -> int:
    """Whole county, as the system (demo, CLI). Returns the number of households assessed."""
    return assess(year=year).households


def reassess_household(household_id: int) -> None:
    """Bring the stored verdicts of one household up to date (Python engine, the page path): for every
    assessed year (with the standard now applying to it) and for the default year. Verdicts stored
    against superseded versions stay as they were (reproducible). The reaction to the registry's change
    event (standards/jobs.py)."""
    household = Household.objects.filter(pk=household_id).first()
    years = set(AssessmentRun.objects.values_list("year", flat=True).distinct())
    years.add(default_year())
    with transaction.atomic():
        for year in sorted(years):
            standard = standard_for_year(year)
            if standard is None:
                continue
            if household is None or household.registry_status != enums.RegistryStatus.ACTIVE:
                verdicts.remove_household(household_id=household_id, year=year, standard_id=standard.pk)
                continue
            spec = load_spec(standard)
            result = assess_household(household_data(household, year=year), year=year, spec=spec)
            verdicts.store_household(household=household, year=year, standard_id=standard.pk, result=result)


def reassess_imported(
    *, actor: Actor | None, progress: ProgressFn | None = None, job_id: int | None = None
) -> int | None:
    """Imported households change verdicts: re-run the current year's assessment over the importer's scope
    (a township cadre's township; the whole county, in chunks, otherwise). None when no standard applies."""
    year = default_year()
    if standard_for_year(year) is None:
        return None
    prefixes = list(actor.prefixes) if actor is not None else []
    prefix = prefixes[0] if len(prefixes) == 1 and len(prefixes[0]) > 6 else ""
    assess(year=year, region_prefix=prefix, actor=actor, progress=progress, job_id=job_id)
    return year


# --- standard versions --------------------------------------------------------------------------


def _require_draft(standard: StandardSet) -> StandardSet:
    locked = StandardSet.objects.select_for_update().get(pk=standard.pk)
    if locked.status != StandardStatus.DRAFT:
        raise StandardError("已发布的标准版本不能修改（评估结果要能重现）：请复制为新版本后再修改")
    return locked


def _snapshot(standard: StandardSet) -> dict[str, Any]:
    return {
        "name": standard.name,
        "version": standard.version,
        "status": standard.status,
        "years": [standard.first_year, standard.last_year],
        "reference": f"{standard.reference_month:02d}-{standard.reference_day:02d}",
        "exit_notice_days": standard.exit_notice_days,
        "lines": {str(x.year): str(x.amount) for x in standard.lines.all()},
        "rules": [{"code": r.code, "operator": r.operator, "params": r.params} for r in standard.rules.all()],
    }


@transaction.atomic
def standard_copy(*, actor: Actor, source: StandardSet, name: str = "", description: str = "") -> StandardSet:
    """A new draft version with the source's lines and rules."""
    name = (name or source.name).strip()[:60]
    version = (StandardSet.objects.filter(name=name).aggregate(v=Max("version"))["v"] or 0) + 1
    copy = StandardSet.objects.create(
        name=name,
        version=version,
        status=StandardStatus.DRAFT,
        first_year=source.first_year,
        last_year=source.last_year,
        reference_month=source.reference_month,
        reference_day=source.reference_day,
        reference_is_assumption=source.reference_is_assumption,
        exit_notice_days=source.exit_notice_days,
        description=description or source.description,
        copied_from=source,
        created_by=actor.user,
    )
    PovertyLine.objects.bulk_create(
        [
            PovertyLine(standard=copy, year=x.year, amount=x.amount, is_assumption=x.is_assumption)
            for x in source.lines.all()
        ]
    )
    Rule.objects.bulk_create(
        [
            Rule(
                standard=copy,
                level=r.level,
                code=r.code,
                name=r.name,
                operator=r.operator,
                params=r.params,
                position=r.position,
                is_assumption=r.is_assumption,
                note=r.note,
            )
            for r in source.rules.all()
        ]
    )
    audit.record(
        actor=actor.user,
        action="standards.copy",
        object_type="standard",
        object_id=copy.pk,
        object_label=str(copy),
        after=_snapshot(copy),
        note=f"复制自 {source}",
    )
    return copy


@transaction.atomic
def standard_update(*, actor: Actor, standard: StandardSet, changes: dict[str, Any]) -> StandardSet:
    """Change a draft's years, reference date, description, poverty lines ({year: amount}) and rule
    parameters ({code: params}). Parameters are validated against the operator vocabulary."""
    standard = _require_draft(standard)
    before = _snapshot(standard)
    for name in (
        "first_year",
        "last_year",
        "reference_month",
        "reference_day",
        "exit_notice_days",
        "description",
        "reference_is_assumption",
    ):
        if name in changes:
            setattr(standard, name, changes[name])
    if standard.first_year > standard.last_year:
        raise StandardError("适用起始年度不能晚于截止年度")
    try:
        date(2000, standard.reference_month, standard.reference_day)  # a leap year: 29 February is valid
    except ValueError as exc:
        raise StandardError("基准日不是有效的月/日") from exc
    standard.save()
    for year, amount in (changes.get("lines") or {}).items():
        if amount in (None, ""):
            PovertyLine.objects.filter(standard=standard, year=year).delete()
            continue
        if amount <= 0:
            raise StandardError(f"{year}年扶贫标准应大于0")
        line = PovertyLine.objects.filter(standard=standard, year=year).first()
        if line is None or line.amount != amount:  # a changed line is the county's own, no longer 默认口径
            PovertyLine.objects.update_or_create(
                standard=standard, year=year, defaults={"amount": amount, "is_assumption": False}
            )
    for code, params in (changes.get("rule_params") or {}).items():
        rule = Rule.objects.filter(standard=standard, code=code).first()
        if rule is None:
            raise StandardError(f"没有规则 {code}")
        try:
            cleaned = clean_params(rule.operator, params)
        except ParamError as exc:
            raise StandardError(f"{code}：{exc}") from exc
        if cleaned != rule.params:
            rule.params = cleaned
            rule.is_assumption = False
            rule.save()
    audit.record(
        actor=actor.user,
        action="standards.update",
        object_type="standard",
        object_id=standard.pk,
        object_label=str(standard),
        before=before,
        after=_snapshot(standard),
    )
    return standard


RULE_CODE_PREFIX = {"household": "H-", "village": "V-", "county": "C-"}


@transaction.atomic
def rule_add(
    *,
    actor: Actor,
    standard: StandardSet,
    level: str,
    code: str,
    name: str,
    operator: str,
    params: dict[str, Any],
    note: str = "",
) -> Rule:
    """A new rule from the fixed vocabulary (e.g. 十不脱: no member with 健康状况 = 患有大病)."""
    standard = _require_draft(standard)
    code = code.strip().upper()
    prefix = RULE_CODE_PREFIX.get(level)
    if prefix is None or operator not in OPERATORS_BY_LEVEL[level]:
        raise StandardError("请选择层级和该层级可用的运算")
    if (
        not code.startswith(prefix)
        or not all(c.isalnum() or c == "-" for c in code)
        or len(code) > 30
        or not code.isascii()
    ):
        raise StandardError(f"规则代码应以 {prefix} 开头，只含大写字母、数字和连字符，例如 {prefix}ILLNESS")
    if Rule.objects.filter(standard=standard, code=code).exists():
        raise StandardError(f"规则代码 {code} 已存在")
    if not name.strip():
        raise StandardError("请填写规则名称")
    try:
        cleaned = clean_params(operator, params)
    except ParamError as exc:
        raise StandardError(str(exc)) from exc
    position = (standard.rules.aggregate(p=Max("position"))["p"] or 0) + 1
    rule = Rule.objects.create(
        standard=standard,
        level=level,
        code=code,
        name=name.strip()[:60],
        operator=operator,
        params=cleaned,
        position=position,
        note=note[:300],
    )
    audit.record(
        actor=actor.user,
        action="standards.rule_add",
        object_type="standard",
        object_id=standard.pk,
        object_label=str(standard),
        after={"code": code, "operator": operator, "params": cleaned},
    )
    return rule


@transaction.atomic
def rule_remove(*, actor: Actor, standard: StandardSet, code: str) -> None:
    standard = _require_draft(standard)
    rule = Rule.objects.filter(standard=standard, code=code).first()
    if rule is None:
        raise StandardError(f"没有规则 {code}")
    before = {"code": rule.code, "operator": rule.operator, "params": rule.params}
    rule.delete()
    audit.record(
        actor=actor.user,
        action="standards.rule_remove",
        object_type="standard",
        object_id=standard.pk,
        object_label=str(standard),
        before=before,
    )


@transaction.atomic
def standard_publish(*, actor: Actor, standard: StandardSet) -> StandardSet:
    """Publish a draft: from now on it is frozen and, being the newest, applies to its years."""
    standard = _require_draft(standard)
    if not standard.rules.filter(level="household").exists():
        raise StandardError("标准至少需要一条户级规则")
    standard.status = StandardStatus.PUBLISHED
    standard.published_at = timezone.now()
    standard.save()
    audit.record(
        actor=actor.user,
        action="standards.publish",
        object_type="standard",
        object_id=standard.pk,
        object_label=str(standard),
        after=_snapshot(standard),
    )
    return standard
