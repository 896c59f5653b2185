from django.conf import settings

from core.middleware import session_seconds_left

from .navigation import header_search_for, menu_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {
        "nav_menu": menu_for(user, request.path),
        "header_search": header_search_for(user),
        # Lazy: evaluated only where the template shows it (one COUNT query).
        "unread_notifications": lambda: user.notifications.filter(read_at__isnull=True).count()
        if user.is_authenticated
        else 0,
        "unit_name": settings.BOLOTS_UNIT_NAME,
        "session_idle_minutes": settings.SESSION_IDLE_TIMEOUT_MINUTES,
        # The session warning (static/js/session.js, templates/includes/session_warning.html).
        # What is left of it now (the row is not renewed on every request,
        # core.middleware.SessionRefreshMiddleware), and the whole age a
        # renewal (keep-alive, draft autosave) gives it again.
        "session_left": session_seconds_left(request),
        "session_age": settings.SESSION_COOKIE_AGE,
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
    }
