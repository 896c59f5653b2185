"""Rent pages: exports (docs/rent.md)."""

from django.urls import path

from rent.views.exports import export_finance

urlpatterns: list = [
    path("export/", export_finance, name="export_finance"),
]
