"""The waiting list of granted, non-executed apartment decisions (docs/housing-chain.md)."""

from django.urls import path

from ..views import waiting as views

urlpatterns = [
    path("vantelista/", views.waiting_list, name="waiting_list"),
    path("vantelista/<int:pk>/behov/", views.waiting_needs, name="waiting_needs"),
    path("vantelista/<int:pk>/prioritet/", views.waiting_priority, name="waiting_priority"),
]
