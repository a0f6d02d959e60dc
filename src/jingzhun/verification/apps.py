from django.apps import AppConfig

# Chinese names of this app's audit actions on the household history (core.history reads ACTION_LABELS).
ACTION_LABELS = {
    "clue.raise": "发现疑点（线索）",
    "clue.apply": "线索后续处置",
    "clue.store": "保存比对线索",
    "clue.settings": "修改线索核查设置",
    "clue.export": "导出线索",
}


class VerificationConfig(AppConfig):
    name = "jingzhun.verification"
    label = "verification"
    verbose_name = "数据核查"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from jingzhun.core import history
        from jingzhun.verification import kind, panels, xlsx_lists

        for action, label in ACTION_LABELS.items():
            history.ACTION_LABELS.setdefault(action, label)
        kind.register()  # 线索核查 on the ledger engine
        panels.register()  # the household page's open clues, beside the exit checklist
        xlsx_lists.register()  # the clue list as xlsx (core.lists)
