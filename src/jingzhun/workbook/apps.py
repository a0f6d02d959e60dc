from django.apps import AppConfig


class WorkbookConfig(AppConfig):
    name = "jingzhun.workbook"
    label = "workbook"
    verbose_name = "登记簿导入导出"
