from django.urls import path

from pingan.leads import views

urlpatterns = [
    path("", views.lead_page, name="lead_list"),
    path("upload/", views.lead_upload, name="lead_upload"),
    path("<int:lead_id>/decide/", views.lead_decide, name="lead_decide"),
]
