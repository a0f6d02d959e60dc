"""Third pass of an import: write the plan in bulk, inside the caller's single transaction.

New households, their members, incomes and 新识别 events are inserted with `executemany` in batches;
changed rows are updated by id; every created household and every changed household, member, income
and village leaves an AuditEntry naming the import job (action `import.create` / `import.update`).

The audit entries are written last (`flush_audit`), hashed into the chain in order as they stream to the
database (core.chain): the chain lock is then the last lock the import's transaction takes, so it is
held only for those inserts and the commit, and the import never waits for a row lock while holding it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from decimal import Decimal
from functools import cached_property
from operator import itemgetter
from typing import Any

from django.db.models import F
from django.utils import timezone

from jingzhun.core import chain
from jingzhun.core.audit import plain
from jingzhun.core.models import AuditEntry
from jingzhun.lib.pinyin import initials
from jingzhun.regions.models import VILLAGE_FACT_FIELDS, Region
from jingzhun.registry import enums
from jingzhun.registry.models import Household, HouseholdEvent, IncomeRecord, Member
from jingzhun.registry.services.common import HOUSEHOLD_AUDIT_FIELDS
from jingzhun.workbook.db_bulk import Table, ids_since, max_id
from jingzhun.workbook.json_text import PreEncoded
from jingzhun.workbook.plan import (
    HOUSEHOLD_COLUMNS,
    INCOME_COLUMNS,
    MEMBER_COLUMNS,
    Plan,
    household_changes,
    income_changes,
    member_changes,
)
from jingzhun.workbook.validate import HH, MB, VILLAGE_NAMES, Parsed


def _bump_versions(model: type[Household] | type[Member] | type[IncomeRecord], ids: list[int]) -> None:
    """版本 +1 for the updated rows (registry.services.common.check_version compares it)."""
    for start in range(0, len(ids), 900):  # under SQLite's bound-parameter limit
        model.objects.filter(pk__in=ids[start : start + 900]).update(version=F("version") + 1)


HH_INSERT = (
    "code",
    *(c for c, _ in HOUSEHOLD_COLUMNS),
    "head_initials",
    "member_count",
    "registry_status",
    "bank_account",
    "created_at",
    "updated_at",
)
HH_UPDATE = (*(c for c, _ in HOUSEHOLD_COLUMNS), "head_initials", "member_count", "updated_at")
MEMBER_INSERT = (
    "household_id",
    *(c for c, _ in MEMBER_COLUMNS),
    "is_active",
    "removed_reason",
    "created_at",
    "updated_at",
)
MEMBER_UPDATE = (*(c for c, _ in MEMBER_COLUMNS), "updated_at")
INCOME_INSERT = ("household_id", "year", *(c for c, _ in INCOME_COLUMNS), "updated_at")
INCOME_UPDATE = (*(c for c, _ in INCOME_COLUMNS), "updated_at")
EVENT_INSERT = (
    "household_id",
    "kind",
    "occurred_on",
    "reason",
    "detail",
    "actor",
    "actor_name",
    "created_at",
)
# An import.create entry's household fields, in HOUSEHOLD_AUDIT_FIELDS order, read from the tuple
# (code, member_count, *cleaned 户 values).
_CREATED_SOURCES = {"code": 0, "member_count": 1, **{name: 2 + i for name, i in HOUSEHOLD_COLUMNS}}
CREATED_AUDIT_NAMES = tuple(name for name in HOUSEHOLD_AUDIT_FIELDS if name in _CREATED_SOURCES)
_created_audit_values = itemgetter(*(_CREATED_SOURCES[name] for name in CREATED_AUDIT_NAMES))
INCOME_YEAR_I = HH["income_year"]
IDENTIFIED_I = HH["identified_year"]
_member_values = itemgetter(*(i for _, i in MEMBER_COLUMNS))
_household_values = itemgetter(*(i for _, i in HOUSEHOLD_COLUMNS))
CENT = Decimal("0.01")


class Writer:
    def __init__(
        self,
        *,
        parsed: Parsed,
        plan: Plan,
        user: Any,
        job_id: int | None,
        source: str,
        progress: Callable[..., Any] | None,
        analyze_later: set[str] | None = None,
    ):
        self.parsed = parsed
        self.analyze_later = analyze_later
        self.plan = plan
        self.user_id = getattr(user, "pk", None)
        self.actor_name = (
            (getattr(user, "display_name", "") or getattr(user, "username", "")) if user else "系统"
        )
        self.job_id = job_id
        self.source = source
        self.now = timezone.now()
        self.progress = progress
        self._audits: list[Callable[[], Iterable[tuple[Any, ...]]]] = []

    @cached_property
    def note(self) -> str:
        """The audit entries' note, made at the first entry: a national list's writer starts before its first
        row is read (`importer._NationalStream`), when `parsed.import_year` is not known yet."""
        return f"{'全国系统名单' if self.parsed.import_year else '登记簿'}导入：{self.source}"[:500]

    def table(self, model: Any, columns: Any, *, key: str = "id") -> Table:
        """Bulk statements for `model`; with `analyze_later`, a large COPY leaves the table's name there
        instead of running ANALYZE inside the transaction (see bulk.Table)."""
        return Table(model, columns, key=key, analyze_later=self.analyze_later)

    def _audit(
        self,
        action: str,
        object_type: str,
        object_id: Any,
        label: str,
        household_id: int | None,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> tuple[Any, ...]:
        return (
            self.now,
            self.user_id,
            self.actor_name,
            action,
            object_type,
            str(object_id),
            label[:200],
            household_id,
            before,
            after,
            self.job_id,
            self.note,
        )

    def audit_later(self, rows: Callable[[], Iterable[tuple[Any, ...]]] | list[tuple[Any, ...]]) -> None:
        """Queue audit rows (`chain.MODEL_FIELDS` tuples, or a function making them) for `flush_audit`."""
        self._audits.append(rows if callable(rows) else (lambda: rows))

    def flush_audit(self) -> int:
        """Write the queued audit rows, chained, in queue order; the last write of the import."""
        sources, self._audits = self._audits, []

        def rows() -> Iterator[tuple[Any, ...]]:
            for source in sources:
                yield from source()

        # the JSON values are encoded once, canonically, and stored as that text (core.chain.chain_rows)
        chained = chain.chain_rows(rows(), chain.ROW_POSITIONS, encoded=PreEncoded)
        return self.table(AuditEntry, chain.CHAINED_MODEL_FIELDS).insert(chained)

    def _report(self, done: int, total: int, message: str) -> None:
        if self.progress:
            self.progress(done, total, message)

    # --- new households -------------------------------------------------------------------------
    def new_codes(self) -> list[str]:
        return [code for code in self.parsed.households if code not in self.plan.existing]

    def insert_new(self) -> None:
        """Insert the new households and then, with the ids the database gave them, their members, incomes,
        新识别 events and audit entries."""
        new_codes = self.new_codes()
        if not new_codes:
            return
        first_id = max_id(Household)
        self.table(Household, HH_INSERT).insert(self._household_rows(new_codes))
        new_set = set(new_codes)
        ids = {code: hid for hid, code in ids_since(Household, after=first_id, key="code") if code in new_set}
        parsed, total, member_row = self.parsed, len(new_codes), self.member_row

        def member_rows() -> Iterator[tuple[Any, ...]]:
            for done, code in enumerate(new_codes, start=1):
                hid = ids[code]
                for _, member in parsed.members.get(code, ()):
                    yield member_row(hid, member)
                if done % 5000 == 0:
                    self._report(done, total, "写入成员")

        self.table(Member, MEMBER_INSERT).insert(member_rows())
        self.insert_incomes_and_events(new_codes, ids)
        self.audit_later(lambda: (self._created_audit(code, ids[code]) for code in new_codes))

    def insert_households_with_ids(self, ids: dict[str, int]) -> None:
        """The new households under ids reserved beforehand (`bulk.reserve_ids`), whose members, incomes and
        events were written already (`workbook.stream`), and their audit entries."""
        codes = list(ids)
        if not codes:
            return
        rows = self._household_rows(codes)
        self.table(Household, ("id", *HH_INSERT)).insert((ids[row[0]], *row) for row in rows)
        self.audit_created(ids)

    def audit_created(self, ids: dict[str, int]) -> None:
        """Queue the `import.create` entries of the new households `ids` (户编号 → id), written already."""
        codes = list(ids)
        self.audit_later(lambda: (self._created_audit(code, ids[code]) for code in codes))

    def _household_rows(self, codes: list[str]) -> Iterator[tuple[Any, ...]]:
        total, household_row = len(codes), self.household_row
        for done, code in enumerate(codes, start=1):
            yield household_row(code)
            if done % 5000 == 0:
                self._report(done, total, "写入户")

    def household_row(self, code: str) -> tuple[Any, ...]:
        """A new household's HH_INSERT row from its cleaned values and its members."""
        values, now = self.parsed.households[code][1], self.now
        return (
            code,
            *_household_values(values),
            initials(values[HH["head_name"]]),
            len(self.parsed.members.get(code, ())),
            enums.RegistryStatus.ACTIVE,
            "",
            now,
            now,
        )

    def member_row(self, hid: int, member: tuple[Any, ...]) -> tuple[Any, ...]:
        """A new member's MEMBER_INSERT row from its cleaned 成员 tuple."""
        return (hid, *_member_values(member), True, "", self.now, self.now)

    def insert_incomes_and_events(self, codes: list[str], ids: dict[str, int]) -> None:
        """The income of the file's year and the 新识别 event of each new household."""
        income_row, event_row = self.income_row, self.event_row
        self.table(IncomeRecord, INCOME_INSERT).insert(
            row for code in codes if (row := income_row(code, ids[code])) is not None
        )
        self.table(HouseholdEvent, EVENT_INSERT).insert(event_row(code, ids[code]) for code in codes)

    def income_row(self, code: str, hid: int) -> tuple[Any, ...] | None:
        """A new household's INCOME_INSERT row of the file's year, or None: a national list without 人均纯收入
        carries no income at all, no record (unknown)."""
        values = self.parsed.households[code][1]
        if values[INCOME_YEAR_I] is None:
            return None
        return (hid, values[INCOME_YEAR_I], *(values[i] for _, i in INCOME_COLUMNS), self.now)

    def event_row(self, code: str, hid: int) -> tuple[Any, ...]:
        """A new household's 新识别 event (EVENT_INSERT row)."""
        identified = self.parsed.households[code][1][IDENTIFIED_I]
        reason = "全国系统名单导入" if self.parsed.import_year else "登记簿导入"
        return (
            hid,
            enums.EventKind.IDENTIFIED,
            date(identified or self.parsed.import_year or self.now.year, 1, 1),
            reason if identified else f"{reason}（识别年度未知）",
            self._event_detail,
            self.user_id,
            self.actor_name,
            self.now,
        )

    @cached_property
    def _event_detail(self) -> dict[str, Any]:
        return {"job_id": self.job_id, "source": "import"}

    def _created_audit(self, code: str, hid: int) -> tuple[Any, ...]:
        """The `import.create` entry of a new household: its audited fields and the year's incomes, as
        `plain` snapshots them (the household columns are str, int, bool or None already; the amounts are
        Decimals, stored as text with two decimals)."""
        values = self.parsed.households[code][1]
        after = dict(
            zip(
                CREATED_AUDIT_NAMES,
                _created_audit_values((code, len(self.parsed.members.get(code, ())), *values)),
                strict=True,
            )
        )
        if values[INCOME_YEAR_I] is not None:
            income = {"year": values[INCOME_YEAR_I]}
            for name, i in INCOME_COLUMNS:
                amount = values[i]
                income[name] = None if amount is None else str(amount.quantize(CENT))
            after["income"] = income
        return self._audit(
            "import.create", "household", hid, f"{values[HH['head_name']]}户（{code}）", hid, None, after
        )

    # --- re-imported households -----------------------------------------------------------------
    def update_existing(self) -> None:
        parsed, plan, now = self.parsed, self.plan, self.now
        hh_updates: list[tuple[Any, ...]] = []
        member_inserts: list[tuple[Any, ...]] = []
        member_updates: list[tuple[Any, ...]] = []
        income_inserts: list[tuple[Any, ...]] = []
        income_updates: list[tuple[Any, ...]] = []
        audits: list[tuple[Any, ...]] = []
        rid_i = dict(MEMBER_COLUMNS)["resident_id"]
        year_i = HH["income_year"]
        for code, existing in plan.existing.items():
            values = parsed.households[code][1]
            members = parsed.members.get(code, [])
            hid = existing.id
            label = f"{values[HH['head_name']]}户（{code}）"
            count = len(members) + plan.kept_active.get(code, 0)
            changes = household_changes(existing, values)
            old_count = len(existing.members)
            if count != old_count:
                changes["member_count"] = (old_count, count)
            if changes:
                hh_updates.append(
                    (
                        *(values[i] for _, i in HOUSEHOLD_COLUMNS),
                        initials(values[HH["head_name"]]),
                        count,
                        now,
                        hid,
                    )
                )
                audits.append(
                    self._audit(
                        "import.update",
                        "household",
                        hid,
                        label,
                        hid,
                        {k: plain(b) for k, (b, _) in changes.items()},
                        {k: plain(a) for k, (_, a) in changes.items()},
                    )
                )
            for _, member in members:
                current = existing.members.get(member[rid_i])
                if current is None:
                    member_inserts.append(self.member_row(hid, member))
                    audits.append(
                        self._audit(
                            "import.create",
                            "member",
                            member[rid_i],
                            member[MB["name"]],
                            hid,
                            None,
                            {n: plain(member[i]) for n, i in MEMBER_COLUMNS if n != "resident_id"},
                        )
                    )
                    continue
                diff = member_changes(current[1], member)
                if diff:
                    member_updates.append((*(member[i] for _, i in MEMBER_COLUMNS), now, current[0]))
                    audits.append(
                        self._audit(
                            "import.update",
                            "member",
                            current[0],
                            member[MB["name"]],
                            hid,
                            {k: plain(b) for k, (b, _) in diff.items()},
                            {k: plain(a) for k, (_, a) in diff.items()},
                        )
                    )
            year = values[year_i]
            income = existing.incomes.get(year)
            diff = income_changes(income[1] if income else None, values) if year is not None else {}
            if diff:
                amounts = tuple(values[i] for _, i in INCOME_COLUMNS)
                if income is None:
                    income_inserts.append((hid, year, *amounts, now))
                else:
                    income_updates.append((*amounts, now, income[0]))
                audits.append(
                    self._audit(
                        "import.update",
                        "income",
                        f"{hid}:{year}",
                        f"{year}年收入",
                        hid,
                        {k: plain(b) for k, (b, _) in diff.items()} if income else None,
                        {k: plain(a) for k, (_, a) in diff.items()},
                    )
                )
        self.table(Household, HH_UPDATE).update(hh_updates)
        self.table(Member, MEMBER_INSERT).insert(member_inserts)
        self.table(Member, MEMBER_UPDATE).update(member_updates)
        # an import is an update like any other: an edit page opened before it must not overwrite it
        _bump_versions(Household, [row[-1] for row in hh_updates])
        _bump_versions(Member, [row[-1] for row in member_updates])
        self.table(IncomeRecord, INCOME_INSERT).insert(income_inserts)
        self.table(IncomeRecord, INCOME_UPDATE).update(income_updates)
        _bump_versions(IncomeRecord, [row[-1] for row in income_updates])
        self.audit_later(audits)

    # --- villages (村 sheet) --------------------------------------------------------------------
    def update_villages(self) -> int:
        rows = self.parsed.villages
        if not rows:
            return 0
        regions = Region.objects.in_bulk([values[0] for _, values in rows])
        changed: list[Region] = []
        audits = []
        index = {name: i for i, name in enumerate(VILLAGE_NAMES)}
        for _, values in rows:
            region = regions[values[0]]
            new = {name: values[index[name]] for name in VILLAGE_FACT_FIELDS}
            new["exit_state"] = new["exit_state"] or ""
            diff = {k: (getattr(region, k), v) for k, v in new.items() if getattr(region, k) != v}
            if not diff:
                continue
            for name, (_, value) in diff.items():
                setattr(region, name, value)
            changed.append(region)
            audits.append(
                self._audit(
                    "import.update",
                    "region",
                    region.code,
                    region.name,
                    None,
                    {k: plain(b) for k, (b, _) in diff.items()},
                    {k: plain(a) for k, (_, a) in diff.items()},
                )
            )
        # one UPDATE … WHERE code = ? per village by executemany (bulk_update's CASE expressions cost
        # seconds of query compilation for the county's 430 villages)
        self.table(Region, VILLAGE_FACT_FIELDS, key="code").update(
            (*(getattr(region, name) for name in VILLAGE_FACT_FIELDS), region.code) for region in changed
        )
        self.audit_later(audits)
        return len(changed)
