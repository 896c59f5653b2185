from django.urls import path

from ..views import transfers as views

urlpatterns = [
    path("klienter/overflyttning/", views.transfer_request_create, name="transfer_request_create"),
    path("overflyttningar/", views.transfer_requests, name="transfer_requests"),
    path("overflyttningar/<int:pk>/", views.transfer_request_decide, name="transfer_request_decide"),
]
