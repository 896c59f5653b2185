"""Operational records kept by the lowest layer (issue 16): each part in its own module, imported here."""

from .jobs import ScheduledJobRun  # noqa: F401
from .mail import MailFailure  # noqa: E402,F401
from .outbox import OutboxMessage  # noqa: F401
