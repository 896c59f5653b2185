"""National statistics on a reference date (views/national.py); the
reference date travels as ?dag=YYYY-MM-DD."""

from django.urls import path

from ..views import national

urlpatterns: list = [
    path("nationell-statistik/", national.national_statistics, name="national"),
    path("nationell-statistik/export.csv", national.national_csv, name="national_csv"),
    path("nationell-statistik/<slug:figure>/", national.national_drilldown, name="national_drilldown"),
]
