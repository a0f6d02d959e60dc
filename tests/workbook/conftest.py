"""Fixtures of the workbook tests: golden files and a helper to import them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent.parent / "golden"


@pytest.fixture
def golden(tmp_path):
    """Copy a golden set (folder or file) into tmp_path, so tests may edit it; returns the copy's path."""

    def copy(name: str) -> str:
        source = GOLDEN / name
        target = tmp_path / name
        if target.exists():
            return str(target)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy(source, target)
        return str(target)

    return copy


def messages(result) -> list[str]:
    return [issue.message for issue in result.errors]
