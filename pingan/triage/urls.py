from django.contrib import admin
from django.urls import path

from pingan.triage import views

urlpatterns = [
    path("events/<int:event_id>/merge/", views.merge, name="triage_merge"),
    path("duplicates/<int:candidate_id>/dismiss/", views.dismiss, name="triage_dismiss"),
    path("alerts/<int:alert_id>/verdict/", views.alert_verdict, name="triage_alert_verdict"),
    path("rules/dry-run/", admin.site.admin_view(views.rule_dry_run), name="triage_rule_dry_run"),
]
