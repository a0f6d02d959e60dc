"""The reactions a request's writes queued run before its answer leaves (jobs.outbox): the page the
browser is sent to next shows the fresh verdict of the household it just saved."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from jingzhun.jobs.runner import reactions_run


class ReactionsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with reactions_run(own=True):
            return self.get_response(request)
