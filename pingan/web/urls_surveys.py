from django.urls import path

from pingan.web.views import safety, surveys, surveys_public

urlpatterns = [
    path("surveys/", surveys.surveys_list, name="surveys_list"),
    path("surveys/new/", surveys.surveys_new, name="surveys_new"),
    path("surveys/<int:survey_id>/", surveys.surveys_detail, name="surveys_detail"),
    path(
        "surveys/<int:survey_id>/<str:action>/",
        surveys.surveys_status,
        name="surveys_status",
    ),
    path("surveys/<int:survey_id>/results.xlsx", surveys.surveys_export, name="surveys_export"),
    path(
        "surveys/<int:survey_id>/qr.svg", surveys.surveys_qr, {"fmt": "svg"}, name="surveys_qr_svg"
    ),
    path(
        "surveys/<int:survey_id>/qr.png", surveys.surveys_qr, {"fmt": "png"}, name="surveys_qr_png"
    ),
    path("s/<str:survey_token>/", surveys_public.surveys_public, name="surveys_public"),
    path("safety/", safety.safety_grid, name="safety_grid"),
    path("safety/figures/", safety.safety_figure_save, name="safety_figure_save"),
    path("safety/import/", safety.safety_import, name="safety_import"),
    path("safety/template.xlsx", safety.safety_template, name="safety_template"),
    path(
        "safety/figures/<int:safety_figure_id>/evidence/",
        safety.safety_evidence,
        name="safety_evidence",
    ),
]
