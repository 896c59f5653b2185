"""Response headers every page and download of the application gets."""

import time

from django.conf import settings
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """`Cache-Control: no-store` (and Django's never-cache set) on every
    response Django renders: pages and downloads show clients' personal
    data, and a shared computer's browser cache, the back button after
    logging out, or a proxy must not keep a copy.

    Sits below WhiteNoise in MIDDLEWARE, so static files (which WhiteNoise
    answers before this runs) keep their long caching. Anonymous pages get
    it too: the login page carries a CSRF token, and "every authenticated
    response" is easier to get wrong than "every response".
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


# The session key holding when the session row was last written (epoch
# seconds). accounts.context_processors reads it to tell the idle-timeout
# warning (static/js/session.js) how long the session really has left.
SESSION_REFRESHED_KEY = "_refreshed_at"


def session_refreshed_at(session) -> int | None:
    value = session.get(SESSION_REFRESHED_KEY)
    return value if isinstance(value, int) else None


def _refresh_due(request, refreshed: int | None, now: int) -> bool:
    return (
        refreshed is None
        or refreshed > now
        or now - refreshed >= settings.SESSION_REFRESH_SECONDS
        or request.method == "POST"
    )


def session_seconds_left(request) -> int:
    """Seconds until the session ends if no further request comes: the
    full SESSION_COOKIE_AGE when this request renews it, less the time
    since its last write when it does not. Both times are whole seconds
    (the write is stored truncated), so one second is added: the page's
    countdown may end a moment after the server's, never before it, and
    the user who sees "Du har loggats ut" finds the session gone.
    static/js/session.js reads it as data-session-left."""
    session = getattr(request, "session", None)
    if session is None:
        return settings.SESSION_COOKIE_AGE
    now = int(time.time())
    refreshed = session_refreshed_at(session)
    if _refresh_due(request, refreshed, now):
        return settings.SESSION_COOKIE_AGE
    return max(0, min(settings.SESSION_COOKIE_AGE, settings.SESSION_COOKIE_AGE - (now - refreshed) + 1))


class SessionRefreshMiddleware:
    """Sliding idle expiry without a session write on every request.

    SESSION_SAVE_EVERY_REQUEST wrote the session row (and, with cached_db,
    the cache) on every page: under load the single most frequent UPDATE,
    on a handful of hot rows when one user has several tabs. Instead the
    session is written when SESSION_REFRESH_SECONDS have passed since its
    last write, or when the request is a POST (the keep-alive of
    "Fortsätt arbeta" and the draft autosave are POSTs: static/js/session.js
    restarts its countdown after them, so they must renew the session
    exactly), or when something else changed it anyway. The session then
    ends between SESSION_COOKIE_AGE − SESSION_REFRESH_SECONDS and
    SESSION_COOKIE_AGE after the last request, never later; the warning
    dialog counts from the last write (accounts.context_processors), so it
    still opens before the end. docs/performance.md "Throughput under load".

    Sits after SessionMiddleware and AuthenticationMiddleware in MIDDLEWARE,
    so its response half runs before the session is saved.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not _holds_a_session(session):
            # Anonymous visitors get no session row for a page view.
            return response
        now = int(time.time())
        if _refresh_due(request, session_refreshed_at(session), now) or session.modified:
            # Setting the key marks the session modified: SessionMiddleware
            # saves it, with a new expiry date, on the way out.
            session[SESSION_REFRESHED_KEY] = now
        return response


def _holds_a_session(session) -> bool:
    # Loading costs nothing more (authentication read it already). A cookie
    # naming no live session loads empty, and a session flushed by logout is
    # empty: neither is written.
    return bool(session.keys())
