from django.urls import include, path

from pingan.web.views import export

urlpatterns = [
    path("events/export.csv", export.events_csv, name="event_export"),
    path("exports/", export.export_requests_page, name="export_requests"),
    path("exports/new/", export.export_request_new, name="export_request_new"),
    path(
        "exports/<int:request_id>/decide/",
        export.export_request_decision,
        name="export_request_decide",
    ),
    path(
        "exports/<int:request_id>/download/",
        export.export_request_download,
        name="export_request_download",
    ),
    path("", include("pingan.web.urls_main")),
    path("", include("pingan.web.urls_event")),
    path("", include("pingan.web.urls_analytics")),
    path("", include("pingan.web.urls_security")),
    path("", include("pingan.web.urls_mediation")),
    path("", include("pingan.web.urls_mediation_dashboard")),
    path("", include("pingan.web.urls_registry")),
    path("", include("pingan.web.urls_risk")),
    path("", include("pingan.web.urls_emergency")),
    path("", include("pingan.web.urls_screening")),
    path("", include("pingan.web.urls_assessment")),
    path("", include("pingan.web.urls_inspections")),
    path("", include("pingan.web.urls_rectification")),
    path("", include("pingan.web.urls_campaigns")),
    path("", include("pingan.web.urls_surveys")),
]
