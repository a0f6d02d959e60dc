"""core.forms.submit: the form → service → errors → message → redirect shape of a page."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from jingzhun.core.errors import ValidationFailed
from jingzhun.core.exit_gate import ExitRefused
from jingzhun.core.forms import Back, Done, ExitRefusal, submit


class NameForm(forms.Form):
    name = forms.CharField(required=True)


def _request(method: str, data: dict | None = None):
    factory = RequestFactory()
    request = factory.post("/x/", data or {}) if method == "POST" else factory.get("/x/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def _save(calls: list):
    def save(data):
        calls.append(dict(data))
        if data["name"] == "坏":
            raise ValidationFailed({"name": "名称不可用", "__all__": "未保存"})
        return Done(f"已保存 {data['name']}", "/done/", kwargs={})

    return save


def test_get_and_invalid_forms_call_nothing():
    calls: list = []
    request = _request("GET")
    assert submit(request, NameForm(None), _save(calls)) is None
    request = _request("POST", {})
    form = NameForm(request.POST)
    assert submit(request, form, _save(calls)) is None and calls == [] and "name" in form.errors


def test_a_service_error_lands_on_the_form():
    calls: list = []
    request = _request("POST", {"name": "坏"})
    form = NameForm(request.POST)
    assert submit(request, form, _save(calls)) is None
    assert form.errors["name"] == ["名称不可用"] and form.non_field_errors() == ["未保存"]
    assert list(get_messages(request)) == []


def test_success_says_so_and_redirects():
    calls: list = []
    request = _request("POST", {"name": "好"})
    response = submit(request, NameForm(request.POST), _save(calls))
    assert response is not None and response.status_code == 302 and response["Location"] == "/done/"
    assert calls == [{"name": "好"}] and [str(m) for m in get_messages(request)] == ["已保存 好"]


def test_every_other_form_must_be_valid_too():
    calls: list = []
    request = _request("POST", {"name": "好", "row-name": ""})
    row = NameForm(request.POST, prefix="row")
    assert submit(request, NameForm(request.POST), _save(calls), also=[row]) is None
    assert calls == [] and "name" in row.errors
    row = NameForm({"row-name": "甲"}, prefix="row")
    assert submit(request, NameForm(request.POST), _save(calls), also=[row]) is not None
    assert calls == [{"name": "好"}]


def test_on_error_places_the_errors_instead():
    placed: list = []
    request = _request("POST", {"name": "坏"})
    form = NameForm(request.POST)
    assert submit(request, form, _save([]), on_error=placed.append) is None
    assert [e.errors for e in placed] == [{"name": "名称不可用", "__all__": "未保存"}]
    assert "name" not in form.errors  # the page's own placement, not apply_errors


def test_an_exit_refusal_keeps_the_decision_and_says_which_check_failed():
    decision = object()

    def refused(data):
        raise ExitRefused("不能标注脱贫：核验未通过（2 项）", decision)

    request = _request("POST", {"name": "好"})
    form = NameForm(request.POST)
    refusal = ExitRefusal(form)
    assert submit(request, form, refused, on_error=refusal) is None
    assert refusal.decision is decision
    assert form.non_field_errors() == ["不能标注脱贫，以下核验项未通过："]
    request = _request("POST", {"name": "坏"})  # any other error goes to the fields as usual
    other = NameForm(request.POST)
    refusal = ExitRefusal(other)
    assert submit(request, other, _save([]), on_error=refusal) is None
    assert refusal.decision is None and other.errors["name"] == ["名称不可用"]


def test_a_button_without_a_form_says_the_refusal_where_it_goes_back_to():
    calls: list = []
    request = _request("POST", {"name": "坏"})
    response = submit(request, None, _save(calls), back=Back("/item/"))
    assert response is not None and response.status_code == 302 and response["Location"] == "/item/"
    assert calls == [{"name": ["坏"]}]  # the action read request.POST
    assert [(m.level_tag, str(m)) for m in get_messages(request)] == [("error", "名称不可用；未保存")]
    request = _request("POST", {"name": "好"})
    response = submit(request, None, _save([]), back=Back("/item/"))
    assert response is not None and response["Location"] == "/done/"
    assert [(m.level_tag, str(m)) for m in get_messages(request)] == [("success", "已保存 好")]


def test_a_page_of_its_own_fields_keeps_the_errors_and_renders_again():
    placed: list = []
    request = _request("POST", {"name": "坏"})
    assert submit(request, None, _save([]), on_error=placed.append) is None
    assert [e.errors for e in placed] == [{"name": "名称不可用", "__all__": "未保存"}]
    assert submit(_request("GET"), None, _save(placed), on_error=placed.append) is None and len(placed) == 1


def test_without_a_form_it_must_be_told_where_errors_go():
    request = _request("POST", {"name": "好"})
    for kwargs in ({}, {"back": Back("/item/"), "on_error": print}):
        with pytest.raises(TypeError):
            submit(request, None, _save([]), **kwargs)
    with pytest.raises(TypeError):  # a form's errors go on its fields, never to a message
        submit(request, NameForm(request.POST), _save([]), back=Back("/item/"))


def test_a_button_opened_with_get_goes_back_and_does_nothing():
    calls: list = []
    response = submit(_request("GET"), None, _save(calls), back=Back("/item/"))
    assert response["Location"] == "/item/" and calls == []
