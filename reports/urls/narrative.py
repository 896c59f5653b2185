"""The evaluation's narrative sections, their delegates and history
(reports.views.narrative). Without a year the menu's entry opens the year
the evaluation is usually written for (reports.views.runs.default_year)."""

from django.urls import path

from ..views import narrative as views

urlpatterns = [
    path("utvardering/texter/", views.narrative, name="narrative"),
    path("utvardering/<int:year>/texter/", views.narrative, name="narrative"),
    path("utvardering/<int:year>/texter/delegater/", views.narrative_delegates, name="narrative_delegates"),
    path("utvardering/<int:year>/texter/<slug:section>/", views.narrative_edit, name="narrative_edit"),
    path("utvardering/<int:year>/texter/<slug:section>/historik/", views.narrative_history, name="narrative_history"),
]
