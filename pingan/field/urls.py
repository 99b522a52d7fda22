from django.urls import path

from pingan.field import views

urlpatterns = [
    path("", views.shell, name="field_app"),
    path("sw.js", views.service_worker, name="field_sw"),
    path("manifest.webmanifest", views.manifest, name="field_manifest"),
]
