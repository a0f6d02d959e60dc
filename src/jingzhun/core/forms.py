"""Forms built from field specs, and the form → service → errors shape every page repeats.

Forms only collect text; services parse and validate (`core.fields`), and their Chinese messages are
attached back to the fields (`apply_errors`). The widget follows the spec's kind, never its name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from django import forms
from django.http import HttpRequest, HttpResponse

from jingzhun.core.errors import ValidationFailed
from jingzhun.core.exit_gate import ExitRefused
from jingzhun.core.fields import FieldSpec

YES_NO = [("", "—"), ("是", "是"), ("否", "否")]


def _select(spec: FieldSpec, choices: list[tuple[str, str]]) -> forms.Field:
    return forms.ChoiceField(
        label=spec.label,
        required=False,
        choices=choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )


def form_field(spec: FieldSpec) -> forms.Field:
    if spec.widget == "bool":
        return _select(spec, YES_NO)
    if spec.widget == "choice":
        return _select(spec, [("", "—"), *[(c, c) for c in spec.choices]])
    attrs: dict[str, Any] = {"class": "form-control form-control-sm"}
    if spec.widget == "date":
        attrs["type"] = "date"
    elif spec.widget == "money":
        attrs["inputmode"] = "decimal"
    elif spec.widget == "list":
        attrs["list"] = f"{spec.name}-choices"
    return forms.CharField(
        label=spec.label, required=False, widget=forms.TextInput(attrs=attrs), help_text=spec.help
    )


def form_class(specs: tuple[FieldSpec, ...], name: str, *, exclude: tuple[str, ...] = ()) -> type[forms.Form]:
    attrs = {s.name: form_field(s) for s in specs if s.name not in exclude}
    return type(name, (forms.Form,), attrs)


def apply_errors(form: forms.Form, exc: ValidationFailed, *, prefix: str = "") -> None:
    """Attach service errors to form fields (unknown names become non-field errors)."""
    for name, message in exc.errors.items():
        key = name[len(prefix) :] if prefix and name.startswith(prefix) else name
        if key == "village_code" and "village_code" not in form.fields:
            key = "__all__"
        form.add_error(key if key in form.fields else None, message)


@dataclass(frozen=True)
class Done:
    """What a page does after its service succeeded: the success message, then a redirect to `to` (a URL
    name or path) with `args` / `kwargs`."""

    message: str
    to: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Back:
    """Where a page without a form of its own (a button: 办理, 转办, 批量办理) goes when its service refused:
    the refusal is shown as an error message there. `to` is a URL name or path."""

    to: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


@overload
def submit(
    request: HttpRequest,
    form: None,
    action: Callable[[Any], Done],
    *,
    also: Sequence[forms.Form] = (),
    on_error: None = None,
    back: Back,
) -> HttpResponse: ...


@overload
def submit(
    request: HttpRequest,
    form: forms.Form | None,
    action: Callable[[Any], Done],
    *,
    also: Sequence[forms.Form] = (),
    on_error: Callable[[ValidationFailed], None] | None = None,
    back: None = None,
) -> HttpResponse | None: ...


def submit(
    request: HttpRequest,
    form: forms.Form | None,
    action: Callable[[Any], Done],
    *,
    also: Sequence[forms.Form] = (),
    on_error: Callable[[ValidationFailed], None] | None = None,
    back: Back | None = None,
) -> HttpResponse | None:
    """The form → service → errors → message → redirect shape of a page. On a valid POST `action` gets
    the cleaned data and calls the service; a ValidationFailed it raises lands on the form's fields
    (`apply_errors`, or `on_error` when the page places errors its own way, e.g. `ExitRefusal`) and None
    is returned, as it is for a GET or an invalid form (`also`: the page's other forms, e.g. one per
    member row, each valid too) — the view then renders the form again:

        return submit(request, form, save) or render(request, "…/form.html", {"form": form})

    A check of its own before the service (a file's size or type) is the action raising ValidationFailed
    for that field; a file field works as any other when the form was bound with `request.FILES`.

    `form=None` is a page whose fields are not a Django form: `action` gets `request.POST` (files from
    `request.FILES`). A button (`back=`) always answers with a redirect — to `Done` on success, to
    `back` with the refusal as an error message otherwise (and a GET there too); a page that renders its own fields again
    (`on_error=`, which keeps the errors for its template) gets None on a refusal, as with a form.
    """
    from django.contrib import messages
    from django.shortcuts import redirect

    if (back is not None and form is not None) or (form is None and (on_error is None) == (back is None)):
        raise TypeError("submit: a form, or without one back= (a button) or on_error= (a page of its own)")
    if back is not None and request.method != "POST":
        return redirect(back.to, *back.args, **back.kwargs)
    forms_ = ([form] if form is not None else []) + list(also)
    if request.method != "POST" or not all(f.is_valid() for f in forms_):
        return None
    try:
        done = action(form.cleaned_data if form is not None else request.POST)
    except ValidationFailed as exc:
        if on_error is not None:
            on_error(exc)
        elif form is not None:
            apply_errors(form, exc)
        else:
            assert back is not None
            messages.error(request, exc.message)
            return redirect(back.to, *back.args, **back.kwargs)
        return None
    messages.success(request, done.message)
    return redirect(done.to, *done.args, **done.kwargs)


class ExitRefusal:
    """`on_error` of a page that marks an exit (标注脱贫 / 出列): an `ExitRefused` says on the form that the
    exit check failed and keeps its `decision`, so the page lists each failing item (nothing was saved);
    any other error goes to the fields as usual."""

    def __init__(self, form: forms.Form):
        self.form = form
        self.decision: Any = None

    def __call__(self, exc: ValidationFailed) -> None:
        if isinstance(exc, ExitRefused):
            self.decision = exc.decision
            self.form.add_error(None, exc.errors["__all__"].split("：", 1)[0] + "，以下核验项未通过：")
        else:
            apply_errors(self.form, exc)


def add_override_fields(form: forms.Form, what: str) -> None:
    """例外放行 (JINGZHUN_EXIT_OVERRIDE on): a box and a written reason; the service still checks the
    county role and that the reason is not empty."""
    form.fields["override"] = forms.BooleanField(
        label=f"例外放行：核验未通过仍{what}（须县级管理员，列入疑似错退）",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    form.fields["override_reason"] = forms.CharField(
        label="例外放行的书面理由",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )
