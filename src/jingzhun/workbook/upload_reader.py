"""Reading a whole upload (the import's first pass, no database writes): a registry workbook's 户, 村 and
成员 sheets (`workbook.validate`'s cleaners, the 成员 rows in worker processes where it pays:
`workbook.member_workers`), or a national person list (`workbook.national`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jingzhun.accounts.access import Actor
from jingzhun.regions.models import Region
from jingzhun.workbook import member_workers, national
from jingzhun.workbook.columns import HOUSEHOLD_SHEET, MEMBER_SHEET, SHEET_BY_NAME, VILLAGE_SHEET
from jingzhun.workbook.file_reader import Workbook
from jingzhun.workbook.issues import ImportResult
from jingzhun.workbook.national import RowSink
from jingzhun.workbook.unknown_columns import EXTRA_HOUSEHOLD_SPECS
from jingzhun.workbook.validate import (
    MemberSink,
    Parsed,
    ProgressFn,
    _heads,
    _households,
    _members,
    _SheetReader,
    _villages,
)


def parse_workbook(
    book: Workbook,
    *,
    actor: Actor,
    result: ImportResult,
    progress: ProgressFn | None = None,
    after_households: Callable[[Parsed], MemberSink | None] | None = None,
    year: int | None = None,
    header_map: dict[str, str] | None = None,
    before_national_rows: Callable[[Parsed], RowSink | None] | None = None,
) -> Parsed:
    """Read and check the sheets: 户, 村, then 成员. `after_households` is called once the 户 and 村 sheets
    are read (the importer locks their townships there); it may return a sink that receives each member
    of a known 户编号, as (户编号, cleaned tuple), as soon as its row is read. A national person list (one
    sheet) calls `before_national_rows` before its first row instead (see `national.parse_national`)."""
    parsed = Parsed()
    villages = dict(Region.objects.filter(level="village").values_list("code", "name"))
    parsed.village_names = villages
    found = national.find_sheet(book, actor=actor, header_map=header_map)
    if found is not None:  # a national person list: one sheet, one row per person
        national.parse_national(
            *found,
            actor=actor,
            result=result,
            parsed=parsed,
            year=year,
            progress=progress,
            after_households=after_households,
            before_rows=before_national_rows,
            book=book,
        )
        return parsed
    pool: dict[Any, Any] = {}
    readers = {
        name: _SheetReader(
            book, SHEET_BY_NAME[name], result, EXTRA_HOUSEHOLD_SPECS if name == HOUSEHOLD_SHEET else ()
        )
        for name in (HOUSEHOLD_SHEET, MEMBER_SHEET, VILLAGE_SHEET)
    }
    if not all(r.ok for r in readers.values()):
        if result.ok:  # never stop reading without saying why: an import must not report zero silently
            result.error("", None, "", "", "无法读取工作表，没有导入任何数据")
        return parsed
    _households(readers[HOUSEHOLD_SHEET], parsed, actor, result, pool, progress)
    if readers[VILLAGE_SHEET].rows is not None:
        _villages(readers[VILLAGE_SHEET], parsed, actor, result)
    # forked now, before the importer's write thread starts (`after_households`): the workers inherit the
    # households read and clean the 成员 rows meanwhile
    with member_workers.started(book, readers[MEMBER_SHEET], parsed) as cleaned:
        sink = after_households(parsed) if after_households is not None else None
        _members(readers[MEMBER_SHEET], parsed, result, progress, sink, cleaned)
    _heads(parsed, result)
    if not parsed.households and result.ok:
        result.warn(HOUSEHOLD_SHEET, None, "", "", "户表中没有数据行，没有导入任何户")
    return parsed
