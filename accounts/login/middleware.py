"""Every page requires a session that passed the second factor.

Replaces django_otp's OTPMiddleware: it offers the same
`request.user.is_verified()`, but answers from the session and the user row
already loaded (the security stamp) instead of loading the device on every
request, so that pages keep their query counts. A device that is removed
(two-person reset) changes the stamp, which ends every session verified
with it.

Views that must work before the second step are marked with
`second_factor_exempt` (the login package's own views, the health check).
Anonymous requests pass through: login_required sends them to the login.
"""

import functools

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode

from . import services


def second_factor_exempt(view):
    view.second_factor_exempt = True
    return view


# Pages outside this package that must answer before the second step.
EXEMPT_URL_NAMES = {"healthz"}


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None:
            request.user = SimpleLazyObject(functools.partial(self._verify_user, request, user))
        return self.get_response(request)

    @staticmethod
    def _verify_user(request, user):
        # Attributes django-otp and django-otp-webauthn read.
        user.otp_device = None
        user.is_verified = functools.partial(services.is_verified, request)
        return user

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "second_factor_exempt", False) or getattr(
            getattr(view_func, "view_class", None), "second_factor_exempt", False
        ):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in EXEMPT_URL_NAMES:
            return None
        if not request.user.is_authenticated or request.user.is_verified():
            return None
        target = reverse("accounts:verify")
        if request.method == "GET":
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}" if request.path != "/" else target)
        return redirect(target)
