from django.urls import path

from ..views import tenancies as views

urlpatterns = [
    path("klienter/<int:pk>/boende/", views.client_tenancies, name="client_tenancies"),
    path("klienter/<int:pk>/boende/inflytt/", views.tenancy_move_in, name="tenancy_move_in"),
    path("lagenheter/<int:pk>/inflytt/", views.apartment_move_in, name="apartment_move_in"),
    path("boende/<int:pk>/", views.tenancy_detail, name="tenancy_detail"),
    path("boende/<int:pk>/beslut/", views.tenancy_link_decision, name="tenancy_link_decision"),
    path("boende/<int:pk>/utflytt/", views.tenancy_move_out, name="tenancy_move_out"),
    path("boende/<int:pk>/omflyttning/", views.tenancy_internal_move, name="tenancy_internal_move"),
    path("boende/<int:pk>/villkor/", views.tenancy_terms, name="tenancy_terms"),
    path("boende/<int:pk>/hemforsakring/", views.tenancy_insurance_add, name="tenancy_insurance_add"),
    path(
        "boende/<int:pk>/hemforsakring/<int:insurance_pk>/",
        views.tenancy_insurance_edit,
        name="tenancy_insurance_edit",
    ),
    path("boende/<int:pk>/inkomster/", views.tenancy_income_add, name="tenancy_income_add"),
    path("boende/<int:pk>/inkomster/<int:income_pk>/", views.tenancy_income_edit, name="tenancy_income_edit"),
    path(
        "boende/<int:pk>/inkomster/<int:income_pk>/avsluta/",
        views.tenancy_income_end,
        name="tenancy_income_end",
    ),
]
