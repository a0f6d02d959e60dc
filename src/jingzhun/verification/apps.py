"""Data truth (数据清洗、部门比对、线索核查): cleansing rules over the registry, departmental cross-checks,
and every hit stored as a clue (线索) checked on the ground on the ledger engine (spec/verification.md §1–§3)."""

from django.apps import AppConfig


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
