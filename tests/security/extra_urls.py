"""The project's URL map plus one page nobody has put in the authorization matrix (for the test that a
new route without an entry fails)."""

from django.http import HttpResponse
from django.urls import path

from jingzhun.urls import handler403, handler404, handler500
from jingzhun.urls import urlpatterns as project

urlpatterns = [
    *project,
    path("brand-new/<int:pk>/", lambda request, pk: HttpResponse("hi"), name="brand_new"),
]
__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
