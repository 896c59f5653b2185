from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role

BOLOTS = _("Bolots")
HOUSING = _("Housing")  # the group tenancies' apartments are in (tenancies.apps)


def _open_signals(today):
    """An unacknowledged signal still waits for the case officer (culling_sources)."""
    from django.db.models import Q

    return Q(acknowledged_at__isnull=True)


def _open_enrolments(today):
    """Enrolled in a course that still has sessions to come."""
    from django.db.models import Q

    return Q(completed_on__isnull=True, round__sessions__held_on__gte=today)


def _open_queues(today):
    """Still in a housing queue: the housing search goes on."""
    from django.db.models import Q

    return Q(ended_on__isnull=True)

class BolotsConfig(AppConfig):
    name = "bolots"
    # A person's records for culling (docs/culling.md; the keys are those of
    # referrals' culling_sources). Course rounds and sessions are the unit's
    # and stay; the person's enrolment and attendance go.
    culling_sources = [
        {"model": "bolots.Signal", "client": "client", "dates": ["created_at", "acknowledged_at"],
         "open": _open_signals, "delete": 100},
        {"model": "bolots.Visit", "client": "client", "dates": ["visited_at", "created_at", "annulled_at"],
         "delete": 110},
        {"model": "bolots.VisitChecklist", "client": "visit__client", "dates": [], "cascade": "bolots.Visit"},
        {"model": "bolots.FrequencyChange", "client": "order__client", "dates": ["changed_on", "created_at"],
         "cascade": "referrals.Order"},
        {"model": "bolots.Enrolment", "client": "client", "dates": ["enrolled_on", "completed_on"],
         "open": _open_enrolments, "delete": 120},
        {"model": "bolots.Attendance", "client": "enrolment__client", "dates": ["made_up_on"],
         "cascade": "bolots.Enrolment"},
        {"model": "bolots.HousingSearchProfile", "client": "client", "dates": ["checked_on"], "delete": 130},
        {"model": "bolots.QueueRegistration", "client": "client", "dates": ["registered_since", "ended_on"],
         "open": _open_queues, "delete": 140},
        {"model": "bolots.HousingApplication", "client": "client", "dates": ["applied_on"], "delete": 150},
    ]
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
        # Tenancies' housing menu: the takeover list shows this app's housing search.
        {"group": HOUSING, "label": _("Possible takeovers"), "url_name": "bolots:takeover_candidates",
         "perm": "tenancies.view_tenancy", "order": 65},
        # The manager's choice of checklist questions per kind of order.
        {"group": BOLOTS, "label": _("The checklist's questions"), "url_name": "bolots:checklist_rules",
         "perm": "bolots.change_checklistrule", "order": 90},
    ]

    # The client's housing search and visits tabs (referrals.client_tabs).
    client_tabs = [
        {"tab": "housing_search", "label": _("Housing search"), "url_name": "bolots:housing_search",
         "perm": "bolots.view_housingsearchprofile", "order": 70},
        {"tab": "visits", "label": _("Visits"), "url_name": "bolots:client_visits",
         "perm": "bolots.view_visit", "order": 80},
    ]

    # Panels on the order page (referrals.order_panels).
    order_panels = [
        {"slot": "ended", "template": "bolots/orders/_own_notes_panel.html", "order": 10},
        {"slot": "details", "template": "bolots/orders/_visit_panel.html", "perm": "bolots.add_visit",
         "context": "bolots.orders_panel.visit_panel_context", "order": 5},
        {"slot": "details", "template": "bolots/orders/_frequency_panel.html",
         "perm": "bolots.view_frequencychange", "order": 10},
    ]

    # New signals on the case officer's "Att göra" start page (accounts.todo).
    todo_sections = [
        {"key": "signals", "title": _("New signals"), "perm": "bolots.change_signal", "order": 30,
         "items": "bolots.todo.new_signals", "more_url_name": "bolots:signal_list"},
    ]

    # Visits and open signals on the client's overview (referrals.client_summaries);
    # signals come from visits, so their box links to the visits tab.
    client_summaries = [
        {"key": "visits", "label": _("Visits"), "tab": "visits", "perm": "bolots.view_visit",
         "order": 80, "lines": "bolots.client_summary.visits"},
        {"key": "signals", "label": _("Open signals"), "tab": "visits", "perm": "bolots.view_signal",
         "order": 85, "lines": "bolots.client_summary.open_signals"},
    ]

    # What each role may do here (collected by accounts.roles.sync_roles).
    # The access log in Swedish (audit.labels).
    access_log_labels = {
        "object_types": {
            "bolots.worklist": _("Min dag (worklist)"),
            "bolots.course_certificate": _("Course certificate (PDF)"),
            "bolots.checklistrule": _("The checklist's questions per kind of order"),
        },
        "notes": {
            "visits": _("The order's visits"),
            "acknowledged": _("Signal acknowledged"),
            "signal list": _("Signal list"),
            "frequency_change ": _("Visit frequency changed"),
            "orders shown:": _("Orders shown"),
            "attendance ": _("Attendance registered for sessions"),
            "checklist_rules": _("The checklist's questions changed"),
            # A visit's client followed its order's link (bolots.person_links).
            "client followed the order": _("Visit's client set from the order's link"),
        },
    }
    role_permissions = {
        Role.CASE_OFFICER: [
            "bolots.view_visit", "bolots.view_visitchecklist", "bolots.view_signal", "bolots.change_signal",
            "bolots.view_frequencychange", "bolots.view_housingsearchprofile", "bolots.view_queueregistration",
            "bolots.view_housingapplication", "bolots.view_courseround", "bolots.view_enrolment",
            "bolots.add_enrolment",
        ],
        Role.PILOT: [
            "bolots.view_visit", "bolots.add_visit", "bolots.change_visit", "bolots.view_visitchecklist",
            "bolots.add_visitchecklist", "bolots.view_frequencychange", "bolots.add_frequencychange",
            "bolots.view_unit_overview", "bolots.view_visit_statistics", "bolots.view_housingsearchprofile",
            "bolots.add_housingsearchprofile", "bolots.change_housingsearchprofile", "bolots.view_queueregistration",
            "bolots.add_queueregistration", "bolots.change_queueregistration", "bolots.view_housingapplication",
            "bolots.add_housingapplication", "bolots.change_housingapplication", "bolots.view_courseround",
            "bolots.add_courseround", "bolots.change_courseround", "bolots.view_enrolment", "bolots.add_enrolment",
            "bolots.change_enrolment", "bolots.view_attendance", "bolots.add_attendance", "bolots.change_attendance",
            # Only on visits they were present at or logged (services.visits.may_annul_visit).
            "bolots.annul_visit",
        ],
        Role.MANAGER: [
            "bolots.view_visit", "bolots.view_visitchecklist", "bolots.view_signal", "bolots.view_unit_overview",
            "bolots.view_visit_statistics", "bolots.view_housingsearchprofile", "bolots.view_courseround",
            "bolots.view_enrolment",
            # On the unit's visits (services.visits.may_annul_visit).
            "bolots.annul_visit",
            # Which checklist items each kind of order asks (services.checklist_rules).
            "bolots.view_checklistrule", "bolots.add_checklistrule", "bolots.change_checklistrule",
        ],
    }

    # An outreach order linked to a client (or the link undone): its visits
    # follow (referrals.order_followers, bolots.person_links).
    order_client_followers = [
        {"follow": "bolots.person_links.follow_order_client", "blockers": "bolots.person_links.unlink_blockers"},
    ]
