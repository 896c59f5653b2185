from django.urls import path

from ..views import decisions as views
from ..views import packages

urlpatterns = [
    path("klienter/<int:pk>/beslut/", views.client_decisions, name="client_decisions"),
    path("klienter/<int:pk>/beslut/nytt/", views.decision_create, name="decision_create"),
    path("klienter/<int:pk>/beslut/paket/", packages.package_create, name="decision_package_create"),
    path("beslut/ej-verkstallda/", views.decision_waiting_list, name="decision_waiting_list"),
    path("beslut/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("beslut/<int:pk>/historik/", views.decision_history, name="decision_history"),
    path("beslut/<int:pk>/andra/", views.decision_edit, name="decision_edit"),
    path("beslut/<int:pk>/verkstall/", views.decision_execute, name="decision_execute"),
    path("beslut/<int:pk>/avbrott/", views.decision_interrupt, name="decision_interrupt"),
    path(
        "beslut/<int:pk>/avbrott/<int:interruption_pk>/aterupptag/",
        views.decision_resume,
        name="decision_resume",
    ),
    path("beslut/<int:pk>/avsluta/", views.decision_close, name="decision_close"),
    path("beslut/<int:pk>/erbjudanden/", views.decision_offer_add, name="decision_offer_add"),
    path("beslut/<int:pk>/erbjudanden/<int:offer_pk>/andra/", views.decision_offer_edit, name="decision_offer_edit"),
    path("beslut/<int:pk>/uppgifter-till-ivo/", views.decision_ivo_details, name="decision_ivo_details"),
    path("beslut/<int:pk>/orsak-till-drojsmal/", views.decision_delay_reason, name="decision_delay_reason"),
    path("beslut/<int:pk>/makulera/", views.decision_annul, name="decision_annul"),
]
