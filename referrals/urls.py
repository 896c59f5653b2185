from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("", views.client_list, name="client_list"),
    path("ny/", views.client_create, name="client_create"),
    path("<int:pk>/", views.client_detail, name="client_detail"),
    path("<int:pk>/andra/", views.client_edit, name="client_edit"),
]
