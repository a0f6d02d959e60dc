"""Data truth (数据清洗、部门比对、线索核查): cleansing rules over the registry, departmental cross-checks,
and every hit stored as a clue (线索) checked on the ground on the ledger engine (spec/verification.md §1–§3)."""
