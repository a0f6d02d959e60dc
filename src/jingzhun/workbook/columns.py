"""The sheets of the registry workbook (登记簿, spec/registry-workbook.md) and their headers.

Headers come from the FieldSpecs of `registry.fields`, so the importer, the exporter, the template and
the generator all speak the same columns in the same order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jingzhun.core.fields import FieldSpec
from jingzhun.regions.fields import VILLAGE_FIELDS
from jingzhun.registry.fields import HOUSEHOLD_FIELDS, MEMBER_FIELDS

HOUSEHOLD_SHEET = "户"
MEMBER_SHEET = "成员"
VILLAGE_SHEET = "村"

# Columns whose values are identifiers: written as text, and a numeric cell there is refused.
ID_COLUMNS = frozenset({"head_id_number", "id_number"})
TEXT_COLUMNS = frozenset({"code", "village_code", "household_code", "head_id_number", "id_number", "phone"})


@dataclass(frozen=True)
class Sheet:
    name: str  # sheet name, and the CSV file name without `.csv`
    specs: tuple[FieldSpec, ...]
    required: bool

    @property
    def headers(self) -> list[str]:
        return [s.label for s in self.specs]

    @property
    def field_names(self) -> list[str]:
        return [s.name for s in self.specs]


SHEETS: tuple[Sheet, ...] = (
    Sheet(HOUSEHOLD_SHEET, HOUSEHOLD_FIELDS, True),
    Sheet(MEMBER_SHEET, MEMBER_FIELDS, True),
    Sheet(VILLAGE_SHEET, VILLAGE_FIELDS, False),
)
SHEET_BY_NAME = {s.name: s for s in SHEETS}

_SPACES = re.compile(r"\s+")


def normalize_header(raw: object) -> str:
    """Header tolerance: surrounding and inner spaces, full-width brackets （） vs (), a trailing `*`
    that templates use to mark required columns."""
    text = "" if raw is None else str(raw)
    text = _SPACES.sub("", text.replace("\u3000", " ")).replace("（", "(").replace("）", ")")
    return text.rstrip("*＊")


def header_index(sheet: Sheet) -> dict[str, str]:
    """Normalised header → field name."""
    return {normalize_header(s.label): s.name for s in sheet.specs}
