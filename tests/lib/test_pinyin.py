"""The default-initial table gives exactly what pypinyin gives for the whole name."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypinyin import Style, lazy_pinyin
from pypinyin.phrases_dict import phrases_dict

from jingzhun.lib import pinyin


def _pypinyin(name: str) -> str:
    parts = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore", strict=False)
    return "".join(p[:1] for p in parts if p).lower()


def test_every_character_alone_has_pypinyins_initial():
    table = pinyin.default_initials()
    assert len(table) > 40_000
    assert [ch for ch, letter in table.items() if _pypinyin(ch) != letter] == []


@pytest.mark.parametrize(
    "name",
    [
        "单于",
        "单田芳",
        "曾志伟",
        "解小东",
        "查良镛",
        "尉迟恭",
        "长孙无忌",
        "阿依古丽·买买提",
        "Tom张",
        "向国强",
        "重庆",
    ],
)
def test_names_agree_with_pypinyin(name):
    assert pinyin.initials(name) == _pypinyin(name)


def test_every_short_phrase_of_the_dictionary_agrees():
    phrases = [p for p in phrases_dict if 2 <= len(p) <= 4][:20_000]
    assert [p for p in phrases if pinyin.initials(p) != _pypinyin(p)] == []


# Common surname and given-name characters, many of them polyphonic (单 曾 解 查 朴 长 重 行 乐 朝 强 平 华 …)
COMMON = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "单解查朴翟尉长重行乐朝强平华国建秀兰桂英小明红军芳娟和仁贵世成东学生传家都会调还得着"
)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=COMMON, min_size=1, max_size=5))
def test_random_names_agree_with_pypinyin(name):
    assert pinyin.initials(name) == _pypinyin(name)
