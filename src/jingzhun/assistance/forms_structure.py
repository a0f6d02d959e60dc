"""Forms of the responsibility system (责任体系): units, links, work teams, first secretaries.
Forms collect text; the views resolve names and codes and the services validate (apply_errors)."""

from __future__ import annotations

from django import forms

from jingzhun.assistance import models as m
from jingzhun.registry.forms import ISO_DATE


def _text(label: str, *, max_length: int = 100, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


def _date(label: str = "开始日期") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text="留空 = 今天",
        widget=forms.DateInput(format=ISO_DATE, attrs={"type": "date", "class": "form-control"}),
    )


class UnitForm(forms.Form):
    name = _text("单位名称")
    affiliation = forms.ChoiceField(
        label="隶属",
        choices=[("", "—"), *[(v, v) for v in m.Affiliation.values]],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class LeaderLinkForm(forms.Form):
    username = _text("县领导账号（用户名）", max_length=150)
    township = _text("联系乡镇（12 位行政区划代码）", max_length=12)
    started_on = _date()


class UnitLinkForm(forms.Form):
    unit = _text("帮扶单位名称")
    village = _text("联系村（12 位行政区划代码）", max_length=12)
    started_on = _date()


class WorkTeamForm(forms.Form):
    village = _text("驻村（贫困村的 12 位行政区划代码）", max_length=12)
    unit = _text("派出单位名称（可空）")
    started_on = _date("进驻日期")


class MemberForm(forms.Form):
    username = _text("队员账号（用户名）", max_length=150)
    is_leader = forms.BooleanField(
        label="任队长", required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    started_on = _date()


class TeamLeaderForm(forms.Form):
    username = _text("队长账号（用户名）", max_length=150, help_text="原队长留在队中任队员")
    started_on = _date()


class SecretaryForm(forms.Form):
    village = _text("村（12 位行政区划代码）", max_length=12)
    username = _text("第一书记账号（用户名）", max_length=150)
    unit = _text("派出单位名称（可空）")
    started_on = _date("任职日期")
