"""What an import reports: errors and warnings tied to a cell, and the counts of what was (or would be)
written."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

ERROR_CAP = 100_000  # errors kept (and written to the report); the total is always counted


@dataclass(slots=True)
class Issue:
    """One error or warning: sheet, the row number Excel shows, column header, the cell's value, message."""

    sheet: str
    row: int | None
    column: str
    value: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = f"{self.sheet}表第{self.row}行" if self.row else f"{self.sheet}表"
        column = f"【{self.column}】" if self.column else ""
        value = f"“{self.value}”" if self.value else ""
        return f"{where}{column}{value}：{self.message}"


@dataclass
class ImportResult:
    """Outcome of one import (or dry run). Nothing was written when `errors` is not empty."""

    source: str = ""
    dry_run: bool = False
    written: bool = False
    errors: list[Issue] = field(default_factory=list)
    total_errors: int = 0
    warnings: list[Issue] = field(default_factory=list)
    total_warnings: int = 0
    households_new: int = 0
    households_updated: int = 0
    households_unchanged: int = 0
    members_new: int = 0
    members_updated: int = 0
    members_unchanged: int = 0
    villages_updated: int = 0
    seconds: float = 0.0
    # a national person list: its detected layout and column mapping (national_layout.ColumnMap.to_dict)
    national: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.total_errors == 0

    def error(self, sheet: str, row: int | None, column: str, value: Any, message: str) -> None:
        self.total_errors += 1
        if len(self.errors) < ERROR_CAP:
            self.errors.append(Issue(sheet, row, column, _show(value), message))

    def warn(self, sheet: str, row: int | None, column: str, value: Any, message: str) -> None:
        self.total_warnings += 1
        if len(self.warnings) < ERROR_CAP:
            self.warnings.append(Issue(sheet, row, column, _show(value), message))

    def counts(self) -> dict[str, int]:
        return {
            "households_new": self.households_new,
            "households_updated": self.households_updated,
            "households_unchanged": self.households_unchanged,
            "members_new": self.members_new,
            "members_updated": self.members_updated,
            "members_unchanged": self.members_unchanged,
            "villages_updated": self.villages_updated,
        }

    def to_dict(self, *, issue_limit: int = 200) -> dict[str, Any]:
        """JSON-safe summary (the job result); the full lists go to the error report file."""
        return {
            "source": self.source,
            "dry_run": self.dry_run,
            "written": self.written,
            "ok": self.ok,
            "total_errors": self.total_errors,
            "total_warnings": self.total_warnings,
            "errors": [e.to_dict() for e in self.errors[:issue_limit]],
            "warnings": [w.to_dict() for w in self.warnings[:issue_limit]],
            "seconds": round(self.seconds, 1),
            "national": self.national,
            **self.counts(),
        }


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)[:200]
