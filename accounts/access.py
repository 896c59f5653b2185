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

from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from django.db import models
    from django.db.models import QuerySet
    from django.http import HttpRequest, HttpResponse

    from accounts.models import User


def require_perm(user: User, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def permission_required(*perms: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Anonymous users go to the login page; logged-in users without every
    one of `perms` get 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            for perm in perms:
                require_perm(request.user, perm)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def fetch_visible(
    request: HttpRequest,
    queryset: QuerySet,
    *,
    perm: str,
    action: str = AccessAction.VIEW,
    log: bool = True,
    **lookup: Any,
) -> models.Model:
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


def log_export(request: HttpRequest, *, object_type: str, note: str = "", client: models.Model | None = None) -> None:
    """Record that the user exported data (a list, a CSV, a PDF)."""
    log_access(
        AuditContext.from_request(request),
        AccessAction.EXPORT,
        client=client,
        object_type=object_type,
        note=note,
    )
