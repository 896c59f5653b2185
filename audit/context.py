"""Who is acting, from where: passed to service functions so that they can
write audit rows whether called from a view, a command or a task."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.client_ip import client_ip

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.http import HttpRequest


@dataclass(frozen=True)
class AuditContext:
    user: object
    path: str = ""
    ip_address: str | None = None

    @classmethod
    def from_request(cls, request: HttpRequest) -> AuditContext:
        # The same function django-axes uses (AXES_CLIENT_IP_CALLABLE), so
        # that the log and the lockout agree on the address behind a proxy.
        return cls(
            user=request.user,
            path=request.path[:500],
            ip_address=client_ip(request),
        )

    @classmethod
    def system(cls, user: AbstractBaseUser | None, label: str = "system") -> AuditContext:
        """For management commands and background tasks."""
        return cls(user=user, path=label)
