from django.apps import AppConfig


class RegionPagesConfig(AppConfig):
    name = "jingzhun.region_pages"
    label = "region_pages"
    verbose_name = "行政区划页面"

    def ready(self) -> None:
        from jingzhun.api.routers import register_router

        # operation ids keep their published topic: region_pages/api_regions.py → `regions`
        register_router("/v1/regions", "jingzhun.region_pages.api_regions.router", order=10)
