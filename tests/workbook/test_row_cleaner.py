"""The importer's row cleaner gives exactly what `registry.fields.clean_row` gives for the same row."""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from jingzhun.registry.fields import HOUSEHOLD_FIELDS, MEMBER_FIELDS, clean_row
from jingzhun.workbook.validate import _RowCleaner

CELLS = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "",
            " ",
            "是",
            "否",
            "1",
            "0",
            "Y",
            "maybe",
            "2018",
            "2018年",
            "1979",
            "12,000.50",
            "-3",
            "1.005",
            "汉族",
            "土家",
            "户主",
            "之子",
            "男",
            "女",
            "初中",
            "小学",
            "非在校生",
            "健康",
            "普通劳动力",
            "因病",
            "一般贫困户",
            "已脱贫",
            "未脱贫",
            "A",
            "B",
            "1968/04/12",
            "19680412",
            "not a date",
            "432428196804121316",
            "430821102204",
            "13907440001",
            "x" * 70,
        ]
    ),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-5, 3000),
    st.booleans(),
    st.just(date(2018, 1, 2)),
    st.just(datetime(2018, 1, 2, 3, 4)),
)


def _check(specs, data) -> None:
    names = [s.name for s in specs]
    present = data.draw(st.lists(st.sampled_from(names), unique=True))
    order = data.draw(st.permutations(present))
    columns = [(name, i) for i, name in enumerate(order)]
    rows = data.draw(st.lists(st.lists(CELLS, max_size=len(order) + 1), min_size=1, max_size=5))
    cleaner = _RowCleaner(specs, columns)  # one cleaner for all rows: its memo must not leak between rows
    for cells in rows:
        raw = {name: (cells[i] if i < len(cells) else None) for name, i in columns}
        assert cleaner.clean(cells) == clean_row(specs, raw)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_member_rows_clean_as_the_forms_clean_them(data):
    _check(MEMBER_FIELDS, data)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_household_rows_clean_as_the_forms_clean_them(data):
    _check(HOUSEHOLD_FIELDS, data)
