"""Rent pages: the monthly runs, a tenancy's rents and charges, the yearly increase (docs/rent.md)."""

from django.urls import path

from rent.views import runs

urlpatterns = [
    path("korningar/", runs.run_list, name="runs"),
    path("korningar/ny/", runs.run_create, name="run_create"),
    path("hyresforhallande/<int:pk>/hyror/", runs.tenancy_rates, name="tenancy_rates"),
    path("hyresforhallande/<int:pk>/avgift/ny/", runs.charge_create, name="charge_create"),
    path("hojning/ny/", runs.increase_create, name="increase_create"),
]
