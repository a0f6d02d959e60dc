"""Load the real divisions shipped in regions/data (sources and licences: regions/data/SOURCES.md)."""

from __future__ import annotations

import csv
from importlib import resources

from django.db import transaction

from jingzhun.regions.models import Region

CILI_COUNTY = "430821000000"
CITY = "430800000000"


def _rows(filename: str) -> list[dict[str, str]]:
    with resources.files("jingzhun.regions").joinpath("data", filename).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def division_rows(*, city: bool) -> list[dict[str, str]]:
    """Province, city, counties, townships and villages in parent-first order."""
    upper = _rows("admin_upper.csv")
    if city:
        lower = _rows("zhangjiajie_townships.csv") + _rows("zhangjiajie_villages.csv")
    else:
        upper = [r for r in upper if r["level"] != "county" or r["code"] == CILI_COUNTY]
        lower = _rows("cili_townships.csv") + _rows("cili_villages.csv")
    order = {"province": 0, "city": 1, "county": 2, "township": 3, "village": 4}
    return sorted(upper + lower, key=lambda r: (order[r["level"]], r["code"]))


@transaction.atomic
def load_divisions(*, city: bool = False) -> dict[str, int]:
    """Insert or refresh divisions (names and parents); never touches village facts. Idempotent."""
    rows = division_rows(city=city)
    existing = {r.code: r for r in Region.objects.all()}
    created = updated = 0
    for level in ("province", "city", "county", "township", "village"):
        new, changed = [], []
        for row in rows:
            if row["level"] != level:
                continue
            parent = row["parent_code"] or None
            region = existing.get(row["code"])
            if region is None:
                region = Region(code=row["code"], name=row["name"], level=level, parent_id=parent)
                new.append(region)
                existing[region.code] = region
            elif region.name != row["name"] or region.parent_id != parent or region.level != level:
                region.name, region.parent_id, region.level = row["name"], parent, level
                changed.append(region)
        Region.objects.bulk_create(new, batch_size=1000)
        Region.objects.bulk_update(changed, ["name", "parent", "level"], batch_size=1000)
        created += len(new)
        updated += len(changed)
    return {"created": created, "updated": updated, "total": Region.objects.count()}
