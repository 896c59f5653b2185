"""Which checklist items each kind of order asks, per unit."""

from django.urls import path

from ..views import checklist_rules as views

urlpatterns = [
    path("checklistans-fragor/", views.checklist_rules, name="checklist_rules"),
]
