"""Reads of clues that respect scope: a clue is seen by whoever sees its ledger item (ledger.selectors:
the region subtree of the actor's grants; a 帮扶责任人 or an outsider sees nothing, 404 like missing).

Reads of departmental datasets, decided here once: the raw datasets are county-level data, seen by
holders of `verification.view_datasets` (county roles) for their county only; values are masked with
the one masking policy (`lib.masking`) for an actor without registry.view_sensitive. Anyone else gets
404, as for a dataset that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404

from jingzhun.accounts.access import Actor
from jingzhun.accounts.roles import Perm
from jingzhun.ledger.selectors import items_visible, ledger_actor
from jingzhun.lib.masking import mask_record
from jingzhun.regions.models import Region
from jingzhun.rules.checks import ALL_CHECKS, CLEANSING, CROSSCHECK
from jingzhun.rules.datasets import SPEC_BY_NAME
from jingzhun.verification import kind
from jingzhun.verification.importer import county_code
from jingzhun.verification.models import Clue, ClueRun, Dataset, DatasetRecord

RULE_ORDER = [r.code for r in CLEANSING + CROSSCHECK]


def clues_visible(actor: Actor) -> QuerySet[Clue]:
    return Clue.objects.filter(item__in=items_visible(actor, kind=kind.CODE))


def clue_get(actor: Actor, pk: Any) -> Clue:
    """By the ledger item's id (the clue's page is the item's page)."""
    try:
        return (
            clues_visible(actor)
            .select_related("item", "household", "household__village", "member")
            .get(item_id=pk)
        )
    except (Clue.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


@dataclass(frozen=True)
class Filter:
    rule: str = ""
    dataset: str = ""
    region: str = ""  # a region's code prefix (regions.code_prefix)
    status: str = ""
    stale: bool = False  # only clues no longer hit by the latest run

    def apply(self, query: QuerySet[Clue]) -> QuerySet[Clue]:
        if self.rule:
            query = query.filter(rule=self.rule)
        if self.dataset:
            query = query.filter(dataset=self.dataset)
        if self.region:
            query = query.filter(village_code__startswith=self.region)
        if self.status:
            query = query.filter(item__status=self.status)
        if self.stale:
            query = query.filter(still_hit=False, item__status__in=kind.OPEN)
        return query


def _counts(query: QuerySet[Clue], key: Any) -> dict[str, dict[str, int]]:
    """Per group: total, 待核查, 核查中, 属实, 不属实 — one grouped query."""
    rows = (
        query.annotate(g=key)
        .values("g")
        .annotate(
            total=Count("id"),
            pending=Count("id", filter=Q(item__status=kind.PENDING)),
            checking=Count("id", filter=Q(item__status=kind.CHECKING)),
            true=Count("id", filter=Q(item__status=kind.TRUE)),
            false=Count("id", filter=Q(item__status=kind.FALSE)),
        )
    )
    return {r["g"]: {k: r[k] for k in ("total", "pending", "checking", "true", "false")} for r in rows}


def _with_precision(row: dict[str, int]) -> dict[str, Any]:
    checked = row["true"] + row["false"]
    return {**row, "checked": checked, "precision": (row["true"] / checked) if checked else None}


def by_rule(actor: Actor, query: QuerySet[Clue] | None = None) -> list[dict[str, Any]]:
    """Counts per rule in catalogue order, with 属实 ÷ checked (precision measured from the field checks)."""
    from django.db.models import F

    counts = _counts(query if query is not None else clues_visible(actor), F("rule"))
    out = []
    for code in RULE_ORDER:
        if code in counts:
            rule = ALL_CHECKS[code]
            out.append(
                {"code": code, "name": rule.name, "dataset": rule.dataset, **_with_precision(counts[code])}
            )
    return out


def by_dataset(actor: Actor) -> list[dict[str, Any]]:
    from django.db.models import F

    counts = _counts(clues_visible(actor), F("dataset"))
    return [
        {"dataset": name or "数据清洗（登记数据内部）", "key": name, **_with_precision(row)}
        for name, row in sorted(counts.items())
    ]


def by_region(actor: Actor, query: QuerySet[Clue], level: str) -> list[dict[str, Any]]:
    """Counts per township (level="township") or village, with the region's name."""
    length = 9 if level == "township" else 12
    counts = _counts(query, Substr("village_code", 1, length))
    codes = [c + "000" if length == 9 else c for c in counts]
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    out = []
    for prefix, row in sorted(counts.items()):
        code = prefix + "000" if length == 9 else prefix
        out.append({"code": code, "name": names.get(code, code), **_with_precision(row)})
    return out


def records_in_scope(actor: Actor, village_records: dict[str, int]) -> int:
    """The records of a run (ClueRun.village_records) that belong to the viewer's region subtrees — the
    clues' own scope (ledger scope): nothing for whoever sees no clue."""
    if actor.can(Perm.LEDGER_VIEW) and not clues_visible(actor).query.is_empty():
        prefixes = ledger_actor(actor).prefixes
        return sum(n for code, n in village_records.items() if code.startswith(prefixes))
    return 0


def summary(actor: Actor, year: int | None = None) -> dict[str, Any]:
    """The counties' sentence: 比对 N 条记录，发现疑点 M 条，已核实 K 条，属实 J 条.

    N is the records compared by the latest run of each kind (数据清洗 / 部门比对) of the year, counted
    for the viewer's scope (ClueRun.village_records): a township cadre counts the records matched to
    the villages of their township, a county-wide viewer every record, those that matched nobody
    included; M the clues in scope (of that year), K those closed, J those closed 属实."""
    query = clues_visible(actor)
    runs = ClueRun.objects.all()
    if year:
        query = query.filter(year=year)
        runs = runs.filter(year=year)
    totals = query.aggregate(
        m=Count("id"),
        k=Count("id", filter=Q(item__status__in=(kind.TRUE, kind.FALSE))),
        j=Count("id", filter=Q(item__status=kind.TRUE)),
        stale=Count("id", filter=Q(still_hit=False, item__status__in=kind.OPEN)),
        applied=Count("id", filter=Q(applied_at__isnull=False)),
    )
    n = 0
    for source in ("数据清洗", "部门比对"):
        latest = runs.filter(source=source).order_by("-id").values_list("village_records", flat=True).first()
        n += records_in_scope(actor, latest or {})
    sentence = f"比对 {n} 条记录，发现疑点 {totals['m']} 条，已核实 {totals['k']} 条，属实 {totals['j']} 条"
    return {**totals, "n": n, "sentence": sentence}


def household_open(actor: Actor, household: Any) -> list[Clue]:
    return list(
        clues_visible(actor)
        .filter(household=household, item__status__in=kind.OPEN)
        .select_related("item", "member")
        .order_by("item__code")
    )


PAGE_ROWS = 200


def datasets_for(actor: Actor) -> list[Dataset]:
    actor.require(Perm.VIEW_DATASETS)
    return list(
        Dataset.objects.filter(county_code=county_code(actor)).select_related("imported_by").order_by("id")
    )


def dataset_get(actor: Actor, name: str) -> Dataset:
    actor.require(Perm.VIEW_DATASETS)
    dataset = Dataset.objects.filter(county_code=county_code(actor), name=name).first()
    if dataset is None or name not in SPEC_BY_NAME:
        raise Http404
    return dataset


def record_columns(actor: Actor, dataset: Dataset, data: list[str]) -> dict[str, Any]:
    columns = {c: v for c, v in zip(dataset.columns, data, strict=False) if c}
    return mask_record(columns, actor.sees_sensitive)


def dataset_rows(
    actor: Actor, dataset: Dataset, *, limit: int = PAGE_ROWS
) -> list[tuple[int, dict[str, Any]]]:
    """The first `limit` records (row number, columns as the actor may see them)."""
    rows = DatasetRecord.objects.filter(dataset=dataset).order_by("id").values_list("row", "data")[:limit]
    return [(row, record_columns(actor, dataset, data)) for row, data in rows]


def present_record(actor: Actor, columns: dict[str, Any]) -> dict[str, Any]:
    """A departmental record shown beside the registry's (a clue page): masked like the registry."""
    return mask_record(columns, actor.sees_sensitive)
