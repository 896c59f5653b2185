from django.urls import path

from ..views import lists as views

urlpatterns = [
    path("lagenheter/listor/", views.list_entries, name="list_entries"),
    path("lagenheter/listor/<slug:kind>/ny/", views.list_entry_add, name="list_entry_add"),
    path("lagenheter/listor/<slug:kind>/<int:pk>/", views.list_entry_edit, name="list_entry_edit"),
    path("lagenheter/listor/<slug:kind>/<int:pk>/ta-bort/", views.list_entry_delete, name="list_entry_delete"),
]
