"""Household list and accounts at county scale (issue 11 "Lists like Excel"): 共 N 户 counted once, numbered pages,
sorting, 达标/未达标 and failing-indicator filters — each request's latency in-process (Django's test
client, no server) on an existing database, as a ratio to /healthz measured the same way in the same run.

    JINGZHUN_DATABASE_URL=sqlite:////path/db.sqlite3 python -m bench.household_list [--requests 20] [--write]

The database is a `jingzhun demo --households 300000 --no-serve` build (users admin, leader, township…).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

URLS = [
    ("trivial view (/healthz)", "/healthz"),
    ("first page", "/households/"),
    ("page 100", "/households/?page=100"),
    ("last page", "/households/?page=99999"),
    ("sort 户主 (pinyin)", "/households/?sort=head_name"),
    ("sort 计划脱贫 descending, page 50", "/households/?sort=-planned_exit_year&page=50"),
    ("sort 村", "/households/?sort=village"),
    ("未达标", "/households/?assessed=未达标"),
    ("未达标, page 100", "/households/?assessed=未达标&page=100"),
    ("failing 饮水安全", "/households/?failing=H-WATER"),
    (
        "township + 未脱贫, sort 户主",
        "/households/?region_township={township}&exit_status=未脱贫&sort=head_name",
    ),
    ("pinyin search zs", "/households/?q=zs"),
    ("accounts, first page", "/account/users/"),
    ("accounts, page 500", "/account/users/?page=500"),
    ("accounts, pinyin initials zs", "/account/users/?q=zs"),
    ("accounts, name 张", "/account/users/?q=张"),
    ("accounts, role + township", "/account/users/?role=helper&region_township={township}"),
]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--user", default="admin")
    parser.add_argument("--write", action="store_true", help="write the section of docs/benchmarks.md")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingzhun.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client
    from django.test.utils import setup_test_environment

    from bench.common import login_verified
    from jingzhun.accounts.models import User
    from jingzhun.regions.models import Region
    from jingzhun.registry.models import Household

    setup_test_environment()  # allows the test client's host; nothing else changes
    client = Client()
    login_verified(client, User.objects.get(username=args.user))
    township = Region.objects.filter(level="township", code__startswith="430821").order_by("code").first()
    households = Household.objects.count()
    accounts = User.objects.count()
    rows = []
    for label, url in URLS:
        url = url.format(township=township.code)
        for _ in range(3):
            assert client.get(url).status_code == 200, url
        samples, cold = [], []
        for _ in range(args.requests):
            t0 = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        for _ in range(max(3, args.requests // 4)):
            cache.clear()  # the first visit of a filter: the COUNT runs (then paging reuses it)
            t0 = time.perf_counter()
            client.get(url)
            cold.append((time.perf_counter() - t0) * 1000)
        rows.append((label, url, statistics.median(samples), max(samples), statistics.median(cold)))
    base = rows[0][2]
    lines = [
        f"{households:,} households and {accounts:,} accounts, logged in as `{args.user}`; {args.requests} requests per URL after 3"
        " warm-ups, in-process (Django test client, no server); ratio = median over /healthz's median.",
        "“paging” = the list's total already counted (moving between pages, sorting); “first visit” = the",
        "cache emptied before each request, so the COUNT of that filter runs too.",
        "",
        "| request | URL | paging median ms | max ms | ratio | first visit median ms | ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {label} | `{url}` | {med:.1f} | {top:.1f} | {med / base:.1f}× | {first:.1f} | {first / base:.1f}× |"
        for label, url, med, top, first in rows
    ]
    print("\n".join(lines))
    if args.write:
        from bench.common import stamp, write_section

        write_section("Household list and accounts (spreadsheet)", stamp() + "\n\n" + "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
