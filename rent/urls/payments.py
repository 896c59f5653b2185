"""Rent pages: payments (docs/rent.md, "BgMax" and "Matching and allocation")."""

from django.urls import path

from rent.views import payments

urlpatterns = [
    path("inbetalningar/bgmax/", payments.bgmax_upload, name="bgmax_upload"),
    path("inbetalningar/bgmax/import/<int:pk>/", payments.bgmax_job, name="bgmax_job"),
    path("inbetalningar/bgmax/filer/", payments.bgmax_files, name="bgmax_files"),
    path("inbetalningar/att-matcha/", payments.payment_queue, name="payment_queue"),
    path("inbetalningar/<int:pk>/matcha/", payments.payment_match, name="payment_match"),
    path("inbetalningar/hyresforhallande/<int:tenancy_pk>/ny/", payments.manual_payment, name="manual_payment"),
]
