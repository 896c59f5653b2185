from django.urls import path

from ..views import apartments as views

urlpatterns = [
    path("lagenheter/", views.apartment_list, name="apartment_list"),
    path("lagenheter/lediga/", views.apartment_vacant_list, name="apartment_vacant_list"),
    path("lagenheter/ny/", views.apartment_create, name="apartment_create"),
    path("lagenheter/<int:pk>/", views.apartment_detail, name="apartment_detail"),
    path("lagenheter/<int:pk>/andra/", views.apartment_edit, name="apartment_edit"),
    path("lagenheter/<int:pk>/historik/", views.apartment_history, name="apartment_history"),
    path("lagenheter/<int:pk>/nycklar/ny/", views.keys_create, name="keys_create"),
    path("lagenheter/nycklar/<int:pk>/andra/", views.keys_edit, name="keys_edit"),
    path("lagenheter/nycklar/<int:pk>/ta-bort/", views.keys_delete, name="keys_delete"),
    path("lagenheter/<int:pk>/klagomal/nytt/", views.complaint_create, name="complaint_create"),
    path("lagenheter/klagomal/<int:pk>/atgard/", views.complaint_action, name="complaint_action"),
]
