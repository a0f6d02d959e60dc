"""Pinyin initials of a name (`张三` → `zs`), stored for search."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=65536)
def initials(name: str) -> str:
    if not name:
        return ""
    parts = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore", strict=False)
    return "".join(p[:1] for p in parts if p).lower()
