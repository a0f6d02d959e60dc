from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "jingzhun.core"
    label = "core"
    verbose_name = "痕迹管理"

    def ready(self) -> None:
        from jingzhun.core import appendonly

        # After every migrate, not only core's: a migration that rebuilds the audit table on SQLite drops
        # its triggers, and they must come back.
        post_migrate.connect(appendonly.ensure, dispatch_uid="jingzhun.core.appendonly")
