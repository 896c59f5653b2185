"""Rent pages: notices (docs/rent.md)."""

from django.urls import path, register_converter

from rent.views.notices import month_pdf_view, notice_pdf_view


class _Year:
    regex = "[0-9]{4}"
    to_python = int

    def to_url(self, value):
        return f"{int(value):04d}"


class _Month:
    regex = "[0-9]{2}"
    to_python = int

    def to_url(self, value):
        return f"{int(value):02d}"


register_converter(_Year, "rent_yyyy")
register_converter(_Month, "rent_mm")

urlpatterns = [
    path("avier/<int:pk>/pdf/", notice_pdf_view, name="notice_pdf"),
    path("avier/<rent_yyyy:year>-<rent_mm:month>/pdf/", month_pdf_view, name="month_notices_pdf"),
]
