"""Rent pages: settings (docs/rent.md)."""

from django.urls import path

from rent.views.settings import rent_settings

urlpatterns = [
    path("installningar/", rent_settings, name="settings"),
]
