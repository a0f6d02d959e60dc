"""One sheet of a departmental dataset turned into database-ready record rows (部门数据记录), with the
errors of the registry's report (sheet, row as Excel shows it, column) for every cell that is wrong.

Built for ten million rows: the checks are compiled once per sheet into a plan (which cell is the ID,
which columns are required, which parser fills which typed column), and every typed column goes through
a memo of its own — a department's 车辆类型, 参保年度 or 死亡日期 take a few thousand distinct values over
millions of rows, so each distinct text is parsed (or refused, with its message) once. The common ID, 18
ASCII digits, skips normalising; its encoded birth date is memoised by its eight digits. Values come out
as the text the database stores (ISO dates, decimals as fixed-point text, the row as JSON), so the
writer adapts nothing per value. Every rule is the one the per-cell parsers of `core.fields` and
`lib.idcard` apply; `tests/verification/test_dataset_rows.py` holds both to the same answers."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from jingzhun.core.fields import FieldError, parse_date, parse_year, text
from jingzhun.lib import idcard
from jingzhun.rules.datasets import (
    DATE,
    ID,
    KIND_ID,
    KIND_NONE,
    KIND_OLD,
    MONEY,
    NAME,
    SLOTS,
    YEAR,
    DatasetSpec,
)
from jingzhun.workbook.columns import normalize_header
from jingzhun.workbook.issues import ImportResult

AMOUNT_STEP = Decimal("0.0001")
MEMO_MAX = 200_000  # distinct values remembered per column (a column of unique dates stops growing here)
_MANGLED = "证件号码被 Excel 转成了数字，请把该列设为文本后重新填写"
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # JSON of the row as imported (`DatasetRecord.data`)
_NO_BIRTH = ("", "")
SEP, QUOTED_SEP = "\x1f", '","'
COPY_NULL = "\\N"  # NULL in PostgreSQL's COPY text format
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1e"\\]')


def cell_text(value: Any) -> str:
    if isinstance(value, datetime):
        return (
            value.date().isoformat()
            if not (value.hour or value.minute or value.second)
            else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    return text(value)


def split_id(number: str) -> tuple[str, str, date | None, str]:
    """(id18, id_kind, encoded birth date, encoded gender) of a normalised ID from a department."""
    if len(number) == 15:
        upgraded = idcard.upgrade_first_generation(number)
        if upgraded is None:
            return "", KIND_NONE, None, ""
        base, kind = upgraded, KIND_OLD
    elif len(number) in (18, 20, 22):
        base, kind = number[:18], KIND_ID
    else:
        return "", KIND_NONE, None, ""
    encoded = idcard.encoded_birth_gender(base)
    if encoded is None:
        return (base, kind, None, "") if base[:17].isdigit() else ("", KIND_NONE, None, "")
    return base, kind, encoded[0], encoded[1]


def digest(parts: list[str]) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=16).hexdigest()


def money(value: Any) -> Decimal | None:
    raw = text(value).replace(",", "")
    if raw == "":
        return None
    try:
        amount = Decimal(raw)
    except InvalidOperation as exc:
        raise FieldError(f"“{raw}”不是有效的数值") from exc
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1000000000000"):
        raise FieldError(f"“{raw}”不是有效的数值")
    return amount.quantize(AMOUNT_STEP)


def _db_date(value: Any) -> str | None:
    if value.__class__ is str and len(value) == 10 and value[4] == value[7] == "-":  # YYYY-MM-DD
        try:
            return date(int(value[:4]), int(value[5:7]), int(value[8:])).isoformat()
        except ValueError:
            pass  # not a date after all: the parser says why
    parsed = parse_date(value)
    return None if parsed is None else parsed.isoformat()


def _db_money(value: Any) -> str | None:
    amount = money(value)
    return None if amount is None else f"{amount:f}"


def _db_text(allowed: tuple[str, ...]) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        t = text(value)
        if allowed and t and t not in allowed:
            raise FieldError(f"“{t}”不是有效的值，可选：{'、'.join(allowed)}")
        return t

    return parse


class _Memo:
    """One typed column's parser with its memo: text → (stored value, error message or None)."""

    def __init__(self, parse: Callable[[Any], Any]):
        self.parse = parse
        self.seen: dict[str, tuple[Any, str | None]] = {}

    def __call__(self, value: Any) -> tuple[Any, str | None]:
        if value.__class__ is str:
            hit = self.seen.get(value)
            if hit is not None:
                return hit
        try:
            out: tuple[Any, str | None] = (self.parse(value), None)
        except FieldError as exc:
            out = (None, str(exc))
        if value.__class__ is str and len(self.seen) < MEMO_MAX:
            self.seen[value] = out
        return out


def _parser(kind: str, allowed: tuple[str, ...]) -> Callable[[Any], Any]:
    if kind == DATE:
        return _db_date
    if kind == MONEY:
        return _db_money
    if kind == YEAR:
        return parse_year
    return _db_text(allowed)


class SheetRows:
    """The plan of one sheet: its header checked against the dataset's columns (errors for the missing
    required ones), then `records` gives its rows as tuples of `rules.datasets.RECORD_COLUMNS`."""

    def __init__(
        self,
        spec: DatasetSpec,
        header: list[Any],
        result: ImportResult,
        memos: dict[Any, Any] | None = None,
    ):
        # `memos`: shared by the sheets of one import (the parsers are pure, and a county's datasets
        # share their dates and birth dates: each distinct text is parsed once per import, not per sheet)
        memos = {} if memos is None else memos
        self.spec = spec
        self.result = result
        normalized = [normalize_header(h) for h in header]
        self.columns = [cell_text(h) for h in header]
        self.width = len(self.columns)
        index: dict[str, int] = {}
        for i, h in enumerate(normalized):
            if h and h not in index:
                index[h] = i
        self.missing = False
        for col in spec.columns:
            if col.required and normalize_header(col.label) not in index:
                result.error(spec.name, 1, col.label, "", f"缺少必填列“{col.label}”")
                self.missing = True
        self.id_at = index.get(ID)
        self.name_at = index.get(NAME)
        self.required = [
            (col.label, index[normalize_header(col.label)])
            for col in spec.columns
            if col.required and col.label != ID and normalize_header(col.label) in index
        ]
        # typed columns: (its position among SLOTS, its cell or None, the memoised parser, its label)
        self.slots = []
        for col in spec.columns:
            if col.slot:
                memo = memos.get((col.kind, col.allowed))
                if memo is None:
                    memo = memos[col.kind, col.allowed] = _Memo(_parser(col.kind, col.allowed))
                at = index.get(normalize_header(col.label))
                self.slots.append((SLOTS.index(col.slot), at, memo.seen, memo, col.label))
        # the fingerprint: the dataset's own columns in the spec's order, then the others by header
        labels = [normalize_header(label) for label in spec.labels]
        self.fp_known = [index.get(label) for label in labels]
        self.fp_extra = sorted((h, i) for h, i in index.items() if h not in labels)
        # the common case (the file's columns are the spec's, in its order): the row itself is the key
        self.fp_plain = not self.fp_extra and self.fp_known == list(range(self.width))
        self.births: dict[str, tuple[str, str]] = memos.setdefault("births", {})

    def _birth(self, digits: str) -> tuple[str, str]:
        """(ISO birth date, "") or _NO_BIRTH for the eight digits of an ID's birth date."""
        hit = self.births.get(digits)
        if hit is None:
            try:
                born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
                hit = (born.isoformat(), "") if born.year >= 1880 else _NO_BIRTH
            except ValueError:
                hit = _NO_BIRTH
            if len(self.births) < MEMO_MAX:
                self.births[digits] = hit
        return hit

    def records(
        self,
        rows: Iterator[tuple[int, list[Any]]],
        dataset_id: int,
        writing: Callable[[], bool],
        *,
        copy: bool = False,
    ) -> Iterator[Any]:
        """Rows ready for the database, while `writing()` (no error yet anywhere in the import); every
        row is checked either way, so the report lists every error. With `copy`, the common row comes
        as its line of PostgreSQL's COPY text format (`COPY_NULL` for NULL, ending in a newline): when
        its JSON is plain (no quote, backslash or control character in any cell) nothing in the line
        needs COPY's escapes either; any other row comes as the tuple (`dataset_workers.copy_text`
        escapes it). Both forms hold the same values."""
        error = self.result.error
        sheet = self.spec.name
        width, id_at, name_at = self.width, self.id_at, self.name_at
        required, slots = self.required, self.slots
        prefix = sheet + "\x1f"
        plain = self.fp_plain
        birth_of, births = self._birth, self.births
        strip = str.strip
        pad = [None] * width
        encode = _ENCODE
        escape = _NEEDS_ESCAPE.search
        separators = width - 1
        blake2b = hashlib.blake2b
        join = SEP.join
        blank: tuple[Any, ...] = (None, None, "", "", None, None)  # date1 date2 kind status amount year
        null: Any = None
        if copy:
            blank, null = (COPY_NULL, COPY_NULL, "", "", COPY_NULL, COPY_NULL), COPY_NULL
        write = writing()  # errors come only from the rows below once they start: checked per row here
        for number, cells in rows:
            if len(cells) != width:
                cells = (list(cells) + pad)[:width]
            bad = False
            raw_id: Any = cells[id_at] if id_at is not None else None  # a cell: text, or a number (xlsx)
            fast = raw_id.__class__ is str and len(raw_id) == 18 and raw_id.isdigit() and raw_id.isascii()
            if fast:
                number_text = raw_id
            elif (isinstance(raw_id, (int, float)) and not isinstance(raw_id, bool)) or (
                isinstance(raw_id, str) and idcard.looks_mangled_by_excel(raw_id)
            ):
                error(sheet, number, ID, raw_id, _MANGLED)
                bad = True
                number_text = ""
            else:
                number_text = idcard.normalize(raw_id)
                if not number_text:
                    error(sheet, number, ID, "", "证件号码不能为空")
                    bad = True
            for label, at in required:
                value = cells[at]
                if value is None or (value.__class__ is str and not value.strip()):
                    error(sheet, number, label, "", f"{label}不能为空")
                    bad = True
            typed: list[Any] = list(blank)
            for slot, cell_at, seen, memo, label in slots:
                given: Any = cells[cell_at] if cell_at is not None else None
                hit = seen.get(given)  # only texts are remembered: any other cell misses
                value, message = memo(given) if hit is None else hit
                if message is not None:
                    error(sheet, number, label, given, message)
                    bad = True
                elif value is not None:  # None: an empty cell, the slot's blank stays
                    typed[slot] = value
            if bad:
                write = False
                continue
            if not write:
                continue
            # the common row (texts, an 18-digit ID): when the row's JSON body is printable it holds no
            # control character and no white space but the ASCII space (every other white space, the
            # ideographic one too, is unprintable), so only a space at a cell's edge needs stripping
            body: str | None = None
            if fast:
                try:
                    joined = join(cells)
                except TypeError:  # a cell that is not text (xlsx)
                    pass
                else:
                    body = joined.replace(SEP, QUOTED_SEP)
                    if not (
                        body.isprintable()
                        and joined.count(SEP) == separators
                        and (
                            " " not in joined
                            or not (
                                joined[0] == " "
                                or joined[-1] == " "
                                or " \x1f" in joined
                                or "\x1f " in joined
                            )
                        )
                    ):
                        body = None
            if body is not None:
                values = cells
                plain_json = '"' not in joined and "\\" not in joined
            else:
                try:
                    values = list(map(strip, cells))
                    joined = join(values)
                    if "\u3000" in joined:
                        raise TypeError
                except TypeError:  # a cell that is not text (xlsx), or an ideographic space: the slow way
                    values = [cell_text(c) for c in cells]
                    joined = join(values)
                if not fast:
                    values[id_at] = number_text  # type: ignore[index]
                    joined = join(values)
                # the JSON of a row of plain texts is the texts quoted: only a quote, a backslash or a
                # control character (the separator too) needs the encoder
                plain_json = escape(joined) is None and joined.count(SEP) == separators
                if plain_json:
                    body = joined.replace(SEP, QUOTED_SEP)
            if plain:
                key = blake2b((prefix + joined).encode("utf-8"), digest_size=16).hexdigest()
            else:
                fp = [sheet]
                fp += ["" if i is None else values[i] for i in self.fp_known]
                fp += [f"{h}={values[i]}" for h, i in self.fp_extra]
                key = digest(fp)
            if fast:
                birth, gender = births.get(raw_id[6:14]) or birth_of(raw_id[6:14])
                if birth:
                    gender = "男" if raw_id[16] in "13579" else "女"
                id18, kind = raw_id, KIND_ID
            else:
                id18, kind, born, gender = split_id(number_text)
                birth = born.isoformat() if born is not None else ""
            if copy and plain_json:
                t0, t1, t2, t3, t4, t5 = typed
                yield (
                    f"{dataset_id}\t{number}\t{number_text}\t{id18}\t{kind}\t"
                    f"{values[name_at] if name_at is not None else ''}\t{birth or null}\t{gender}\t"
                    f'{t0}\t{t1}\t{t2}\t{t3}\t{t4}\t{t5}\t{key}\t["{body}"]\n'
                )
                continue
            if copy:  # the tuple of a row with escapes to make: NULL is None
                typed = [None if v is COPY_NULL else v for v in typed]
            yield (
                dataset_id,
                number,
                number_text,
                id18,
                kind,
                values[name_at] if name_at is not None else "",
                birth or None,
                gender,
                *typed,
                key,
                f'["{body}"]' if plain_json else encode(values),
            )
