from django.urls import path

from pingan.web.views import rectification as views

urlpatterns = [
    path("rectifications/", views.rectification_list, name="rectification_list"),
    path("rectifications/new/", views.rectification_new, name="rectification_new"),
    path(
        "rectifications/deductions/",
        views.rectification_deductions,
        name="rectification_deductions",
    ),
    path("rectifications/<int:order_id>/", views.rectification_order, name="rectification_order"),
    path(
        "rectifications/<int:order_id>/evidence/",
        views.rectification_evidence_upload,
        name="rectification_evidence_upload",
    ),
    path(
        "rectifications/<int:order_id>/evidence/<int:evidence_id>/",
        views.rectification_evidence_file,
        name="rectification_evidence_file",
    ),
]
