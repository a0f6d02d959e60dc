"""First pass of a national person list import (全国系统人员名单, docs/national-list.md): one sheet, one row per
person, household fields repeated on each row, villages by name. Produces the same `validate.Parsed` as the
registry workbook, so the lock, the comparison with the registry (`plan`), the writer and the error report
are the workbook's own.

Rows of one 户编号 form one household: 人数 equals its rows, its household columns agree on every row, the
户主 row gives 户主姓名 and 户主证件号码. What the list does not carry stays unknown (None / "" plus the flags
of docs/national-list.md "未知值的存储"), never guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, Protocol

from jingzhun.accounts.access import Actor
from jingzhun.registry import enums, validation
from jingzhun.registry.fields import FieldError, text
from jingzhun.workbook import member_workers
from jingzhun.workbook import national_layout as L
from jingzhun.workbook.columns import HOUSEHOLD_SHEET, normalize_header
from jingzhun.workbook.file_reader import SheetRows, Workbook
from jingzhun.workbook.issues import ImportResult
from jingzhun.workbook.json_text import PreEncoded, encode
from jingzhun.workbook.national_values import (
    EXITED_TYPE,
    HOUSEHOLD_PARSERS,
    LABEL,
    MEMBER_KEY_OF,
    MEMBER_KEYS,
    MEMBER_SPECS,
    fast_text,
    import_year,
    mangled,
    parse_size,
    picker,
    trimmed,
)
from jingzhun.workbook.national_villages import VillageNames
from jingzhun.workbook.validate import HH_NAMES, MANGLED_ID, MEMBER_NAMES, MemberSink, Parsed, _RowCleaner

ProgressFn = Callable[..., Any]


class RowSink(Protocol):
    """What the importer streams while a national list is read (`importer._NationalStream`)."""

    def add(self, code: str, member: tuple[Any, ...]) -> None:
        """A member row of household `code`, already in `parsed.members`."""

    def complete(self, code: str) -> None:
        """Household `code` has as many rows as its 人数 and one 户主 (its head is in `parsed.households`):
        complete unless a later row of the same 户编号 turns up, which is an error (人数)."""


HEAD_NAME_AT, HEAD_ID_AT = HH_NAMES.index("head_name"), HH_NAMES.index("head_id_number")
RESIDENT_AT, RELATION_AT = MEMBER_NAMES.index("resident_id"), MEMBER_NAMES.index("relation")
NAME_AT, ID_AT = MEMBER_NAMES.index("name"), MEMBER_NAMES.index("id_number")


class NationalParser:
    """Reads one national sheet into `parsed`; errors go to `result`, named by the sheet's row and column."""

    def __init__(
        self,
        rows: SheetRows,
        colmap: L.ColumnMap,
        *,
        actor: Actor,
        result: ImportResult,
        parsed: Parsed,
        year: int | None,
        progress: ProgressFn | None,
        sink: RowSink | None = None,
    ):
        self.rows, self.colmap, self.actor, self.result, self.parsed = rows, colmap, actor, result, parsed
        self.year_option, self.progress, self.sink = year, progress, sink
        self.sheet = colmap.sheet
        self.index = colmap.index
        self.layout = colmap.layout
        counties = sorted({p[:6] + "000000" for p in actor.prefixes})
        self.villages = VillageNames(counties)
        self.header_of = {c.key: c.header for c in colmap.columns if c.key}
        # per household while reading: 户编号 → [first row, raw household texts, 户主 rows]
        self.state: dict[str, list[Any]] = {}
        self.member_cleaner = _RowCleaner(
            MEMBER_SPECS,
            [(name, self.index[key]) for key, name in MEMBER_KEYS.items() if key in self.index],
        )
        self.seen_ids: dict[str, int] = {}
        self.data_date = ""
        self.raw_member_keys = [k for k in L.MEMBER_RAW_KEYS if k in self.index]
        self.raw_member_positions = [self.index[k] for k in self.raw_member_keys]
        self.pick_extra = picker(self.raw_member_positions)
        self.width = max(self.index.values()) + 1
        self.extra_memo: dict[tuple[str, ...], Any] = {}
        self.year, self.year_source = 0, ""
        self.household_keys: list[str] = []
        self.pool: dict[Any, Any] = {}
        self.dates: dict[Any, Any] = {}  # one date object per birth date (a million people, ~30,000 dates)
        # per household (330,000 first rows): the place cells resolved once per distinct (县, 乡, 村) and
        # the household columns that repeat a handful of values parsed once per distinct cell
        self.places: dict[tuple[str, str, str], tuple[str | None, dict[str, tuple[Any, str]]]] = {}
        self.parse_memo: dict[str, dict[str, tuple[bool, Any]]] = {
            key: {} for key, _ in HOUSEHOLD_PARSERS if key not in (L.PHONE, L.INCOME)
        }
        self.this_year = date.today().year
        # (key, parser, column) of the household columns the sheet has
        self.household_parsers = [
            (k, parse, self.index[k]) for k, parse in HOUSEHOLD_PARSERS if k in self.index
        ]

    # -- helpers ---------------------------------------------------------------------------------
    def _cell(self, cells: list[Any], key: str) -> Any:
        i = self.index.get(key, -1)
        return cells[i] if 0 <= i < len(cells) else None

    def error(self, row: int | None, key: str, value: Any, message: str) -> None:
        self.result.error(self.sheet, row, self.header_of.get(key, LABEL.get(key, key)), value, message)

    # -- the pass --------------------------------------------------------------------------------
    def run(
        self, cleaned: Iterator[tuple[int, tuple[Any, ...], dict[str, str] | None]] | None = None
    ) -> None:
        """The pass over the rows; `cleaned`: the pure part of each row's member (`member_part`), by the
        worker processes of `workbook.member_workers`, in file order (else done here)."""
        household_keys = [k for k in (*L.PLACE_KEYS, *L.HOUSEHOLD_KEYS) if k in self.index]
        positions = [self.index[k] for k in household_keys]
        self.household_keys = household_keys
        # the household cells kept per household (compared with its later rows) are shared objects where
        # the values repeat (县, 乡, 村, 是/否, 致贫原因, …): 330,000 households × 14 cells otherwise hold
        # ~300 MB of copies; phone and income are nearly unique and are not pooled
        pooled = [k not in (L.PHONE, L.INCOME) for k in household_keys]
        intern = self.pool.setdefault

        def shared(raw: tuple[Any, ...]) -> tuple[Any, ...]:
            return tuple(
                intern(c, c) if keep and c.__class__ is str else c
                for c, keep in zip(raw, pooled, strict=True)
            )

        size_i = household_keys.index(L.SIZE) if L.SIZE in household_keys else None
        # a million rows: the household cells are compared as the reader gives them (one C-level tuple
        # comparison); only a row that differs is trimmed and compared cell by cell
        width = self.width
        pick = picker(positions)
        code_i = self.index[L.CODE]
        first = True
        for number, cells in self.rows.rows:
            part = next(cleaned) if cleaned is not None else None
            if part is not None and part[0] != number:
                raise RuntimeError(f"人员名单检查进程的行号 {part[0]} 与第{number}行不符")
            if first:
                first = False
                self.year, self.year_source = import_year(self.year_option, self._cell(cells, L.DATA_DATE))
                self.parsed.import_year = self.year
                self.data_date = text(self._cell(cells, L.DATA_DATE))
            if len(cells) < width:
                cells = [*cells, *([""] * (width - len(cells)))]
            raw = pick(cells)
            code = fast_text(cells[code_i])
            if not code:
                self.error(number, L.CODE, "", "户编号不能为空")
                continue
            state = self.state.get(code)
            if state is None:
                raw = shared(raw)
                clean = trimmed(raw)  # str.strip() returns the cell itself when there is nothing to trim
                self._first_row(code, number, cells, clean)
                size_text = clean[size_i] if size_i is not None else ""
                state = self.state[code] = [number, raw, [], size_text, self._declared(size_text), 0]
            elif raw != state[1]:
                self._disagreeing(number, state, raw)
            if part is None:
                self._member(code, number, cells, state)
            else:
                self._member(code, number, cells, state, part)
            if self.progress and number % 5000 == 0:
                self.progress(number, self.rows.total + 1, "检查人员名单")
        if first:
            self.year, self.year_source = import_year(self.year_option, None)
            self.parsed.import_year = self.year
        self._households()

    def _declared(self, size_text: str) -> int | None:
        """人数 as a number, or None (empty or invalid: reported with the first row)."""
        if not size_text:
            return None
        try:
            return parse_size(size_text)
        except FieldError:
            return None

    def _disagreeing(self, number: int, state: list[Any], raw: tuple[Any, ...]) -> None:
        for key, mine, theirs in zip(self.household_keys, trimmed(raw), trimmed(state[1]), strict=True):
            if mine != theirs:
                self.error(
                    number,
                    key,
                    mine,
                    f"同一户的“{self.header_of[key]}”各行不一致：第{state[0]}行为“{theirs}”，本行为“{mine}”",
                )

    def _first_row(self, code: str, number: int, cells: list[Any], raw: tuple[str, ...]) -> None:
        """The household from its first row; `raw` its household cells, trimmed (kept for the national
        export as the file wrote them)."""
        values: dict[str, Any] = {name: None for name in HH_NAMES}
        errors: dict[str, tuple[Any, str]] = {}
        parsed: dict[str, Any] = {}
        memo = self.parse_memo
        for key, parse, i in self.household_parsers:
            cell = cells[i]  # `run` pads every row to the sheet's width
            cache = memo.get(key) if cell.__class__ is str else None
            hit = cache.get(cell) if cache is not None else None
            if hit is None:
                try:
                    hit = (True, parse(cell))
                except FieldError as exc:
                    hit = (False, str(exc))
                if cache is not None and len(cache) < 10_000:
                    cache[cell] = hit
            if hit[0]:
                parsed[key] = hit[1]
            else:
                errors[key] = (cell, hit[1])
        if len(code) > 40:
            errors[L.CODE] = (code, "不能超过40个字")
        county_name = fast_text(self._cell(cells, L.COUNTY))
        township = fast_text(self._cell(cells, L.TOWNSHIP))
        village = fast_text(self._cell(cells, L.VILLAGE))
        place = self.places.get((county_name, township, village))
        if place is None:
            place = self.places[(county_name, township, village)] = self._place(
                county_name, township, village
            )
        village_code, place_errors = place
        errors.update(place_errors)
        for key, (cell, message) in errors.items():
            self.error(number, key, cell, message)
        main_cause = parsed.get(L.CAUSE) or ""
        if L.CAUSE not in errors and not main_cause:
            self.error(number, L.CAUSE, "", f"{self.header_of[L.CAUSE]}不能为空")
        exit_info = parsed.get(L.EXIT)
        household_type = parsed.get(L.TYPE) or ""
        if exit_info is not None:
            exit_status, no_longer, pre_exit = exit_info
        elif household_type == EXITED_TYPE:
            exit_status, no_longer, pre_exit = enums.ExitStatus.EXITED.value, False, False
        else:
            exit_status, no_longer, pre_exit = "", False, False  # unknown (docs/national-list.md)
        income = parsed.get(L.INCOME)
        dilapidated = parsed.get(L.HOUSING)
        group = fast_text(self._cell(cells, L.GROUP))[:60]
        pool = self.pool
        values.update(
            code=code,
            village_code=village_code,
            group_name=pool.setdefault(group, group),
            head_name=None,  # from the 户主 row, at the end
            head_id_number=None,
            phone=parsed.get(L.PHONE) or "",
            identification_standard="",
            attribute=parsed.get(L.ATTRIBUTE) or "",
            main_cause=main_cause,
            other_causes="",
            identified_year=parsed.get(L.IDENTIFIED),
            exit_status=exit_status,
            exit_year=None,
            planned_exit_year=self.year if pre_exit else None,
            income_year=self.year if income is not None else None,
            per_capita_net=income,
            water_safe=parsed.get(L.WATER),
            housing_safety="",
            relocation=enums.Relocation.NO.value,
            no_longer_enjoying=no_longer,
            household_type=pool.setdefault(household_type, household_type),
            dilapidated=dilapidated,
            housing_grade_unknown=True,
            national=self._raw_texts(raw),
        )
        if values["identified_year"] and values["identified_year"] > self.this_year:
            self.error(
                number,
                L.IDENTIFIED,
                self._cell(cells, L.IDENTIFIED),
                f"识别年度 {values['identified_year']} 晚于今年",
            )
        self.parsed.households[code] = (number, tuple(values[n] for n in HH_NAMES))

    def member_part(
        self, number: int, cells: list[Any]
    ) -> tuple[int, tuple[Any, ...], dict[str, str] | None]:
        """The pure part of a row's member: (number, member tuple, errors or None), from the row alone."""
        if len(cells) < self.width:
            cells = [*cells, *([""] * (self.width - len(cells)))]
        values, errors = self.member_cleaner.clean(cells)
        id_cell = cells[self.index[L.ID]]
        if mangled(id_cell):
            errors["id_number"] = MANGLED_ID
        elif "id_number" not in errors:
            errors.update(validation.member_errors(values))
        # the cleaner's memoised parsers return one shared object per enum value already
        values["education"] = values.get("education") or ""
        values["ethnicity"] = values.get("ethnicity") or ""
        values["not_in_school_reason"] = ""
        birth = values.get("birth_date")
        if birth is not None:
            values["birth_date"] = self.dates.setdefault(birth, birth)
        person = self.index.get(L.PERSON)
        values["person_code"] = fast_text(cells[person])[:40] if person is not None else ""
        if self.raw_member_positions:
            extra = self.pick_extra(cells)  # untrimmed: trimmed only when not seen before
            hit = self.extra_memo.get(extra)
            if hit is None:
                clean = trimmed(extra)
                hit = encode({k: v for k, v in zip(self.raw_member_keys, clean, strict=True) if v})
                if len(self.extra_memo) < 50_000:
                    self.extra_memo[extra] = hit
            values["national"] = hit
        return number, tuple(map(values.get, MEMBER_NAMES)), errors or None

    def _member(
        self,
        code: str,
        number: int,
        cells: list[Any],
        state: list[Any],
        part: tuple[int, tuple[Any, ...], dict[str, str] | None] | None = None,
    ) -> None:
        _, member, found = part if part is not None else self.member_part(number, cells)
        errors = found if found is not None else {}
        resident = member[RESIDENT_AT]
        if resident and "id_number" not in errors:
            first = self.seen_ids.get(resident)
            if first is not None:
                errors["id_number"] = f"证件号码与第{first}行重复（一人只能属于一户）"
            else:
                self.seen_ids[resident] = number
        for name, message in errors.items():
            key = MEMBER_KEY_OF.get(name, L.ID)
            self.error(number, key, self._cell(cells, key), message)
        self.parsed.member_rows += 1
        if member[RELATION_AT] == enums.Relation.HEAD:
            state[2].append((number, member[NAME_AT], member[ID_AT]))
        self.parsed.members.setdefault(code, []).append((number, member))
        sink = self.sink
        if sink is not None:
            sink.add(code, member)
            state[5] += 1
            if state[5] == state[4] and len(state[2]) == 1:
                self._set_head(code, state[2][0])
                sink.complete(code)

    def _place(
        self, county_name: str, township: str, village: str
    ) -> tuple[str | None, dict[str, tuple[Any, str]]]:
        """(village code or None, the errors of the 县 and 行政村 cells) of one distinct place."""
        county = self.villages.county_of(county_name)
        if county is None:
            names = "、".join(self.villages.counties.values()) or "（无）"
            message = f"“{county_name}”不是本次导入所在的县（{names}），不能导入其他县的人员"
            return None, {L.COUNTY: (county_name, message)}
        village_code, problem = self.villages.resolve(county, township, village)
        if village_code is None:
            return None, {L.VILLAGE: (village, problem)}
        if not self.actor.covers_code(village_code):
            return None, {L.VILLAGE: (village, f"{township}{village}（{village_code}）不在您的管辖范围内")}
        return village_code, {}

    def _raw_texts(self, raw: tuple[str, ...]) -> PreEncoded | None:
        """Household.national: the layout and the household's columns as the file wrote them (trimmed)."""
        national = {"layout": self.layout}
        for key, value in zip(self.household_keys, raw, strict=True):
            if key != L.SIZE and key != L.GROUP:
                national[key] = value
        if L.DATA_DATE in self.index:
            national[L.DATA_DATE] = self.data_date
        return encode(national)

    def _households(self) -> None:
        """人数 and the 户主, once every row is read."""
        streamed = self.sink is not None
        for code, (first_row, _, heads, size_text, declared_rows, seen) in self.state.items():
            rows = len(self.parsed.members.get(code, ()))
            if size_text:
                try:
                    declared = parse_size(size_text)
                except FieldError:
                    declared = None  # reported with the first row
                if declared is not None and declared != rows:
                    self.error(
                        first_row,
                        L.SIZE,
                        size_text,
                        f"户编号 {code} 的人数为 {declared}，但名单中该户有 {rows} 行（每人一行）",
                    )
            if not heads:
                self.error(
                    first_row,
                    L.RELATION,
                    code,
                    f"户编号 {code} 没有户主：每户必须有且只有一行与户主关系为“户主”",
                )
            elif len(heads) > 1:
                rows_text = "、".join(f"第{r}行{n}" for r, n, _ in heads)
                self.error(
                    heads[1][0],
                    L.RELATION,
                    "户主",
                    f"户编号 {code} 有{len(heads)}名户主（{rows_text}）：每户只能有一名户主",
                )
            # a household streamed as complete (`_member`: as many rows as its 人数, one 户主) has its head
            # set already, and no row came after (it would have made the rows more than its 人数)
            if heads and not (streamed and seen == declared_rows and len(heads) == 1):
                self._set_head(code, heads[0])

    def _set_head(self, code: str, head: tuple[int, Any, Any]) -> None:
        """户主姓名 and 户主证件号码 of household `code` from its 户主 row (number, name, ID)."""
        number, values = self.parsed.households[code]
        patched = list(values)
        patched[HEAD_NAME_AT], patched[HEAD_ID_AT] = head[1], head[2]
        self.parsed.households[code] = (number, tuple(patched))


def mapping_county(actor: Actor) -> str | None:
    """The 6-digit county whose remembered header mappings apply: the importer's one county."""
    counties = {p[:6] for p in actor.prefixes}
    return counties.pop() if len(counties) == 1 else None


def find_sheet(
    book: Workbook, *, actor: Actor, header_map: dict[str, str] | None = None
) -> tuple[SheetRows, L.ColumnMap] | None:
    """The national sheet of `book` with its column mapping, or None: a book with a sheet 户 is a registry
    workbook; otherwise the first sheet whose headers (after the county's remembered and this upload's
    hand mappings) hold 户编号, 与户主关系 and 行政村 (spec "recognises such a sheet")."""
    names = [normalize_header(n) for n in book.sheet_names]
    if HOUSEHOLD_SHEET in names:
        return None
    from jingzhun.workbook.models import HeaderMapping

    county = mapping_county(actor)
    remembered = (
        dict(HeaderMapping.objects.filter(county=county).values_list("header", "target")) if county else {}
    )
    for name in names:
        rows = book.sheet(name)
        if rows is None:
            continue
        colmap = L.map_columns(rows.name, rows.header, remembered=remembered, manual=header_map)
        if colmap.is_national():
            return rows, colmap
    return None


def parse_national(
    rows: SheetRows,
    colmap: L.ColumnMap,
    *,
    actor: Actor,
    result: ImportResult,
    parsed: Parsed,
    year: int | None,
    progress: ProgressFn | None,
    after_households: Callable[[Parsed], MemberSink | None] | None,
    before_rows: Callable[[Parsed], RowSink | None] | None = None,
    book: Workbook | None = None,
) -> None:
    """Read and check the national sheet into `parsed`. `before_rows` (the importer's lock and streamed
    writes) is called once the headers passed, before the first row; any sink it returns receives each
    member (户编号, cleaned tuple) as soon as its row is read, after it is added to `parsed.members`, and
    each household as soon as it is complete (`RowSink`).
    `after_households` is called once every row is read, and any sink it returns receives the members."""
    parsed.sheet = parsed.member_sheet = colmap.sheet
    result.national = colmap.to_dict()
    for header, key in colmap.duplicates:
        result.error(colmap.sheet, 1, header, "", f"列名重复：已有一列对应“{L.LABELS[key]}”")
    for key in colmap.missing_required:
        hint = "（或“身份证”）" if key == L.ID else ""
        result.error(
            colmap.sheet, 1, L.LABELS[key], "", f"缺少必填列“{key}”{hint}，可在上传页把文件中的列对应到它"
        )
    if colmap.ignored:
        result.warn(colmap.sheet, 1, "", "、".join(colmap.ignored), "无法识别的列，已忽略")
    if not result.ok:
        return
    parser = NationalParser(
        rows, colmap, actor=actor, result=result, parsed=parsed, year=year, progress=progress
    )
    # forked before the importer's write thread starts (`before_rows`)
    with member_workers.started_national(book, rows, parser.member_part) as cleaned:
        sink = parser.sink = before_rows(parsed) if before_rows is not None else None
        if cleaned is None:
            parser.run()
        else:
            parser.run(cleaned)
    result.national.update(year=parser.year, year_source=parser.year_source)
    # the reading state (each household's first cells and 户主 rows, every ID seen, the value pools) is
    # done with: freed before the writes that follow the reading (the households, incomes, events and audit
    # entries; a million people: ~250 MB that would otherwise stay allocated beside them)
    del parser, sink
    if not parsed.households and result.ok:
        result.warn(colmap.sheet, None, "", "", "名单中没有数据行，没有导入任何户")
    after = after_households(parsed) if after_households is not None else None
    if after is not None:
        for code, members in parsed.members.items():
            for _, member in members:
                after(code, member)
