"""Rule codes as a cadre reads them: the name first, the code after it as small grey text."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def rule_label(code: str, names: dict[str, str]) -> SafeString | str:
    """ "H-INCOME" → 收入稳定超过扶贫标准 <small>H-INCOME</small>; "H-WATER（缺数据）" keeps its suffix."""
    base, sep, rest = str(code).partition("（")
    name = (names or {}).get(base)
    if not name:
        return code
    return format_html('{}{} <span class="small text-muted">{}</span>', name, sep + rest, base)


@register.filter
def rule_labels(codes: Any, names: dict[str, str]) -> SafeString:
    """A list of codes, or codes joined by ";" (as stored in verdicts), each as `rule_label`."""
    items = codes.split(";") if isinstance(codes, str) else list(codes or [])
    return format_html_join("；", "{}", ((rule_label(c, names),) for c in items if c))
