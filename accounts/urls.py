from django.urls import path

from . import views
from .login.urls import urlpatterns as login_urlpatterns

app_name = "accounts"

urlpatterns = [
    *login_urlpatterns,
    path("aviseringar/", views.notifications, name="notifications"),
]
