"""Workbook sheets 帮扶责任人 and 帮扶措施 (docs/assistance.md), in the style of the registry workbook:
headers found by text (full-width brackets tolerated), dates and money as in spec/registry-workbook.md,
errors tied to sheet / Excel row / column, all-or-nothing (the caller's transaction).

The registry importer calls `parse_sheets` while the book is open, `check` before writing, and `write`
inside its transaction; the exporter appends `export_sheets`. History is never overwritten: a file row
adds a pairing or ends the open one, and never rewrites a closed pairing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

from jingzhun.accounts.access import Actor
from jingzhun.accounts.models import RoleGrant
from jingzhun.assistance import models as m
from jingzhun.core import audit
from jingzhun.registry.fields import FieldError, choice_parser, parse_date, parse_money, parse_phone, text

PAIRING_SHEET = "帮扶责任人"
MEASURE_SHEET = "帮扶措施"


@dataclass(frozen=True)
class TextParser:
    """Parser of a free-text column; `max_length` is public so the import template can describe it."""

    max_length: int

    def __call__(self, value: Any) -> str:
        raw = text(value)
        if len(raw) > self.max_length:
            raise FieldError(f"不能超过 {self.max_length} 个字")
        return raw


def _text(max_length: int) -> TextParser:
    return TextParser(max_length)


# The values the enum columns accept: the parsers below check against these, and the import template
# (workbook/template.py) offers them as dropdowns.
AFFILIATIONS: tuple[str, ...] = tuple(m.Affiliation.values)
MEASURE_CATEGORIES: tuple[str, ...] = tuple(m.MeasureCategory.values)
CATEGORY_ALIASES: dict[str, str] = {
    "就业": "就业(务工)",
    "健康": "健康(医疗)",
    "兜底": "兜底(低保/特困)",
    "金融": "金融(小额信贷及贴息)",
    "生态": "生态(生态补偿/护林员)",
}
MEASURE_STATUSES: tuple[str, ...] = tuple(m.MeasureStatus.values)

# (field name, header, parser, required)
Column = tuple[str, str, Callable[[Any], Any], bool]
PAIRING_COLUMNS: tuple[Column, ...] = (
    ("household_code", "户编号", _text(40), True),
    ("helper_name", "帮扶责任人姓名", _text(60), True),
    ("helper_username", "帮扶责任人账号", _text(150), False),
    ("helper_phone", "帮扶责任人手机号", parse_phone, False),
    ("unit", "帮扶单位", _text(100), False),
    ("affiliation", "单位隶属", choice_parser(list(AFFILIATIONS)), False),
    ("started_on", "开始日期", parse_date, True),
    ("ended_on", "结束日期", parse_date, False),
)
MEASURE_COLUMNS: tuple[Column, ...] = (
    ("household_code", "户编号", _text(40), True),
    ("category", "措施类别", choice_parser(list(MEASURE_CATEGORIES), CATEGORY_ALIASES), True),
    ("content", "措施内容", _text(500), True),
    ("funds", "投入资金（元）", parse_money, False),
    ("started_on", "开始日期", parse_date, True),
    ("ended_on", "结束日期", parse_date, False),
    ("expected_income_gain", "预计增收（元/年）", parse_money, False),
    ("status", "状态", choice_parser(list(MEASURE_STATUSES)), False),
)
# Both sheets in workbook order, with the allowed values of each enum column by field name.
SHEET_COLUMNS: tuple[tuple[str, tuple[Column, ...]], ...] = (
    (PAIRING_SHEET, PAIRING_COLUMNS),
    (MEASURE_SHEET, MEASURE_COLUMNS),
)
CHOICES: dict[str, dict[str, tuple[str, ...]]] = {
    PAIRING_SHEET: {"affiliation": AFFILIATIONS},
    MEASURE_SHEET: {"category": MEASURE_CATEGORIES, "status": MEASURE_STATUSES},
}


class Book(Protocol):
    def sheet(self, name: str) -> Any: ...


class Result(Protocol):
    def error(self, sheet: str, row: int | None, column: str, value: Any, message: str) -> None: ...
    def warn(self, sheet: str, row: int | None, column: str, value: Any, message: str) -> None: ...


@dataclass
class Rows:
    pairings: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    measures: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def codes(self) -> set[str]:
        return {r["household_code"] for _, r in self.pairings + self.measures}


def _norm(raw: object) -> str:
    return (
        "".join(("" if raw is None else str(raw)).split()).replace("（", "(").replace("）", ")").rstrip("*＊")
    )


def _read(
    book: Book, name: str, columns: tuple[Column, ...], result: Result
) -> list[tuple[int, dict[str, Any]]]:
    sheet = book.sheet(name)
    if sheet is None:
        return []
    by_header = {
        _norm(header): (fname, header, parser, required) for fname, header, parser, required in columns
    }
    positions: dict[int, Column] = {}
    for i, cell in enumerate(sheet.header):
        key = _norm(cell)
        if key in by_header:
            positions[i] = by_header[key]
        elif key:
            result.warn(name, 1, str(cell), "", "未知的列，已忽略")
    found = {c[0] for c in positions.values()}
    missing = [c for c in columns if c[3] and c[0] not in found]
    for _, header, _, _ in missing:
        result.error(name, 1, header, "", "缺少必填列")
    if missing:
        return []
    out = []
    for row_number, cells in sheet.rows:
        values: dict[str, Any] = {c[0]: None for c in columns}
        ok = True
        for i, (fname, header, parser, required) in positions.items():
            raw = cells[i] if i < len(cells) else None
            try:
                value = parser(raw)
            except FieldError as exc:
                result.error(name, row_number, header, raw, str(exc))
                ok = False
                continue
            if required and value in (None, ""):
                result.error(name, row_number, header, raw, "必填")
                ok = False
            values[fname] = value
        if (
            ok
            and values.get("ended_on")
            and values.get("started_on")
            and values["ended_on"] < values["started_on"]
        ):
            result.error(name, row_number, "结束日期", values["ended_on"], "结束日期不能早于开始日期")
            ok = False
        if ok:
            out.append((row_number, values))
    return out


def parse_sheets(book: Book, result: Result) -> Rows:
    rows = Rows(
        pairings=_read(book, PAIRING_SHEET, PAIRING_COLUMNS, result),
        measures=_read(book, MEASURE_SHEET, MEASURE_COLUMNS, result),
    )
    open_rows: dict[str, int] = {}
    for row_number, r in rows.pairings:
        if not r["helper_username"] and not r["helper_phone"]:
            result.error(
                PAIRING_SHEET,
                row_number,
                "帮扶责任人账号",
                "",
                "请填写帮扶责任人账号或手机号（仅凭姓名无法确定是谁）",
            )
        if r["unit"] and not r["affiliation"] and not m.HelpUnit.objects.filter(name=r["unit"]).exists():
            result.error(
                PAIRING_SHEET, row_number, "单位隶属", "", "新的帮扶单位须填写隶属：省直/市直/县直/乡镇/村级"
            )
        if r["ended_on"] is None:
            if r["household_code"] in open_rows:
                result.error(
                    PAIRING_SHEET,
                    row_number,
                    "结束日期",
                    "",
                    f"该户在第{open_rows[r['household_code']]}行已有当前帮扶责任人，每户只能有一名",
                )
            open_rows[r["household_code"]] = row_number
    return rows


def check(rows: Rows, *, known_codes: set[str], result: Result) -> None:
    """户编号 must be in the file's 户 sheet or already in the registry within the importer's scope."""
    for sheet, items in ((PAIRING_SHEET, rows.pairings), (MEASURE_SHEET, rows.measures)):
        for row_number, r in items:
            if r["household_code"] not in known_codes:
                result.error(
                    sheet,
                    row_number,
                    "户编号",
                    r["household_code"],
                    "户编号不在户表中，也不在登记簿中（或不在您的管辖范围）",
                )


@dataclass
class Written:
    pairings_new: int = 0
    pairings_ended: int = 0
    helpers_new: int = 0
    measures_new: int = 0
    measures_updated: int = 0


def write(rows: Rows, *, actor: Actor, household_ids: dict[str, int], job_id: int | None = None) -> Written:
    """Write both sheets; call inside the import's transaction after the households exist."""
    done = Written()
    entries: list[Any] = []
    if rows.pairings:
        _write_pairings(rows, actor, household_ids, done, entries, job_id)
    if rows.measures:
        _write_measures(rows, actor, household_ids, done, entries, job_id)
    audit.record_many(entries)
    return done


def _helpers(
    rows: Rows, household_villages: dict[int, str], household_ids: dict[str, int], done: Written
) -> dict[int, Any]:
    user_model = get_user_model()
    units = {u.name: u for u in m.HelpUnit.objects.all()}
    for _, r in rows.pairings:
        if r["unit"] and r["unit"] not in units:
            units[r["unit"]] = m.HelpUnit.objects.create(name=r["unit"], affiliation=r["affiliation"])
    by_username = {
        u.username: u
        for u in user_model.objects.filter(
            username__in={r["helper_username"] for _, r in rows.pairings if r["helper_username"]}
        )
    }
    by_phone: dict[str, Any] = {}
    for u in user_model.objects.filter(
        phone__in={r["helper_phone"] for _, r in rows.pairings if r["helper_phone"]}
    ):
        by_phone.setdefault(u.phone, u)
    out: dict[int, Any] = {}
    for row_number, r in rows.pairings:
        user = (
            by_username.get(r["helper_username"]) if r["helper_username"] else by_phone.get(r["helper_phone"])
        )
        if user is None:
            username = r["helper_username"] or f"bf-{r['helper_phone']}"
            user = user_model.objects.create(
                username=username,
                display_name=r["helper_name"],
                phone=r["helper_phone"] or "",
                password=f"{UNUSABLE_PASSWORD_PREFIX}import{username}",
            )
            village = household_villages[household_ids[r["household_code"]]]
            RoleGrant.objects.create(user=user, role="helper", region_id=village)
            m.Cadre.objects.create(user=user, unit=units.get(r["unit"]), post="帮扶责任人")
            by_username[username] = user
            if user.phone:
                by_phone.setdefault(user.phone, user)
            done.helpers_new += 1
        out[row_number] = user
    return out


def _write_pairings(
    rows: Rows,
    actor: Actor,
    household_ids: dict[str, int],
    done: Written,
    entries: list[Any],
    job_id: int | None,
) -> None:
    from jingzhun.registry.models import Household

    ids = {household_ids[r["household_code"]] for _, r in rows.pairings}
    villages = dict(Household.objects.filter(id__in=ids).values_list("id", "village_id"))
    helpers = _helpers(rows, villages, household_ids, done)
    existing: dict[int, list[m.HelperPairing]] = defaultdict(list)
    for p in m.HelperPairing.objects.filter(household_id__in=ids).order_by("started_on", "id"):
        existing[p.household_id].append(p)
    for row_number, r in sorted(rows.pairings, key=lambda x: (x[1]["started_on"], x[0])):
        hid = household_ids[r["household_code"]]
        helper = helpers[row_number]
        same = next(
            (p for p in existing[hid] if p.helper_id == helper.pk and p.started_on == r["started_on"]), None
        )
        if same is not None:
            if same.ended_on is None and r["ended_on"] is not None:
                _end(same, r["ended_on"], actor, entries, job_id, done)
            continue
        current = next((p for p in existing[hid] if p.ended_on is None), None)
        if r["ended_on"] is None and current is not None:
            _end(current, max(r["started_on"], current.started_on), actor, entries, job_id, done)
        pairing = m.HelperPairing.objects.create(
            helper=helper, household_id=hid, started_on=r["started_on"], ended_on=r["ended_on"]
        )
        existing[hid].append(pairing)
        done.pairings_new += 1
        entries.append(
            audit.entry(
                actor=actor.user,
                action="pairing.start",
                object_type="pairing",
                object_id=pairing.pk,
                object_label=r["household_code"],
                household_id=hid,
                after={
                    "helper": helper.pk,
                    "helper_name": str(helper),
                    "started_on": r["started_on"].isoformat(),
                    "ended_on": r["ended_on"].isoformat() if r["ended_on"] else None,
                },
                job_id=job_id,
            )
        )


def _end(
    pairing: m.HelperPairing, when: date, actor: Actor, entries: list[Any], job_id: int | None, done: Written
) -> None:
    pairing.ended_on = when
    pairing.save(update_fields=["ended_on"])
    done.pairings_ended += 1
    entries.append(
        audit.entry(
            actor=actor.user,
            action="pairing.end",
            object_type="pairing",
            object_id=pairing.pk,
            household_id=pairing.household_id,
            before={"ended_on": None},
            after={"ended_on": when.isoformat()},
            job_id=job_id,
        )
    )


MEASURE_UPDATABLE = ("funds", "ended_on", "expected_income_gain", "status")


def _write_measures(
    rows: Rows,
    actor: Actor,
    household_ids: dict[str, int],
    done: Written,
    entries: list[Any],
    job_id: int | None,
) -> None:
    ids = {household_ids[r["household_code"]] for _, r in rows.measures}
    existing = {
        (x.household_id, x.category, x.content, x.started_on): x
        for x in m.HelpMeasure.objects.filter(household_id__in=ids)
    }
    new, changed = [], []
    for _, r in rows.measures:
        hid = household_ids[r["household_code"]]
        values = {
            "funds": r["funds"] or Decimal("0.00"),
            "ended_on": r["ended_on"],
            "expected_income_gain": r["expected_income_gain"],
            "status": r["status"] or m.MeasureStatus.ACTIVE,
        }
        key = (hid, r["category"], r["content"], r["started_on"])
        current = existing.get(key)
        if current is None:
            measure = m.HelpMeasure(
                household_id=hid,
                category=r["category"],
                content=r["content"],
                started_on=r["started_on"],
                **values,
            )
            existing[key] = measure
            new.append(measure)
            continue
        before = audit.snapshot(current, MEASURE_UPDATABLE)
        for name, value in values.items():
            setattr(current, name, value)
        after = audit.snapshot(current, MEASURE_UPDATABLE)
        diff = {k for k in MEASURE_UPDATABLE if before[k] != after[k]}
        if diff:
            changed.append(current)
            entries.append(
                audit.entry(
                    actor=actor.user,
                    action="measure.update",
                    object_type="helpmeasure",
                    object_id=current.pk,
                    household_id=hid,
                    before={k: before[k] for k in diff},
                    after={k: after[k] for k in diff},
                    job_id=job_id,
                )
            )
    m.HelpMeasure.objects.bulk_create(new, batch_size=2000)
    if changed:
        m.HelpMeasure.objects.bulk_update(changed, list(MEASURE_UPDATABLE), batch_size=2000)
    done.measures_new += len(new)
    done.measures_updated += len(changed)
    for measure in new:
        entries.append(
            audit.entry(
                actor=actor.user,
                action="measure.create",
                object_type="helpmeasure",
                object_id=measure.pk or "",
                household_id=measure.household_id,
                after={"category": measure.category, "content": measure.content[:100]},
                job_id=job_id,
            )
        )


# --- export -------------------------------------------------------------------------------------
def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def export_sheets(
    *, households: Any, mask: Callable[[str, Any], Any] | None = None
) -> list[tuple[str, list[str], Iterator[list[Any]]]]:
    """(sheet name, headers, rows) of both sheets for `households` (a Household queryset the caller has
    already scoped); `mask` hides a helper's phone from users without registry.view_sensitive."""
    show = mask or (lambda name, value: value)
    ids = households.values("id")

    def pairings() -> Iterator[list[Any]]:
        query = (
            m.HelperPairing.objects.filter(household_id__in=ids)
            .select_related("helper", "helper__cadre__unit", "household")
            .order_by("household__code", "started_on", "id")
        )
        for p in query.iterator(chunk_size=2000):
            cadre = getattr(p.helper, "cadre", None)
            unit = cadre.unit if cadre else None
            yield [
                p.household.code,
                str(p.helper),
                p.helper.username,
                show("phone", p.helper.phone) or "",
                unit.name if unit else "",
                unit.affiliation if unit else "",
                _cell(p.started_on),
                _cell(p.ended_on),
            ]

    def measures() -> Iterator[list[Any]]:
        query = (
            m.HelpMeasure.objects.filter(household_id__in=ids)
            .select_related("household")
            .order_by("household__code", "started_on", "id")
        )
        for x in query.iterator(chunk_size=2000):
            yield [
                x.household.code,
                x.category,
                x.content,
                _cell(x.funds),
                _cell(x.started_on),
                _cell(x.ended_on),
                _cell(x.expected_income_gain),
                x.status,
            ]

    return [
        (PAIRING_SHEET, [c[1] for c in PAIRING_COLUMNS], pairings()),
        (MEASURE_SHEET, [c[1] for c in MEASURE_COLUMNS], measures()),
    ]


TEXT_HEADERS = frozenset({"户编号", "帮扶责任人账号", "帮扶责任人手机号"})


def add_to_book(
    book: Any, *, households: Any, mask: Callable[[str, Any], Any] | None = None
) -> dict[str, int]:
    """Append the sheets to a `workbook.xlsx_writer.FastBook` being written; returns rows per sheet. Like the
    optional 村 sheet's data, a sheet is only written when it has rows, so a registry without help data
    exports exactly the spec's 户 · 成员 · 村."""
    written = {}
    for name, headers, rows in export_sheets(households=households, mask=mask):
        first = next(rows, None)
        if first is None:
            continue
        sheet = book.add_sheet(
            name=name,
            headers=headers,
            text_columns=[h in TEXT_HEADERS for h in headers],
            widths=[max(10, len(h) * 2 + 2) for h in headers],
        )
        sheet.row(first)
        count = 1
        for row in rows:
            sheet.row(row)
            count += 1
        written[name] = count
    return written


class ImportExtension:
    """The registry importer's hook for these sheets: read while the book is open, check against the
    file's 户 sheet and the registry in scope, write inside the import's transaction."""

    def __init__(self, book: Book, result: Result):
        self.rows = parse_sheets(book, result)
        self.written = Written()

    def check(self, *, file_codes: set[str], actor: Actor, result: Result) -> None:
        from jingzhun.registry.models import Household

        codes = self.rows.codes()
        if not codes:
            return
        known = set(file_codes) | set(
            Household.objects.filter(actor.region_q("village_id"), code__in=codes).values_list(
                "code", flat=True
            )
        )
        check(self.rows, known_codes=known, result=result)

    def write(self, *, actor: Actor, job_id: int | None = None) -> Written:
        from jingzhun.registry.models import Household

        codes = self.rows.codes()
        if codes:
            ids = dict(Household.objects.filter(code__in=codes).values_list("code", "id"))
            self.written = write(self.rows, actor=actor, household_ids=ids, job_id=job_id)
        return self.written
