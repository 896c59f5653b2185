"""Rent pages: terminations for arrears and their letters (docs/rent.md)."""

from django.urls import path

from rent.views import terminations as views

urlpatterns: list = [
    path("uppsagningar/", views.termination_list, name="termination_list"),
    path("hyresforhallande/<int:tenancy_pk>/uppsagning/ny/", views.termination_start, name="termination_start"),
    path("uppsagning/<int:pk>/", views.termination_detail, name="termination_detail"),
    path("uppsagning/<int:pk>/brev/<str:letter>/", views.termination_letter, name="termination_letter"),
    path("uppsagning/<int:pk>/leverans/", views.termination_delivery, name="termination_delivery"),
    path("uppsagning/<int:pk>/kvittera/", views.termination_sign, name="termination_sign"),
]
