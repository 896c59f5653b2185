from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from bolots.apps import BOLOTS

REPORTS = _("Goals and reports")


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")
    # Menu entries (see accounts.navigation). Each area adds its own line
    # once its URL exists, e.g.
    # {"group": REPORTS, "label": _("Goal dashboard"), "url_name": "reports:dashboard",
    #  "perm": "reports.view_kpi_dashboard", "order": 10},
    navigation = [
        {"group": REPORTS, "label": _("Goal dashboard"), "url_name": "reports:dashboard",
         "perm": "reports.view_kpi_dashboard", "order": 84},
        {"group": REPORTS, "label": _("Yearly evaluation (PDF)"), "url_name": "reports:run_list",
         "perm": "reports.view_reportrun", "order": 85},
        {"group": REPORTS, "label": _("Enforcement authority figures"), "url_name": "reports:enforcement_list",
         "perm": "reports.view_enforcementfigures", "order": 87},
        # The cancellations page is the bolotsar's (their menu, bolots'
        # permission) but its figures are the KPI engine's, so it lives here.
        {"group": BOLOTS, "label": _("Cancellations"), "url_name": "reports:cancellations",
         "perm": "bolots.view_visit_statistics", "order": 95},
        # Occupancy of the stock per apartment (reports.views.occupancy).
        {"group": REPORTS, "label": _("Occupancy"), "url_name": "reports:occupancy",
         "perm": "reports.view_kpi_dashboard", "order": 86},
        {"group": REPORTS, "label": _("National statistics"), "url_name": "reports:national",
         "perm": "reports.view_kpi_dashboard", "order": 89},
        # The evaluation's own words (reports.views.narrative); delegates
        # reach it from the notification that tells them.
        {"group": REPORTS, "label": _("The evaluation's texts"), "url_name": "reports:narrative",
         "perm": "reports.write_narrative", "order": 88},
    ]

    # What each role may do here (collected by accounts.roles.sync_roles).
    # The access log in Swedish (audit.labels).
    access_log_labels = {
        "object_types": {
            "reports.drilldown": _("Result list (dashboard)"),
            "reports.kpi_table": _("Goal table (export)"),
            "reports.national": _("National statistics (people behind a figure)"),
        },
        "notes": {
            "evaluation ": _("Yearly evaluation"),
            "retry": _("Started again"),
            "retry queued": _("Sent to the queue again"),
            "XLSX ": _("Excel file"),
            "fixed ": _("Figures of the year fixed"),
            "narrative ": _("Evaluation text"),
            "narrative delegate ": _("Delegate for the evaluation's texts"),
        },
    }
    role_permissions = {
        Role.MANAGER: [
            # Fixing a closed year's figures (reports.snapshots, "Fastställ år").
            "reports.freeze_kpi_year",
            "reports.view_kpi_dashboard", "reports.view_enforcementfigures", "reports.add_enforcementfigures",
            "reports.change_enforcementfigures", "reports.view_reportrun", "reports.add_reportrun",
            "reports.download_reportrun",
            # The evaluation's narrative sections (reports.services.narrative);
            # a delegate writes through a NarrativeDelegate row, not a role.
            "reports.write_narrative", "reports.view_narrativetext", "reports.view_narrativedelegate",
            "reports.add_narrativedelegate",
        ],
    }

    def ready(self):
        # Before a culling run deletes anything, every closed year's figures
        # are fixed (docs/culling.md "Closed years do not change"). A failing
        # receiver stops the run: nothing is culled from a year not fixed.
        from core.signals import culling_about_to_start

        from .snapshots import on_culling_about_to_start

        culling_about_to_start.connect(on_culling_about_to_start, dispatch_uid="reports.freeze_closed_years")

        # A correction of a record in a closed year makes that year's kept
        # figures stale (docs/kpis.md "Closed years kept and recomputed");
        # importing it also registers reports.tasks_figures with the worker.
        from . import invalidation

        invalidation.connect()
