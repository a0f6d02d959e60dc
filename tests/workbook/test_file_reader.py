"""Reading: CSV encodings, LibreOffice-written xlsx, zip, header tolerance, unknown columns."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from jingzhun.registry.models import Household, Member
from jingzhun.workbook.file_reader import Workbook, WorkbookError, detect_encoding
from jingzhun.workbook.importer import import_path


def test_it_detects_gb18030_and_utf8(golden):
    gb = Path(golden("valid_gb18030")) / "户.csv"
    utf = Path(golden("valid_utf8")) / "户.csv"
    assert detect_encoding(lambda: gb.open("rb")) == "gb18030"
    assert detect_encoding(lambda: utf.open("rb")) == "utf-8-sig"
    plain = utf.with_name("plain.csv")
    plain.write_bytes(utf.read_bytes()[3:])
    assert detect_encoding(lambda: plain.open("rb")) == "utf-8"


def test_it_refuses_a_missing_or_foreign_file(tmp_path):
    with pytest.raises(WorkbookError, match="文件不存在"):
        Workbook(str(tmp_path / "nope.xlsx"))
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    with pytest.raises(WorkbookError, match="无法识别"):
        Workbook(str(bad))


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["valid_gb18030", "valid_utf8", "libreoffice.xlsx"])
def test_it_imports_the_golden_sets(golden, system_actor, name):
    result = import_path(golden(name), actor=system_actor)
    assert result.errors == []
    assert (result.households_new, result.members_new) == (2, 4)
    head = Household.objects.get(code="G0001")
    assert (head.head_name, head.member_count, head.head_initials) == ("向国强", 3, "xgq")
    assert head.incomes.get().wage == pytest.approx(12000.50)
    five_guarantee = Household.objects.get(code="G0002")
    assert five_guarantee.attribute == "特困供养贫困户"  # 五保贫困户 accepted as 特困供养贫困户
    assert (five_guarantee.food_secure, five_guarantee.clothing_secure, five_guarantee.water_safe) == (
        True,
    ) * 3
    assert Member.objects.get(name="李秀兰").ethnicity == "汉族"
    assert head.events.get().kind == "新识别"


@pytest.mark.django_db
def test_it_reads_a_zip_of_gbk_csvs(golden, tmp_path, system_actor):
    folder = Path(golden("valid_gb18030"))
    archive = tmp_path / "set.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for csv_file in folder.iterdir():
            zf.write(csv_file, f"导出/{csv_file.name}")
    result = import_path(str(archive), actor=system_actor, dry_run=True)
    assert result.errors == []
    assert result.households_new == 2


class _RawNameInfo(zipfile.ZipInfo):
    """An entry whose name is stored as the given bytes, without the UTF-8 flag (as non-Python zippers do)."""

    def __init__(self, raw: bytes):
        super().__init__(raw.decode("cp437"))
        self.raw = raw

    def _encodeFilenameFlags(self):  # noqa: N802 (zipfile's name)
        return self.raw, self.flag_bits


@pytest.mark.django_db
@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda name: _RawNameInfo(name.encode("gbk")), id="GBK, no flag (Chinese Windows)"),
        pytest.param(lambda name: _RawNameInfo(name.encode("utf-8")), id="UTF-8, no flag (Info-ZIP, macOS)"),
        pytest.param(lambda name: zipfile.ZipInfo(name), id="UTF-8 with the flag"),
    ],
)
def test_it_finds_the_sheets_whatever_encoding_the_zip_gave_their_names(
    golden, tmp_path, system_actor, encode
):
    folder = Path(golden("valid_utf8"))
    archive = tmp_path / "set.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for csv_file in sorted(folder.iterdir()):
            zf.writestr(encode(f"登记簿/{csv_file.name}"), csv_file.read_bytes())
    result = import_path(str(archive), actor=system_actor, dry_run=True)
    assert result.errors == []
    assert (result.households_new, result.members_new) == (2, 4)


@pytest.mark.django_db
def test_it_tolerates_full_width_brackets_and_spaces_and_warns_of_unknown_columns(golden, system_actor):
    result = import_path(golden("fullwidth_header"), actor=system_actor)
    assert result.errors == []
    assert result.members_new == 4
    assert [(w.sheet, w.value, w.message) for w in result.warnings] == [
        ("户", "备注", "无法识别的列，已忽略")
    ]
    assert Member.objects.get(name="向国强").work_months == 6


@pytest.mark.django_db
def test_it_reports_a_missing_required_column(golden, system_actor):
    folder = Path(golden("valid_utf8"))
    path = folder / "成员.csv"
    text = path.read_text(encoding="utf-8-sig").replace("在校生状况", "在校情况")
    path.write_text(text, encoding="utf-8-sig")
    result = import_path(str(folder), actor=system_actor)
    assert "缺少必填列“在校生状况”" in [e.message for e in result.errors]
    assert not Household.objects.exists()
