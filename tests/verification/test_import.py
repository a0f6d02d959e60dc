"""Departmental import: files of every shape, bad input named by sheet/row/column with nothing written,
zip traversal, GB18030, replacement of the previous copy, and the audit of every import."""

from __future__ import annotations

import zipfile
from datetime import date

import pytest
import xlsxwriter

from jingzhun.core.models import AuditEntry
from jingzhun.verification.importer import fingerprint, import_datasets
from jingzhun.verification.models import Dataset, DatasetRecord
from tests.verification.helpers import write_dataset

pytestmark = pytest.mark.django_db
ID1 = "430821197005010012"
ID2 = "430821197203090029"


@pytest.fixture(autouse=True, params=["in-process", "workers"])
def check_mode(request, monkeypatch):
    """Every test here twice: rows checked in the importer's process (a small import), and in the
    worker processes of a big one (`verification.dataset_workers`), forced from the first row."""
    from jingzhun.verification import importer

    if request.param == "workers":
        monkeypatch.setattr(importer, "PARALLEL_MIN_ROWS", 0)
        monkeypatch.setattr(importer, "PARALLEL_VENDORS", ("postgresql", "sqlite"))
    yield request.param
    # SQLite: a test's imports run inside its transaction, where their scratch files cannot be detached;
    # after its rollback they can (else they pile up on the worker's connection, SQLite attaching ten)
    from jingzhun.verification.dataset_writer import detach_scratch

    detach_scratch()


def _counts():
    return Dataset.objects.count(), DatasetRecord.objects.count()


def _errors(outcome):
    return [(e.sheet, e.row, e.column, e.message) for e in outcome.result.errors]


def test_csv_folder_zip_and_xlsx_all_import(regions, tmp_path):
    folder = tmp_path / "dir"
    write_dataset(folder, "死亡人口", [{"证件号码": ID1, "姓名": "张三", "死亡日期": "2024-01-01"}])
    write_dataset(folder, "财政供养", [{"证件号码": ID2, "姓名": "李四", "工作单位": "县一中"}])
    outcome = import_datasets([str(folder)])
    assert outcome.ok and outcome.datasets == {"死亡人口": 1, "财政供养": 1}
    archive = tmp_path / "in.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(folder / "死亡人口.csv", "部门/死亡人口.csv")
    xlsx = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(str(xlsx))
    sheet = book.add_worksheet("商品房")
    sheet.write_row(0, 0, ["证件号码", "姓名", "房屋坐落", "建筑面积", "登记日期"])
    sheet.write_row(1, 0, [ID1, "张三", "零阳镇1号", 98.5])
    sheet.write_datetime(1, 4, date(2020, 3, 1), book.add_format({"num_format": "yyyy-mm-dd"}))
    book.close()
    outcome = import_datasets([str(archive), str(xlsx)])
    assert outcome.ok and outcome.datasets == {"死亡人口": 1, "商品房": 1}
    house = DatasetRecord.objects.get(dataset__name="商品房")
    assert (house.date1, str(house.amount), house.data) == (
        date(2020, 3, 1),
        "98.5000",
        [ID1, "张三", "零阳镇1号", "98.5", "2020-03-01"],
    )


def test_gb18030_csv_with_tolerated_headers(regions, tmp_path):
    path = write_dataset(
        tmp_path,
        "工商注册",
        [
            {
                " 证件号码 ": ID1,
                "姓名*": "张三",
                "企业名称": "慈利县𠀀农业合作社",  # a character outside GBK: GB18030 only
                "身份": "股东",
                "注册资本(万元)": "12.5",
                "经营状态": "存续",
            }
        ],
        encoding="gb18030",
    )
    outcome = import_datasets([str(path)])
    assert outcome.ok, _errors(outcome)
    rec = DatasetRecord.objects.get()
    assert (rec.kind, rec.status, str(rec.amount), rec.id18) == ("股东", "存续", "12.5000", ID1)
    assert "慈利县𠀀农业合作社" in rec.data


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            [{"证件号码": ID1, "姓名": "张三"}],
            ("死亡人口", 1, "死亡日期", "缺少必填列“死亡日期”"),
        ),
        (
            [
                {"证件号码": ID1, "姓名": "张三", "死亡日期": "2024-01-01"},
                {"证件号码": "4.30821E+17", "姓名": "李四", "死亡日期": "2024-01-01"},
            ],
            ("死亡人口", 3, "证件号码", "证件号码被 Excel 转成了数字，请把该列设为文本后重新填写"),
        ),
        (
            [{"证件号码": ID1, "姓名": "张三", "死亡日期": "2024-13-01"}],
            (
                "死亡人口",
                2,
                "死亡日期",
                "“2024-13-01”不是有效的日期，应为 YYYY-MM-DD、YYYY/MM/DD 或 YYYYMMDD",
            ),
        ),
        (
            [{"证件号码": ID1, "姓名": "", "死亡日期": "2024-01-01"}],
            ("死亡人口", 2, "姓名", "姓名不能为空"),
        ),
    ],
    ids=["missing-column", "excel-mangled-id", "bad-date", "empty-required"],
)
def test_bad_input_names_sheet_row_column_and_writes_nothing(regions, tmp_path, rows, expected):
    good = write_dataset(
        tmp_path / "a", "财政供养", [{"证件号码": ID2, "姓名": "李四", "工作单位": "县一中"}]
    )
    bad = write_dataset(tmp_path / "b", "死亡人口", rows)
    audits = AuditEntry.objects.count()
    outcome = import_datasets([str(good), str(bad)])
    assert not outcome.ok
    assert _errors(outcome) == [expected]
    assert str(outcome.result.errors[0]).startswith(f"{expected[0]}表")
    assert _counts() == (0, 0)  # the good file was not written either
    assert AuditEntry.objects.count() == audits


def test_a_mangled_id_cell_in_an_xlsx_is_refused(regions, tmp_path):
    xlsx = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(str(xlsx))
    sheet = book.add_worksheet("财政供养")
    sheet.write_row(0, 0, ["证件号码", "姓名", "工作单位"])
    sheet.write_row(1, 0, [4.30821197005010e17, "张三", "县一中"])
    book.close()
    outcome = import_datasets([str(xlsx)])
    assert _errors(outcome) == [
        ("财政供养", 2, "证件号码", "证件号码被 Excel 转成了数字，请把该列设为文本后重新填写")
    ]
    assert _counts() == (0, 0)


def test_unknown_dataset_and_closed_vocabularies(regions, tmp_path):
    unknown = write_dataset(tmp_path, "车辆", [{"证件号码": ID1, "姓名": "张三"}])
    outcome = import_datasets([str(unknown)])
    assert outcome.result.errors[0].sheet == "车辆"
    assert outcome.result.errors[0].message.startswith("未知的数据集“车辆”")
    school = write_dataset(
        tmp_path, "学籍", [{"证件号码": ID1, "姓名": "张三", "学段": "初中", "学籍状态": "毕业"}]
    )
    outcome = import_datasets([str(school)])
    assert _errors(outcome) == [("学籍", 2, "学籍状态", "“毕业”不是有效的值，可选：在读、休学、辍学")]
    assert _counts() == (0, 0)


@pytest.mark.parametrize(
    "entry", ["../死亡人口.csv", "/tmp/死亡人口.csv", "a/../../死亡人口.csv", "C:\\死亡人口.csv"]
)
def test_zip_with_path_traversal_is_refused(regions, tmp_path, entry):
    source = write_dataset(
        tmp_path, "死亡人口", [{"证件号码": ID1, "姓名": "张三", "死亡日期": "2024-01-01"}]
    )
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(source, "财政供养.csv")
        z.writestr(zipfile.ZipInfo(entry), source.read_bytes())
    outcome = import_datasets([str(archive)])
    assert not outcome.ok
    assert "路径穿越" in outcome.result.errors[0].message and entry in outcome.result.errors[0].message
    assert _counts() == (0, 0)


def test_a_zip_bomb_is_refused_from_its_directory(regions, tmp_path, settings):
    settings.JINGZHUN_UPLOAD_MAX_INFLATED_BYTES = 1024 * 1024
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("死亡人口.csv", "证件号码,姓名,死亡日期\n" + "0" * (5 * 1024 * 1024))
    outcome = import_datasets([str(archive)])
    assert not outcome.ok and "超过单个部分的上限" in outcome.result.errors[0].message
    assert _counts() == (0, 0)


def test_a_new_import_replaces_the_previous_copy_and_is_audited(county_admin, tmp_path):
    first = write_dataset(
        tmp_path / "1", "死亡人口", [{"证件号码": ID1, "姓名": "张三", "死亡日期": "2024-01-01"}] * 3
    )
    assert import_datasets([str(first)]).datasets == {"死亡人口": 3}
    stamp = Dataset.objects.get().imported_at
    second = write_dataset(
        tmp_path / "2", "死亡人口", [{"证件号码": ID2, "姓名": "李四", "死亡日期": "2024-02-01"}]
    )
    outcome = import_datasets([str(second)], user=county_admin, file_name="民政局.csv")
    assert outcome.datasets == {"死亡人口": 1}
    ds = Dataset.objects.get()
    assert (ds.row_count, ds.imported_by, ds.imported_by_name, ds.file_name) == (
        1,
        county_admin,
        "admin",
        "民政局.csv",
    )
    assert ds.imported_at > stamp
    assert list(DatasetRecord.objects.values_list("id18", flat=True)) == [ID2]
    entries = list(AuditEntry.objects.filter(action="verification.dataset_import").order_by("id"))
    assert [(e.object_label, e.after["rows"]) for e in entries] == [("死亡人口", 3), ("死亡人口", 1)]
    assert entries[-1].actor == county_admin
    # a failed import later leaves this copy as it was
    third = write_dataset(tmp_path / "3", "死亡人口", [{"证件号码": ID1, "姓名": "张三", "死亡日期": "昨天"}])
    assert not import_datasets([str(third)]).ok
    assert list(DatasetRecord.objects.values_list("id18", flat=True)) == [ID2]
    assert Dataset.objects.get().row_count == 1


def test_the_same_row_has_the_same_fingerprint_whatever_the_column_order(regions, tmp_path):
    a = write_dataset(
        tmp_path / "a", "财政供养", [{"证件号码": ID1, "姓名": "张三", "工作单位": "县一中", "备注": "x"}]
    )
    import_datasets([str(a)])
    key = DatasetRecord.objects.get().key
    assert key == fingerprint(
        "财政供养", {"证件号码": ID1, "姓名": "张三", "工作单位": "县一中", "备注": "x"}
    )
    b = write_dataset(
        tmp_path / "b", "财政供养", [{"备注": "x", "工作单位": "县一中", "姓名": "张三", "证件号码": ID1}]
    )
    import_datasets([str(b)])
    assert DatasetRecord.objects.get().key == key
    c = write_dataset(
        tmp_path / "c", "财政供养", [{"证件号码": ID1, "姓名": "张三", "工作单位": "县二中", "备注": "x"}]
    )
    import_datasets([str(c)])
    assert DatasetRecord.objects.get().key != key


def _record_indexes():
    from django.db import connection

    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, DatasetRecord._meta.db_table)
    return sorted(name for name, c in found.items() if c["index"] and name.startswith("dsrec_"))


def _record_foreign_keys():
    from django.db import connection

    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, DatasetRecord._meta.db_table)
    return sorted(c["foreign_key"] for c in found.values() if c["foreign_key"])


def test_a_big_import_rebuilds_the_record_indexes_and_a_failed_one_keeps_them(regions, tmp_path, monkeypatch):
    from jingzhun.verification import importer

    monkeypatch.setattr(importer, "BULK_MIN_ROWS", 2)
    expected = ["dsrec_dataset_idx", "dsrec_id18_idx", "dsrec_near_idx"]
    assert _record_indexes() == expected
    rows = [{"证件号码": ID1, "姓名": "张三", "死亡日期": "2024-01-01"}] * 5
    assert import_datasets([str(write_dataset(tmp_path / "a", "死亡人口", rows))]).ok
    assert _record_indexes() == expected and DatasetRecord.objects.filter(id18=ID1).count() == 5
    # PostgreSQL drops the record's foreign key too and adds it again, checked over the table at once
    assert _record_foreign_keys() == [("verification_dataset", "id")]
    bad = rows + [{"证件号码": ID1, "姓名": "张三", "死亡日期": "坏日期"}]
    assert not import_datasets([str(write_dataset(tmp_path / "b", "死亡人口", bad))]).ok
    assert _record_indexes() == expected and DatasetRecord.objects.count() == 5
    assert _record_foreign_keys() == [("verification_dataset", "id")]


def test_a_dataset_given_twice_is_refused(regions, tmp_path):
    one = write_dataset(
        tmp_path / "a", "死亡人口", [{"证件号码": ID1, "姓名": "张三", "死亡日期": "2024-01-01"}]
    )
    xlsx = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(str(xlsx))
    sheet = book.add_worksheet("死亡人口")
    sheet.write_row(0, 0, ["证件号码", "姓名", "死亡日期"])
    sheet.write_row(1, 0, [ID2, "李四", "2024-02-01"])
    book.close()
    outcome = import_datasets([str(one), str(xlsx)])
    assert not outcome.ok and "重复出现" in outcome.result.errors[0].message
    assert outcome.result.errors[0].sheet == "死亡人口"
    assert _counts() == (0, 0)


def test_an_xlsx_names_its_sheet_row_and_column_for_a_bad_date_and_an_unknown_sheet(regions, tmp_path):
    xlsx = tmp_path / "部门.xlsx"
    book = xlsxwriter.Workbook(str(xlsx))
    good = book.add_worksheet("财政供养")
    good.write_row(0, 0, ["证件号码", "姓名", "工作单位"])
    good.write_row(1, 0, [ID1, "张三", "县一中"])
    deaths = book.add_worksheet("死亡人口")
    deaths.write_row(0, 0, ["证件号码", "姓名", "死亡日期"])
    deaths.write_row(1, 0, [ID2, "李四", "2024-02-01"])
    deaths.write_row(2, 0, [ID1, "张三", "二〇二四年"])
    other = book.add_worksheet("养老保险")
    other.write_row(0, 0, ["证件号码", "姓名"])
    book.close()
    outcome = import_datasets([str(xlsx)])
    found = _errors(outcome)
    assert ("死亡人口", 3, "死亡日期") in [e[:3] for e in found]
    assert any(e[0] == "养老保险" and e[3].startswith("未知的数据集“养老保险”") for e in found)
    assert _counts() == (0, 0)


def test_a_utf8_csv_with_a_bom_imports(regions, tmp_path):
    path = write_dataset(
        tmp_path, "财政供养", [{"证件号码": ID1, "姓名": "张三", "工作单位": "县一中"}], encoding="utf-8-sig"
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    outcome = import_datasets([str(path)])
    assert outcome.ok, _errors(outcome)
    assert DatasetRecord.objects.get().name == "张三"


TRICKY = [
    {"证件号码": ID1, "姓名": "张三", "工作单位": "县一中"},
    {"证件号码": "430821700501001", "姓名": "李四", "工作单位": "县\t一中"},  # first-generation ID
    {"证件号码": ID2 + "41", "姓名": "王 五", "工作单位": '县"一中'},  # 残疾人证 number
    {"证件号码": "43082119700501001x", "姓名": " 赵六", "工作单位": "县\\一中\n二中"},
    {"证件号码": ID1, "姓名": "钱七\u3000", "工作单位": "\\N"},
    {"证件号码": ID1, "姓名": "孙八", "工作单位": "县二中 "},
]


def _stored():
    fields = [f.attname for f in DatasetRecord._meta.concrete_fields if f.attname not in ("id", "dataset_id")]
    return sorted(DatasetRecord.objects.values_list("dataset__name", *fields), key=lambda r: (r[0], r[1]))


def test_worker_processes_store_the_same_values_and_fingerprints(regions, tmp_path, monkeypatch, check_mode):
    """The same rows imported with the checks in this process and in the worker processes: every stored
    column the same, fingerprints too; the rows of a sheet keep their order (ids rise with the row)."""
    from jingzhun.verification import importer

    vehicles = [
        {"证件号码": ID1, "姓名": "张三", "号牌号码": "湘G1", "车辆类型": "小型轿车", "注册日期": "2020/3/1"},
        {"证件号码": ID2, "姓名": "李四", "号牌号码": "湘G2", "车辆类型": "摩托车", "注册日期": ""},
    ] * 30
    datasets = {"财政供养": TRICKY * 20, "车辆登记": vehicles}
    folder = tmp_path / "in"
    paths = [str(write_dataset(folder, name, rows)) for name, rows in datasets.items()]
    monkeypatch.setattr(importer, "PARALLEL_MIN_ROWS", 10**9)
    assert import_datasets(paths).ok
    serial = _stored()
    monkeypatch.setattr(importer, "PARALLEL_MIN_ROWS", 0)
    monkeypatch.setattr(importer, "PARALLEL_VENDORS", ("postgresql", "sqlite"))
    outcome = import_datasets(paths)
    assert outcome.ok and outcome.datasets == {"财政供养": 120, "车辆登记": 60}
    assert _stored() == serial and len(serial) == 180
    assert [r.row for r in DatasetRecord.objects.filter(dataset__name="财政供养").order_by("id")] == list(
        range(2, 122)
    )
    assert Dataset.objects.get(name="车辆登记").row_count == 60


def test_an_error_in_one_sheet_of_many_writes_nothing_and_reports_every_error(regions, tmp_path, check_mode):
    folder = tmp_path / "in"
    good = [{"证件号码": ID1, "姓名": "张三", "死亡日期": "2024-01-01"}] * 50
    bad = [{"证件号码": ID2, "姓名": "李四", "工作单位": "县一中"}] * 40 + [
        {"证件号码": "", "姓名": "王五", "工作单位": "县一中"},
        {"证件号码": ID2, "姓名": "", "工作单位": "县一中"},
    ]
    write_dataset(folder, "死亡人口", good)
    write_dataset(folder, "财政供养", bad)
    outcome = import_datasets([str(folder)])
    assert not outcome.ok and outcome.datasets == {} and _counts() == (0, 0)
    assert _errors(outcome) == [
        ("财政供养", 42, "证件号码", "证件号码不能为空"),
        ("财政供养", 43, "姓名", "姓名不能为空"),
    ]


def test_progress_goes_through_the_import_connection_between_copies(
    regions, tmp_path, monkeypatch, check_mode
):
    """A job's progress row is written through the import's own connection: on PostgreSQL never while a
    COPY holds it (a statement then waits for the COPY for ever: the import would hang)."""
    from django.db import connection

    from jingzhun.verification import importer

    monkeypatch.setattr(importer, "PROGRESS_EVERY", 2)
    monkeypatch.setattr("jingzhun.verification.dataset_workers.BATCH", 3)
    seen = []

    def progress(done, total, message):
        if connection.vendor == "postgresql":
            from psycopg import pq

            assert connection.connection.pgconn.transaction_status != pq.TransactionStatus.ACTIVE
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM verification_datasetrecord")
            seen.append((done, cursor.fetchone()[0]))

    rows = [{"证件号码": ID1, "姓名": "张三", "死亡日期": "2024-01-01"}] * 7
    folder = tmp_path / "in"
    write_dataset(folder, "死亡人口", rows)
    write_dataset(folder, "财政供养", [{"证件号码": ID2, "姓名": "李四", "工作单位": "县一中"}] * 5)
    outcome = import_datasets([str(folder)], progress=progress)
    assert outcome.ok and outcome.datasets == {"死亡人口": 7, "财政供养": 5}
    assert len(seen) >= 3 and [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_the_row_cap_counts_every_sheet_of_the_upload(regions, tmp_path, settings, check_mode):
    """Each sheet under the cap, together over it: refused, nothing written (the worker processes each
    see their own sheets: the importer adds them up)."""
    from jingzhun.workbook.upload_limits import rows_message

    settings.JINGZHUN_DATASET_MAX_ROWS = 6
    folder = tmp_path / "in"
    write_dataset(folder, "死亡人口", [{"证件号码": ID1, "姓名": "张三", "死亡日期": "2024-01-01"}] * 4)
    write_dataset(folder, "财政供养", [{"证件号码": ID2, "姓名": "李四", "工作单位": "县一中"}] * 4)
    outcome = import_datasets([str(folder)])
    assert not outcome.ok and _counts() == (0, 0)
    assert [e.message for e in outcome.result.errors] == [rows_message(6)]
    settings.JINGZHUN_DATASET_MAX_ROWS = 8
    assert import_datasets([str(folder)]).ok


def _partition_state():
    """PostgreSQL: {dataset name: its partition's table} and the tables of the records' family (the
    partitions, the DEFAULT one, any table an import left behind); SQLite: nothing to inspect."""
    from django.db import connection

    from jingzhun.verification.dataset_partitions import partition_of, partitioned

    if connection.vendor != "postgresql":
        return None
    assert partitioned()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind IN ('r', 'p') "
            "AND relname LIKE 'verification\\_datasetrecord%%' ORDER BY relname"
        )
        tables = [r[0] for r in cursor.fetchall()]
    return {ds.name: partition_of(ds.pk) for ds in Dataset.objects.all()}, tables


def _records_by_dataset():
    return {
        name: sorted(DatasetRecord.objects.filter(dataset__name=name).values_list("id", "id18", "row"))
        for name in Dataset.objects.values_list("name", flat=True)
    }


def test_a_reimport_replaces_only_its_dataset_and_a_failed_one_keeps_every_copy(
    regions, tmp_path, monkeypatch, check_mode
):
    """Re-importing one dataset replaces its copy (PostgreSQL: a new partition swapped in for the old
    one, the old one dropped, nothing left behind) and leaves the other datasets' rows as they were;
    an import failing after rows were already copied (an error in the last row of a later batch) leaves
    every copy and partition as it was."""
    from jingzhun.verification import importer

    monkeypatch.setattr(importer, "BULK_MIN_ROWS", 2)  # SQLite: the big-import path (indexes rebuilt)
    monkeypatch.setattr("jingzhun.verification.dataset_workers.BATCH", 3)
    monkeypatch.setattr("jingzhun.verification.dataset_writer.BATCH", 3)
    folder = tmp_path / "1"
    write_dataset(folder, "死亡人口", [{"证件号码": ID1, "姓名": "张三", "死亡日期": "2024-01-01"}] * 4)
    write_dataset(folder, "财政供养", [{"证件号码": ID2, "姓名": "李四", "工作单位": "县一中"}] * 3)
    assert import_datasets([str(folder)]).ok
    before = _records_by_dataset()
    first = _partition_state()
    second = write_dataset(
        tmp_path / "2", "死亡人口", [{"证件号码": ID2, "姓名": "李四", "死亡日期": "2024-02-01"}] * 2
    )
    assert import_datasets([str(second)]).datasets == {"死亡人口": 2}
    after = _records_by_dataset()
    assert after["财政供养"] == before["财政供养"]
    assert [(i18, row) for _, i18, row in after["死亡人口"]] == [(ID2, 2), (ID2, 3)]
    assert _record_indexes() == ["dsrec_dataset_idx", "dsrec_id18_idx", "dsrec_near_idx"]
    state = _partition_state()
    if state is not None:
        (parts1, _), (parts2, tables2) = first, state
        assert parts2["财政供养"] == parts1["财政供养"]
        assert parts2["死亡人口"] not in (None, parts1["死亡人口"])
        assert tables2 == sorted(
            [*parts2.values(), "verification_datasetrecord", "verification_datasetrecord_default"]
        )
        assert parts1["死亡人口"] not in tables2
    bad = [{"证件号码": ID1, "姓名": "张三", "死亡日期": "2024-03-01"}] * 8 + [
        {"证件号码": ID1, "姓名": "张三", "死亡日期": "昨天"}
    ]
    third = write_dataset(tmp_path / "3", "死亡人口", bad)
    outcome = import_datasets([str(third)])
    assert not outcome.ok and [e[:3] for e in _errors(outcome)] == [("死亡人口", 10, "死亡日期")]
    assert _records_by_dataset() == after
    assert _partition_state() == state
    assert Dataset.objects.get(name="死亡人口").row_count == 2


def test_rows_written_outside_the_importer_are_replaced_by_the_next_import(regions, tmp_path, check_mode):
    """A dataset's rows written by anything but the importer (PostgreSQL: in the DEFAULT partition,
    the dataset having none of its own) are its copy too: the next import replaces them."""
    from django.utils import timezone

    from jingzhun.verification.importer import county_code

    ds = Dataset.objects.create(
        county_code=county_code(), name="死亡人口", file_name="x.csv", imported_at=timezone.now()
    )
    other = Dataset.objects.create(
        county_code=county_code(), name="财政供养", file_name="y.csv", imported_at=timezone.now()
    )
    for dataset, number in ((ds, ID1), (other, ID2)):
        DatasetRecord.objects.create(
            dataset=dataset, row=2, id_number=number, id18=number, id_kind="i", name="张三", gender="男",
            kind="", status="", key="k", data=[number],
        )  # fmt: skip
    path = write_dataset(tmp_path, "死亡人口", [{"证件号码": ID2, "姓名": "李四", "死亡日期": "2024-02-01"}])
    assert import_datasets([str(path)]).datasets == {"死亡人口": 1}
    assert sorted(DatasetRecord.objects.values_list("dataset__name", "id18")) == [
        ("死亡人口", ID2),
        ("财政供养", ID2),
    ]


@pytest.mark.django_db(transaction=True)
def test_another_connection_reads_the_previous_copy_until_the_commit(
    regions, tmp_path, monkeypatch, check_mode
):
    """While an import runs, another connection reads the previous copy, whole (rows already copied
    into the new table are not seen); after the swap it waits for the commit, then reads the new copy,
    whole. On PostgreSQL, from a second connection of its own; SQLite's test database lives in memory
    (one connection), so there only the outcome is checked."""
    import threading

    from django.db import connection

    from jingzhun.verification import importer
    from jingzhun.verification.dataset_writer import RecordWriter

    first = write_dataset(
        tmp_path / "1", "死亡人口", [{"证件号码": ID1, "姓名": "张三", "死亡日期": "2024-01-01"}] * 3
    )
    assert import_datasets([str(first)]).ok
    dataset_id = Dataset.objects.get().pk
    monkeypatch.setattr(importer, "PROGRESS_EVERY", 2)
    monkeypatch.setattr("jingzhun.verification.dataset_workers.BATCH", 2)
    postgres = connection.vendor == "postgresql"

    def read():
        """(count, id18) of the dataset's records, from a connection of its own"""
        import psycopg

        s = connection.settings_dict
        with psycopg.connect(
            dbname=s["NAME"], user=s["USER"], host=s["HOST"], port=s["PORT"], password=s["PASSWORD"]
        ) as other:
            row = other.execute(
                "SELECT COUNT(*), MIN(id18), MAX(id18) FROM verification_datasetrecord WHERE dataset_id = %s",
                [dataset_id],
            ).fetchone()
        assert row[1] == row[2]  # never a mix of the two copies
        return row[0], row[1]

    during: list = []
    after_swap: dict = {}
    finish = RecordWriter.finish

    def finish_then_read_from_a_thread(self):
        finish(self)  # everything in place, not committed yet
        if postgres:
            thread = threading.Thread(target=lambda: after_swap.update(seen=read()))
            thread.start()
            thread.join(0.5)
            after_swap["blocked"] = thread.is_alive()  # waiting for the commit
            after_swap["thread"] = thread

    monkeypatch.setattr(RecordWriter, "finish", finish_then_read_from_a_thread)
    rows = [{"证件号码": ID2, "姓名": "李四", "死亡日期": "2024-02-01"}] * 7
    second = write_dataset(tmp_path / "2", "死亡人口", rows)
    outcome = import_datasets([str(second)], progress=lambda *_: postgres and during.append(read()))
    assert outcome.ok and outcome.datasets == {"死亡人口": 7}
    assert sorted(DatasetRecord.objects.values_list("id18", flat=True)) == [ID2] * 7
    if postgres:
        assert during and set(during) == {(3, ID1)}
        after_swap["thread"].join(10)
        assert after_swap["blocked"] and after_swap["seen"] == (7, ID2)
        assert read() == (7, ID2)


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_import_checks_its_foreign_keys_once_and_turns_them_on_again(
    regions, tmp_path, check_mode
):
    """SQLite, an import outside any transaction: the foreign keys are off while it writes, checked
    once before its commit, and on again after it — committed or rolled back."""
    from django.db import connection

    def foreign_keys_on():
        if connection.vendor != "sqlite":
            return True
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys")
            return bool(cursor.fetchone()[0])

    good = write_dataset(
        tmp_path / "1", "死亡人口", [{"证件号码": ID1, "姓名": "张三", "死亡日期": "2024-01-01"}]
    )
    assert import_datasets([str(good)]).datasets == {"死亡人口": 1}
    assert foreign_keys_on()
    bad = write_dataset(tmp_path / "2", "死亡人口", [{"证件号码": ID1, "姓名": "张三", "死亡日期": "昨天"}])
    assert not import_datasets([str(bad)]).ok
    assert foreign_keys_on() and _counts() == (1, 1)
    if connection.vendor == "sqlite":  # the check before the commit refuses a record of no dataset
        from django.db import IntegrityError

        from jingzhun.verification import dataset_writer

        with pytest.raises(IntegrityError):
            dataset_writer.check_foreign_keys([Dataset.objects.get().pk, 10**9])
