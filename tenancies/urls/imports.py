from django.urls import path

from ..views import imports as views

urlpatterns = [
    path("import/", views.import_register, name="import_register"),
    path("import/mall.xlsx", views.import_template, name="import_template"),
    path("import/klart/", views.import_result, name="import_result"),
]
