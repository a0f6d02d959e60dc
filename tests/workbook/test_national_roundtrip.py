"""Import → export in the same national layout gives the same rows (issue 14, a property test).

Hypothesis draws national person lists in either layout — households in several villages (named as the
regions table names them), 1–4 people each, every 脱贫属性 spelling, 五保贫困户, 因病致贫, 户类型 脱贫户 / 一般农户
/ empty, 危房户 and 安全饮用水 是/否/empty, 人均纯收入 with and without a thousands separator or empty, phones,
dates, the monitoring columns, empty cells where the list may leave them — writes it as an xlsx, imports it
with the national importer and exports it with `--layout` of the same layout: every row equals the file's.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jingzhun.lib import idcard
from jingzhun.regions.models import Region
from jingzhun.registry import enums
from jingzhun.registry.models import Household
from jingzhun.workbook.importer import import_path
from jingzhun.workbook.national_export import export_national
from jingzhun.workbook.national_layout import LAYOUT_2016, LAYOUT_2021
from tests.workbook.national_files import write_xlsx

VILLAGES = ("430821001001", "430821102204", "430821106210")  # 南街居委会, 杜坪村委会, 白马村委会
_people = itertools.count(1)
_households = itertools.count(1)
NAMES = ["向国强", "李秀兰", "覃正华", "王春梅", "田桂英", "彭德贵", "张小明", "刘一"]
OTHERS = ["配偶", "之子", "之女", "之母", "之孙子"]
EXIT_2016 = [
    "未脱贫",
    "已脱贫",
    "返贫",
    "已脱贫(享受政策)",
    "已脱贫(不享受政策)",
    "已脱贫（不享受政策）",
    "预脱贫",
    "",
]
ATTRIBUTES = ["一般贫困户", "低保贫困户", "特困供养贫困户", "五保贫困户"]
CAUSES = ["因病", "因病致贫", "因残", "缺劳力", "因学致贫", "自身发展动力不足"]
YES_NO = ["是", "否", ""]
DATA_DATE = "2024-06-30"


def _choice(values):
    return st.sampled_from(list(values))


@st.composite
def person(draw, layout: str, head: bool) -> dict[str, str]:
    n = next(_people)
    birth = date(1940, 1, 1) + timedelta(days=n * 3)  # one birth date per person: IDs never collide
    resident = idcard.make("430821", birth, draw(st.integers(min_value=1, max_value=999)))
    p = {
        "人编号": draw(_choice(["", f"P{n:06d}"])),
        "姓名": draw(_choice(NAMES)),
        "证件号码": resident,
        "与户主关系": "户主" if head else draw(_choice(OTHERS)),
        "民族": draw(_choice(["", "汉族", "土家族", "白族"])),
        "文化程度": draw(_choice(["", *enums.Education.values])),
        "在校生状况": draw(_choice(enums.SchoolStatus.values)),
        "健康状况": draw(_choice(enums.Health.values)),
        "劳动技能": draw(_choice(enums.LabourSkill.values)),
        "务工时间（月）": draw(_choice(["", "0", "6", "12"])),
        "大病": draw(_choice(YES_NO)),
    }
    if layout == "2021":
        p |= {
            "人联系电话": draw(_choice(["", "13800001111"])),
            "人员识别时间": draw(_choice(["", "2014-05-06", "2016-01-10"])),
            "易返贫致贫户(监测对象)类型": draw(
                _choice(["", "脱贫不稳定户", "边缘易致贫户", "突发严重困难户"])
            ),
            "风险是否消除": draw(_choice(["", "是", "否"])),
            "风险识别时间": draw(_choice(["", "2022-03-01"])),
            "风险消除时间": draw(_choice(["", "2023-12-01"])),
        }
    return p


@st.composite
def household(draw, layout: str) -> dict:
    size = draw(st.integers(min_value=1, max_value=4))
    h = {
        "village": draw(_choice(VILLAGES)),
        "户编号": f"RT{next(_households):06d}",
        "自然村": draw(_choice(["", "3组", "五组"])),
        "致贫原因1": draw(_choice(CAUSES)),
        "people": [draw(person(layout, i == 0)) for i in range(size)],
    }
    if layout == "2016":
        h |= {"脱贫属性": draw(_choice(EXIT_2016)), "贫困户属性": draw(_choice(ATTRIBUTES))}
    else:
        h |= {
            "危房户": draw(_choice(YES_NO)),
            "是否解决安全饮用水": draw(_choice(YES_NO)),
            "人均纯收入": draw(_choice(["", "5200", "6,523.40", "3600.50"])),
            "户联系电话": draw(_choice(["", "13907446001"])),
            "首次识别时间": draw(_choice(["", "2014-05-06", "2016"])),
            "户类型": draw(_choice(["脱贫户", "一般农户", "边缘易致贫户", ""])),
        }
    return h


def _rows(layout: str, households: list[dict], places: dict[str, tuple[str, str]]) -> list[list[str]]:
    """The list's rows in the export's order: by village, 户编号, then the file's order of people."""
    out = []
    serial = 0
    for h in sorted(households, key=lambda h: (h["village"], h["户编号"])):
        township, village = places[h["village"]]
        for p in h["people"]:
            serial += 1
            cell = {
                **h,
                **p,
                "序号": str(serial),
                "数据日期": DATA_DATE,
                "县(市、区、旗)": "慈利县",
                "乡(镇)": township,
                "行政村": village,
                "人数": str(len(h["people"])),
                "身份证": p["证件号码"],
                "参加大病医疗": p["大病"],
                "是否参加大病保险": p["大病"],
            }
            out.append([cell[header] for header in (LAYOUT_2016 if layout == "2016" else LAYOUT_2021)])
    return out


@pytest.mark.django_db
@pytest.mark.parametrize("layout", ["2016", "2021"])
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_import_then_export_in_the_same_layout_gives_the_same_rows(system_actor, tmp_path, layout, data):
    places = {
        code: (Region.objects.get(code=code[:9] + "000").name, Region.objects.get(code=code).name)
        for code in VILLAGES
    }
    households = data.draw(st.lists(household(layout), min_size=1, max_size=4))
    headers = list(LAYOUT_2016 if layout == "2016" else LAYOUT_2021)
    rows = _rows(layout, households, places)
    source = write_xlsx(tmp_path / f"in-{next(_households)}.xlsx", headers, rows)
    result = import_path(source, actor=system_actor, year=2019)
    assert result.ok, [str(e) for e in result.errors]
    out = tmp_path / "out.xlsx"
    codes = [h["户编号"] for h in households]
    export_national(
        str(out),
        layout=layout,
        actor_or_none=None,
        household_ids_query=Household.objects.filter(code__in=codes),
    )
    sheet = openpyxl.load_workbook(out, read_only=True).active
    exported = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    assert exported[0] == headers
    assert exported[1:] == rows
