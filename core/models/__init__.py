"""Operational records kept by the lowest layer (issue 16): each part in its own module, imported here."""

from .jobs import ScheduledJobRun  # noqa: F401
