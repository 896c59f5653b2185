from django.urls import path

from ..views import runs as views

urlpatterns = [
    path("utvardering/", views.run_list, name="run_list"),
    path("utvardering/<int:pk>/status/", views.run_status, name="run_status"),
    path("utvardering/<int:pk>/ladda-ner/", views.run_download, name="run_download"),
    path("utvardering/<int:pk>/forsok-igen/", views.run_retry, name="run_retry"),
]
