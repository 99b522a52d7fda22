from django.urls import path

from pingan.citizen import views

app_name = "citizen"

urlpatterns = [
    path("", views.report, name="report"),
    path("done/", views.done, name="done"),
    path("track/", views.track, name="track"),
    path("regions.geojson", views.regions, name="regions"),
]
