from django.urls import path

from . import views

app_name = "users"

urlpatterns = [
    path("", views.user_list, name="list"),
    path("ny/", views.user_create, name="create"),
    path("<int:pk>/", views.user_edit, name="edit"),
    path("<int:pk>/aktiv/", views.user_set_active, name="set_active"),
    path("<int:pk>/hemadress/", views.user_home_address, name="home_address"),
    path("behorighetsbegaran/", views.access_requests, name="access_requests"),
    path("behorighetsbegaran/<int:pk>/", views.access_request_decide, name="access_request_decide"),
]
