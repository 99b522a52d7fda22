from django.urls import include, path

from pingan.web.views import export

urlpatterns = [
    path("events/export.csv", export.events_csv, name="event_export"),
    path("", include("pingan.web.urls_main")),
    path("", include("pingan.web.urls_event")),
    path("", include("pingan.web.urls_security")),
]
