"""Two moments of a draft-enabled form's save (its POST carries the draft
token, services.TOKEN_FIELD):

- The session has ended (idle timeout) when the user presses save. Without
  this the login page would come with no word and, after logging in, the
  POST-only URL of some forms would answer 405. Instead the user is sent to
  log in with `next` set to the form's page and told why; the session
  (which survives the login, django.contrib.auth.login cycles its key)
  remembers which form's save was refused, so the restored draft says the
  text was not saved.
- The save succeeded: the view answered with a redirect and queued no
  error message (a refusal that redirects, such as an order that can no
  longer take visits, keeps the draft). The draft is deleted.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages import constants
from django.utils.translation import gettext as _

from . import services

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _carries_token(request):
    return request.method == "POST" and request.content_type in FORM_TYPES and services.TOKEN_FIELD in request.POST


class DraftMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if 300 <= response.status_code < 400 and _carries_token(request) and request.user.is_authenticated:
            tokens = services.posted_tokens(request, request.user)
            if tokens and not _error_queued(request):
                for token in tokens:
                    services.discard_draft(request.user, token.key)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.user.is_authenticated or not _carries_token(request):
            return None
        if getattr(view_func, "draft_endpoint", False):
            # The autosave itself: it answers 401, drafts.js tells the user.
            return None
        tokens = services.posted_tokens(request, None)
        if not tokens:
            return None
        request.session[services.UNSAVED_SESSION_KEY] = [token.key for token in tokens]
        messages.warning(
            request,
            _("You were logged out after %(minutes)s minutes without activity, so the form was not saved. "
              "Log in again: the text you wrote is kept as a draft.")
            % {"minutes": settings.SESSION_IDLE_TIMEOUT_MINUTES},
        )
        return redirect_to_login(tokens[0].page)


def _error_queued(request):
    storage = getattr(request, "_messages", None)
    return any(message.level >= constants.ERROR for message in getattr(storage, "_queued_messages", ()))
