"""走访 (visits) and their photos: the visit form on a household, a visit, a photo and its thumbnail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from jingzhun.accounts.roles import Perm
from jingzhun.assistance import selectors as sel
from jingzhun.assistance import services
from jingzhun.assistance.forms import VisitForm
from jingzhun.assistance.views import _actor
from jingzhun.core.forms import Done, submit
from jingzhun.registry.selectors import household_get


# --- visits -------------------------------------------------------------------------------------
@login_required
def visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request, Perm.VISIT)
    household = household_get(actor, pk)
    form = VisitForm(request.POST or None, request.FILES or None)

    def save(data: dict[str, Any]) -> Done:
        services.visit_log(
            actor=actor,
            household=household,
            visited_on=data["visited_on"],
            activities=data["activities"],
            problems=data["problems"],
            photos=request.FILES.getlist("photos"),
        )
        return Done("走访记录已保存", "registry:household_detail", kwargs={"pk": household.pk})

    if (response := submit(request, form, save)) is not None:
        return response
    return render(request, "assistance/visit_form.html", {"form": form, "household": household})


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = sel.visit_get(_actor(request), pk)
    return render(
        request,
        "assistance/visit_detail.html",
        {"visit": visit, "household": visit.household, "photos": list(visit.photos.all())},
    )


@login_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    return _photo_response(sel.photo_get(_actor(request), pk), thumb=False)


@login_required
def photo_thumb(request: HttpRequest, pk: int) -> FileResponse:
    """The thumbnail made on upload; the original when there is none (an image Pillow could not read)."""
    return _photo_response(sel.photo_get(_actor(request), pk), thumb=True)


def _photo_response(item: Any, *, thumb: bool) -> FileResponse:
    stored, kind = (item.thumbnail, "jpeg") if thumb and item.thumbnail else (item.file, item.kind)
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=f"image/{kind}")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
