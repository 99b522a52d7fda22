from django.urls import path

from pingan.gridsys import views

urlpatterns = [
    path("", views.index, name="gridsys_index"),
    path("scores/", views.scores, name="gridsys_scores"),
    path("ranking/", views.ranking, name="gridsys_ranking"),
    path("meetings/", views.meetings, name="gridsys_meetings"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="gridsys_meeting"),
    path("reviews/", views.reviews, name="gridsys_reviews"),
    path("patrols/", views.patrols, name="gridsys_patrols"),
]
