from django.urls import path

from ..oidc import link_views
from . import views

app_name = "users"

urlpatterns = [
    path("", views.user_list, name="list"),
    path("ny/", views.user_create, name="create"),
    path("<int:pk>/", views.user_edit, name="edit"),
    path("<int:pk>/aktiv/", views.user_set_active, name="set_active"),
    path("<int:pk>/hemadress/", views.user_home_address, name="home_address"),
    path("behorighetsbegaran/", views.access_requests, name="access_requests"),
    path("behorighetsbegaran/<int:pk>/", views.access_request_decide, name="access_request_decide"),
    # Link requests from the municipality's login (accounts.oidc.link_views).
    path("kommunens-inloggning/", link_views.link_requests, name="identity_links"),
    path("kommunens-inloggning/<int:pk>/", link_views.link_request, name="identity_link"),
    path("kommunens-inloggning/<int:pk>/avvisa/", link_views.reject_link_request, name="identity_link_reject"),
    path("<int:pk>/kommunens-inloggning/ta-bort/", link_views.unlink_account, name="identity_unlink"),
]
