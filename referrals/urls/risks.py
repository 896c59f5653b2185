from django.urls import path

from ..views import risks as views

urlpatterns = [
    path("klienter/<int:pk>/risker/", views.client_risk_edit, name="client_risk_edit"),
    path("klienter/<int:pk>/risker/historik/", views.client_risk_history, name="client_risk_history"),
]
