"""Villages by name (行政村名称 → 行政区划代码) for the national person lists.

A national list names its villages: 县(市、区、旗) + 乡(镇) + 行政村. Names are compared after trimming, and
the suffixes 村委会 · 村 · 居委会 · 社区 · 类似村 may differ (`白马村` = `白马村委会`, spec "Village by name").
An exact name wins over a suffix match; two villages of one township with the same stem are ambiguous.
Resolution is memoised per distinct (乡镇, 村) pair, so a million rows cost a few hundred lookups.
"""

from __future__ import annotations

from dataclasses import dataclass

from jingzhun.regions.models import Region

# Longest first, so 村委会 is removed before 村. Removed repeatedly: 白马社区居委会 → 白马社区 → 白马.
SUFFIXES = ("村民委员会", "居民委员会", "类似村", "村委会", "居委会", "社区", "村")


def _clean(name: str) -> str:
    return "".join(str(name or "").split())


def stem(name: str) -> str:
    """A village name without the suffixes that may differ; never empty (a name that is only a suffix
    stays itself)."""
    current = _clean(name)
    changed = True
    while changed:
        changed = False
        for suffix in SUFFIXES:
            if current.endswith(suffix) and len(current) > len(suffix):
                current = current[: -len(suffix)]
                changed = True
                break
    return current


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    township: str  # its township's name


class VillageNames:
    """The villages of the counties `county_codes` (12-digit), by township name and stem."""

    def __init__(self, county_codes: list[str]):
        self.counties = {
            code: name
            for code, name in Region.objects.filter(level="county", code__in=county_codes).values_list(
                "code", "name"
            )
        }
        prefixes = tuple(code[:6] for code in self.counties)
        townships = {
            code: name
            for code, name in Region.objects.filter(level="township").values_list("code", "name")
            if code.startswith(prefixes)
        }
        self.by_township: dict[tuple[str, str], list[Village]] = {}  # (county code, township name) → villages
        self.by_stem: dict[tuple[str, str], list[Village]] = {}  # (county code, stem) → villages
        for code, name, parent in Region.objects.filter(level="village").values_list(
            "code", "name", "parent_id"
        ):
            if parent not in townships:
                continue
            county = code[:6] + "000000"
            village = Village(code, name, townships[parent])
            self.by_township.setdefault((county, _clean(townships[parent])), []).append(village)
            self.by_stem.setdefault((county, stem(name)), []).append(village)
        self._memo: dict[tuple[str, str, str], tuple[str | None, str]] = {}

    def county_of(self, name: str) -> str | None:
        """The county code whose name is `name` (trimmed), among the importer's counties."""
        wanted = _clean(name)
        for code, county in self.counties.items():
            if _clean(county) == wanted:
                return code
        return None

    def resolve(self, county: str, township: str, village: str) -> tuple[str | None, str]:
        """(village code, "") or (None, a Chinese message naming the candidates by code and township)."""
        key = (county, _clean(township), _clean(village))
        hit = self._memo.get(key)
        if hit is None:
            hit = self._resolve(*key)
            self._memo[key] = hit
        return hit

    def _resolve(self, county: str, township: str, village: str) -> tuple[str | None, str]:
        if not village:
            return None, "行政村不能为空"
        in_township = self.by_township.get((county, township))
        if in_township is None:
            same = self.by_stem.get((county, stem(village)), [])
            hint = f"；同名的村：{_listed(same)}" if same else ""
            return None, f"本县没有名为“{township}”的乡(镇){hint}"
        exact = [v for v in in_township if _clean(v.name) == village]
        if len(exact) == 1:
            return exact[0].code, ""
        wanted = stem(village)
        matches = exact or [v for v in in_township if stem(v.name) == wanted]
        if len(matches) == 1:
            return matches[0].code, ""
        if matches:
            return None, f"“{village}”在{township}有多个可能的村：{_listed(matches)}，请写出完整的村名"
        elsewhere = self.by_stem.get((county, wanted), [])
        hint = f"；本县同名的村：{_listed(elsewhere)}" if elsewhere else ""
        return None, f"{township}没有名为“{village}”的行政村{hint}"


def _listed(villages: list[Village]) -> str:
    return "；".join(f"{v.name}（{v.code}，{v.township}）" for v in villages[:10])
