"""Numbered pages (分页) for lists like Excel: 共 N 条, page numbers, 上一页/下一页.

The caller counts once and slices once (OFFSET/LIMIT over an indexed order); this module only works
out which page is asked for and the links around it, keeping every other query parameter."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

WINDOW = 2  # page links either side of the current one


@dataclass(frozen=True)
class Pager:
    total: int
    number: int
    size: int
    params: dict[str, str] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    def url(self, number: int) -> str:
        query = {**self.params, "page": str(number)} if number > 1 else dict(self.params)
        return "?" + urlencode(query) if query else "?"

    @property
    def prev_url(self) -> str:
        return self.url(self.number - 1) if self.number > 1 else ""

    @property
    def next_url(self) -> str:
        return self.url(self.number + 1) if self.number < self.pages else ""

    @property
    def links(self) -> list[tuple[int | None, str]]:
        """(number, url) around the current page, with the first and last; None marks a gap (…)."""
        shown = {1, self.pages, *range(self.number - WINDOW, self.number + WINDOW + 1)}
        out: list[tuple[int | None, str]] = []
        last = 0
        for n in sorted(x for x in shown if 1 <= x <= self.pages):
            if n - last > 1:
                out.append((None, ""))
            out.append((n, self.url(n)))
            last = n
        return out

    @property
    def first_row(self) -> int:
        return self.offset + 1 if self.total else 0

    @property
    def last_row(self) -> int:
        return min(self.total, self.offset + self.size)


def page_number(raw: str | None, *, total: int, size: int) -> int:
    """The asked page clamped to 1…last (a stale link past the end shows the last page)."""
    pages = max(1, -(-total // size))
    number = int(raw) if raw and raw.isdigit() else 1
    return min(max(1, number), pages)


def make_pager(raw: str | None, *, total: int, size: int, params: dict[str, str]) -> Pager:
    clean = {k: v for k, v in params.items() if v and k != "page"}
    return Pager(total=total, number=page_number(raw, total=total, size=size), size=size, params=clean)
