from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.log_search, name="log"),
    path("export/", views.log_export, name="export"),
    path("konton/", views.account_events, name="account_events"),
]
