"""workbook/db_bulk.py stores what Django itself would: `COPY` (PostgreSQL) and `executemany` (SQLite) inserts,
and the temporary-table `UPDATE … FROM` of large updates, read back equal to one INSERT / UPDATE per row
with every value adapted by `field.get_db_prep_save` (the importer's way before COPY)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from jingzhun.core.chain import CHAINED_MODEL_FIELDS as AUDIT_CHAINED
from jingzhun.core.chain import MODEL_FIELDS as AUDIT_INSERT
from jingzhun.core.chain import chain_rows
from jingzhun.core.models import AuditEntry
from jingzhun.regions.models import VILLAGE_FACT_FIELDS, Region
from jingzhun.registry.models import Household, HouseholdEvent, IncomeRecord, Member
from jingzhun.workbook import db_bulk
from jingzhun.workbook.db_bulk import Table
from jingzhun.workbook.db_writer import (
    EVENT_INSERT,
    HH_INSERT,
    HH_UPDATE,
    INCOME_INSERT,
    INCOME_UPDATE,
    MEMBER_INSERT,
    MEMBER_UPDATE,
)
from tests.factories import register

# text COPY escapes tab, newline, carriage return and backslash; JSON escapes quotes and backslashes too
AWKWARD = 'a\tb\\c\nd\re "引号" \\N 😀'
NOW = timezone.now()
AT = datetime(2019, 12, 31, 23, 59, 58, 123456, tzinfo=UTC)


class _Undo(Exception):
    """Raised to roll a comparison's writes back."""


@contextlib.contextmanager
def _undone() -> Iterator[None]:
    """Run the block in a savepoint and roll it back, so both ways can write the same unique values."""
    with contextlib.suppress(_Undo), transaction.atomic():
        yield
        raise _Undo


def _django_insert(model: type[models.Model], columns: Sequence[str], rows: list[Sequence[Any]]) -> None:
    """One INSERT per row, every value adapted by its field the way Model.save() does."""
    fields = [model._meta.get_field(name) for name in columns]
    sql = Table(model, columns).insert_sql
    with connection.cursor() as cursor:
        for row in rows:
            cursor.execute(sql, [f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)])


def _django_update(
    model: type[models.Model], columns: Sequence[str], rows: list[Sequence[Any]], key: str
) -> None:
    fields = [model._meta.get_field(name) for name in (*columns, key)]
    sql = Table(model, columns, key=key).update_sql
    with connection.cursor() as cursor:
        for row in rows:
            cursor.execute(sql, [f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)])


def _stored(model: type[models.Model], columns: Sequence[str], *, after: int | None = None) -> list[Any]:
    """The rows as the database returns them (JSON as its stored text, dates as SQLite's strings …)."""
    qn = connection.ops.quote_name
    meta: Any = model._meta
    names = ", ".join(qn(meta.get_field(name).column) for name in columns)
    pk = qn(meta.pk.column)
    where = "" if after is None else f" WHERE {pk} > {int(after)}"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {names} FROM {qn(meta.db_table)}{where} ORDER BY {pk}")
        return cursor.fetchall()


def _both_ways(model: type[models.Model], columns: Sequence[str], rows: list[Sequence[Any]]) -> list[Any]:
    start = db_bulk.max_id(model)
    with _undone():
        assert Table(model, columns).insert(iter(rows)) == len(rows)
        ours = _stored(model, columns, after=start)
    with _undone():
        _django_insert(model, columns, rows)
        django = _stored(model, columns, after=start)
    assert len(ours) == len(rows)
    assert ours == django
    return ours


@pytest.fixture
def registered(admin_actor) -> Household:
    return register(admin_actor, code="B0001")


@pytest.mark.django_db
def test_households_and_members_are_stored_as_django_stores_them(registered):
    template = list(Household.objects.values_list(*HH_INSERT).get(pk=registered.pk))
    index = {name: i for i, name in enumerate(HH_INSERT)}
    rows = []
    for n, (group, exit_year) in enumerate([(AWKWARD, None), ("", 2019), ("三组", None)]):
        row = list(template)
        row[index["code"]] = f"B900{n}"
        row[index["group_name"]] = group
        row[index["exit_year"]] = exit_year
        row[index["created_at"]] = row[index["updated_at"]] = AT if n else NOW
        rows.append(row)
    stored = _both_ways(Household, HH_INSERT, rows)
    assert stored[0][index["group_name"]] == AWKWARD and stored[0][index["exit_year"]] is None

    member = list(Member.objects.filter(household=registered).values_list(*MEMBER_INSERT).first())
    m_index = {name: i for i, name in enumerate(MEMBER_INSERT)}
    members = []
    for n, birth in enumerate([date(1931, 2, 28), date(2016, 2, 29), date(2000, 1, 1)]):
        row = list(member)
        row[m_index["resident_id"]] = f"R-{n}"
        row[m_index["name"]] = "向\t小明\\" if n == 0 else f"成员{n}"
        row[m_index["birth_date"]] = birth
        row[m_index["is_active"]] = n != 2
        row[m_index["work_months"]] = None if n else 6
        row[m_index["dibao"]] = None if n == 1 else n == 0
        members.append(row)
    _both_ways(Member, MEMBER_INSERT, members)


@pytest.mark.django_db
def test_money_events_and_audit_json_are_stored_as_django_stores_them(registered):
    hid = registered.pk
    amounts = [
        Decimal("12000.50"),
        Decimal("0"),
        Decimal("-3.10"),
        Decimal("9999999999.99"),
        Decimal("1.005"),
    ]
    # the five components, then per_capita_net (a national list's figure; None when the components are known)
    incomes = [
        (hid, 2030 + n, *amounts[n:], *amounts[:n], amounts[n] if n % 2 else None, NOW)
        for n in range(len(amounts))
    ]
    _both_ways(IncomeRecord, INCOME_INSERT, incomes)

    detail = {"job_id": 7, "source": "import", "说明": AWKWARD, "nested": [1, 2.5, None, True, {"键": "值"}]}
    events = [
        (hid, "新识别", date(2015, 1, 1), "登记簿导入", detail, None, "系统", NOW),
        (hid, "新识别", date(2016, 12, 31), AWKWARD, {}, None, "", AT),
    ]
    stored = _both_ways(HouseholdEvent, EVENT_INSERT, events)
    if connection.vendor == "sqlite":  # the text Django writes: json.dumps with its defaults (ASCII escapes)
        assert '"\\u8bf4\\u660e"' in stored[0][EVENT_INSERT.index("detail")]

    after = {"group_name": "五组", "wage": "15000.00", "income": {"year": 2018, "说明": AWKWARD}, "n": None}
    audits = [
        (
            NOW,
            None,
            "系统",
            "import.create",
            "household",
            "1",
            "张三户（G0001）",
            hid,
            None,
            after,
            None,
            "导入",
        ),
        (AT, None, "系统", "import.update", "member", "2", AWKWARD, None, {"a": []}, {"a": [1]}, 5, ""),
        (AT, None, "系统", "import.update", "region", "3", "村", None, {}, {"键": "0.50"}, None, ""),
    ]
    audits = list(chain_rows(audits, range(len(AUDIT_INSERT))))
    stored = _both_ways(AuditEntry, AUDIT_CHAINED, audits)
    before_at = AUDIT_CHAINED.index("before")
    assert stored[0][before_at] is None  # SQL NULL, not JSON null
    entry = AuditEntry.objects.filter(action="import.create", object_id="1").order_by("-id")
    assert not entry.exists()  # both writes were undone
    Table(AuditEntry, AUDIT_CHAINED).insert(audits[:1])
    assert AuditEntry.objects.get(action="import.create", object_id="1").after == after


@pytest.mark.django_db
@pytest.mark.parametrize("minimum", [1, 10**9], ids=["temporary-table", "one-per-row"])
def test_updates_are_stored_as_django_stores_them(registered, monkeypatch, minimum):
    """Both update paths (PostgreSQL copies large updates into a temporary table, SQLite never does); a key
    given twice ends with its last row, as one UPDATE per row in order would leave it."""
    monkeypatch.setattr(db_bulk, "COPY_UPDATE_MIN", minimum)
    hh = list(Household.objects.values_list(*HH_UPDATE).get(pk=registered.pk))
    index = {name: i for i, name in enumerate(HH_UPDATE)}
    first, last = list(hh), list(hh)
    first[index["group_name"]] = "先"
    last[index["group_name"]] = AWKWARD
    last[index["exit_year"]] = None
    last[index["updated_at"]] = AT
    member = Member.objects.filter(household=registered).order_by("id").first()
    assert member is not None
    m_row = list(Member.objects.values_list(*MEMBER_UPDATE).get(pk=member.pk))
    m_row[MEMBER_UPDATE.index("name")] = "改\\名"
    m_row[MEMBER_UPDATE.index("birth_date")] = date(1999, 12, 31)
    income = IncomeRecord.objects.get(household=registered)
    i_row = [Decimal("15000"), Decimal("0.10"), Decimal("0"), Decimal("1.5"), Decimal("2"), None, NOW]
    village = Region.objects.get(code=registered.village_id)
    v_row = [getattr(village, name) for name in VILLAGE_FACT_FIELDS]
    v_row[VILLAGE_FACT_FIELDS.index("registered_population")] = 1234
    v_row[VILLAGE_FACT_FIELDS.index("collective_income_wan")] = Decimal("5.34")

    cases: list[tuple[type[models.Model], Sequence[str], list[Sequence[Any]], str]] = [
        (Household, HH_UPDATE, [(*first, registered.pk), (*last, registered.pk)], "id"),
        (Member, MEMBER_UPDATE, [(*m_row, member.pk)], "id"),
        (IncomeRecord, INCOME_UPDATE, [(*i_row, income.pk)], "id"),
        (Region, VILLAGE_FACT_FIELDS, [(*v_row, village.code)], "code"),
    ]
    for model, columns, rows, key in cases:
        with _undone():
            assert Table(model, columns, key=key).update(rows) == len(rows)
            ours = _stored(model, columns)
        with _undone():
            _django_update(model, columns, rows, key)
            django = _stored(model, columns)
        assert ours == django, model.__name__
    Table(Household, HH_UPDATE).update([(*first, registered.pk), (*last, registered.pk)])
    registered.refresh_from_db()
    assert (registered.group_name, registered.exit_year, registered.updated_at) == (AWKWARD, None, AT)


@pytest.mark.django_db
def test_a_large_insert_leaves_planner_statistics_and_ids_in_row_order(registered):
    """The importer maps new households to their ids by code (`ids_since`); on PostgreSQL a COPY of
    thousands of rows also analyzes the table inside the transaction, so the queries that follow an
    import (re-assessment, export) do not plan for an empty table."""
    template = list(Household.objects.values_list(*HH_INSERT).get(pk=registered.pk))
    code_at = HH_INSERT.index("code")
    start = db_bulk.max_id(Household)
    rows = []
    for n in range(db_bulk.ANALYZE_MIN + 5):
        row = list(template)
        row[code_at] = f"S{n:06d}"
        rows.append(row)
    assert Table(Household, HH_INSERT).insert(rows) == len(rows)
    found = list(db_bulk.ids_since(Household, after=start, key="code"))
    assert [code for _, code in found] == [row[code_at] for row in rows]
    assert [hid for hid, _ in found] == sorted(hid for hid, _ in found)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'registry_household'::regclass")
            assert cursor.fetchone()[0] >= len(rows)


@pytest.mark.django_db
def test_a_refused_row_is_djangos_integrity_error(registered):
    """The importer turns an IntegrityError (a concurrent import took the 户编号 first) into an error
    message; psycopg's own exception from a COPY would escape it."""
    duplicate = list(Household.objects.values_list(*HH_INSERT).get(pk=registered.pk))
    with pytest.raises(IntegrityError), transaction.atomic():
        Table(Household, HH_INSERT).insert([duplicate])
    assert Table(Household, HH_INSERT).insert([]) == 0
    assert Household.objects.filter(code=registered.code).count() == 1
