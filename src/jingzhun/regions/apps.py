from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "jingzhun.regions"
    label = "regions"
    verbose_name = "行政区划"

    def ready(self) -> None:
        from jingzhun.core.initializers import register_initializer
        from jingzhun.regions.loader import load_divisions

        # First: everything else refers to the divisions.
        register_initializer("regions", load_divisions, order=10)
