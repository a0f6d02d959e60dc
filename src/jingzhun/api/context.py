"""What an API view reads from its request besides the body: who calls (the `Actor`, whose scope and
permissions every selector and service applies) and which version of the object a write is based on."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from jingzhun.accounts.access import Actor, actor_for


def reader(request: HttpRequest) -> Actor:
    """The caller as an Actor (token or session user; the API's auth has already refused anyone else)."""
    return actor_for(request.auth)  # type: ignore[attr-defined]


def expected_version(request: HttpRequest, in_body: int | None) -> Any:
    """The version a write is based on: `version` in the body, else the If-Match header (`"3"`, `W/"3"`
    or `3`); None when the client gives neither (then the write is not version-checked). A stale one is
    refused by the service (core.errors.EditConflict), which the API answers 409 with the ETag."""
    if in_body is not None:
        return in_body
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    return header.removeprefix("W/").strip('"')
