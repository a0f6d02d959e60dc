from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "jingzhun.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from jingzhun.accounts import signals  # noqa: F401  (sign-ins in the audit trail)
