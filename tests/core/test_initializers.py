"""`jingzhun init` installs what the apps registered, in order, without the kernel naming any app."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from jingzhun.core import initializers
from jingzhun.core.dbstate import initialize

CORE = Path(initializers.__file__).parent


def test_the_apps_register_their_default_data_divisions_first():
    names = [i.name for i in initializers.initializers()]
    assert names[0] == "regions"
    assert "standards" in names


@pytest.mark.django_db
def test_init_runs_every_registered_installer_with_the_options(monkeypatch):
    calls = []
    monkeypatch.setitem(
        initializers._INITIALIZERS,
        "test_probe",
        initializers.Initializer("test_probe", 999, lambda **opts: calls.append(opts) or {"n": 1}),
    )
    summary = initialize(city=False, printer=lambda _msg: None)
    assert calls == [{"city": False}]
    assert summary["regions"] > 400  # 慈利县's divisions came from the regions app's installer


def test_the_kernel_imports_no_domain_app():
    domain_apps = {"regions", "registry", "standards", "assistance", "workbook", "accounts", "api"}
    for path in CORE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == "jingzhun" and len(parts) > 1:
                    assert parts[1] not in domain_apps, f"{path.name} imports {name}"
