"""Lists a user may want in Excel (列表导出), as a seam: an app describes each of its lists once as a
`ListSpec` and registers it in its `AppConfig.ready()`; `workbook.list_export` serves every registered
list at `/lists/<name>.xlsx` (permission, masking, audit, background job when large) without naming the
apps that registered them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

Mask = Callable[[str, Any], Any]


@dataclass(frozen=True)
class ListSpec:
    name: str  # URL slug, e.g. "alert-no-helper"
    title: str  # sheet name and file name (Chinese)
    headers: tuple[str, ...]
    rows: Callable[[Any, Mask], Iterator[list[Any]]]  # (actor, masker) → rows
    perm: str  # the list's own permission, besides the export permission
    count: Callable[[Any], int] | None = None  # None: always small (written in the request)
    text_headers: frozenset[str] = field(default_factory=frozenset)  # codes, phones: kept as text


LISTS: dict[str, ListSpec] = {}


def register_list(spec: ListSpec) -> ListSpec:
    LISTS[spec.name] = spec
    return spec


def registered_list(name: str) -> ListSpec | None:
    return LISTS.get(name)
