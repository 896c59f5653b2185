"""The one door through which views reach personal data.

Two questions, answered in this order:

1. May this *role* do this at all? A permission check. No: 403 (the user is
   told they lack the right, which reveals nothing about any record).
2. May this *user* see this *record*? The model's `visible_to(user)`
   queryset decides. No: 404, so that outsiders cannot probe which clients
   exist.

Every successful fetch writes the access log (audit.services.log_access), so
views cannot forget to.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access


def require_perm(user, perm):
    if not user.has_perm(perm):
        raise PermissionDenied


def permission_required(*perms):
    """Anonymous users go to the login page; logged-in users without every
    one of `perms` get 403."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            for perm in perms:
                require_perm(request.user, perm)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def fetch_visible(request, queryset, *, perm, action=AccessAction.VIEW, log=True, **lookup):
    """Return the one record matching `lookup` that the user may see.

    `queryset` must offer `visible_to(user)`. Raises PermissionDenied (403)
    without `perm` and Http404 when the record is outside the user's reach or
    absent; logs `action` on success unless `log` is False (for a write, the
    service function logs the write instead).
    """
    require_perm(request.user, perm)
    try:
        obj = queryset.visible_to(request.user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None
    if log:
        log_access(AuditContext.from_request(request), action, obj)
    return obj


def log_export(request, *, object_type, note="", client=None):
    """Record that the user exported data (a list, a CSV, a PDF)."""
    log_access(
        AuditContext.from_request(request),
        AccessAction.EXPORT,
        client=client,
        object_type=object_type,
        note=note,
    )
