"""The seam through which each app contributes its API router (接口路由): an app calls
`register_router(prefix, router, order=…)` in its `AppConfig.ready()`, and `api.app.api` mounts every
registered router, in `order`, the first time it is asked for its URLs or its OpenAPI document.

The kernel never imports an app: a router is given as the object or, to keep start-up (the CLI, the
worker) free of the API's imports, as its dotted path (`"jingzhun.ledger.api.router"`), imported when
the API is mounted. Adding a context adds its own `api.py` and one line in its `ready()`; no central file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

if TYPE_CHECKING:  # ninja (0.1 s to import) loads when the API is mounted, not at every start-up
    from ninja import Router


@dataclass(frozen=True)
class Mount:
    prefix: str  # under /api, e.g. "/v1/ledger"
    router: Router | str  # the router, or its dotted path
    order: int  # mounting order: the order of the paths in the OpenAPI document

    def resolve(self) -> Router:
        from ninja import Router

        router = import_string(self.router) if isinstance(self.router, str) else self.router
        if not isinstance(router, Router):
            raise TypeError(f"{self.router!r} is not a ninja Router")
        return router


_MOUNTS: list[Mount] = []


def register_router(prefix: str, router: Router | str, *, order: int) -> None:
    """Mount `router` at `/api{prefix}`. Registering the same router at the same prefix again (an app's
    `ready()` run twice) is a no-op; two routers at one prefix are allowed when their paths differ."""
    if not prefix.startswith("/v"):
        raise ValueError(f"an API prefix starts with its version, /v1/…: {prefix!r}")
    mount = Mount(prefix=prefix, router=router, order=order)
    if mount not in _MOUNTS:
        _MOUNTS.append(mount)


def registered() -> list[Mount]:
    """The registered routers in mounting order (`order`, then registration order)."""
    return sorted(_MOUNTS, key=lambda m: m.order)


def resolved() -> list[tuple[str, Router]]:
    """(prefix, router) in mounting order, each router imported. Two routers may share a prefix (help's
    /v1/households/{id}/visits beside the registry's households) but not a path: Django would send every
    method of that path to the first router, and the other's operations would answer 405."""
    claimed: dict[str, Mount] = {}
    out = []
    for mount in registered():
        router = mount.resolve()
        for path in router.path_operations:
            full = mount.prefix.rstrip("/") + "/" + path.lstrip("/")
            first = claimed.setdefault(full, mount)
            if first is not mount:
                raise ImproperlyConfigured(f"{full}: declared by {first.router!r} and by {mount.router!r}")
        out.append((mount.prefix, router))
    return out
