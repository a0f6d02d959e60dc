"""Reads of departmental datasets, decided here once: the raw datasets are county-level data, seen by
holders of `verification.view_datasets` (county roles) for their county only; values are masked with
the one masking policy (`lib.masking`) for an actor without registry.view_sensitive. Anyone else gets
404, as for a dataset that does not exist."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from jingzhun.accounts.access import Actor
from jingzhun.accounts.roles import Perm
from jingzhun.lib.masking import mask_record
from jingzhun.rules.datasets import SPEC_BY_NAME
from jingzhun.verification.importer import county_code
from jingzhun.verification.models import Dataset, DatasetRecord

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
