# Load the Celery app when Django starts so that @shared_task binds to it.
# The deploy checks of the production layout (`check --deploy`).
from . import checks  # noqa: E402, F401
from .celery import app as celery_app

__all__ = ("celery_app",)
