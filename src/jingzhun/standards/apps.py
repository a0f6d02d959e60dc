from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "jingzhun.standards"
    label = "standards"
    verbose_name = "退出标准与评估"
