from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jingzhun.jobs"
    label = "jobs"
    verbose_name = "后台任务"

    def ready(self) -> None:
        # Every app's `jobs` module registers its handlers and schedules when imported; importing them
        # all here means `enqueue` knows every kind in every process (web, worker, CLI, tests), not only
        # the kinds some view happened to import first.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs")
