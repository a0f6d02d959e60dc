"""The transition tables as plain data: exactly the spec's states, and registration rules."""

from __future__ import annotations

import pytest

from jingzhun.ledger import kinds


def test_it_has_exactly_the_states_of_the_spec():
    assert kinds.PROBLEM.states == ("待交办", "已交办", "整改中", "申请销号", "退回整改", "已销号")
    assert kinds.PETITION.states == ("登记", "已受理", "办理中", "延期", "已答复", "已办结", "不予受理")
    assert kinds.DIRECTIVE.states == ("已下达", "已完成")
    assert kinds.RECIPIENT_STATES == ("待签收", "已签收", "落实中", "已反馈")
    assert kinds.TASK.states == ("已分解", "推进中", "已完成", "未完成")
    assert kinds.CASE.states == ("线索受理", "初核", "立案", "审查调查", "审理", "结案", "了结")
    assert kinds.PETITION.closed == {"已办结", "不予受理"}
    assert kinds.CASE.closed == {"结案", "了结"}
    assert kinds.ORDER == ["problem", "petition", "directive", "task", "case"]


def test_it_lists_the_sources_in_spec_order():
    assert kinds.PROBLEM.sources[0] == "中央巡视" and kinds.PROBLEM.sources[-1] == "其他"
    assert len(kinds.PROBLEM.sources) == 11
    assert kinds.PETITION.sources == ("中央交办", "省交办", "市交办", "县本级")


def test_it_follows_the_spec_paths():
    p = kinds.PROBLEM
    path = [
        ("待交办", "assign"),
        ("已交办", "start"),
        ("整改中", "apply_close"),
        ("申请销号", "send_back"),
        ("退回整改", "restart"),
        ("整改中", "apply_close"),
        ("申请销号", "accept"),
    ]
    state = "待交办"
    for source, action in path:
        assert state == source
        state = p.move(state, action).target
    assert state == "已销号" and p.is_closed(state)
    assert kinds.PETITION.move("登记", "refuse").target == "不予受理"
    assert kinds.PETITION.move("办理中", "extend").target == "延期"
    assert kinds.PETITION.move("延期", "resume").target == "办理中"
    assert kinds.CASE.move("初核", "dismiss").target == "了结"


def test_it_refuses_to_register_a_kind_with_unknown_states():
    bad = kinds.Kind(
        code="x",
        label="X",
        states=("a",),
        initial="a",
        closed=frozenset({"a"}),
        moves=(kinds.Move("go", "a", "b", "去", kinds.HANDLE),),
    )
    with pytest.raises(ValueError):
        kinds.register(bad)
    with pytest.raises(ValueError):
        kinds.register(kinds.PROBLEM)


def test_a_new_kind_is_a_registration():
    clue = kinds.Kind(
        code="clue_test",
        label="数据线索",
        states=("待核实", "已核实", "已排除"),
        initial="待核实",
        closed=frozenset({"已核实", "已排除"}),
        moves=(kinds.Move("confirm", "待核实", "已核实", "核实", kinds.HANDLE),),
    )
    try:
        kinds.register(clue)
        assert kinds.get("clue_test").move("待核实", "confirm").target == "已核实"
    finally:
        kinds.KINDS.pop("clue_test")
        kinds.ORDER.remove("clue_test")
