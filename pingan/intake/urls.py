from django.urls import path

from pingan.intake import views

app_name = "intake"

urlpatterns = [
    path("orders/", views.order_list, name="orders"),
    path("events/<int:event_id>/transfer-110/", views.transfer_110, name="transfer_110"),
]
