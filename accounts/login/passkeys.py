"""Passkeys (WebAuthn, django-otp-webauthn) as a second factor.

Only after the password: passwordless login is off
(OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN). The library's views are wrapped so
that a passkey obeys the same rules as a code: a locked second step refuses
it, success and enrolment are written to the account log, and the session
gets the security stamp (services.mark_verified).
"""

import json

from django.conf import settings
from django.http import JsonResponse
from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import views as webauthn_views
from django_otp_webauthn.utils import get_credential_model

from . import services
from .middleware import second_factor_exempt


def relying_party_id(request):
    """The site's host name (validated by ALLOWED_HOSTS) unless set."""
    return getattr(settings, "OTP_WEBAUTHN_RP_ID", "") or request.get_host().split(":")[0]


class _Locked(JsonResponse):
    def __init__(self):
        super().__init__({"detail": "locked", "code": "locked"}, status=403)


class BeginRegistration(webauthn_views.BeginCredentialRegistrationView):
    second_factor_exempt = True


class CompleteRegistration(webauthn_views.CompleteCredentialRegistrationView):
    second_factor_exempt = True

    def post(self, *args, **kwargs):
        was_verified = self.request.user.is_verified()
        response = super().post(*args, **kwargs)
        if response.status_code == 200:
            credential = get_credential_model().objects.get(
                pk=json.loads(response.content)["id"], user=self.request.user
            )
            if was_verified:
                services.log_passkey_added(self.request, credential)
            else:
                services.passkey_enrolled(self.request, credential)
        return response


class BeginAuthentication(webauthn_views.BeginCredentialAuthenticationView):
    second_factor_exempt = True

    def post(self, *args, **kwargs):
        if self.request.user.is_authenticated and services.is_locked(self.request.user):
            return _Locked()
        return super().post(*args, **kwargs)


class CompleteAuthentication(webauthn_views.CompleteCredentialAuthenticationView):
    second_factor_exempt = True

    def complete_auth(self, device):
        # Only reached for the logged-in user (passwordless is off): verify
        # this session the way a code does.
        services.record_success(self.request, device, method="passkey")

    def post(self, *args, **kwargs):
        if self.request.user.is_authenticated and services.is_locked(self.request.user):
            return _Locked()
        response = super().post(*args, **kwargs)
        if response.status_code >= 400 and self.request.user.is_authenticated:
            services.record_failure(self.request, self.request.user)
        return response


urlpatterns = [
    path("registrering/start/", BeginRegistration.as_view(), name="credential-registration-begin"),
    path("registrering/klar/", CompleteRegistration.as_view(), name="credential-registration-complete"),
    path("inloggning/start/", BeginAuthentication.as_view(), name="credential-authentication-begin"),
    path("inloggning/klar/", CompleteAuthentication.as_view(), name="credential-authentication-complete"),
    path(
        "jsi18n/",
        second_factor_exempt(JavaScriptCatalog.as_view(packages=["django_otp_webauthn"])),
        name="js-i18n-catalog",
    ),
]
