from django.urls import path

from ..views import visits as views

urlpatterns = [
    # Two segments after the order's id: referrals' "uppdrag/<pk>/<step>/"
    # would otherwise take "uppdrag/<id>/besok/".
    path("uppdrag/<int:order_id>/besok/alla/", views.order_visits, name="order_visits"),
    path("uppdrag/<int:order_id>/besok/nytt/", views.visit_create, name="visit_create"),
    path("besok/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("besok/<int:pk>/makulera/", views.visit_annul, name="visit_annul"),
    path("besok/<int:pk>/andra/", views.visit_edit, name="visit_edit"),
    path("klienter/<int:pk>/besok/", views.client_visits, name="client_visits"),
    path("signaler/", views.signal_list, name="signal_list"),
    path("signaler/<int:pk>/kvittera/", views.signal_acknowledge, name="signal_acknowledge"),
]
