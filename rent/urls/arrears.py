"""Rent pages: arrears (docs/rent.md, "Arrears")."""

from django.urls import path

from rent.views import arrears

urlpatterns: list = [
    path("aldersanalys/", arrears.aging_list, name="aging"),
    path("aldersanalys/csv/", arrears.aging_csv, name="aging_csv"),
    path("efter/", arrears.behind_list, name="behind"),
    path("restskulder/", arrears.arrears_figures, name="arrears_figures"),
]
