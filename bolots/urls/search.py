from django.urls import path

from ..views import search as views

urlpatterns = [
    path("klienter/<int:client_id>/bostadssokande/", views.housing_search, name="housing_search"),
    path("klienter/<int:client_id>/bostadssokande/andra/", views.housing_search_edit, name="housing_search_edit"),
    path("klienter/<int:client_id>/bostadssokande/historik/", views.housing_search_history, name="housing_search_history"),
    path("klienter/<int:client_id>/bostadssokande/kontroll/", views.housing_search_check, name="housing_search_check"),
    path("klienter/<int:client_id>/bostadssokande/koer/", views.queue_add, name="queue_add"),
    path("klienter/<int:client_id>/bostadssokande/koer/<int:pk>/", views.queue_edit, name="queue_edit"),
    path("klienter/<int:client_id>/bostadssokande/ansokningar/", views.application_add, name="application_add"),
    path(
        "klienter/<int:client_id>/bostadssokande/ansokningar/<int:pk>/",
        views.application_edit,
        name="application_edit",
    ),
]
