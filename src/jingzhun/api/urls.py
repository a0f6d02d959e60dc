from django.urls import path

from jingzhun.api.app import api, with_enveloped_405

urlpatterns = [path("", with_enveloped_405(api.urls))]
