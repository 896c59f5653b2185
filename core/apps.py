from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Domain-free shared parts (date bounds, CSV writing, response headers).

    The lowest layer: it imports no project app, so every app may use it.
    """

    name = "core"
    verbose_name = _("Core")
