from django.urls import path

from ..views import ivo as views

# Only years, quarters, record ids and the report's subject ("beslut" or
# "avbrott", services.ivo.Subject) in these paths: no personal data.
urlpatterns = [
    # One name, two forms: without arguments the page where a year and a
    # quarter are chosen, with them the quarter's list of reports.
    path("ivo/", views.ivo_index, name="ivo_report"),
    path("ivo/<int:year>/<int:quarter>/", views.ivo_report, name="ivo_report"),
    path("ivo/<int:year>/<int:quarter>/csv/", views.ivo_report_csv, name="ivo_report_csv"),
    path("ivo/<int:year>/<int:quarter>/pdf/", views.ivo_report_pdf, name="ivo_report_pdf"),
    path("ivo/<int:year>/<int:quarter>/<str:subject>/<int:decision_id>/", views.ivo_individual_report,
         name="ivo_individual_report"),
    path("ivo/<int:year>/<int:quarter>/<str:subject>/<int:decision_id>/csv/", views.ivo_individual_report_csv,
         name="ivo_individual_report_csv"),
    path("ivo/<int:year>/<int:quarter>/<str:subject>/<int:decision_id>/pdf/", views.ivo_individual_report_pdf,
         name="ivo_individual_report_pdf"),
    path("ivo/statistik/<int:year>/", views.ivo_statistics, name="ivo_statistics"),
    path("ivo/statistik/<int:year>/csv/", views.ivo_statistics_csv, name="ivo_statistics_csv"),
    path("ivo/statistik/<int:year>/pdf/", views.ivo_statistics_pdf, name="ivo_statistics_pdf"),
]
