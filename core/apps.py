from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Domain-free shared parts: Swedish number formatting (and the `ui`
    template filters), calendar arithmetic, personal identity numbers, date
    bounds, charts, PDF rendering, CSV writing, enqueueing tasks after the
    commit, response headers, the client's address behind trusted proxies.

    The lowest layer: it imports no project app, so every app may use it.
    """

    name = "core"
    verbose_name = _("Core")

    def ready(self):
        # Record every scheduled job's runs (Celery task signals), in the
        # web processes (eager tasks) and the worker alike.
        from . import scheduled  # noqa: F401
