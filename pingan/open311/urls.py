from django.urls import path, re_path

from pingan.open311 import views

app_name = "open311"

F = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    path("", views.root, name="root"),
    re_path(r"^discovery" + F, views.discovery, name="discovery"),
    re_path(r"^services" + F, views.service_list, name="services"),
    re_path(r"^services/(?P<code>[^/]+)" + F, views.service_definition, name="service"),
    re_path(r"^requests" + F, views.requests, name="requests"),
    re_path(r"^requests/(?P<request_id>[^/]+)" + F, views.request_detail, name="request"),
    re_path(r"^request/(?P<request_id>[^/]+)" + F, views.request_detail),
    re_path(r"^tokens/(?P<token_id>[^/]+)" + F, views.token, name="token"),
]
