"""Web forms built from the registry field vocabulary (registry.fields), so pages, API and files share
one definition. Forms only collect text; services parse and validate, and their Chinese messages are
attached back to the fields (`apply_errors`)."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from jingzhun.core.forms import add_override_fields, apply_errors, form_class  # noqa: F401  (re-exported)
from jingzhun.registry import enums, fields

# An <input type="date"> takes only YYYY-MM-DD; Django's zh-hans input format would render "2018/11/01",
# which a browser shows as empty (and then refuses with "请填写日期").
ISO_DATE = "%Y-%m-%d"


HouseholdForm = form_class(fields.HOUSEHOLD_FIELDS, "HouseholdForm", exclude=("head_name", "head_id_number"))
HouseholdEditForm = form_class(
    fields.HOUSEHOLD_FIELDS,
    "HouseholdEditForm",
    # Status changes are lifecycle events (标注脱贫/返贫), not edits.
    exclude=(
        "code",
        "head_name",
        "head_id_number",
        "exit_status",
        "exit_year",
        "income_year",
        *fields.INCOME_FIELD_NAMES,
    ),
)
HouseholdEditForm.base_fields["bank_account"] = forms.CharField(
    label="银行账号", required=False, widget=forms.TextInput(attrs={"class": "form-control form-control-sm"})
)
MemberForm = form_class(fields.MEMBER_FIELDS, "MemberForm", exclude=("household_code",))


class IncomeForm(forms.Form):
    year = forms.CharField(
        label="收入年度",
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "inputmode": "numeric"}),
    )
    wage = forms.CharField(label="工资性收入", required=False)
    business = forms.CharField(label="生产经营性收入", required=False)
    property_income = forms.CharField(label="财产性收入", required=False)
    transfer = forms.CharField(label="转移性收入", required=False)
    business_expense = forms.CharField(label="生产经营性支出", required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name, f in self.fields.items():
            if name != "year":
                f.widget.attrs.update({"class": "form-control form-control-sm", "inputmode": "decimal"})


def _choices(enum: Any) -> list[tuple[str, str]]:
    return [("", "—"), *[(v, v) for v in enum.values]]


class MemberRemoveForm(forms.Form):
    reason = forms.ChoiceField(
        label="减少原因",
        choices=_choices(enums.DecreaseReason),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    occurred_on = forms.DateField(
        label="日期",
        required=False,
        widget=forms.DateInput(format=ISO_DATE, attrs={"type": "date", "class": "form-control"}),
        error_messages={"invalid": "请输入有效的日期"},
    )
    note = forms.CharField(
        label="说明", required=False, max_length=200, widget=forms.TextInput(attrs={"class": "form-control"})
    )


EVENT_CHOICES = [
    ("", "—"),
    ("标注脱贫", "标注脱贫"),
    ("返贫", "返贫"),
    ("清退", "清退（错评）"),
    ("注销", "注销"),
    ("拆户", "拆户"),
    ("并户", "并户（并入本户）"),
]


class EventForm(forms.Form):
    kind = forms.ChoiceField(
        label="事件",
        choices=EVENT_CHOICES,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    occurred_on = forms.DateField(
        label="日期",
        required=False,
        widget=forms.DateInput(format=ISO_DATE, attrs={"type": "date", "class": "form-control"}),
        error_messages={"invalid": "请输入有效的日期"},
    )
    reason = forms.CharField(
        label="原因/说明",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    exit_year = forms.CharField(
        label="脱贫年度（标注脱贫）",
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )
    new_code = forms.CharField(
        label="新户编号（拆户）",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    member_ids = forms.MultipleChoiceField(
        label="拆出的成员（拆户）", required=False, widget=forms.CheckboxSelectMultiple
    )
    new_head_id = forms.ChoiceField(
        label="新户户主（拆户）", required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    other_code = forms.CharField(
        label="被并入户的户编号（并户）",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    head_relation = forms.ChoiceField(
        label="被并入户户主与本户户主的关系（并户）",
        required=False,
        choices=[(v, v) for v in enums.Relation.values if v != "户主"],
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(
        self,
        *args: Any,
        members: list[Any] = (),  # type: ignore[assignment]
        allow_override: bool = False,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        if allow_override:
            add_override_fields(self, "标注脱贫")
        choices = [(str(m.pk), f"{m.name}（{m.relation}）") for m in members]
        cast(forms.ChoiceField, self.fields["member_ids"]).choices = choices
        cast(forms.ChoiceField, self.fields["new_head_id"]).choices = [("", "—"), *choices]


class HeadChangeForm(forms.Form):
    new_head = forms.ChoiceField(label="新户主", widget=forms.Select(attrs={"class": "form-select"}))
    old_head_relation = forms.ChoiceField(
        label="原户主改为（与新户主的关系）",
        choices=[(v, v) for v in enums.Relation.values if v != "户主"],
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, members: list[Any] = (), **kwargs: Any):  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["new_head"]).choices = [
            (str(m.pk), m.name) for m in members if m.relation != "户主"
        ]


class IdentificationStepForm(forms.Form):
    step = forms.ChoiceField(
        label="程序",
        choices=_choices(enums.IdentificationStep),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    occurred_on = forms.CharField(
        label="日期（公示为开始日期）",
        required=False,
        widget=forms.DateInput(format=ISO_DATE, attrs={"type": "date", "class": "form-control"}),
    )
    ends_on = forms.CharField(
        label="公示截止日期（村公示、退出公示）",
        required=False,
        widget=forms.DateInput(format=ISO_DATE, attrs={"type": "date", "class": "form-control"}),
    )
    performed_by = forms.CharField(
        label="经办人/单位",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    note = forms.CharField(
        label="说明", required=False, max_length=500, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    evidence = forms.FileField(
        label="佐证材料", required=False, widget=forms.ClearableFileInput(attrs={"class": "form-control"})
    )
