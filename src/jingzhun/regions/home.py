"""The installation's own counties (本县): the county-level regions loaded into this database.

An installation serves one county (the usual case) or a city's counties. Code that acts "for the whole
county" — the system actor of the CLI and jobs, the county-level rows of a breakdown, the village
assessment behind an indicator — asks here instead of naming a county code, so the product runs for
any county whose divisions are loaded."""

from __future__ import annotations

from jingzhun.regions.models import Region


def home_counties() -> list[Region]:
    """The county-level regions of this installation, by code (empty before divisions are loaded)."""
    return list(Region.objects.filter(level="county").order_by("code"))


def home_county() -> Region | None:
    """The installation's first county (the one county of a county installation), or None."""
    return Region.objects.filter(level="county").order_by("code").first()


def home_county_code() -> str:
    """The 12-digit code of `home_county()`, or "" before divisions are loaded."""
    county = home_county()
    return county.code if county is not None else ""


def home_prefixes() -> tuple[str, ...]:
    """The six-digit code prefixes of every home county: the region scope of "the whole county"."""
    return tuple(sorted({r.code[:6] for r in home_counties()}))
