from django.urls import path

from pingan.web.views import cases, dispatch_form, event, photo, report, supervision

urlpatterns = [
    path("events/<int:event_id>/", event.event_page, name="event_detail"),
    path(
        "events/<int:event_id>/action/<str:action>/",
        event.event_action,
        name="event_action",
    ),
    path(
        "events/<int:event_id>/photos/<int:attachment_id>/",
        photo.event_photo,
        name="event_photo",
    ),
    path(
        "events/<int:event_id>/photos/<int:attachment_id>/thumb/",
        photo.event_photo,
        {"size": "thumb"},
        name="event_photo_thumb",
    ),
    # The generic action form of any case kind (docs/architecture.md, "Adding a case type").
    path(
        "cases/<str:kind_name>/<int:case_id>/<str:action>/",
        cases.case_action,
        name="case_action",
    ),
    path("events/<int:event_id>/contact/", event.event_contact, name="event_contact"),
    path(
        "events/<int:event_id>/dispatch-deadlines/",
        dispatch_form.dispatch_deadlines,
        name="event_dispatch_deadlines",
    ),
    path("supervision/", supervision.supervision_page, name="supervision_list"),
    path("report/", report.report_page, name="event_report"),
    path("report/fields/", report.report_category_fields, name="event_report_fields"),
    path("report/regions.geojson", report.report_regions, name="event_report_regions"),
]
