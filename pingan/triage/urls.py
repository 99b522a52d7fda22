from django.urls import path

from pingan.triage import views

urlpatterns = [
    path("events/<int:event_id>/merge/", views.merge, name="triage_merge"),
    path("duplicates/<int:candidate_id>/dismiss/", views.dismiss, name="triage_dismiss"),
]
