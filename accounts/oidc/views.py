"""The two steps of the provider login: off to the provider, and back.

Thin wrappers around mozilla-django-oidc's views: they answer 404 when no
provider is configured, bind the session to the project's own backend, go
on to the second step unless the provider asserted strong authentication,
and turn every refusal or failure into a Swedish page (never a 500).
"""

from __future__ import annotations

import logging

import jwt
import requests
from django.contrib import auth
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from . import config, services
from .backend import LINK_REQUESTED_ATTR, REFUSAL_ATTR, STRONG_ATTR, SUBJECT_ATTR

logger = logging.getLogger(__name__)

# The session stays bound to the backend that answers permissions and
# drops inactive accounts on every request, as after a password login.
SESSION_BACKEND = "accounts.backends.RoleAwareModelBackend"

REFUSAL_STATUS = {"unknown": 403, "inactive": 403, "cancelled": 400, "failed": 400}


def _refused(request, reason: str):
    unknown = reason == "unknown"
    context = {
        "reason": reason,
        "subject": getattr(request, SUBJECT_ATTR, "") if unknown else "",
        "link_requested": unknown and getattr(request, LINK_REQUESTED_ATTR, False),
    }
    return render(request, "accounts/oidc/refused.html", context, status=REFUSAL_STATUS[reason])


@method_decorator(never_cache, name="dispatch")
class AuthenticateView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider with a new state and nonce."""

    second_factor_exempt = True

    def get(self, request):
        if not config.is_configured():
            raise Http404
        return super().get(request)


@method_decorator(never_cache, name="dispatch")
class CallbackView(OIDCAuthenticationCallbackView):
    """The provider sends the browser back here with a code and the state."""

    second_factor_exempt = True

    def get(self, request):
        if not config.is_configured():
            raise Http404
        try:
            return super().get(request)
        except SuspiciousOperation as exc:
            # A state not of this session (replayed, forged, or an old tab)
            # or an ID token that failed a check.
            logger.warning("OIDC login refused: %s", exc)
        except requests.RequestException as exc:
            # The provider refused the code (used, expired, for another
            # client) or could not be reached.
            logger.warning("OIDC login failed: %s", type(exc).__name__)
        except (jwt.PyJWTError, ValueError, KeyError) as exc:
            # A provider answering outside the protocol: the traceback tells
            # the operator where (it holds no claims).
            logger.warning("OIDC login failed: %s", type(exc).__name__, exc_info=True)
        return _refused(request, "failed")

    def login_failure(self):
        request = self.request
        reason = getattr(request, REFUSAL_ATTR, "")
        if not reason:
            reason = "cancelled" if request.GET.get("error") else "failed"
            logger.warning("OIDC login refused: %s", reason)
        return _refused(request, reason)

    def login_success(self):
        request = self.request
        user = self.user
        # Read before login(), which empties the session of another user.
        target = request.session.get("oidc_login_next") or ""
        user.backend = SESSION_BACKEND
        auth.login(request, user)
        strong = getattr(request, STRONG_ATTR, "")
        if strong:
            services.mark_strongly_authenticated(request, user, strong)
            return HttpResponseRedirect(target or reverse("home"))
        step = reverse(services.next_step(user))
        return HttpResponseRedirect(f"{step}?{urlencode({'next': target})}" if target else step)
