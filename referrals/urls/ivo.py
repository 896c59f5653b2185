from django.urls import path

from ..views import ivo as views

urlpatterns = [
    # One name, two forms: without arguments the page where a year and a
    # quarter are chosen, with them the report.
    path("ivo/", views.ivo_index, name="ivo_report"),
    path("ivo/<int:year>/<int:quarter>/", views.ivo_report, name="ivo_report"),
    path("ivo/<int:year>/<int:quarter>/csv/", views.ivo_report_csv, name="ivo_report_csv"),
    path("ivo/<int:year>/<int:quarter>/pdf/", views.ivo_report_pdf, name="ivo_report_pdf"),
    path("ivo/statistik/<int:year>/", views.ivo_statistics, name="ivo_statistics"),
]
