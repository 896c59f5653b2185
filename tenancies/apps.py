from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role

HOUSING = _("Housing")


def _open_tenancies(today):
    """A running tenancy keeps the file (culling_sources)."""
    from django.db.models import Q

    return Q(end_date__isnull=True) | Q(end_date__gte=today)

class TenanciesConfig(AppConfig):
    name = "tenancies"
    # A person's records for culling (docs/culling.md; the keys are those of
    # referrals' culling_sources). A complaint about a tenancy is about the
    # tenant and goes with the file; the apartment and its keys stay.
    culling_sources = [
        {"model": "tenancies.Complaint", "client": "tenancy__client", "dates": ["occurred_on", "created_at"],
         "delete": 200},
        # An offer to a decision (docs/housing-chain.md): before the
        # decision (referrals, 800) and its IVO offers-log row.
        {"model": "tenancies.ApartmentOffer", "client": "decision__client",
         "dates": ["offered_on", "answer_by", "answered_on", "created_at"], "delete": 260},
        {"model": "tenancies.Tenancy", "client": "client", "dates": ["start_date", "end_date", "created_at"],
         "open": _open_tenancies, "delete": 250},
        {"model": "tenancies.HomeInsurance", "client": "tenancy__client", "dates": ["valid_from"],
         "cascade": "tenancies.Tenancy"},
        {"model": "tenancies.IncomeSource", "client": "tenancy__client", "dates": ["valid_from"],
         "cascade": "tenancies.Tenancy"},
    ]
    # The IVO offers log's rows an apartment offer writes are changed only
    # through the offer (referrals.offer_keepers).
    ivo_offer_keepers = ["tenancies.services.offers.kept_ivo_offers"]
    verbose_name = _("Tenancies")
    navigation = [
        {"group": HOUSING, "label": _("Apartments"), "url_name": "tenancies:apartment_list",
         "perm": "tenancies.view_apartment", "order": 60},
        {"group": HOUSING, "label": _("Areas and landlords"), "url_name": "tenancies:list_entries",
         "perm": "tenancies.change_area", "order": 65},
        {"group": HOUSING, "label": _("Import register"), "url_name": "tenancies:import_register",
         "perm": "tenancies.import_register", "order": 70},
        {"group": HOUSING, "label": _("Vacancies"), "url_name": "tenancies:vacancy_list",
         "perm": "tenancies.view_vacancy", "order": 62},
        # Matching and offers (views.offers, docs/housing-chain.md).
        {"group": HOUSING, "label": _("Offers"), "url_name": "tenancies:offer_list",
         "perm": "tenancies.view_apartmentoffer", "order": 64},
        # The waiting list (docs/housing-chain.md, services.waiting).
        {"group": HOUSING, "label": _("Waiting list"), "url_name": "tenancies:waiting_list",
         "perm": "tenancies.view_housingneeds", "order": 63},
    ]

    # The client's "Boende" tab (referrals.client_tabs).
    client_tabs = [
        {"tab": "tenancies", "label": HOUSING, "url_name": "tenancies:client_tenancies",
         "perm": "tenancies.view_tenancy", "order": 60},
    ]

    # The current tenancy on the client's overview (referrals.client_summaries).
    client_summaries = [
        {"key": "tenancy", "label": _("Current tenancy"), "tab": "tenancies", "perm": "tenancies.view_tenancy",
         "order": 60, "lines": "tenancies.client_summary.current_tenancy"},
    ]

    # The order page's address rows: where to go, and the registered
    # address when it differs (referrals.order_panels; services.addresses).
    order_panels = [
        {"slot": "address", "template": "tenancies/orders/_address_panel.html",
         "context": "tenancies.services.addresses.order_panel_context", "order": 10},
    ]

    # The decision page's housing panel: needs, the priority in force and the
    # apartments offered, with links to edit them (referrals.decision_panels;
    # decision_panel.py, which checks the permission of each part).
    decision_panels = [
        {"slot": "details", "template": "tenancies/decisions/_waiting_panel.html",
         "context": "tenancies.decision_panel.panel_context", "order": 10},
    ]

    # What each role may do here (collected by accounts.roles.sync_roles).
    # The access log in Swedish (audit.labels).
    access_log_labels = {
        "object_types": {"tenancies.import": _("Import of the apartment register")},
        "notes": {
            "move_in": _("Move-in"),
            "move_out": _("Move-out"),
            "internal_move": _("Internal move"),
            "action_taken": _("Action taken on the complaint"),
            "status": _("Apartment status changed"),
            "import": _("Changed by the register import"),
            "link_decision": _("Decision linked to the tenancy"),
            "address: move_in": _("Registered address changed by the move-in"),
            "vacancy_ready": _("Ready-from date of the vacancy"),
            # Matching and offers (services.offers).
            "offer": _("Apartment offered"),
            "offer: moved_in": _("Offer completed by the move-in"),
            # The waiting list (services.waiting).
            "priority": _("Priority set on the waiting list"),
            "housing_needs": _("Housing needs registered"),
        },
    }
    role_permissions = {
        Role.CASE_OFFICER: [
            "tenancies.view_apartment", "tenancies.view_tenancy", "tenancies.add_tenancy", "tenancies.change_tenancy",
            "tenancies.view_complaint", "tenancies.add_complaint", "tenancies.link_decision",
            # The housing chain (docs/housing-chain.md): the waiting list, its
            # needs and priorities, and the offers made from a vacancy.
            "tenancies.view_vacancy", "tenancies.view_housingneeds", "tenancies.add_housingneeds",
            "tenancies.change_housingneeds", "tenancies.view_waitingpriority", "tenancies.add_waitingpriority",
            "tenancies.view_apartmentoffer", "tenancies.add_apartmentoffer", "tenancies.change_apartmentoffer",
        ],
        Role.PILOT: [
            "tenancies.view_apartment", "tenancies.view_tenancy", "tenancies.view_complaint",
            "tenancies.add_complaint",
        ],
        Role.HOUSING_ADMIN: [
            "tenancies.view_apartment", "tenancies.add_apartment", "tenancies.change_apartment",
            "tenancies.import_register", "tenancies.view_keyset", "tenancies.add_keyset", "tenancies.change_keyset",
            "tenancies.delete_keyset", "tenancies.view_complaint", "tenancies.add_complaint",
            "tenancies.change_complaint", "tenancies.view_tenancy",
            # Issue 12 §7: move-in, move-out and internal move (never the
            # decision link: that stays the case officer's, link_decision).
            "tenancies.add_tenancy", "tenancies.change_tenancy",
            # The area and landlord lists (views.lists).
            "tenancies.view_area", "tenancies.add_area", "tenancies.change_area", "tenancies.delete_area",
            "tenancies.view_landlord", "tenancies.add_landlord", "tenancies.change_landlord",
            "tenancies.delete_landlord",
            # Vacancies and their ready-from date; the planned move-ins.
            "tenancies.view_vacancy", "tenancies.change_vacancy", "tenancies.view_apartmentoffer",
        ],
        Role.MANAGER: [
            "tenancies.view_apartment", "tenancies.view_tenancy", "tenancies.view_complaint",
            "tenancies.view_vacancy", "tenancies.view_housingneeds", "tenancies.view_waitingpriority",
            "tenancies.view_apartmentoffer",
        ],
    }

    def ready(self):
        # A Housing First decision waits with the steering group's priority
        # and the candidate's needs (tenancies.housing_first).
        from referrals.signals import housing_first_decided

        from .housing_first import carry_over

        housing_first_decided.connect(carry_over, dispatch_uid="tenancies.housing_first_carry_over")
