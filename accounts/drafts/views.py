"""The draft endpoints and the session keep-alive, answered in JSON.

They answer 401 to a request without a session instead of sending the
login page: they are called by static/js/drafts.js and session.js, which
tell the user. The answers carry nothing but ok and the time saved.
"""

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import services


def draft_endpoint(view):
    """Marks the views DraftMiddleware leaves alone: their token is not a
    form's save."""
    view.draft_endpoint = True
    return view


def _refused(status, reason):
    return JsonResponse({"ok": False, "reason": reason}, status=status)


@draft_endpoint
@never_cache
@require_POST
def draft_save(request):
    if not request.user.is_authenticated:
        return _refused(401, "logged-out")
    token = services.read_token(request.POST.get(services.TOKEN_FIELD, ""), request.user)
    if token is None:
        # Forged, too old, or handed to another user: nothing is kept.
        return _refused(403, "token")
    draft = services.save_draft(request.user, token, services.values_of(request, token))
    request.session[services.PENDING_SESSION_KEY] = True
    return JsonResponse({"ok": True, "saved_at": timezone.localtime(draft.updated_at).strftime("%H:%M")})


@draft_endpoint
@never_cache
@require_POST
def draft_discard(request):
    if not request.user.is_authenticated:
        return _refused(401, "logged-out")
    token = services.read_token(request.POST.get(services.TOKEN_FIELD, ""), request.user)
    if token is None:
        return _refused(403, "token")
    services.discard_draft(request.user, token.key)
    return JsonResponse({"ok": True})


@draft_endpoint
@never_cache
@require_POST
def session_keepalive(request):
    """"Fortsätt arbeta": any request renews the session (SESSION_SAVE_EVERY_REQUEST)."""
    if not request.user.is_authenticated:
        return _refused(401, "logged-out")
    return JsonResponse({"ok": True})
