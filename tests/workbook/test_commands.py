"""`jingzhun registry import|export`: exit codes, messages, the error report next to the input."""

from __future__ import annotations

from pathlib import Path

import pytest

from jingzhun.registry.models import Household
from jingzhun.workbook.commands import run_export, run_import


@pytest.mark.django_db
def test_import_exits_0_and_prints_the_counts(golden, regions, capsys):
    assert (
        run_import(path=golden("valid_gb18030"), dry_run=False, username=None, errors_out=None, progress=None)
        == 0
    )
    assert "户：新增 2" in capsys.readouterr().out
    assert Household.objects.count() == 2


@pytest.mark.django_db
def test_dry_run_writes_nothing(golden, regions):
    assert (
        run_import(path=golden("valid_utf8"), dry_run=True, username=None, errors_out=None, progress=None)
        == 0
    )
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_invalid_input_exits_1_with_a_report_next_to_the_input(golden, regions, capsys):
    folder = golden("no_head")
    assert run_import(path=folder, dry_run=False, username=None, errors_out=None, progress=None) == 1
    err = capsys.readouterr().err
    assert "导入失败：共 1 个错误，未写入任何数据" in err and "没有户主" in err
    assert Path(folder).with_name("no_head-错误报告.xlsx").exists()


@pytest.mark.django_db
def test_the_report_goes_where_asked(golden, regions, tmp_path):
    out = tmp_path / "report.csv"
    assert (
        run_import(
            path=golden("unknown_village"), dry_run=False, username=None, errors_out=str(out), progress=None
        )
        == 1
    )
    assert "430821999299" in out.read_text(encoding="utf-8-sig")


@pytest.mark.django_db
def test_bad_arguments_exit_1(regions, tmp_path, township_cadre, village_cadre, capsys):
    assert (
        run_import(
            path=str(tmp_path / "none.xlsx"), dry_run=False, username=None, errors_out=None, progress=None
        )
        == 1
    )
    assert (
        run_import(path=str(tmp_path), dry_run=False, username="nobody", errors_out=None, progress=None) == 1
    )
    assert (
        run_import(path=str(tmp_path), dry_run=False, username="village", errors_out=None, progress=None) == 1
    )
    assert run_export(out=str(tmp_path / "x.xlsx"), region="430821999999", year=None, progress=None) == 1
    assert run_export(out=str(tmp_path / "x.xlsx"), region=None, year=2017, progress=None) == 1
    err = capsys.readouterr().err
    assert "文件不存在" in err and "没有导入登记簿的权限" in err and "不存在" in err and "快照" in err


@pytest.mark.django_db
def test_export_of_a_year_reads_the_snapshot(golden, regions, tmp_path, system_actor):
    from python_calamine import CalamineWorkbook

    from jingzhun.registry.services.snapshots import snapshot_take

    assert (
        run_import(path=golden("valid_utf8"), dry_run=False, username=None, errors_out=None, progress=None)
        == 0
    )
    snapshot_take(actor=system_actor, year=2018)
    live = tmp_path / "live.xlsx"
    assert run_export(out=str(live), region=None, year=None, progress=None) == 0
    Household.objects.filter(code="G0001").update(group_name="改过")
    snap = tmp_path / "2018.xlsx"
    assert run_export(out=str(snap), region="430821102000", year=2018, progress=None) == 0
    rows = CalamineWorkbook.from_path(str(snap)).get_sheet_by_name("户").to_python()
    assert [r[0] for r in rows[1:]] == ["G0001"] and rows[1][2] == "3组"
    live_rows = CalamineWorkbook.from_path(str(live)).get_sheet_by_name("成员").to_python()
    snap_rows = CalamineWorkbook.from_path(str(snap)).get_sheet_by_name("成员").to_python()
    assert snap_rows == [r for r in live_rows if r[0] in ("户编号", "G0001")]


@pytest.mark.django_db
def test_a_command_line_export_is_audited_with_its_filter_and_counts(golden, regions, tmp_path):
    from jingzhun.core.models import AuditEntry

    assert (
        run_import(path=golden("valid_utf8"), dry_run=False, username=None, errors_out=None, progress=None)
        == 0
    )
    out = tmp_path / "live.xlsx"
    assert run_export(out=str(out), region="430821102000", year=None, progress=None) == 0
    entry = AuditEntry.objects.get(action="registry.export")
    assert entry.actor_name == "系统" and entry.at is not None
    assert entry.after["filters"] == {"region": "430821102000"}
    assert entry.after["households"] > 0 and entry.after["members"] > 0
