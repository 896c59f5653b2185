from django.urls import path

from . import views

app_name = "culling"

urlpatterns = [
    path("", views.run_list, name="run_list"),
    path("ny/", views.run_create, name="run_create"),
    path("regler/", views.rules_edit, name="rules"),
    path("<int:pk>/", views.run_detail, name="run_detail"),
    path("<int:pk>/godkann/", views.run_approve, name="run_approve"),
    path("<int:pk>/avvisa/", views.run_reject, name="run_reject"),
]
