"""Text choices without Django: the domain's vocabularies as plain `str` enums.

They behave like Django's `models.TextChoices` where the project uses them (`.values`, `.choices`,
`.labels`, `.label`, members equal to their value), so model fields take `choices=X.choices`, while the
rules package and its engines can import them without importing Django.
"""

from __future__ import annotations

from enum import EnumMeta, StrEnum
from typing import Any


class _ChoicesMeta(EnumMeta):
    def _members(cls) -> list[Any]:
        return list(cls.__members__.values())

    @property
    def values(cls) -> list[str]:
        return [m.value for m in cls._members()]

    @property
    def labels(cls) -> list[str]:
        return [m.label for m in cls._members()]

    @property
    def names(cls) -> list[str]:
        return list(cls.__members__)

    @property
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls._members()]

    def __contains__(cls, value: Any) -> bool:
        if isinstance(value, str):
            return value in cls._value2member_map_  # type: ignore[attr-defined]
        return super().__contains__(value)


class TextChoices(StrEnum, metaclass=_ChoicesMeta):
    """A vocabulary whose values are the Chinese terms used in files and on pages.

    The label is derived from the member's name exactly as Django's TextChoices derives it, so model
    fields' choices (and their migrations) are the same; pages show the value, the Chinese term."""

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").title()


# Django templates call callables they meet; a vocabulary class must be read, not called.
TextChoices.do_not_call_in_templates = True  # type: ignore[attr-defined]
