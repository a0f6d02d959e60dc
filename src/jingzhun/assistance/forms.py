"""Forms of help and responsibility. Forms collect text; services validate (apply_errors)."""

from __future__ import annotations

from datetime import date

from django import forms

from jingzhun.assistance import models as m
from jingzhun.registry.forms import ISO_DATE


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the service checks each one (size, image bytes)."""

    def clean(self, data, initial=None):  # type: ignore[no-untyped-def]
        items = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class VisitForm(forms.Form):
    visited_on = forms.CharField(
        label="走访日期",
        required=False,
        widget=forms.DateInput(format=ISO_DATE, attrs={"type": "date", "class": "form-control"}),
    )
    activities = forms.CharField(
        label="帮扶工作内容",
        required=False,
        widget=forms.Textarea(
            attrs={"class": "form-control", "rows": 3, "placeholder": "宣讲政策、核实收入、落实措施…"}
        ),
    )
    problems = forms.CharField(
        label="发现的问题", required=False, widget=forms.Textarea(attrs={"class": "form-control", "rows": 2})
    )
    photos = MultipleFileField(
        label="照片（可多选，每张不超过 5 MB）",
        required=False,
        # photo-compress.js shrinks large photos in the browser before upload (longer side ≤ 1920 px)
        widget=MultipleFileInput(
            attrs={
                "class": "form-control",
                "accept": "image/*",
                "multiple": True,
                "data-compress-photos": "",
                "data-max-side": "1920",
                "data-status": "photo-status",
            }
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("visited_on", date.today().isoformat())


def _choices(values: list[str]) -> list[tuple[str, str]]:
    return [("", "—"), *[(v, v) for v in values]]


class MeasureForm(forms.Form):
    category = forms.ChoiceField(
        label="措施类别",
        choices=_choices(m.MeasureCategory.values),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    content = forms.CharField(
        label="措施内容",
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    funds = forms.CharField(
        label="投入资金（元）",
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "decimal"}),
    )
    expected_income_gain = forms.CharField(
        label="预计增收（元/年）",
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "decimal"}),
    )
    started_on = forms.CharField(
        label="开始日期",
        required=False,
        widget=forms.DateInput(format=ISO_DATE, attrs={"type": "date", "class": "form-control"}),
    )
    ended_on = forms.CharField(
        label="结束日期",
        required=False,
        widget=forms.DateInput(format=ISO_DATE, attrs={"type": "date", "class": "form-control"}),
    )
    status = forms.ChoiceField(
        label="状态",
        choices=[(v, v) for v in m.MeasureStatus.values],
        required=False,
        initial=m.MeasureStatus.ACTIVE,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class HelperAssignForm(forms.Form):
    """The helper is chosen from a name search (assistance/helper_assign.html), not typed as a user name."""

    helper = forms.IntegerField(label="帮扶责任人", required=False, widget=forms.HiddenInput)
    started_on = forms.CharField(
        label="开始日期",
        required=False,
        widget=forms.DateInput(format=ISO_DATE, attrs={"type": "date", "class": "form-control"}),
    )


class CheckInForm(forms.Form):
    overnight = forms.BooleanField(
        label="今晚住村", required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    note = forms.CharField(
        label="说明", required=False, max_length=200, widget=forms.TextInput(attrs={"class": "form-control"})
    )


class SettingsForm(forms.Form):
    max_households_per_helper = forms.CharField(label="每名帮扶责任人最多结对户数", required=False)
    visit_interval_days = forms.CharField(label="走访间隔（天）：超过即预警", required=False)
    week_min_days = forms.CharField(label="五天四夜：每周最少在村天数", required=False)
    week_min_nights = forms.CharField(label="五天四夜：每周最少住村夜数", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.widget.attrs.update({"class": "form-control", "inputmode": "numeric"})
