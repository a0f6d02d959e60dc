"""Forms of the standards admin pages. Parameters are edited value by value; the structure of a rule
(operator, fields) is fixed once created — a different structure is a new rule."""

from __future__ import annotations

from typing import Any

from django import forms

from jingzhun.rules.vocabulary import (
    FIELDS_BY_OPERATOR,
    HOUSEHOLD_FIELDS,
    MEMBER_FIELDS,
    OPERATORS_BY_LEVEL,
    OPS,
    VILLAGE_FIELDS,
    show,
)
from jingzhun.standards.models import StandardSet

CONDITION_ROWS = 4


def _bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        css = (
            "form-select form-select-sm"
            if isinstance(field.widget, forms.Select)
            else "form-control form-control-sm"
        )
        field.widget.attrs.setdefault("class", css)


def value_text(value: Any) -> str:
    if isinstance(value, list):
        return ",".join("" if v == "" else show(v) if isinstance(v, bool) else str(v) for v in value)
    if isinstance(value, bool):
        return show(value)
    return "" if value is None else str(value)


def parse_value(text: str) -> Any:
    """Form text → parameter value; lists are comma-separated ("空" means the empty value)."""
    text = text.strip()
    if "," in text or "，" in text:
        return ["" if part.strip() == "空" else part.strip() for part in text.replace("，", ",").split(",")]
    return "" if text == "空" else text


class StandardEditForm(forms.Form):
    first_year = forms.IntegerField(label="适用起始年度", min_value=2000, max_value=2100)
    last_year = forms.IntegerField(label="适用截止年度", min_value=2000, max_value=2100)
    reference_month = forms.IntegerField(label="年龄计算基准日：月", min_value=1, max_value=12)
    reference_day = forms.IntegerField(label="日", min_value=1, max_value=31)
    exit_notice_days = forms.IntegerField(label="退出公示不少于（天）", min_value=1, max_value=60)
    description = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, standard: StandardSet, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.standard = standard
        self.line_fields: list[tuple[int, str]] = []
        years = sorted(
            {x.year for x in standard.lines.all()} | set(range(standard.first_year, standard.last_year + 1))
        )
        existing = {x.year: x.amount for x in standard.lines.all()}
        for year in years:
            name = f"line_{year}"
            self.fields[name] = forms.DecimalField(
                label=f"{year}年扶贫标准（元）",
                required=False,
                min_value=1,
                decimal_places=2,
                max_digits=10,
                initial=existing.get(year),
            )
            self.line_fields.append((year, name))
        self.rule_fields: list[tuple[Any, list[tuple[str, str]]]] = []
        for rule in standard.rules.all():
            names = []
            for index, cond in enumerate(rule.params.get("conditions", [])):
                if cond["op"] in ("empty", "not_empty"):
                    continue
                fields = FIELDS_BY_OPERATOR[rule.operator]
                name = f"rule_{rule.code}_c{index}"
                self.fields[name] = forms.CharField(
                    label=f"{fields[cond['field']].label}（{OPS[cond['op']]}）",
                    initial=value_text(cond["value"]),
                )
                names.append((name, "condition"))
            for key, label in (("n", "人数"), ("threshold_pct", "阈值（%）")):
                if key in rule.params:
                    name = f"rule_{rule.code}_{key}"
                    self.fields[name] = forms.CharField(label=label, initial=str(rule.params[key]))
                    names.append((name, key))
            if names:
                self.rule_fields.append((rule, names))
        _bootstrap(self)

    @property
    def line_group(self) -> list[Any]:
        return [self[name] for _, name in self.line_fields]

    @property
    def rule_groups(self) -> list[tuple[Any, list[Any]]]:
        return [(rule, [self[name] for name, _ in names]) for rule, names in self.rule_fields]

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        changes: dict[str, Any] = {
            k: data[k]
            for k in (
                "first_year",
                "last_year",
                "reference_month",
                "reference_day",
                "exit_notice_days",
                "description",
            )
        }
        changes["lines"] = {year: data.get(name) for year, name in self.line_fields}
        rule_params = {}
        for rule, names in self.rule_fields:
            params = {**rule.params, "conditions": [dict(c) for c in rule.params.get("conditions", [])]}
            for name, kind in names:
                if kind == "condition":
                    index = int(name.rsplit("_c", 1)[1])
                    params["conditions"][index]["value"] = parse_value(data[name])
                else:
                    params[kind] = data[name].strip()
            if not params["conditions"]:
                params.pop("conditions")
            if params != rule.params:
                rule_params[rule.code] = params
        changes["rule_params"] = rule_params
        return changes


def _field_choices() -> list[tuple[str, Any]]:
    return [
        ("成员字段", [(f"member:{k}", v.label) for k, v in MEMBER_FIELDS.items()]),
        ("户字段", [(f"household:{k}", v.label) for k, v in HOUSEHOLD_FIELDS.items()]),
        ("村字段", [(f"village:{k}", v.label) for k, v in VILLAGE_FIELDS.items()]),
    ]


class RuleAddForm(forms.Form):
    level = forms.ChoiceField(label="层级", choices=[("household", "户"), ("village", "村")])
    code = forms.CharField(label="规则代码", max_length=30, help_text="如 H-ILLNESS（户）、V-BUS（村）")
    name = forms.CharField(label="规则名称", max_length=60)
    operator = forms.ChoiceField(
        label="运算",
        choices=[
            (op, f"{label}（{'户' if level == 'household' else '村'}）")
            for level in ("household", "village")
            for op, label in OPERATORS_BY_LEVEL[level].items()
            if op not in ("income_above_line", "village_incidence_below")
        ],
    )
    match = forms.ChoiceField(
        label="多个条件", choices=[("all", "全部满足"), ("any", "任一满足")], required=False
    )
    cmp = forms.ChoiceField(label="人数比较", choices=[("gte", "不少于"), ("lte", "不多于")], required=False)
    n = forms.IntegerField(label="人数", min_value=0, required=False)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for i in range(CONDITION_ROWS):
            self.fields[f"c{i}_field"] = forms.ChoiceField(
                label="字段", required=False, choices=[("", "—"), *_field_choices()]
            )
            self.fields[f"c{i}_op"] = forms.ChoiceField(
                label="运算", required=False, choices=[("", "—"), *OPS.items()]
            )
            self.fields[f"c{i}_value"] = forms.CharField(
                label="取值", required=False, help_text="多个取值用逗号分隔；是/否；“空”表示未填"
            )
        _bootstrap(self)

    @property
    def condition_rows(self) -> list[tuple[Any, Any, Any]]:
        return [(self[f"c{i}_field"], self[f"c{i}_op"], self[f"c{i}_value"]) for i in range(CONDITION_ROWS)]

    def params(self) -> dict[str, Any]:
        data = self.cleaned_data
        conditions = []
        for i in range(CONDITION_ROWS):
            field = data.get(f"c{i}_field")
            if not field:
                continue
            conditions.append(
                {
                    "field": field.split(":", 1)[1],
                    "op": data.get(f"c{i}_op") or "eq",
                    "value": parse_value(data.get(f"c{i}_value") or ""),
                }
            )
        params: dict[str, Any] = {"conditions": conditions, "match": data.get("match") or "all"}
        if data.get("operator") == "member_count_where":
            params.update({"cmp": data.get("cmp") or "gte", "n": data.get("n")})
        return params
