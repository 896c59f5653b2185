"""Rent pages: repayment plans (docs/rent.md, "Repayment plans")."""

from django.urls import path

from rent.views import plans

urlpatterns: list = [
    path("hyresforhallande/<int:pk>/avbetalningsplan/ny/", plans.plan_create, name="plan_create"),
    path("avbetalningsplan/<int:pk>/", plans.plan_detail, name="plan_detail"),
]
