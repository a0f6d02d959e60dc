"""The registry's API (建档立卡): households and members (`api_households`), with a household's incomes,
lifecycle events, identification steps and a member's removal (`api_lifecycle`) on the same routers.
`RegistryConfig.ready()` registers the two routers (`jingzhun.api.routers`)."""

from jingzhun.registry import api_lifecycle
from jingzhun.registry.api_households import members_router
from jingzhun.registry.api_households import router as households_router

__all__ = ["households_router", "members_router"]
assert api_lifecycle  # imported for its routes on both routers
