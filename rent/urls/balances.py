"""Rent pages: the import of opening balances (docs/rent.md, "Opening balances")."""

from django.urls import path

from rent.views import balances as views

urlpatterns = [
    path("ingaende-skulder/", views.opening_import, name="opening_import"),
    path("ingaende-skulder/mall/", views.opening_template, name="opening_template"),
]
