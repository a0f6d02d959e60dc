from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "jingzhun.ledger"
    label = "ledger"
    verbose_name = "台账与督办"
    default_auto_field = "django.db.models.BigAutoField"
