"""JSON values carried through an import as text (`PreEncoded`): one short string per household or member
instead of a dict, so a million rows stay small; `workbook.db_bulk` writes it as it is. Keys are sorted,
so a value re-read from the database and encoded again compares equal to the file's (`workbook.plan`)."""

from __future__ import annotations

import json
from typing import Any


class PreEncoded(str):
    """A JSON text that `db_bulk` stores without encoding it again."""

    pre_encoded = True


def encode(value: Any) -> PreEncoded | None:
    """None for None or an empty dict (nothing to keep); a dict already encoded stays as it is."""
    if not value:
        return None
    if isinstance(value, PreEncoded):
        return value
    if isinstance(value, str):  # a JSON value stored as text by a backend that does not decode it
        value = json.loads(value)
    return PreEncoded(json.dumps(value, ensure_ascii=False, sort_keys=True))
