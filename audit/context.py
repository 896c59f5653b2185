"""Who is acting, from where: passed to service functions so that they can
write audit rows whether called from a view, a command or a task."""

from dataclasses import dataclass

from axes.helpers import get_client_ip_address


@dataclass(frozen=True)
class AuditContext:
    user: object
    path: str = ""
    ip_address: str | None = None

    @classmethod
    def from_request(cls, request):
        # django-axes already resolves the client address with the project's
        # proxy settings; reuse it so the log and the lockout agree.
        return cls(
            user=request.user,
            path=request.path[:500],
            ip_address=get_client_ip_address(request) or None,
        )

    @classmethod
    def system(cls, user, label="system"):
        """For management commands and background tasks."""
        return cls(user=user, path=label)
