"""Fixtures of the standards tests: the shipped default standard and its plain spec."""

from __future__ import annotations

import pytest

from jingzhun.standards.defaults import ensure_defaults
from jingzhun.standards.loading import clear_cache, load_spec


@pytest.fixture
def standard(db):
    clear_cache()
    return ensure_defaults()


@pytest.fixture
def spec(standard):
    return load_spec(standard)
