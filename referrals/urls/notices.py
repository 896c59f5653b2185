from django.urls import path

from ..views import notices as views

urlpatterns = [
    path("underrattelser/", views.notice_list, name="notice_list"),
    path("underrattelser/ny/", views.notice_create, name="notice_create"),
    path("underrattelser/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("underrattelser/<int:pk>/andra/", views.notice_edit, name="notice_edit"),
    path("underrattelser/<int:pk>/kontaktforsok/", views.notice_contact, name="notice_contact"),
    path("underrattelser/<int:pk>/utfall/", views.notice_outcome, name="notice_outcome"),
    path("underrattelser/<int:pk>/uppdrag/", views.notice_create_order, name="notice_create_order"),
    path("klienter/<int:pk>/underrattelser/", views.client_notices, name="client_notices"),
    path("orosanmalningar/", views.concern_list, name="concern_list"),
    path("orosanmalningar/ny/", views.concern_create, name="concern_create"),
    path("orosanmalningar/<int:pk>/", views.concern_detail, name="concern_detail"),
    path("orosanmalningar/<int:pk>/andra/", views.concern_edit, name="concern_edit"),
    path("orosanmalningar/<int:pk>/uppdrag/", views.concern_create_order, name="concern_create_order"),
]
