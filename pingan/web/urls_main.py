from django.urls import path

from pingan.web.views import workbench

urlpatterns = [
    path("", workbench.workbench, name="workbench"),
]
