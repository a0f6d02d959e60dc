"""Present audit entries for an object's page: Chinese action names and field labels."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jingzhun.core.models import AuditEntry

ACTION_LABELS = {
    "household.register": "建档",
    "household.update": "修改户信息",
    "household.head_change": "变更户主",
    "household.identification_step": "识别/退出程序",
    "member.add": "添加成员",
    "member.update": "修改成员",
    "member.remove": "减少成员",
    "member.move": "成员迁移",
    "income.record": "登记收入",
    "income.delete": "删除收入",
    "household.event.marked_exited": "标注脱贫",
    "household.event.returned": "返贫",
    "household.event.purge": "清退",
    "household.event.cancel": "注销",
    "household.event.split": "拆户",
    "household.event.merge": "并户",
    "pairing.start": "结对帮扶",
    "pairing.end": "结束帮扶",
    "import.create": "导入新建",
    "import.update": "导入更新",
    "user.login": "登录",
    "user.login_failed": "登录失败",
    "user.logout": "退出登录",
    "user.grant": "授予角色",
    "user.revoke": "撤销角色",
    "user.activate": "启用账号",
    "user.deactivate": "停用账号",
    "user.reset_password": "重置密码",
    "standards.exit_exception.override": "例外放行（退出核验未通过）",
    "standards.exit_exception.import": "导入的退出未通过核验",
    "region.update": "修改村情",
    "user.reset_otp": "重置动态口令",
    "user.otp_enrol": "绑定动态口令",
}
# Keys that hold a user's id: shown as the person's name, never the number.
PERSON_KEYS = frozenset({"helper"})
# Keys kept in the audit row for machines (the name beside an id, rule codes beside their texts).
HIDDEN_KEYS = frozenset({"helper_name", "codes"})


@lru_cache(maxsize=1)
def field_labels() -> dict[str, str]:
    from django.apps import apps

    labels: dict[str, str] = {
        "village_id": "行政村",
        "household": "所属户",
        "helper": "帮扶责任人",
        "started_on": "开始日期",
        "ended_on": "结束日期",
        "year": "年度",
        "problems": "未通过的核验项",
        "reason": "书面理由",
        "ends_on": "公示截止日期",
    }
    # Registry labels first: they win where an assistance model reuses a field name.
    models = [
        *apps.get_app_config("registry").get_models(),
        *apps.get_app_config("assistance").get_models(),
        *apps.get_app_config("regions").get_models(),  # 村情 history on the village page
    ]
    for model in models:
        for f in model._meta.get_fields():
            if hasattr(f, "verbose_name") and hasattr(f, "attname"):
                labels.setdefault(f.attname, str(f.verbose_name))
    return labels


@dataclass
class AuditRow:
    at: Any
    actor_name: str
    action_label: str
    object_label: str
    job_id: int | None
    note: str
    changes: list[tuple[str, Any, Any]]
    created: bool = False


def _person_names(entries: list[AuditEntry]) -> dict[Any, str]:
    """Names for the user ids under PERSON_KEYS (the name stored beside the id first, else the account)."""
    names: dict[Any, str] = {}
    wanted: set[Any] = set()
    for e in entries:
        for values in (e.before or {}, e.after or {}):
            for key in PERSON_KEYS:
                if values.get(key) is None:
                    continue
                if values.get(f"{key}_name"):
                    names[values[key]] = values[f"{key}_name"]
                else:
                    wanted.add(values[key])
    wanted -= names.keys()
    if wanted:
        from django.contrib.auth import get_user_model

        users = get_user_model().objects.filter(pk__in=[w for w in wanted if isinstance(w, int)])
        names.update({u.pk: str(u) for u in users})
    return names


def _show(value: Any, labels: dict[str, str] | None = None) -> Any:
    if isinstance(value, list | tuple):
        return "；".join(str(_show(v)) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{(labels or {}).get(k, k)}：{_show(v)}" for k, v in value.items())
    if value is True:
        return "是"
    if value is False:
        return "否"
    return value


def present(entries: list[AuditEntry], *, mask: Any = None) -> list[AuditRow]:
    labels = field_labels()
    people = _person_names(entries)
    rows = []
    for e in entries:
        changes = []
        for name, old, new in e.changed_fields():
            if name in HIDDEN_KEYS:
                continue
            if name in PERSON_KEYS:
                old, new = people.get(old, old), people.get(new, new)
            if mask is not None:
                old, new = mask(name, old), mask(name, new)
            changes.append(
                (
                    labels.get(name, name),
                    _show(old, labels) if e.before is not None else None,
                    _show(new, labels),
                )
            )
        rows.append(
            AuditRow(
                e.at,
                e.actor_name,
                ACTION_LABELS.get(e.action, e.action),
                e.object_label,
                e.job_id,
                e.note,
                changes,
                created=e.before is None and bool(changes),
            )
        )
    return rows


# --- reads of the trail for pages (views read through these, never AuditEntry.objects) -----------------
def household_entries(household_id: int, limit: int = 200) -> list[AuditEntry]:
    """The trail of a household's page, newest first."""
    return list(AuditEntry.objects.filter(household_id=household_id).order_by("-id")[:limit])


def subject_entries(
    object_type: str, object_id: Any, actions: tuple[str, ...], limit: int = 100
) -> list[AuditEntry]:
    """The entries of one audited thing (kind and id) with one of `actions`, newest first."""
    query = AuditEntry.objects.filter(object_type=object_type, object_id=object_id, action__in=actions)
    return list(query.order_by("-id")[:limit])


def last_entry_id() -> int | None:
    """The newest entry's id: a version of everything audited (a cache key changes with any write)."""
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()


def entry_count() -> int:
    return AuditEntry.objects.count()
