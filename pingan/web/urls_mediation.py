from django.urls import path

from pingan.web.views import mediation

urlpatterns = [
    path("mediation/", mediation.mediation_workbench, name="mediation_workbench"),
    path("mediation/new/", mediation.mediation_new, name="mediation_new"),
    path("mediation/cases/<int:case_id>/", mediation.mediation_case, name="mediation_case"),
    path(
        "mediation/cases/<int:case_id>/parties/",
        mediation.mediation_parties,
        name="mediation_parties",
    ),
    path(
        "mediation/cases/<int:case_id>/do/<str:action>/",
        mediation.mediation_action,
        name="mediation_action",
    ),
    path("mediation/committees/", mediation.mediation_committees, name="mediation_committees"),
    path(
        "mediation/committees/<int:committee_id>/",
        mediation.mediation_committee,
        name="mediation_committee",
    ),
    path(
        "events/<int:event_id>/mediation/",
        mediation.mediation_from_event,
        name="mediation_from_event",
    ),
]
