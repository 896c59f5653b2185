"""Login limits across addresses and across accounts, on top of django-axes'
per (user name, address) lockout.

Counted from django-axes' AccessFailureLog (one row per failed password,
AXES_ENABLE_ACCESS_FAILURE_LOG), so that every web worker sees the same
counts without a shared cache:

- one account, any addresses: LOGIN_ACCOUNT_FAILURE_LIMIT per
  LOGIN_ACCOUNT_WINDOW (many addresses guessing one user's password);
- one address, any accounts: LOGIN_ADDRESS_FAILURE_LIMIT per
  LOGIN_ADDRESS_WINDOW (one password tried against many users).

A limit lifts by itself when the window has passed, or at once when a system
administrator unlocks the account (accounts.login.views.locks).
"""

from __future__ import annotations

from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.utils import timezone

from accounts.models import User

ACCOUNT = "account"
ADDRESS = "address"


def blocked(username: str, ip_address: str | None) -> str | None:
    """ACCOUNT or ADDRESS when that limit is reached, else None."""
    now = timezone.now()
    if username:
        since = now - settings.LOGIN_ACCOUNT_WINDOW
        unlocked_at = User.objects.filter(username=username).values_list("login_unlocked_at", flat=True).first()
        if unlocked_at and unlocked_at > since:
            since = unlocked_at
        failures = AccessFailureLog.objects.filter(username=username, attempt_time__gte=since).count()
        if failures >= settings.LOGIN_ACCOUNT_FAILURE_LIMIT:
            return ACCOUNT
    if ip_address:
        since = now - settings.LOGIN_ADDRESS_WINDOW
        failures = AccessFailureLog.objects.filter(ip_address=ip_address, attempt_time__gte=since).count()
        if failures >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return ADDRESS
    return None


def locked_usernames() -> list[str]:
    """User names locked by the per-account limit now, for the unlock page."""
    from django.db.models import Count

    since = timezone.now() - settings.LOGIN_ACCOUNT_WINDOW
    rows = (
        AccessFailureLog.objects.filter(attempt_time__gte=since)
        .values("username")
        .annotate(n=Count("id"))
        .filter(n__gte=settings.LOGIN_ACCOUNT_FAILURE_LIMIT)
    )
    locked = {row["username"] for row in rows}
    locked |= set(AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT).values_list("username", flat=True))
    return sorted(name for name in locked if name)


def unlock(username: str) -> None:
    """Lift every password lock of one user name: the per-pair lockouts go,
    and the per-account count starts again now. The failures themselves stay
    in AccessFailureLog."""
    AccessAttempt.objects.filter(username=username).delete()
    User.objects.filter(username=username).update(login_unlocked_at=timezone.now())
