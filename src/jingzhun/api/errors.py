"""Chinese messages for schema (pydantic) errors, so that a wrong type reads like a service's field error."""

from __future__ import annotations

from typing import Any


def _choices(expected: Any) -> str:
    """pydantic's `'a', 'b' or 'c'` → `a、b、c`."""
    text = str(expected or "")
    return text.replace("' or '", "、").replace("', '", "、").strip("'")


def _limit(ctx: dict[str, Any], *names: str) -> Any:
    return next((ctx[n] for n in names if n in ctx), "")


_FIXED = {
    "missing": "必填",
    "extra_forbidden": "未知字段，或该字段不能在此修改",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "decimal_type": "应为数字（金额，最多两位小数）",
    "decimal_parsing": "应为数字（金额，最多两位小数）",
    "finite_number": "应为有限的数字",
    "date_type": "应为日期，格式 YYYY-MM-DD",
    "date_parsing": "应为日期，格式 YYYY-MM-DD",
    "date_from_datetime_parsing": "应为日期，格式 YYYY-MM-DD",
    "date_from_datetime_inexact": "应为日期，不含时间",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "json_invalid": "不是有效的 JSON",
    "json_type": "不是有效的 JSON",
}


def chinese_message(err: dict[str, Any]) -> str:
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    if kind in _FIXED:
        return _FIXED[kind]
    if kind in ("enum", "literal_error"):
        return f"不是有效的值，可选：{_choices(ctx.get('expected'))}"
    if kind in ("string_too_long", "too_long"):
        unit = "项" if ctx.get("field_type") == "List" else "个字符"
        return f"不能超过{_limit(ctx, 'max_length')}{unit}"
    if kind in ("string_too_short", "too_short"):
        unit = "项" if ctx.get("field_type") == "List" else "个字符"
        return f"至少{_limit(ctx, 'min_length')}{unit}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"不能小于{_limit(ctx, 'ge', 'gt')}"
    if kind in ("less_than_equal", "less_than"):
        return f"不能大于{_limit(ctx, 'le', 'lt')}"
    if kind == "decimal_max_places":
        return f"最多保留{ctx.get('decimal_places')}位小数"
    if kind in ("decimal_max_digits", "decimal_whole_digits"):
        return "数字过大"
    if kind in ("text_nul", "text_encoding"):
        return str(err.get("msg", "无效"))
    return "输入无效"
