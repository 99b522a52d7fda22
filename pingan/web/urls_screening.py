from django.urls import path

from pingan.web.views import screening

urlpatterns = [
    path("screenings/", screening.screening_rounds, name="screening_rounds"),
    path("screenings/<int:screening_round_id>/", screening.screening_round, name="screening_round"),
    path(
        "screenings/<int:screening_round_id>/export.xlsx",
        screening.screening_round_export,
        name="screening_round_export",
    ),
    path(
        "screenings/items/<int:screening_item_id>/dispose/",
        screening.screening_item_dispose,
        name="screening_item_dispose",
    ),
]
