from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "jingzhun.ledger"
    label = "ledger"
    verbose_name = "台账与督办"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from jingzhun.api.routers import register_router

        register_router("/v1/ledger", "jingzhun.ledger.api.router", order=40)
