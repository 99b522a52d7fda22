from django.urls import include, path

urlpatterns = [
    path("", include("pingan.web.urls_main")),
    path("", include("pingan.web.urls_event")),
]
