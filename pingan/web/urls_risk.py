from django.urls import path

from pingan.web.views import risk

urlpatterns = [
    path("risk/", risk.risk_register, name="risk_register"),
    path("risk/new/", risk.risk_new, name="risk_new"),
    path("risk/matters/<int:risk_matter_id>/", risk.risk_matter, name="risk_matter"),
    path(
        "risk/matters/<int:risk_matter_id>/do/<str:action>/",
        risk.risk_action,
        name="risk_action",
    ),
]
