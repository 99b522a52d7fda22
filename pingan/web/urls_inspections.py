from django.urls import path

from pingan.web.views import inspections

urlpatterns = [
    path("inspections/", inspections.inspections_home, name="inspections_home"),
    path("inspections/plans/", inspections.inspections_plans, name="inspections_plans"),
    path("inspections/plans/new/", inspections.inspections_plan_new, name="inspections_plan_new"),
    path(
        "inspections/<int:inspection_id>/",
        inspections.inspections_detail,
        name="inspections_detail",
    ),
    path(
        "inspections/<int:inspection_id>/publish/",
        inspections.inspections_publish,
        name="inspections_publish",
    ),
    path(
        "inspections/<int:inspection_id>/findings/<int:finding_id>/order/",
        inspections.inspections_order,
        name="inspections_order",
    ),
    path(
        "inspections/<int:inspection_id>/report.docx",
        inspections.inspections_report,
        name="inspections_report",
    ),
]
