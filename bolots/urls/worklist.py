from django.urls import path

from ..views import worklist as views

urlpatterns = [
    path("min-dag/", views.my_day, name="my_day"),
    path("bolots/enheten/", views.unit_overview, name="unit_overview"),
    # Two segments after the order's id: referrals' "uppdrag/<pk>/<step>/"
    # would otherwise take the path.
    path("uppdrag/<int:order_id>/besok/frekvens/", views.order_frequency, name="order_frequency"),
]
