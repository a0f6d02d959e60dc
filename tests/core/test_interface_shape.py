"""The interface layer keeps its one shape (docs/architecture.md, "Pages of the form → service → errors →
redirect shape", "Periods", "Reads"): a page hands its service's ValidationFailed to `core.forms.submit`
instead of catching it; "current" over a period model is `core.periods`; a view reads the database through
selectors. Each check reads the source, so a new page written the old way fails here by name."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from jingzhun.core.errors import ValidationFailed

SRC = Path(__file__).resolve().parents[2] / "src" / "jingzhun"


def _view_modules() -> list[Path]:
    return sorted(
        p
        for p in SRC.rglob("*.py")
        if "migrations" not in p.parts and ("views" in p.name or "views" in p.parent.name)
    )


def _error_names() -> set[str]:
    """ValidationFailed and every subclass defined in the code base (ExitRefused, StandardError, …), read
    from the source so a subclass in a module no test imported is found too."""
    bases: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases.setdefault(node.name, set()).update(
                    b.id if isinstance(b, ast.Name) else b.attr
                    for b in node.bases
                    if isinstance(b, (ast.Name, ast.Attribute))
                )
    names = {ValidationFailed.__name__}
    while grown := {c for c, bs in bases.items() if bs & names} - names:
        names |= grown
    return names


def _caught(handler: ast.ExceptHandler) -> list[str]:
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    out = []
    for t in types:
        if isinstance(t, ast.Name):
            out.append(t.id)
        elif isinstance(t, ast.Attribute):
            out.append(t.attr)
    return out


def test_no_page_catches_the_application_error_itself():
    """A page's service error goes through core.forms.submit (fields, on_error, or back= for a button)."""
    names = _error_names()
    assert {"ValidationFailed", "ExitRefused", "EditConflict", "StandardError"} <= names
    found = []
    for path in _view_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                hit = [n for n in _caught(node) if n in names]
                if hit:
                    found.append(f"{path.relative_to(SRC)}:{node.lineno} except {', '.join(hit)}")
    assert found == [], "pages that catch ValidationFailed instead of using core.forms.submit:\n" + "\n".join(
        found
    )


def test_current_over_a_period_is_said_in_one_place():
    """`ended_on__isnull` only in core/periods.py (`current_q`, `.current()`) and in migrations."""
    found = [
        f"{p.relative_to(SRC)}:{n}"
        for p in sorted(SRC.rglob("*.py"))
        if "migrations" not in p.parts and p != SRC / "core" / "periods.py"
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if "ended_on__isnull" in line
    ]
    assert found == [], "use core.periods current_q() / .current():\n" + "\n".join(found)


def test_views_read_the_database_through_selectors():
    """No `Model.objects.` in a view module: its reads are the app's selectors (and its writes services)."""
    found = [
        f"{p.relative_to(SRC)}:{n}"
        for p in _view_modules()
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bobjects\.", line)
    ]
    assert found == [], "ORM reads in view modules belong in the app's selectors:\n" + "\n".join(found)
