from django.urls import path

from jingzhun.api.app import api

urlpatterns = [path("", api.urls)]
