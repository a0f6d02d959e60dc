"""数据待补 (data to collect): households whose assessment has 数据缺失项, by village, with what each must
still collect — so a village that came in from a national person list knows what to gather
(docs/national-list.md "数据缺失与疑似错退").

Read from the stored verdicts (one grouped query for the counts, keyset chunks for the rows), limited to
the actor's scope. What a household must collect is derived from its 数据缺失项 and the standard's rules:
the fields those rules read that can be unknown (`fields_to_collect`), not re-assessed per household, so
the county-wide xlsx streams in constant time per row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from jingzhun.accounts.access import Actor
from jingzhun.accounts.roles import Perm
from jingzhun.core.lists import ListSpec, Mask
from jingzhun.regions.models import Region
from jingzhun.rules.spec import RuleSpec, StandardSpec
from jingzhun.rules.vocabulary import FIELDS_BY_OPERATOR, MEMBER_FIELDS
from jingzhun.standards import reports
from jingzhun.standards.loading import default_year, load_spec, standard_for_year

DISPLAY_LIMIT = 500  # household rows the page shows; the xlsx has them all
CHUNK = 2000
INCOME_WORDS = "收入（工资性、生产经营性、财产性、转移性收入和生产经营性支出，或人均纯收入）"


def _can_be_unknown(fdef: Any) -> bool:
    """A field the rules may find unknown: booleans and numbers (NULL) and fields with an overlay (the
    housing grade a national list does not carry). Choices always hold a value ("" is a value)."""
    return fdef.kind in ("bool", "int", "decimal") or bool(fdef.overlay)


def rule_fields(rule: RuleSpec) -> list[str]:
    """What must be collected so that `rule` can be decided, as a cadre names it."""
    if rule.operator == "income_above_line":
        return [INCOME_WORDS]
    fields = FIELDS_BY_OPERATOR.get(rule.operator, {})
    member = fields is MEMBER_FIELDS
    out = []
    for cond in rule.conditions:
        fdef = fields.get(cond.field)
        if fdef is not None and _can_be_unknown(fdef):
            out.append(f"{fdef.label}（每名成员）" if member else fdef.label)
    return list(dict.fromkeys(out))


def fields_to_collect(spec: StandardSpec, missing: str) -> list[str]:
    by_code = {r.code: r for r in spec.level_rules("household")}
    out: list[str] = []
    for code in filter(None, missing.split(";")):
        rule = by_code.get(code)
        out.extend(rule_fields(rule) if rule else [code])
    return list(dict.fromkeys(out))


@dataclass
class VillageGaps:
    code: str
    name: str
    township: str
    households: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)  # rule code → households missing it


def _awaiting(spec: StandardSpec, year: int, prefix: str, actor: Actor) -> Any:
    return reports.verdicts(spec, year, prefix, actor.region_q("village_code")).exclude(missing="")


def village_counts(spec: StandardSpec, year: int, prefix: str, actor: Actor) -> list[VillageGaps]:
    """Per village: households with 数据缺失项 and, per rule, how many miss it (one grouped query)."""
    groups = (
        _awaiting(spec, year, prefix, actor)
        .values("village_code", "missing")
        .annotate(n=Count("id"))
        .order_by("village_code")
    )
    rows: dict[str, VillageGaps] = {}
    for g in groups:
        row = rows.setdefault(g["village_code"], VillageGaps(g["village_code"], "", ""))
        row.households += g["n"]
        for code in filter(None, g["missing"].split(";")):
            row.by_rule[code] = row.by_rule.get(code, 0) + g["n"]
    names = _names(rows)
    order = {r.code: i for i, r in enumerate(spec.level_rules("household"))}
    for row in rows.values():
        row.name, row.township = names.get(row.code, (row.code, ""))
        row.by_rule = dict(sorted(row.by_rule.items(), key=lambda kv: order.get(kv[0], 99)))
    return sorted(rows.values(), key=lambda r: r.code)


def _names(codes: Any) -> dict[str, tuple[str, str]]:
    regions = Region.objects.filter(code__in=list(codes)).select_related("parent")
    return {r.code: (r.name, r.parent.name if r.parent else "") for r in regions}


def household_rows(
    spec: StandardSpec, year: int, prefix: str, actor: Actor, mask: Mask, *, limit: int | None
) -> Iterator[dict[str, Any]]:
    """Households with 数据缺失项 by village then 户编号: one sorted query, streamed (the county-wide xlsx
    reads it once instead of re-sorting for every page of rows)."""
    query = (
        _awaiting(spec, year, prefix, actor)
        .order_by("village_code", "household__code")
        .values_list(
            "household_id",
            "household__code",
            "household__head_name",
            "household__phone",
            "household__group_name",
            "village_code",
            "exit_status",
            "failed",
            "missing",
        )
    )
    if limit is not None:
        query = query[:limit]
    names: dict[str, tuple[str, str]] = {}
    collect: dict[str, list[str]] = {}  # 数据缺失项 → 待补数据 (few distinct values)
    for hid, code, head, phone, group, village_code, status, failed, missing in query.iterator(
        chunk_size=CHUNK
    ):
        if village_code not in names:
            names.update(_names([village_code]))
        village, township = names.get(village_code, (village_code, ""))
        if missing not in collect:
            collect[missing] = fields_to_collect(spec, missing)
        yield {
            "household_id": hid,
            "code": code,
            "head_name": head,
            "phone": mask("phone", phone),
            "township": township,
            "village_name": village,
            "village_code": village_code,
            "group_name": group,
            "exit_status": status,
            "failed": failed,
            "missing": missing,
            "collect": collect[missing],
        }


def count(spec: StandardSpec, year: int, prefix: str, actor: Actor) -> int:
    return _awaiting(spec, year, prefix, actor).count()


# --- the xlsx (core.lists seam; registered in StandardsConfig.ready) ----------------------------

HEADERS = (
    "乡镇",
    "村",
    "行政区划代码",
    "村民小组",
    "户编号",
    "户主",
    "联系电话",
    "脱贫状态",
    "数据缺失项",
    "待补数据",
    "未达标项",
)
TEXT = frozenset({"户编号", "联系电话", "行政区划代码"})


def _scope(actor: Actor) -> tuple[StandardSpec, int, str] | None:
    year = default_year()
    standard = standard_for_year(year)
    if standard is None:
        return None
    return load_spec(standard), year, ""  # the actor's whole scope (region_q narrows it)


def _xlsx_rows(actor: Actor, mask: Mask) -> Iterator[list[Any]]:
    scope = _scope(actor)
    if scope is None:
        return
    spec, year, prefix = scope
    names = {r.code: r.name for r in spec.rules}
    for r in household_rows(spec, year, prefix, actor, mask, limit=None):
        yield [
            r["township"],
            r["village_name"],
            r["village_code"],
            r["group_name"],
            r["code"],
            r["head_name"],
            r["phone"],
            r["exit_status"],
            "、".join(names.get(c, c) for c in r["missing"].split(";") if c),
            "；".join(r["collect"]),
            "、".join(names.get(c, c) for c in r["failed"].split(";") if c),
        ]


def _xlsx_count(actor: Actor) -> int:
    scope = _scope(actor)
    return 0 if scope is None else count(*scope, actor)


LIST = ListSpec(
    name="data-gaps",
    title="数据待补的户",
    headers=HEADERS,
    rows=_xlsx_rows,
    count=_xlsx_count,
    perm=Perm.VIEW_REGISTRY,
    text_headers=TEXT,
)
