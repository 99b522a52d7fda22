from django.urls import path

from pingan.web.views import mediation_dashboard

urlpatterns = [
    path(
        "mediation/dashboard/",
        mediation_dashboard.mediation_dashboard,
        name="mediation_dashboard",
    ),
    path(
        "mediation/dashboard/export.xlsx",
        mediation_dashboard.mediation_dashboard_export,
        name="mediation_dashboard_export",
    ),
]
