from django.urls import path

from ..views import clients as views

urlpatterns = [
    path("klienter/", views.client_list, name="client_list"),
    path("klienter/sok/", views.client_search, name="client_search"),
    path("klienter/ny/", views.client_create, name="client_create"),
    path("klienter/<int:pk>/", views.client_detail, name="client_detail"),
    path("klienter/<int:pk>/andra/", views.client_edit, name="client_edit"),
]
