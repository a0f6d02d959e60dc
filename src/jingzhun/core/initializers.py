"""Default data that apps install at `jingzhun init` (a seam: the kernel calls, apps register).

The kernel knows no app: each app registers in its `AppConfig.ready()` what it installs, with an order
(divisions before anything that refers to them). Every installer is idempotent and receives the init
options (`city`), returning a dict of counts that `init` reports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Installer = Callable[..., dict[str, int] | None]


@dataclass(frozen=True)
class Initializer:
    name: str
    order: int
    install: Installer


_INITIALIZERS: dict[str, Initializer] = {}


def register_initializer(name: str, install: Installer, *, order: int = 100) -> None:
    _INITIALIZERS[name] = Initializer(name=name, order=order, install=install)


def initializers() -> list[Initializer]:
    return sorted(_INITIALIZERS.values(), key=lambda i: (i.order, i.name))


def run_initializers(**options: Any) -> dict[str, dict[str, int]]:
    return {item.name: item.install(**options) or {} for item in initializers()}
