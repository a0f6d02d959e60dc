"""`make bench`: run every benchmark module (or those named: `python -m bench.run foundation`)."""

from __future__ import annotations

import importlib
import sys

MODULES = (
    "foundation",
    "workbook_import",
    "national_import",
    "assessment",
    "alerts",
    "export",
    "ledger",
    "cleansing",
    "crosscheck",
    "dept_import",
    "audit_verify",
    "load",
)


def main(argv: list[str]) -> int:
    names = argv or list(MODULES)
    status = 0
    for name in names:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"bench.{name}":
                raise
            print(f"[bench] {name}: not present, skipped", file=sys.stderr)
            continue
        print(f"[bench] {name} …", flush=True)
        status |= int(module.main() or 0)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
