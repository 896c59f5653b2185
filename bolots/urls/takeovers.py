from django.urls import path

from ..views import takeovers as views

# The path is the one the page had under tenancies: links and bookmarks keep working.
urlpatterns = [
    path("boende/overtagande/", views.takeover_candidates, name="takeover_candidates"),
]
