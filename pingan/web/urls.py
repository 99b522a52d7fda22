from django.urls import path

from pingan.web import views

urlpatterns = [
    path("", views.workbench, name="workbench"),
]
