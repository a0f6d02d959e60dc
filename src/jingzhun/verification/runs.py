"""A county-wide run's hits kept as clues (spec §3: every hit of §1 and §2 is stored as a clue).

Only a run over the whole county is stored: the clue store marks the open clues of the rules it ran that
were not hit again as 不再命中, which a run over one region would wrongly do to every other region. A run
with `--region` writes its CSV and stores nothing (and says so)."""

from __future__ import annotations

from collections.abc import Iterable

from jingzhun.accounts.access import Actor
from jingzhun.ledger.selectors import system_actor
from jingzhun.rules.checks import CLEANSING, CROSSCHECK
from jingzhun.rules.hits import Hit
from jingzhun.verification.clue_store import store_hits

CLEANSING_CODES = frozenset(r.code for r in CLEANSING)


def crosscheck_rules(imported: set[str]) -> set[str]:
    """The X-* rules that ran: those whose dataset the county has imported (a dataset never imported
    produces no clue, spec §2)."""
    return {r.code for r in CROSSCHECK if r.dataset in imported}


def cleanse_records(county: str) -> dict[str, int]:
    """What a 数据清洗 run compares, by village: the members in scope of each village's households."""
    from django.db.models import Count

    from jingzhun.verification.crosscheck import in_scope_members

    rows = (
        in_scope_members(county)
        .values("household__village_id")
        .annotate(n=Count("id"))
        .values_list("household__village_id", "n")
    )
    return {code: n for code, n in rows}


def crosscheck_records(
    counts: dict[str, tuple[int, int]], by_village: dict[str, int], county: str
) -> dict[str, int]:
    """What a 部门比对 run compared, by village (`iter_crosscheck`'s `by_village`: the records matched to
    each village), and under the county's 12-digit code the records that matched nobody (`counts`)."""
    out = dict(by_village)
    unmatched = sum(c[1] for c in counts.values())
    if unmatched:
        key = county + "000000"
        out[key] = out.get(key, 0) + unmatched
    return out


def keep_as_clues(
    *,
    hits: Iterable[Hit],
    rules_run: set[str],
    year: int,
    region: str | None,
    actor: Actor | None,
    records: int = 0,
    village_records: dict[str, int] | None = None,
) -> str:
    """Store the run's hits (a list or a stream) as clues; the Chinese line the command prints about it."""
    if region:
        return "按区划运行：疑点只写入 CSV，未保存为线索（线索按全县运行保存）"
    summary = store_hits(
        hits=hits,
        rules_run=rules_run,
        year=year,
        actor=actor or system_actor(),
        records=records,
        village_records=village_records,
    )
    return "线索：" + summary.sentence()
