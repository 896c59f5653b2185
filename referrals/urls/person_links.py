"""One person, one record: possible matches, links and their undoing (docs/housing-chain.md)."""

from django.urls import path

from ..views import person_links as views

urlpatterns = [
    path("klienter/<int:pk>/kopplingar/", views.person_links, name="person_links"),
    path("kopplingar/<int:pk>/angra/", views.person_link_undo, name="person_link_undo"),
    path("insatser/<int:pk>/koppla-klient/", views.person_link_order, name="person_link_order"),
]
