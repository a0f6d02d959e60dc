"""Household page (户详情), registration (建档) and editing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from jingzhun.accounts.access import Actor, actor_for
from jingzhun.accounts.roles import Perm
from jingzhun.core.errors import ValidationFailed
from jingzhun.core.forms import Done, apply_errors, submit
from jingzhun.core.history import household_entries, present
from jingzhun.core.panels import render_panels
from jingzhun.registry import enums, fields
from jingzhun.registry.forms import HouseholdEditForm, HouseholdForm, MemberForm
from jingzhun.registry.presenters import masker, member_shown
from jingzhun.registry.selectors import household_get
from jingzhun.registry.services.households import household_register, household_update

MEMBER_ROWS = 3  # member rows shown at first; 再添加一名成员 adds one more, up to MAX_MEMBER_ROWS
MAX_MEMBER_ROWS = 20


def require_editor(actor: Actor) -> None:
    """Editing needs Perm.EDIT_REGISTRY over a region (a 帮扶责任人 only reads); else the same 404."""
    if not actor.can(Perm.EDIT_REGISTRY) or actor.paired_only:
        raise Http404


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    household = household_get(actor, pk)
    mask = masker(actor)
    members = list(household.members.order_by("-is_active", "id"))
    incomes = list(household.incomes.order_by("-year"))
    active_count = sum(1 for m in members if m.is_active) or 1
    # a national list's record knows only 人均纯收入 (components unknown, docs/national-list.md)
    income_rows = [
        (
            i,
            i.per_capita_net
            if i.net_income is None
            else (i.net_income / active_count).quantize(Decimal("0.01"))
            if active_count
            else None,
        )
        for i in incomes
    ]
    # 修改记录（痕迹）: only for Perm.VIEW_AUDIT (a 帮扶责任人 or 行业部门 sees the household, not its history)
    can_view_audit = actor.can(Perm.VIEW_AUDIT)
    entries = household_entries(household.pk) if can_view_audit else []
    context: dict[str, Any] = {
        "household": household,
        # personal fields masked per jingzhun.lib.masking.POLICY (ID, birth date, health, disability)
        "members": [(m, member_shown(m, mask)) for m in members],
        "head_id": mask("head_id_number", household.head_id_number),
        "phone": mask("phone", household.phone),
        "bank_account": mask("bank_account", household.bank_account),
        "income_rows": income_rows,
        "events": household.events.select_related("member", "related_household").all()[:100],
        "steps": household.identification_steps.all(),
        "pairings": household.pairings.select_related("helper").order_by("-started_on", "-id"),
        "audit_entries": present(entries, mask=mask),
        "can_view_audit": can_view_audit,
        # 登记走访 sits at the top of the page: on a phone the visits section is ~2,000 px down
        "can_visit": actor.can(Perm.VISIT) and household.registry_status == enums.RegistryStatus.ACTIVE,
        "can_edit": actor.can(Perm.EDIT_REGISTRY)
        and not actor.paired_only
        and household.registry_status == enums.RegistryStatus.ACTIVE,
    }
    # panels other apps registered for this page (core.panels): the exit checklist of `standards`, …
    context["panels"] = render_panels("household", request, household)
    return render(request, "registry/household_detail.html", context)


def _member_rows(request: HttpRequest) -> int:
    """How many member rows the form shows: as many as were posted, plus one after 再添加一名成员."""
    raw = request.POST.get("member_rows", "")
    rows = int(raw) if raw.isdigit() else MEMBER_ROWS
    if "add_member" in request.POST:
        rows += 1
    return max(1, min(rows, MAX_MEMBER_ROWS))


def _member_forms(request: HttpRequest, rows: int) -> list[Any]:
    return [MemberForm(request.POST or None, prefix=f"m{i}") for i in range(rows)]


def _village_picker(form: Any, actor: Actor) -> Any:
    """行政村 is picked township → village (regions/picker.py), not typed as a 12-digit code."""
    from jingzhun.regions.picker import RegionPicker

    if "village_code" in form.fields:
        form.fields["village_code"].widget = RegionPicker(actor)
        form.fields["village_code"].help_text = ""
    return form


def _filled(form: Any) -> bool:
    return any((form.data.get(f"{form.prefix}-{name}") or "").strip() for name in form.fields)


def _register(actor: Actor, data: dict[str, Any], member_forms: list[Any]) -> Done:
    used = [f for f in member_forms if _filled(f)]
    household = household_register(
        actor=actor, household=data, members=[f.cleaned_data for f in used], identified_now=True
    )
    return Done(f"已建档：{household}", "registry:household_detail", kwargs={"pk": household.pk})


def _place_errors(exc: ValidationFailed, form: Any, member_forms: list[Any]) -> None:
    """The service's `members.<i>.<field>` errors on the i-th filled member row, the rest on the form."""
    used = [f for f in member_forms if _filled(f)]
    member_errors = {k: v for k, v in exc.errors.items() if k.startswith("members.")}
    apply_errors(form, ValidationFailed({k: v for k, v in exc.errors.items() if k not in member_errors}))
    for key, message in member_errors.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(used):
            target = used[int(parts[1])]
            target.add_error(parts[2] if parts[2] in target.fields else None, message)
        else:
            form.add_error(None, message)
    if not used:
        form.add_error(None, "请至少填写户主一名成员")


@login_required
def household_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    require_editor(actor)
    form = _village_picker(HouseholdForm(request.POST or None), actor)
    rows = _member_rows(request)
    member_forms = _member_forms(request, rows)
    adding = "add_member" in request.POST
    if adding:
        # 再添加一名成员: show the form again with one more row, keeping what was typed; nothing saved
        for f in (form, *member_forms):
            f.is_valid()
            f._errors = {}  # type: ignore[attr-defined]
    elif (
        response := submit(
            request,
            form,
            lambda data: _register(actor, data, member_forms),
            also=member_forms,
            on_error=lambda exc: _place_errors(exc, form, member_forms),
        )
    ) is not None:
        return response
    elif request.method != "POST":
        form = _village_picker(
            HouseholdForm(
                initial={"relocation": "否", "exit_status": "未脱贫", "identification_standard": "国家标准"}
            ),
            actor,
        )
        member_forms[0] = MemberForm(prefix="m0", initial={"relation": "户主"})
    return render(
        request,
        "registry/household_form.html",
        {
            "form": form,
            "member_forms": member_forms,
            "ethnic_groups": enums.ETHNIC_GROUPS,
            "creating": True,
            "member_rows": rows,
            "can_add_member": rows < MAX_MEMBER_ROWS,
        },
    )


@login_required
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    require_editor(actor)
    household = household_get(actor, pk)
    editable = [n for n in HouseholdEditForm.base_fields]
    # the version the page was opened at travels with the form: a save after someone else's is refused
    version: int | str | None = household.version
    if request.method == "POST":
        version = request.POST.get("version") or None
        form = _village_picker(HouseholdEditForm(request.POST), actor)

        def save(data: dict[str, Any]) -> Done:
            changes = {k: v for k, v in data.items() if k in editable}
            household_update(actor=actor, household=household, changes=changes, version=version)
            return Done("已保存", "registry:household_detail", kwargs={"pk": household.pk})

        if (response := submit(request, form, save)) is not None:
            return response
    else:
        initial = {}
        for spec in fields.HOUSEHOLD_FIELDS:
            if spec.name not in editable:
                continue
            value = household.village_id if spec.name == "village_code" else getattr(household, spec.name, "")
            if isinstance(value, bool):
                value = "是" if value else "否"
            initial[spec.name] = "" if value is None else value
        form = _village_picker(HouseholdEditForm(initial=initial), actor)
    return render(
        request,
        "registry/household_form.html",
        {"form": form, "household": household, "creating": False, "version": version},
    )
