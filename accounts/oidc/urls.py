from django.urls import path

from . import views

# Included by accounts/urls.py under the "accounts" namespace. The callback's
# absolute address is what the provider's client registration must list
# (docs/deploy.md "OpenID Connect").
urlpatterns = [
    path("kommunens-inloggning/", views.AuthenticateView.as_view(), name="oidc-authenticate"),
    path("kommunens-inloggning/svar/", views.CallbackView.as_view(), name="oidc-callback"),
]
