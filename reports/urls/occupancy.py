"""Occupancy of the stock (docs/housing-chain.md)."""

from django.urls import path

from ..views import occupancy

urlpatterns = [
    # One name, two forms (as the dashboard): without a year the current one
    # (or ?ar=YYYY from the year selector), with it that year.
    path("belaggning/", occupancy.occupancy_page, name="occupancy"),
    path("belaggning/<int:year>/", occupancy.occupancy_page, name="occupancy"),
]
