from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "jingzhun.verification"
    label = "verification"
    verbose_name = "数据核查"
    default_auto_field = "django.db.models.BigAutoField"
