"""Field vocabulary of a village's facts (村情, the 村 sheet): label, type and rules of each column."""

from __future__ import annotations

from jingzhun.core.fields import (
    FieldSpec,
    choice_parser,
    parse_bool,
    parse_int,
    parse_money,
    parse_text,
    parse_year,
)
from jingzhun.core.fields import spec as _spec

VILLAGE_FIELDS: tuple[FieldSpec, ...] = (
    _spec("code", "行政区划代码", parse_text(12), True),
    _spec("is_poor_village", "是否贫困村", parse_bool, True),
    _spec("exit_state", "出列状态", (choice_parser(["未出列", "已出列"]), ("未出列", "已出列"))),
    _spec("exit_year", "出列年度", parse_year),
    _spec("planned_exit_year", "计划出列年度", parse_year),
    _spec("registered_population", "户籍人口", lambda v: parse_int(v), True),
    _spec("registered_households", "户籍户数", lambda v: parse_int(v)),
    _spec("collective_income_wan", "村集体经济收入（万元）", parse_money),
    _spec("hardened_road", "通硬化路", parse_bool),
    _spec("bus_service", "通客运班车", parse_bool),
    _spec("households_without_safe_water", "未实现饮水安全户数", lambda v: parse_int(v)),
    _spec("power", "通生产生活用电", parse_bool),
    _spec("standard_clinic", "标准化卫生室", parse_bool),
    _spec("licensed_doctors", "执业（助理）医师人数", lambda v: parse_int(v)),
    _spec("broadband", "通宽带", parse_bool),
    _spec("service_centre", "综合服务平台", parse_bool),
)
