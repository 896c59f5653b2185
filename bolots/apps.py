from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

BOLOTS = _("Bolots")


class BolotsConfig(AppConfig):
    name = "bolots"
    verbose_name = _("Bolots")
    # Menu entries (see accounts.navigation); each area adds its own lines.
    navigation = [
    ]
