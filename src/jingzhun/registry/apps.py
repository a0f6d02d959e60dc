from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "jingzhun.registry"
    label = "registry"
    verbose_name = "建档立卡"

    def ready(self) -> None:
        from jingzhun.api.routers import register_router

        register_router("/v1/households", "jingzhun.registry.api.households_router", order=20)
        register_router("/v1/members", "jingzhun.registry.api.members_router", order=30)
