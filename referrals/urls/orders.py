from django.urls import path

from ..views import orders as views
from ..views import reassignment

urlpatterns = [
    path("uppdrag/", views.order_list, name="order_list"),
    path("uppdrag/nytt/", views.order_create, name="order_create"),
    path("uppdrag/<int:pk>/", views.order_detail, name="order_detail"),
    # One POST endpoint per lifecycle step: acceptera, returnera, svara, …
    path("uppdrag/<int:pk>/<slug:step>/", views.order_step, name="order_step"),
    path("klienter/<int:pk>/uppdrag/", views.client_orders, name="client_orders"),
    path("omfordela/", reassignment.reassign, name="reassign"),
    path("omfordela/bolots/", reassignment.reassign_pilot, name="reassign_pilot"),
    path("omfordela/historik/", reassignment.reassignment_list, name="reassignment_list"),
]
