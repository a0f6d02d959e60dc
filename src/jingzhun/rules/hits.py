"""A hit (疑点) of a cleansing (Q-*) or cross-check (X-*) rule — the plain-data hand-over between the rule
engines (which compute hits) and the clue store (which keeps them as clues to check). No Django."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Hit:
    rule: str  # 规则代码, e.g. Q-SPOUSE-SEX, X-DEATH
    household_id: int
    member_id: int | None  # None for a household-level rule (the 户主 is named in the output)
    explanation: str  # 说明: a Chinese sentence naming the values
    dataset: str = ""  # 数据集 (X-* only), e.g. 死亡人口
    match: str = ""  # 匹配方式 (X-* only): 证件号码 · 旧证件号码 · 近似 · "" (a "while not listed" hit)
    # The departmental record behind an X-* hit: a stable fingerprint (a clue closed 不属实 is not raised
    # again for the same record) and its columns as imported, shown beside the registry's on the clue page.
    record_key: str = ""
    record: dict[str, str] = field(default_factory=dict)

    @property
    def identity(self) -> tuple[str, int, int | None]:
        """One open clue per (rule, household, member): re-runs never duplicate it."""
        return (self.rule, self.household_id, self.member_id)
