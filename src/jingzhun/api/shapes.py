"""Schema pieces every app's API uses: request bodies that refuse unknown fields, text the databases can
store, years and sums of money in range, ids the databases can hold, and the `version` a write is based on.
Each app's own schemas (`<app>/api_schemas.py`) are built from these."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Path, Schema
from pydantic import AfterValidator, ConfigDict
from pydantic_core import PydanticCustomError

MAX_ID = 2**63 - 1  # the largest key SQLite and PostgreSQL bigint hold; larger ids would crash the query
VERSION_DOC = "所依据的版本（读取时的 version，也可用 If-Match 头）；已被他人修改则返回 409，不写入"


def _storable(value: str) -> str:
    """PostgreSQL rejects NUL characters and neither database can store lone surrogates: refuse them here
    so that they are a 422 at the field, not a 500 from the driver."""
    if "\x00" in value:
        raise PydanticCustomError("text_nul", "不能包含空字符（\\u0000）")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise PydanticCustomError("text_encoding", "包含无效的 Unicode 字符") from exc
    return value


Text = Annotated[str, AfterValidator(_storable)]
Year = Annotated[int, Field(ge=1980, le=2100)]
Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2, allow_inf_nan=False)]


class In(Schema):
    """Request bodies refuse unknown fields, so a misspelt field is an error rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


def version_field() -> Any:
    """The optional `version` of a write's body (If-Match is the alternative, `context.expected_version`)."""
    return Field(None, ge=1, le=MAX_ID, description=VERSION_DOC)


def object_id(description: str) -> Any:
    """A path parameter naming a stored object by its id (1 … MAX_ID)."""
    return Path(..., ge=1, le=MAX_ID, description=description)
