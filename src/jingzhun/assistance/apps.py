"""Responsibility and help (五个责任, 帮扶): units, work teams, first secretaries, helper pairings,
visits, attendance, measures and the responsibility alerts."""

from django.apps import AppConfig

# Chinese names of this app's audit actions on the household history (core.history reads ACTION_LABELS).
ACTION_LABELS = {
    "visit.create": "登记走访",
    "measure.create": "添加帮扶措施",
    "measure.update": "修改帮扶措施",
    "checkin.create": "驻村签到",
    "checkin.overnight": "登记住村",
    "unit.create": "新建帮扶单位",
    "leader_link.start": "县领导联点",
    "leader_link.end": "结束联点",
    "unit_link.start": "单位联村",
    "work_team.create": "派驻工作队",
    "team_member.add": "工作队队员",
    "team_member.demote": "更换队长",
    "team_member.end": "队员撤离",
    "first_secretary.start": "任命第一书记",
    "first_secretary.end": "第一书记离任",
    "assistance.settings": "修改帮扶预警参数",
    "assistance.demo_seed": "生成帮扶演示数据",
}


class AssistanceConfig(AppConfig):
    name = "jingzhun.assistance"
    label = "assistance"
    verbose_name = "帮扶"

    def ready(self) -> None:
        from jingzhun.core import history

        for action, label in ACTION_LABELS.items():
            history.ACTION_LABELS.setdefault(action, label)

        from jingzhun.accounts.access import register_assigned_households
        from jingzhun.assistance.selectors import paired_household_ids_q

        register_assigned_households(paired_household_ids_q)

        from jingzhun.api.routers import register_router
        from jingzhun.assistance import xlsx_lists  # noqa: F401  (registers the alert lists' xlsx)

        register_router("/v1/households", "jingzhun.assistance.api.households_router", order=25)
        register_router("/v1/visits", "jingzhun.assistance.api.visits_router", order=50)
        register_router("/v1/measures", "jingzhun.assistance.api.measures_router", order=60)
