"""Pinyin initials of a name (`张三` → `zs`), stored for search.

pypinyin cuts a text into the words of its phrase dictionary to choose the reading of polyphonic
characters (单于 chányú) and reads every other character by its first (default) reading. It costs about
0.1 ms a name, two minutes for a county's registry. So a name with no phrase-dictionary word in it
(almost every name) is spelled here from a table of each character's default initial, which is exactly
what pypinyin does with it; a name containing such a word, an unknown character, Latin letters or ·
goes through pypinyin whole. tests/lib/test_pinyin.py proves the two agree.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

# The dictionaries (about 0.25 s to import) load on the first name spelled, not when a module that may
# spell names is imported: every command and job module would otherwise pay for them at start-up.


@lru_cache(maxsize=1)
def default_initials() -> dict[str, str]:
    """Each character's initial of its default (first) reading, from pypinyin's dictionary."""
    from pypinyin.pinyin_dict import pinyin_dict

    table: dict[str, str] = {}
    for code, readings in pinyin_dict.items():
        letter = unicodedata.normalize("NFD", readings.split(",", 1)[0])[:1].lower()
        if "a" <= letter <= "z":
            table[chr(code)] = letter
    return table


@lru_cache(maxsize=1)
def _phrases() -> Any:
    from pypinyin.phrases_dict import phrases_dict

    return phrases_dict


@lru_cache(maxsize=65536)
def _whole(name: str) -> str:
    from pypinyin import Style, lazy_pinyin

    parts = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore", strict=False)
    return "".join(p[:1] for p in parts if p).lower()


def _has_phrase(name: str) -> bool:
    n = len(name)
    phrases = _phrases()
    return any(name[i:j] in phrases for i in range(n - 1) for j in range(i + 2, n + 1))


def initials(name: str) -> str:
    if not name:
        return ""
    table = default_initials()
    try:
        letters = "".join([table[ch] for ch in name])
    except KeyError:
        return _whole(name)
    return _whole(name) if _has_phrase(name) else letters
