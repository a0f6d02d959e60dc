"""The Django-free vocabularies behave as Django's TextChoices did where the project uses them."""

from __future__ import annotations

import inspect

import pytest
from django.db import models

from jingzhun.lib.choices import TextChoices
from jingzhun.rules import terms

VOCABULARIES = [
    obj
    for _, obj in inspect.getmembers(terms, inspect.isclass)
    if issubclass(obj, TextChoices) and obj is not TextChoices
]


def _as_django(vocabulary: type[TextChoices]) -> type[models.TextChoices]:
    return models.TextChoices(vocabulary.__name__, [(m.name, m.value) for m in vocabulary])  # type: ignore[return-value]


@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=lambda v: v.__name__)
def test_it_gives_the_same_values_choices_and_labels_as_django(vocabulary):
    django = _as_django(vocabulary)
    assert vocabulary.values == django.values
    assert vocabulary.choices == django.choices  # so model fields and their migrations are unchanged
    assert vocabulary.labels == django.labels
    assert vocabulary.names == django.names


def test_members_are_their_chinese_value():
    assert terms.Gender.MALE == "男"
    assert str(terms.Gender.MALE) == "男"
    assert f"{terms.Health.HEALTHY}" == terms.Health.HEALTHY.value
    assert "男" in terms.Gender
    assert "不是性别" not in terms.Gender
    assert terms.Gender("女") is terms.Gender.FEMALE


def test_templates_read_a_vocabulary_instead_of_calling_it():
    assert terms.Gender.do_not_call_in_templates is True


def test_the_rules_package_imports_no_django():
    import subprocess
    import sys

    code = "import sys, jingzhun.rules.vocabulary, jingzhun.rules.spec, jingzhun.engines.python.village; print('django' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
