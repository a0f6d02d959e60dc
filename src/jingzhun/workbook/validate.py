"""First pass of an import: read every sheet, clean each row with the registry's FieldSpecs
(`registry.fields`) and cross-field rules (`registry.validation`), and apply the cross-sheet rules of the
spec (户主 matches its member row, members belong to a household, IDs unique across the file, village
exists and lies in the importer's scope). No database writes; the only reads are the region table.

Rows are kept as tuples in spec column order (not dicts or model objects), so a million members fit in
memory comfortably.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from jingzhun.accounts.access import Actor
from jingzhun.lib import idcard
from jingzhun.regions.fields import VILLAGE_FIELDS
from jingzhun.registry import enums, validation
from jingzhun.registry.fields import (
    HOUSEHOLD_FIELDS,
    MEMBER_FIELDS,
    FieldError,
    FieldSpec,
    clean_row,
    text,
)
from jingzhun.workbook.columns import (
    HOUSEHOLD_SHEET,
    MEMBER_SHEET,
    VILLAGE_SHEET,
    Sheet,
    header_index,
    normalize_header,
)
from jingzhun.workbook.file_reader import Workbook
from jingzhun.workbook.issues import ImportResult
from jingzhun.workbook.json_text import encode
from jingzhun.workbook.unknown_columns import (
    EXTRA_HOUSEHOLD_SPECS,
    INCOME_COMPONENTS,
    UNKNOWABLE,
    UNKNOWABLE_MEMBER,
    UNKNOWABLE_TEXT,
    is_national,
    relaxed,
)

MANGLED_ID = "证件号码被 Excel 转成了数字，请把该列设为文本后重新填写"
# Beyond the workbook's columns: fields only a national person list fills (workbook.national; the workbook
# gives them their "not from a national list" values: "", False, None)
NATIONAL_HH_NAMES = ("household_type", "dilapidated", "housing_grade_unknown", "national", "per_capita_net")
HH_NAMES = (*(s.name for s in HOUSEHOLD_FIELDS), "no_longer_enjoying", *NATIONAL_HH_NAMES)
MEMBER_NAMES = (*(s.name for s in MEMBER_FIELDS), "resident_id", "person_code", "national")
VILLAGE_NAMES = tuple(s.name for s in VILLAGE_FIELDS)
HH = {name: i for i, name in enumerate(HH_NAMES)}
MB = {name: i for i, name in enumerate(MEMBER_NAMES)}
VG = {name: i for i, name in enumerate(VILLAGE_NAMES)}
LABELS = {**{s.name: s.label for s in MEMBER_FIELDS}, **{s.name: s.label for s in HOUSEHOLD_FIELDS}}
LABELS.update({s.name: s.label for s in EXTRA_HOUSEHOLD_SPECS})

ProgressFn = Callable[..., Any]


@dataclass
class Parsed:
    """The cleaned content of a workbook. Households keyed by 户编号, in file order."""

    households: dict[str, tuple[int, tuple[Any, ...]]] = field(default_factory=dict)  # code → (row, values)
    members: dict[str, list[tuple[int, tuple[Any, ...]]]] = field(
        default_factory=dict
    )  # code → [(row, values)]
    villages: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)
    village_names: dict[str, str] = field(default_factory=dict)
    member_rows: int = 0
    # 户编号 of rows marked 数据来源 = 全国系统名单 (workbook.unknown_columns): their unknowns stay unknown
    from_national: set[str] = field(default_factory=set)
    import_year: int | None = None  # national lists: the year of --year / 数据日期 / today
    sheet: str = HOUSEHOLD_SHEET  # the sheets household and member errors are reported on (a national
    member_sheet: str = MEMBER_SHEET  # list has one sheet of its own for both)


def _mangled(cell: Any) -> bool:
    if isinstance(cell, bool):
        return False
    if isinstance(cell, int | float):
        return True
    return isinstance(cell, str) and idcard.looks_mangled_by_excel(cell)


class _SheetReader:
    """Maps a sheet's header to field names and turns rows into raw dicts keyed by field name."""

    def __init__(self, book: Workbook, sheet: Sheet, result: ImportResult, extra: tuple[FieldSpec, ...] = ()):
        self.sheet = sheet
        self.rows = book.sheet(sheet.name)
        self.columns: list[tuple[str, int]] = []
        self.extra: dict[str, int] = {}  # the optional extension columns found (unknown_columns)
        # An absent optional sheet (村) is not a failed read: the import goes on without it.
        self.ok = self.rows is not None or not sheet.required
        if self.rows is None:
            if sheet.required:
                result.error(
                    sheet.name, None, "", "", f"缺少工作表“{sheet.name}”（CSV 文件夹中应有 {sheet.name}.csv）"
                )
            return
        known = header_index(sheet)
        extras = {normalize_header(s.label): s.name for s in extra}
        seen: set[str] = set()
        unknown = []
        for index, cell in enumerate(self.rows.header):
            key = normalize_header(cell)
            if not key:
                continue
            name = known.get(key)
            if name is None and key in extras:
                self.extra.setdefault(extras[key], index)
            elif name is None:
                unknown.append(str(cell).strip())
            elif name in seen:
                result.error(sheet.name, 1, str(cell), "", "列名重复")
                self.ok = False
            else:
                seen.add(name)
                self.columns.append((name, index))
        if unknown:
            result.warn(sheet.name, 1, "", "、".join(unknown), "无法识别的列，已忽略")
        for spec in sheet.specs:
            if spec.required and spec.name not in seen:
                result.error(sheet.name, 1, spec.label, "", f"缺少必填列“{spec.label}”")
                self.ok = False

    def raw(self, cells: list[Any]) -> dict[str, Any]:
        size = len(cells)
        return {name: (cells[i] if i < size else None) for name, i in self.columns}


_MEMO_LIMIT = 50_000


def _memoized(spec: FieldSpec) -> FieldSpec:
    """The same spec with its parser memoised by cell value: enum, 是/否 and year columns repeat a handful
    of values a million times. The parser itself (and its message) is registry.fields'."""
    parse = spec.parse
    cache: dict[Any, tuple[bool, Any]] = {}

    def cached(value: Any) -> Any:
        # strings (every CSV cell, most xlsx cells) are their own key; other values are keyed with their
        # type, so 1, 1.0 and True stay apart
        try:
            key = value if value.__class__ is str else (type(value), value)
            hit = cache.get(key)
        except TypeError:
            return parse(value)
        if hit is None:
            try:
                hit = (True, parse(value))
            except FieldError as exc:
                hit = (False, exc)
            if len(cache) < _MEMO_LIMIT:
                cache[key] = hit
        if hit[0]:
            return hit[1]
        raise FieldError(str(hit[1]))

    return replace(spec, parse=cached)


_REPEATING = {"parse_bool", "parse_year", "parse_ethnicity", "parse_causes", "_exit_status", "parse_money"}


def _fast_specs(specs: tuple[FieldSpec, ...]) -> tuple[FieldSpec, ...]:
    return tuple(
        _memoized(s)
        if s.choices
        or getattr(s.parse, "__name__", "") in _REPEATING
        or s.name in ("work_months", "group_name", "birth_date")
        else s
        for s in specs
    )


def _intern(values: dict[str, Any], names: tuple[str, ...], pool: dict[Any, Any]) -> None:
    """Share one string object per enum value (a million members hold a handful of distinct values);
    `names` are the sheet's enum columns."""
    for name in names:
        value = values.get(name)
        if value is not None:
            values[name] = pool.setdefault(value, value)


_HH_CHOICES = tuple(s.name for s in HOUSEHOLD_FIELDS if s.choices)


class _RowCleaner:
    """`clean_row(specs, reader.raw(cells))` for a million rows: the specs are bound to the sheet's column
    positions once, no dict is built per row, and the memoised parsers of text cells are looked up inline.
    Same values, same errors, same messages as `registry.fields.clean_row`."""

    def __init__(self, specs: tuple[FieldSpec, ...], columns: list[tuple[str, int]]):
        self.index = dict(columns)
        self.plan: list[tuple[str, int, Callable[[Any], Any], bool, str, dict[Any, Any] | None]] = [
            (
                spec.name,
                self.index.get(spec.name, -1),
                fast.parse,
                spec.required,
                spec.label,
                {} if fast.parse is not spec.parse else None,
            )
            for spec, fast in zip(specs, _fast_specs(specs), strict=True)
        ]

    def cell(self, cells: list[Any], name: str) -> Any:
        i = self.index.get(name, -1)
        return cells[i] if 0 <= i < len(cells) else None

    def clean(self, cells: list[Any]) -> tuple[dict[str, Any], dict[str, str]]:
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        size = len(cells)
        for name, i, parse, required, label, cache in self.plan:
            cell = cells[i] if 0 <= i < size else None
            if cache is not None and cell.__class__ is str:
                hit = cache.get(cell)
                if hit is None:
                    try:
                        hit = (True, parse(cell))
                    except FieldError as exc:
                        hit = (False, str(exc))
                    if len(cache) < _MEMO_LIMIT:
                        cache[cell] = hit
                if not hit[0]:
                    errors[name] = hit[1]
                    continue
                value = hit[1]
            else:
                try:
                    value = parse(cell)
                except FieldError as exc:
                    errors[name] = str(exc)
                    continue
            if required and (value is None or value == ""):
                errors[name] = f"{label}不能为空"
                continue
            values[name] = value
        return values, errors


MemberSink = Callable[[str, tuple[Any, ...]], None]


def _check_village(code: str, villages: dict[str, str], actor: Actor) -> str | None:
    if code not in villages:
        return f"行政区划代码 {code} 不是已登记的村级区划"
    if not actor.covers_code(code):
        return f"{villages[code]}（{code}）不在您的管辖范围内"
    return None


def _households(
    reader: _SheetReader,
    parsed: Parsed,
    actor: Actor,
    result: ImportResult,
    pool: dict,
    progress: ProgressFn | None,
) -> None:
    sheet = HOUSEHOLD_SHEET
    assert reader.rows is not None
    cleaner = _RowCleaner(HOUSEHOLD_FIELDS, reader.columns)
    national_cleaner = _RowCleaner(relaxed(HOUSEHOLD_FIELDS, UNKNOWABLE), reader.columns)
    extra = _RowCleaner(EXTRA_HOUSEHOLD_SPECS, list(reader.extra.items())) if reader.extra else None
    source_i = reader.extra.get("source")
    cell = cleaner.cell
    this_year = date.today().year
    for number, cells in reader.rows.rows:
        mangled = _mangled(cell(cells, "head_id_number"))
        from_national = source_i is not None and source_i < len(cells) and is_national(cells[source_i])
        values, errors = (national_cleaner if from_national else cleaner).clean(cells)
        if mangled:
            errors["head_id_number"] = MANGLED_ID
        if from_national and extra is not None:
            _national_unknowns(values, errors, extra.clean(cells))
        if not errors:
            errors.update(validation.household_errors(values, this_year=this_year))
            if from_national and not values.get("exit_year"):
                errors.pop("exit_year", None)  # 已脱贫 from a national list: 脱贫年度 unknown
        code = values.get("code")
        if code:
            if code in parsed.households:
                errors["code"] = f"户编号 {code} 与户表第{parsed.households[code][0]}行重复"
            village_problem = (
                _check_village(values.get("village_code") or "", parsed.village_names, actor)
                if values.get("village_code")
                else None
            )
            if village_problem:
                errors["village_code"] = village_problem
        for name, message in errors.items():
            result.error(sheet, number, LABELS[name], cell(cells, name), message)
        if code and code not in parsed.households:
            values["head_id_number"] = idcard.normalize(values.get("head_id_number"))
            # the plain str, as the parsers give it: an enum member would take the audit entry of the
            # household off the chain's plain fast path (core.chain._as_is)
            values["relocation"] = values.get("relocation") or enums.Relocation.NO.value
            values["no_longer_enjoying"] = (
                text(cell(cells, "exit_status")) in enums.EXIT_STATUS_NO_LONGER_ENJOYING
            )
            if from_national:
                parsed.from_national.add(code)
            else:
                values["household_type"] = ""
                values["housing_grade_unknown"] = False
            _intern(values, _HH_CHOICES, pool)
            if values.get("village_code"):
                values["village_code"] = pool.setdefault(values["village_code"], values["village_code"])
            parsed.households[code] = (number, tuple(map(values.get, HH_NAMES)))
        if progress and number % 5000 == 0:
            progress(number, reader.rows.total + 1, "检查户表")


# Household.national of a household of a national list that arrives through the registry workbook: marked
# (not None), the list's raw texts not known (a re-import keeps those it already has: plan)
_EMPTY_NATIONAL = encode({"source": "登记簿"})


def _national_unknowns(
    values: dict[str, Any], errors: dict[str, str], extra: tuple[dict[str, Any], dict]
) -> None:
    """A row marked 全国系统名单: empty unknowable cells are unknown; the extension columns give
    户类型, 危房户 and a per-capita-only income (components unknown)."""
    more, more_errors = extra
    errors.update({k: v for k, v in more_errors.items() if k != "source"})
    for name in UNKNOWABLE_TEXT:
        values[name] = values.get(name) or ""
    values["household_type"] = more.get("household_type") or ""
    values["dilapidated"] = more.get("dilapidated")
    values["housing_grade_unknown"] = not values.get("housing_safety")
    values["national"] = _EMPTY_NATIONAL
    per_capita = more.get("per_capita_net")
    if per_capita is not None:
        if any(values.get(n) is not None for n in INCOME_COMPONENTS):
            errors["per_capita_net"] = "人均纯收入只在收入各项未知（为空）时填写"
        elif values.get("income_year") is None:
            errors["income_year"] = "填写了人均纯收入时，收入年度必填"
        values["per_capita_net"] = per_capita
    elif values.get("income_year") is not None and any(values.get(n) is None for n in INCOME_COMPONENTS):
        errors.setdefault("wage", "收入年度已填写时，收入各项（或人均纯收入）必填")


class MemberRowCleaner:
    """The per-row pure part of the 成员 sheet: the cleaner of the row's household (a household marked 全国系统
    名单 relaxes the unknowable columns), the cleaning, the Excel-mangled ID, `validation.member_errors`. It
    reads only the row and `from_national`, so worker processes run it too (`workbook.member_workers`).
    `row` gives (户编号 or None, the member tuple in MEMBER_NAMES order, errors or None)."""

    def __init__(self, columns: list[tuple[str, int]], from_national: set[str]):
        self.cleaner = _RowCleaner(MEMBER_FIELDS, columns)
        self.national_cleaner = _RowCleaner(relaxed(MEMBER_FIELDS, UNKNOWABLE_MEMBER), columns)
        self.from_national = from_national
        self.code_i = self.cleaner.index.get("household_code", -1)
        self.cell = self.cleaner.cell

    def row(self, cells: list[Any]) -> tuple[str | None, tuple[Any, ...], dict[str, str] | None]:
        code_i, from_national = self.code_i, self.from_national
        marked = from_national and 0 <= code_i < len(cells) and text(cells[code_i]) in from_national
        values, errors = (self.national_cleaner if marked else self.cleaner).clean(cells)
        if _mangled(self.cell(cells, "id_number")):
            errors["id_number"] = MANGLED_ID
        elif "id_number" not in errors:
            errors.update(validation.member_errors(values))
        code = values.get("household_code")
        # the enum columns need no `_intern`: the cleaner's memoised parsers give one shared object per
        # distinct cell text already (`_RowCleaner`), and a million members repeat a handful of texts
        values["household_code"] = None  # the grouping key holds it; no copy per member
        values["person_code"] = ""
        return code, tuple(map(values.get, MEMBER_NAMES)), errors or None


# (row number, 户编号, member tuple, errors or None, the row's cells or None): the cells may be None only
# when the row has no error and its 户编号 and 证件号码 cells are the cleaned values themselves
CleanedMember = tuple[int, str | None, tuple[Any, ...], dict[str, str] | None, list[Any] | None]


def _members(
    reader: _SheetReader,
    parsed: Parsed,
    result: ImportResult,
    progress: ProgressFn | None,
    sink: MemberSink | None,
    cleaned: Iterator[CleanedMember] | None = None,
) -> None:
    """The 成员 sheet: each row cleaned (`MemberRowCleaner`, in this process or, given `cleaned`, by the
    worker processes of `workbook.member_workers`, in file order), then checked against the file here."""
    sheet = MEMBER_SHEET
    assert reader.rows is not None
    seen_ids: dict[str, int] = {}
    households = parsed.households
    rows = MemberRowCleaner(reader.columns, parsed.from_national)
    cell = rows.cell
    if cleaned is None:
        clean = rows.row
        cleaned = ((number, *clean(cells), cells) for number, cells in reader.rows.rows)
    id_i, resident_i = MB["id_number"], MB["resident_id"]
    total = reader.rows.total + 1
    members = parsed.members
    for number, code, member, errors, cells in cleaned:
        if code and code not in households:
            errors = errors or {}
            errors["household_code"] = f"户编号 {code} 在户表中不存在"
        resident = member[resident_i]
        if resident and (errors is None or "id_number" not in errors):
            first = seen_ids.get(resident)
            if first is not None:
                errors = errors or {}
                errors["id_number"] = f"证件号码与成员表第{first}行重复（一人只能属于一户）"
            else:
                seen_ids[resident] = number
        if errors:
            for name, message in errors.items():
                shown = (
                    cell(cells, name)
                    if cells is not None
                    else code
                    if name == "household_code"
                    else member[id_i]
                )
                result.error(sheet, number, LABELS[name], shown, message)
        parsed.member_rows += 1
        if code in households:
            members.setdefault(code, []).append((number, member))
            if sink is not None:
                sink(code, member)
        if progress and number % 5000 == 0:
            progress(number, total, "检查成员表")


def _heads(parsed: Parsed, result: ImportResult) -> None:
    """Exactly one 户主 per household, and its name and ID equal the 户 row's (registry.validation)."""
    name_i, id_i, rel_i = MB["name"], MB["id_number"], MB["relation"]
    for code, (number, values) in parsed.households.items():
        members = parsed.members.get(code, [])
        light = [{"relation": m[rel_i], "name": m[name_i], "id_number": m[id_i]} for _, m in members]
        problems = validation.head_errors(light, values[HH["head_name"]], values[HH["head_id_number"]])
        for name, message in problems.items():
            column = LABELS.get(name, "与户主关系")
            shown = values[HH[name]] if name in HH else code
            result.error(HOUSEHOLD_SHEET, number, column if name in HH else "户编号", shown, message)


def _villages(reader: _SheetReader, parsed: Parsed, actor: Actor, result: ImportResult) -> None:
    sheet = VILLAGE_SHEET
    labels = {s.name: s.label for s in VILLAGE_FIELDS}
    seen: dict[str, int] = {}
    assert reader.rows is not None
    for number, cells in reader.rows.rows:
        raw = reader.raw(cells)
        values, errors = clean_row(VILLAGE_FIELDS, raw)
        code = values.get("code")
        if code:
            problem = _check_village(code, parsed.village_names, actor)
            if problem:
                errors["code"] = problem
            elif code in seen:
                errors["code"] = f"与村表第{seen[code]}行重复"
            seen.setdefault(code, number)
        if values.get("is_poor_village") and not values.get("exit_state"):
            errors.setdefault("exit_state", "贫困村必须填写出列状态（未出列 或 已出列）")
        if values.get("exit_state") == "已出列" and not values.get("exit_year"):
            errors.setdefault("exit_year", "出列状态为已出列时，出列年度必填")
        if values.get("is_poor_village") is False and values.get("exit_state"):
            errors.setdefault("exit_state", "非贫困村不填写出列状态")
        for name, message in errors.items():
            result.error(sheet, number, labels[name], raw.get(name), message)
        if not errors:
            parsed.villages.append((number, tuple(values.get(n) for n in VILLAGE_NAMES)))
