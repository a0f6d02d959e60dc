"""`jingzhun verify crosscheck`: a LibreOffice-written workbook in, the spec's CSV out (exact), and the
Chinese summary with the records that matched nobody."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from jingzhun.cli import main
from jingzhun.core.models import AuditEntry
from jingzhun.verification.models import Dataset
from tests.factories import member_row, register
from tests.verification.helpers import write_dataset

pytestmark = pytest.mark.django_db
GOLDEN = Path(__file__).parent / "golden" / "departmental_libreoffice.xlsx"
HEAD, SPOUSE, SON = "430821197005010011", "430821197203090024", "430821200609010033"


@pytest.fixture
def family(admin_actor):
    return register(
        admin_actor,
        code="H0001",
        members=[
            member_row("张三", "户主", date(1970, 5, 1), id_number=HEAD),
            member_row("李四", "配偶", date(1972, 3, 9), male=False, id_number=SPOUSE),
            member_row(
                "张小明", "之子", date(2006, 9, 1), id_number=SON, school_status="初中", education="小学"
            ),
        ],
    )


def test_libreoffice_workbook_to_the_exact_csv(family, tmp_path, capsys):
    extra = write_dataset(
        tmp_path,
        "财政供养",
        [
            {
                "证件号码": "430821199001010010",
                "姓名": "路人",
                "工作单位": "县财政局",
            },  # nobody in the registry
            {"证件号码": SON[:16] + "5" + SON[17], "姓名": "张小明", "工作单位": "县一中"},  # near
        ],
    )
    out = tmp_path / "hits.csv"
    assert (
        main(
            [
                "verify",
                "crosscheck",
                str(GOLDEN),
                str(extra),
                "--year",
                "2024",
                "--out",
                str(out),
                "--user",
                "admin",
            ]
        )
        == 0
    )
    assert out.read_text(encoding="utf-8").splitlines() == [
        "规则代码,数据集,户编号,证件号码,姓名,匹配方式,说明",
        "X-BUSINESS,工商注册,H0001,430821197203090024,李四,证件号码,李四 为企业“慈利县茶叶有限公司”的法定代表人（注册资本 10 万元，存续）",
        "X-DEATH,死亡人口,H0001,430821197005010011,张三,证件号码,张三 在死亡人口名单中（死亡日期 2024-03-05），仍在册",
        "X-INSURANCE,医保参保,H0001,430821197005010011,张三,,张三 登记参加基本医疗保险，但医保名单无 2024 年参保记录",
        "X-INSURANCE,医保参保,H0001,430821197203090024,李四,,李四 登记参加基本医疗保险，但医保名单无 2024 年参保记录",
        "X-INSURANCE,医保参保,H0001,430821200609010033,张小明,证件号码,张小明 登记参加基本医疗保险，但医保名单无 2024 年参保记录",
        "X-PAYROLL,财政供养,H0001,430821200609010033,张小明,近似,张小明 为财政供养人员（工作单位 县一中）",
    ]
    printed = capsys.readouterr().out
    assert "已导入 死亡人口：1 条（替换原有数据）" in printed
    assert "比对 5 条记录，发现疑点 6 条" in printed
    assert "财政供养：2 条记录，其中 1 条未匹配到在册人员" in printed
    assert "死亡人口：1 条记录，其中 0 条未匹配到在册人员" in printed
    assert Dataset.objects.get(name="死亡人口").imported_by_name == "admin"
    export = AuditEntry.objects.get(action="verification.crosscheck_export")
    assert export.after == {"rows": 6, "region": ""}
    # a re-run on the stored datasets gives the same file
    again = tmp_path / "again.csv"
    assert main(["verify", "crosscheck", "--year", "2024", "--out", str(again)]) == 0
    assert again.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


def test_bad_input_exits_1_and_names_the_cell(family, tmp_path, capsys):
    bad = write_dataset(tmp_path, "死亡人口", [{"证件号码": HEAD, "姓名": "张三", "死亡日期": "2024-02-30"}])
    out = tmp_path / "hits.csv"
    assert main(["verify", "crosscheck", str(bad), "--year", "2024", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "未写入任何数据" in err and "死亡人口表第2行【死亡日期】“2024-02-30”" in err
    assert not out.exists() and Dataset.objects.count() == 0


def test_as_a_named_account_it_may_do_and_see_what_the_pages_allow(
    family, county_leader, village_cadre, tmp_path, capsys
):
    """--user acts as that account: the 县领导 (no sensitive permission) may not import and gets the
    CSV masked as on the pages; a 村干部 (no departmental data) is refused; nothing is written."""
    deaths = write_dataset(
        tmp_path, "死亡人口", [{"证件号码": HEAD, "姓名": "张三", "死亡日期": "2024-03-05"}]
    )
    out = tmp_path / "hits.csv"
    args = ["verify", "crosscheck", "--year", "2024", "--out", str(out)]
    assert main([*args, str(deaths), "--user", county_leader.username]) == 1
    assert "没有导入部门数据的权限" in capsys.readouterr().err
    assert Dataset.objects.count() == 0 and not out.exists()
    assert main([*args, str(deaths), "--user", "admin"]) == 0
    assert main([*args, "--user", village_cadre.username]) == 1
    assert "无权查看部门数据比对" in capsys.readouterr().err
    assert main([*args, "--user", county_leader.username]) == 0
    text = out.read_text(encoding="utf-8")
    assert HEAD not in text and f"X-DEATH,死亡人口,H0001,{HEAD[:6]}********{HEAD[-4:]},张三,证件号码," in text
    export = AuditEntry.objects.filter(action="verification.crosscheck_export").order_by("id").last()
    assert export.actor == county_leader and export.after["masked"] is True


def test_reruns_on_reimported_files_keep_one_clue_and_a_dismissed_record_stays_answered(
    family, village_cadre, tmp_path, capsys
):
    """End to end through the command: the same file imported again (new rows, same fingerprints) and
    run again adds no clue; a clue closed 不属实 is not raised again for that record; the department's
    corrected record (another 死亡日期) is a new question."""
    from jingzhun.accounts.access import actor_for
    from jingzhun.ledger import services
    from jingzhun.verification.models import Clue

    def run(rows):
        path = write_dataset(tmp_path / str(len(list(tmp_path.iterdir()))), "死亡人口", rows)
        out = tmp_path / "hits.csv"
        assert main(["verify", "crosscheck", str(path), "--year", "2024", "--out", str(out)]) == 0
        return capsys.readouterr().out.strip().splitlines()[-1]

    deaths = [
        {"证件号码": HEAD, "姓名": "张三", "死亡日期": "2024-03-05"},
        {"证件号码": SPOUSE, "姓名": "李四", "死亡日期": "2024-04-01"},
    ]
    assert "新增线索 2 条" in run(deaths)
    assert run(deaths).endswith("新增线索 0 条，已有线索 2 条，已核实不再提出 0 条，不再命中 0 条")
    assert Clue.objects.count() == 2
    cadre = actor_for(village_cadre)
    dismissed = Clue.objects.get(member__id_number=SPOUSE)
    services.item_move(actor=cadre, item=dismissed.item, action="start")
    services.item_move(actor=cadre, item=dismissed.item, action="close_false", note="本人健在，见面核实")
    assert "新增线索 0 条，已有线索 1 条，已核实不再提出 1 条" in run(list(reversed(deaths)))
    corrected = [deaths[0], {**deaths[1], "死亡日期": "2024-05-01"}]
    assert "新增线索 1 条" in run(corrected)
    assert Clue.objects.filter(member__id_number=SPOUSE).count() == 2
    assert Clue.objects.filter(member__id_number=HEAD).count() == 1


def test_a_dibao_follow_up_corrects_both_categories_so_the_rerun_finds_nothing(
    family, county_admin, village_cadre, tmp_path, capsys
):
    """X-DIBAO gives one clue per member naming both categories when both disagree: 张三 is 特困 = 是 in
    the registry and 低保 = 否, while 民政 has only a 低保 period. The confirmed clue's follow-up corrects
    both flags (read from all of his current records, not only the clue's), so the command's re-run finds
    no X-DIBAO mismatch left for him; 李四 (低保 = 是, no record at all) has only her own flag corrected."""
    from jingzhun.accounts.access import actor_for
    from jingzhun.ledger import services
    from jingzhun.registry.models import Member
    from jingzhun.verification.crosscheck import household_crosscheck, run_crosscheck_python
    from jingzhun.verification.followups import followup_apply
    from jingzhun.verification.models import Clue

    Member.objects.filter(id_number=HEAD).update(tekun=True, dibao=False)
    Member.objects.filter(id_number=SPOUSE).update(dibao=True, tekun=False)
    rows = [
        {
            "证件号码": HEAD,
            "姓名": "张三",
            "救助类别": "特困",
            "起始日期": "2019-01-01",
            "终止日期": "2023-12-31",
        },
        {"证件号码": HEAD, "姓名": "张三", "救助类别": "低保", "起始日期": "2024-01-01"},
    ]
    path = write_dataset(tmp_path, "低保特困", rows)
    out = tmp_path / "hits.csv"

    def dibao_rows(*args: str) -> list[str]:
        assert main(["verify", "crosscheck", *args, "--year", "2024", "--out", str(out)]) == 0
        return [line for line in out.read_text(encoding="utf-8").splitlines() if line.startswith("X-DIBAO,")]

    assert dibao_rows(str(path)) == [
        f"X-DIBAO,低保特困,H0001,{HEAD},张三,证件号码,张三 民政名单在 2024 年末有有效低保记录，但登记低保为否；"
        "登记为特困供养，但民政名单在 2024 年末无有效特困记录",
        f"X-DIBAO,低保特困,H0001,{SPOUSE},李四,,李四 登记为低保，但民政名单在 2024 年末无有效低保记录",
    ]
    cadre, admin = actor_for(village_cadre), actor_for(county_admin)
    for clue in Clue.objects.filter(rule="X-DIBAO").order_by("id"):
        services.item_move(actor=cadre, item=clue.item, action="start")
        services.item_move(actor=cadre, item=clue.item, action="close_true", note="入户核实，与民政一致")
    head = Clue.objects.get(rule="X-DIBAO", member__id_number=HEAD)
    spouse = Clue.objects.get(rule="X-DIBAO", member__id_number=SPOUSE)
    assert head.followup["label"] == "更正低保为“是”、特困供养为“否”"
    assert spouse.followup["label"] == "更正低保为“否”" and "also" not in spouse.followup
    followup_apply(actor=admin, clue=head)
    followup_apply(actor=admin, clue=spouse)
    capsys.readouterr()
    assert dibao_rows() == []
    assert "新增线索 0 条" in capsys.readouterr().out
    assert [h for h in run_crosscheck_python(2024) if h.rule == "X-DIBAO"] == []
    assert [h for h in household_crosscheck(family.pk, 2024) if h.rule == "X-DIBAO"] == []
    assert not Clue.objects.filter(
        rule="X-DIBAO", still_hit=True, item__status__in=["待核查", "核查中"]
    ).exists()
    assert (Member.objects.get(id_number=HEAD).dibao, Member.objects.get(id_number=HEAD).tekun) == (
        True,
        False,
    )
    assert Member.objects.get(id_number=SPOUSE).dibao is False
