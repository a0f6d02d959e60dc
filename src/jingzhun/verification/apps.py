"""Data truth (数据清洗、部门比对、线索核查): cleansing rules over the registry, departmental cross-checks,
and every hit stored as a clue (线索) checked on the ground on the ledger engine (spec/verification.md §1–§3)."""

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
        from jingzhun.core.initializers import register_initializer
        from jingzhun.verification.services import install_defaults

        # The shipped rule parameters as published version 1 (after the standards, which give the line).
        register_initializer("verification_rules", install_defaults, order=120)
        history.ACTION_LABELS.update(
            {
                "verification.ruleset_draft": "新建核查规则参数草稿",
                "verification.ruleset_update": "修改核查规则参数",
                "verification.ruleset_publish": "发布核查规则参数",
            }
        )

        from jingzhun.verification import kind, panels, xlsx_lists

        for action, label in ACTION_LABELS.items():
            history.ACTION_LABELS.setdefault(action, label)
        kind.register()  # 线索核查 on the ledger engine
        panels.register()  # the household page's open clues, beside the exit checklist
        xlsx_lists.register()  # the clue list as xlsx (core.lists)
