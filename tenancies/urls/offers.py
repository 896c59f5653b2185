"""Matching a vacancy to waiting decisions and the offers made (docs/housing-chain.md)."""

from django.urls import path

from ..views import offers as views

urlpatterns = [
    path("lagenheter/<int:pk>/matcha/", views.vacancy_match, name="vacancy_match"),
    path("lagenheter/<int:pk>/erbjud/<int:decision_pk>/", views.offer_create, name="offer_create"),
    path("erbjudanden/", views.offer_list, name="offer_list"),
    path("erbjudanden/<int:pk>/", views.offer_detail, name="offer_detail"),
]
