from django.urls import path

from pingan.web.views import assessment

urlpatterns = [
    path("assessment/", assessment.assessment_schemes, name="assessment_schemes"),
    path(
        "assessment/<int:assessment_scheme_id>/",
        assessment.assessment_scheme,
        name="assessment_scheme",
    ),
    path(
        "assessment/<int:assessment_scheme_id>/do/<str:action>/",
        assessment.assessment_scheme_action,
        name="assessment_scheme_action",
    ),
    path(
        "assessment/<int:assessment_scheme_id>/units/<str:unit>/",
        assessment.assessment_unit,
        name="assessment_unit",
    ),
    path(
        "assessment/<int:assessment_scheme_id>/appeals/",
        assessment.assessment_appeals,
        name="assessment_appeals",
    ),
    path(
        "assessment/<int:assessment_scheme_id>/ranking.xlsx",
        assessment.assessment_ranking_export,
        name="assessment_ranking_export",
    ),
    path(
        "assessment/<int:assessment_scheme_id>/notice.docx",
        assessment.assessment_notice,
        name="assessment_notice",
    ),
    path(
        "assessment/agreements/<int:assessment_agreement_id>/",
        assessment.assessment_agreement,
        name="assessment_agreement",
    ),
]
