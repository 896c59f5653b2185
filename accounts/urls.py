from django.urls import path

from . import views
from .drafts.urls import urlpatterns as draft_urlpatterns
from .login.urls import urlpatterns as login_urlpatterns
from .oidc.urls import urlpatterns as oidc_urlpatterns

app_name = "accounts"

urlpatterns = [
    *login_urlpatterns,
    *oidc_urlpatterns,
    *draft_urlpatterns,
    path("aviseringar/", views.notifications, name="notifications"),
]
