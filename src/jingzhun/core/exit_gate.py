"""The exit gate (退出核验) as a seam: whether a household may be marked 已脱贫 or a village 出列.

The registry and the village facts (lower layers) make the change; the exit standard that decides it
belongs to `standards` (higher). So `standards` registers its gate here in `AppConfig.ready()`, and the
lower services ask `exit_gate()`; with no gate registered every exit is refused (deny by default).
The gate offers `household_exit_check`, `village_exit_check`, `override_allowed`, `override_refusal`,
`exception_record` and the `ExitLevel` / `ExitSource` vocabularies (standards.exit_guard).
"""

from __future__ import annotations

from typing import Any

from jingzhun.core.errors import ValidationFailed

_GATE: list[Any] = []


class ExitRefused(ValidationFailed):
    """An exit (标注脱贫/出列) refused by the exit check; `decision` names the failing items."""

    def __init__(self, message: str, decision: Any):
        super().__init__({"__all__": message})
        self.decision = decision


def register_exit_gate(gate: Any) -> None:
    _GATE[:] = [gate]


def exit_gate() -> Any:
    if not _GATE:
        raise ValidationFailed({"__all__": "未配置退出核验（退出标准模块未启用），不能办理脱贫或出列"})
    return _GATE[0]
