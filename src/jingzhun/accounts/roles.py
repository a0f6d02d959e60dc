"""Roles and their named permissions (product.md). Permissions are data: a role is a set of names.

A role is granted to a user over a scope (a region subtree, or — for 帮扶责任人 — the households
paired with them). Checking happens in jingzhun.accounts.access only.
"""

from __future__ import annotations

from django.db import models


class Perm:
    VIEW_REGISTRY = "registry.view"
    EDIT_REGISTRY = "registry.edit"
    VIEW_SENSITIVE = "registry.view_sensitive"  # full ID numbers, phones, bank accounts
    IMPORT_REGISTRY = "registry.import"
    EXPORT_REGISTRY = "registry.export"
    EDIT_REGIONS = "regions.edit"
    MANAGE_USERS = "accounts.manage"  # create, deactivate, reset passwords and second factors (系统管理员)
    MANAGE_GRANTS = "accounts.grant"  # grant and revoke roles (安全管理员)
    MANAGE_STANDARDS = "standards.manage"
    RUN_ASSESSMENT = "standards.run"  # the whole-county assessment: county roles only
    OVERRIDE_EXIT = (
        "standards.override_exit"  # 例外放行 an exit that fails the check (when the county allows)
    )
    VIEW_AUDIT = "core.view_audit"
    VIEW_ASSISTANCE = "assistance.view"  # responsibility pages, visits, measures, alerts
    EDIT_ASSISTANCE = "assistance.edit"  # units, links, work teams, first secretaries, pairings
    VISIT = "assistance.visit"  # log visits (走访) and help measures for households in scope
    CHECK_IN = "assistance.checkin"  # 驻村考勤 (only a stationed cadre actually can)
    CONFIGURE_ASSISTANCE = "assistance.configure"  # alert parameters
    LEDGER_VIEW = "ledger.view"  # 台账: see items in scope
    LEDGER_HANDLE = "ledger.handle"  # the responsible side: 整改、办理、申请销号
    LEDGER_ASSIGN = "ledger.assign"  # the supervising side: 交办、验收销号、退回、批准延期
    LEDGER_IMPORT = "ledger.import"
    LEDGER_CASES = "ledger.cases"  # 违纪案件 (纪委)
    # 部门数据 (departmental datasets): the raw records are seen by county roles only, whole county (the
    # departments send county-wide rolls); township and village see a record only on a clue of theirs.
    VIEW_DATASETS = "verification.view_datasets"
    IMPORT_DATASETS = "verification.import_datasets"  # replaces a dataset: the county admin only
    CLUE_CONFIRM = "verification.confirm"  # 线索核查: confirm a checker's finding (四眼, township/county)
    CLUE_APPLY = "verification.apply"  # apply a confirmed clue's follow-up to the registry (一键处置)
    CLUE_CONFIGURE = "verification.configure"  # the county's clue settings (whether findings need confirming)


class RoleCode(models.TextChoices):
    COUNTY_ADMIN = "county_admin", "县扶贫办管理员"
    COUNTY_LEADER = "county_leader", "县领导"
    SECTOR = "sector", "行业部门"
    TOWNSHIP_CADRE = "township_cadre", "乡镇干部"
    VILLAGE_CADRE = "village_cadre", "村干部/第一书记"
    HELPER = "helper", "帮扶责任人"
    INSPECTOR = "inspector", "督查组/复核组"
    DISCIPLINE = "discipline", "纪委"
    # 三员分立 (等保 L3): each administrator does one kind of work and none can do another's.
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


_ALL = {v for k, v in vars(Perm).items() if k.isupper()}

_LEDGER_HANDLER = frozenset({Perm.LEDGER_VIEW, Perm.LEDGER_HANDLE})
_LEDGER_SUPERVISOR = frozenset({Perm.LEDGER_VIEW, Perm.LEDGER_ASSIGN})

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    RoleCode.COUNTY_ADMIN: frozenset(_ALL),
    RoleCode.COUNTY_LEADER: frozenset(
        {
            Perm.VIEW_REGISTRY,
            Perm.EXPORT_REGISTRY,
            Perm.VIEW_AUDIT,
            Perm.VIEW_ASSISTANCE,
            Perm.VIEW_DATASETS,
            Perm.CLUE_CONFIRM,
        }
    )
    | _LEDGER_SUPERVISOR,
    RoleCode.SECTOR: frozenset({Perm.VIEW_REGISTRY}) | _LEDGER_HANDLER,
    RoleCode.TOWNSHIP_CADRE: frozenset(
        {
            Perm.VIEW_REGISTRY,
            Perm.EDIT_REGISTRY,
            Perm.VIEW_SENSITIVE,
            Perm.IMPORT_REGISTRY,
            Perm.EXPORT_REGISTRY,
            Perm.VIEW_AUDIT,
            Perm.EDIT_REGIONS,
            Perm.VIEW_ASSISTANCE,
            Perm.EDIT_ASSISTANCE,
            Perm.VISIT,
            Perm.CHECK_IN,
            Perm.CLUE_CONFIRM,
            Perm.CLUE_APPLY,
        }
    )
    | _LEDGER_HANDLER,
    RoleCode.VILLAGE_CADRE: frozenset(
        {
            Perm.VIEW_REGISTRY,
            Perm.EDIT_REGISTRY,
            Perm.VIEW_SENSITIVE,
            Perm.EXPORT_REGISTRY,
            Perm.VIEW_AUDIT,
            Perm.VIEW_ASSISTANCE,
            Perm.EDIT_ASSISTANCE,
            Perm.VISIT,
            Perm.CHECK_IN,
        }
    )
    | _LEDGER_HANDLER,
    RoleCode.HELPER: frozenset({Perm.VIEW_REGISTRY, Perm.VIEW_ASSISTANCE, Perm.VISIT, Perm.CHECK_IN}),
    RoleCode.INSPECTOR: frozenset(
        {Perm.VIEW_REGISTRY, Perm.VIEW_AUDIT, Perm.VIEW_ASSISTANCE, Perm.CLUE_CONFIRM}
    )
    | _LEDGER_SUPERVISOR,
    RoleCode.DISCIPLINE: frozenset(
        {Perm.VIEW_REGISTRY, Perm.VIEW_AUDIT, Perm.VIEW_ASSISTANCE, Perm.LEDGER_CASES}
    )
    | _LEDGER_SUPERVISOR
    | _LEDGER_HANDLER,
    # users and settings; no roles, no audit, no personal data
    RoleCode.SYSTEM_ADMIN: frozenset({Perm.MANAGE_USERS, Perm.CONFIGURE_ASSISTANCE}),
    # roles and grants only
    RoleCode.SECURITY_ADMIN: frozenset({Perm.MANAGE_GRANTS}),
    # reads the audit trail (and its verification), changes nothing
    RoleCode.AUDIT_ADMIN: frozenset({Perm.VIEW_AUDIT}),
}

# Roles whose scope is "the households paired with me", not a region subtree.
PAIRED_HOUSEHOLD_ROLES = frozenset({RoleCode.HELPER})
