from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

BOLOTS = _("Bolots")


class BolotsConfig(AppConfig):
    name = "bolots"
    verbose_name = _("Bolots")
    # Menu entries (see accounts.navigation); each area adds its own lines.
    navigation = [
        # Worklist: "Min dag" first, the bolots's start page; its perm is the
        # one only those who log visits have (the view also needs view_visit).
        {"group": BOLOTS, "label": _("My day"), "url_name": "bolots:my_day",
         "perm": "bolots.add_visit", "order": 1, "start_page": True},
        {"group": BOLOTS, "label": _("Unit overview"), "url_name": "bolots:unit_overview",
         "perm": "bolots.view_unit_overview", "order": 80},
        # Visits: the case officers' signals from failing checklist items.
        {"group": BOLOTS, "label": _("Signals"), "url_name": "bolots:signal_list",
         "perm": "bolots.view_signal", "order": 35},
        # Housing course: the unit's rounds, and the tenants still without it.
        {"group": BOLOTS, "label": _("Housing course"), "url_name": "bolots:course_list",
         "perm": "bolots.view_courseround", "order": 60},
        {"group": BOLOTS, "label": _("New tenants without housing course"), "url_name": "bolots:course_missing",
         "perm": "bolots.view_enrolment", "order": 62},
    ]
