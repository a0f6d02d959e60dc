"""The application's one error type for invalid input or state (校验未通过).

Services raise `ValidationFailed` with Chinese messages keyed by field name (or "__all__"); pages attach
them to form fields (`core.forms.apply_errors`), the API answers 422 in its error envelope, and the CLI
prints them and exits 1. No layer translates it into another layer's exception.
"""

from __future__ import annotations

from collections.abc import Mapping


class ValidationFailed(Exception):
    """Raised by services; `errors` maps a field name (or '__all__') to a Chinese message."""

    def __init__(self, errors: Mapping[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)

    @property
    def message(self) -> str:
        """All messages as one Chinese sentence (CLI and flash messages)."""
        return "；".join(self.errors.values())


class EditConflict(ValidationFailed):
    """保存冲突: the write was based on an older version of the object than the stored one (someone else
    changed it in between). Pages show it like any error, the API answers 409; nothing was written."""

    def __init__(self, errors: Mapping[str, str], *, current_version: int | None = None):
        super().__init__(errors)
        self.current_version = current_version
