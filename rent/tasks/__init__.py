"""The rent app's Celery tasks, one module per area (Celery's autodiscovery
imports this package; the beat schedule in config/settings.py names the
tasks by their full module path)."""

from . import bgmax, overdue, plans, runs, terminations  # noqa: F401
