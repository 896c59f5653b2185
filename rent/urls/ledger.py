"""Rent pages: the ledger (docs/rent.md, "The ledger page, credits and write-offs")."""

from django.urls import path

from rent.views import ledger as views

urlpatterns = [
    path("klienter/<int:pk>/", views.client_ledger, name="client_ledger"),
    path("hyresforhallande/<int:pk>/", views.tenancy_ledger, name="tenancy_ledger"),
    path("avier/<int:pk>/kreditera/", views.credit_note, name="credit_note"),
    path("avier/<int:pk>/avskriv/", views.write_off, name="write_off"),
]
