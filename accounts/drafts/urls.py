from django.urls import path

from . import views

# Included by accounts/urls.py under the "accounts" namespace.
urlpatterns = [
    path("utkast/spara/", views.draft_save, name="draft_save"),
    path("utkast/kasta/", views.draft_discard, name="draft_discard"),
    path("session/fortsatt/", views.session_keepalive, name="session_keepalive"),
]
