from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "jingzhun.standards"
    label = "standards"
    verbose_name = "退出标准与评估"

    def ready(self) -> None:
        # Re-assess a household whenever a registry service changes its data, and the importer's scope after
        # an import: reaction jobs queued in the write's transaction (jobs.outbox, handlers in standards/jobs.py).
        from jingzhun.jobs.outbox import subscribe
        from jingzhun.registry.services.common import HOUSEHOLD_CHANGED, IMPORTED
        from jingzhun.standards.jobs import REASSESS_HOUSEHOLD, REASSESS_IMPORT

        subscribe(HOUSEHOLD_CHANGED, REASSESS_HOUSEHOLD)
        subscribe(IMPORTED, REASSESS_IMPORT)

        from jingzhun.core.initializers import register_initializer
        from jingzhun.standards.defaults import install_defaults

        register_initializer("standards", install_defaults)

        from jingzhun.core.exit_gate import register_exit_gate
        from jingzhun.standards import exit_guard

        # The registry and the village facts ask this gate before 标注脱贫 / 出列 (core.exit_gate).
        register_exit_gate(exit_guard)

        from jingzhun.core.panels import register_panel
        from jingzhun.standards.panels import PANELS

        # The exit checklists on the household and village pages (core.panels).
        for panel in PANELS:
            register_panel(panel)

        from jingzhun.core.assessments import register_assessments
        from jingzhun.standards import listing

        # The default year and the household list's 评估 column and filters (core.assessments).
        register_assessments(listing)

        from jingzhun.core.lists import register_list
        from jingzhun.standards import data_gaps

        register_list(data_gaps.LIST)  # 数据待补 as xlsx (/lists/data-gaps.xlsx)
