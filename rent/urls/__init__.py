"""The rent area's pages under /hyra/, one module per area so that each
area's pages live beside its views (views/<area>.py)."""

from django.urls import include, path

from rent.views.overview import overview

app_name = "rent"

urlpatterns = [
    path("", overview, name="overview"),
    path("", include("rent.urls.ledger")),
    path("", include("rent.urls.runs")),
    path("", include("rent.urls.notices")),
    path("", include("rent.urls.payments")),
    path("", include("rent.urls.balances")),
    path("", include("rent.urls.arrears")),
    path("", include("rent.urls.plans")),
    path("", include("rent.urls.terminations")),
    path("", include("rent.urls.exports")),
    path("", include("rent.urls.settings")),
]
