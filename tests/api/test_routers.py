"""The API kernel's seam: each app registers its router (`jingzhun.api.routers.register_router`) and the
one API mounts what was registered, in order, under stable operation ids."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from ninja import Router

from jingzhun.api import routers
from jingzhun.api.app import JingzhunAPI, api, operation_topic

PINNED = Path(__file__).with_name("operation_ids.txt")


def _pinned() -> dict[str, str]:
    lines = PINNED.read_text(encoding="utf-8").splitlines()
    rows = [line.split("  ") for line in lines if line.strip() and not line.startswith("#")]
    return {key: op_id for key, op_id in rows}


def test_every_operation_keeps_its_published_id():
    schema = api.get_openapi_schema()
    served = {
        f"{method.upper()} {path}": op["operationId"]
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
    }
    assert served == _pinned()


def test_every_router_is_an_apps_not_the_kernels():
    """Adding a context touches no central file: every router is registered by an app, from its own package."""
    mounts = routers.registered()
    assert {m.prefix for m in mounts} >= {"/v1/regions", "/v1/households", "/v1/members", "/v1/ledger"}
    for mount in mounts:
        router = mount.resolve()
        modules = {
            op.view_func.__module__ for view in router.path_operations.values() for op in view.operations
        }
        assert modules, f"{mount.router!r}: a router without operations"
        for module in modules:
            assert module.split(".")[1] != "api", (
                f"{module}: an app's API belongs in <app>/api.py, not in jingzhun.api"
            )


@pytest.mark.parametrize(
    ("module", "topic"),
    [
        ("jingzhun.ledger.api", "ledger"),
        ("jingzhun.registry.api_households", "households"),
        ("jingzhun.registry.api_lifecycle", "lifecycle"),
        ("jingzhun.verification.api", "verification"),
    ],
)
def test_operation_topic_follows_the_module_convention(module, topic):
    assert operation_topic(module) == topic


def test_a_view_outside_the_convention_is_refused():
    with pytest.raises(ValueError, match="api.py"):
        operation_topic("jingzhun.ledger.views")


def test_registered_routers_mount_in_order_once(monkeypatch):
    monkeypatch.setattr(routers, "_MOUNTS", [])
    late, early = Router(tags=["晚 late"]), Router(tags=["早 early"])

    @late.get("/x")
    def late_view(request):
        return {}

    @early.get("/y")
    def early_view(request):
        return {}

    late_view.__module__ = early_view.__module__ = "jingzhun.demoapp.api"
    routers.register_router("/v1/late", late, order=20)
    routers.register_router("/v1/early", early, order=10)
    routers.register_router("/v1/early", early, order=10)  # a ready() run twice
    assert [m.prefix for m in routers.registered()] == ["/v1/early", "/v1/late"]

    kernel = JingzhunAPI(urls_namespace="test-routers-order")
    paths = kernel.get_openapi_schema(path_prefix="/api/")["paths"]
    assert list(paths) == ["/api/v1/early/y", "/api/v1/late/x"]
    assert paths["/api/v1/early/y"]["get"]["operationId"] == "jingzhun_api_demoapp_early_view"
    kernel.mount_registered()  # a second call mounts nothing again
    assert len(kernel.get_openapi_schema(path_prefix="/api/")["paths"]) == 2


def test_a_router_given_by_dotted_path_is_imported_when_mounted(monkeypatch):
    monkeypatch.setattr(routers, "_MOUNTS", [])
    routers.register_router("/v1/x", "jingzhun.api.shapes.MAX_ID", order=1)
    with pytest.raises(TypeError, match="not a ninja Router"):
        routers.registered()[0].resolve()


def test_two_routers_may_share_a_prefix_but_not_a_path(monkeypatch):
    monkeypatch.setattr(routers, "_MOUNTS", [])
    first, second, third = Router(), Router(), Router()
    for router in (first, second):

        @router.get("/{item_id}/steps")
        def steps(request, item_id: int):
            return {}

    @third.get("/{item_id}/photos")
    def photos(request, item_id: int):
        return {}

    routers.register_router("/v1/items", first, order=1)
    routers.register_router("/v1/items", third, order=2)
    assert [prefix for prefix, _ in routers.resolved()] == ["/v1/items", "/v1/items"]
    routers.register_router("/v1/items", second, order=3)
    with pytest.raises(ImproperlyConfigured, match="/v1/items/{item_id}/steps"):
        routers.resolved()


def test_a_prefix_names_its_version():
    with pytest.raises(ValueError, match="/v1/"):
        routers.register_router("/ledger", Router(), order=1)
