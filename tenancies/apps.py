from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role

HOUSING = _("Housing")


class TenanciesConfig(AppConfig):
    name = "tenancies"
    verbose_name = _("Tenancies")
    navigation = [
        {"group": HOUSING, "label": _("Apartments"), "url_name": "tenancies:apartment_list",
         "perm": "tenancies.view_apartment", "order": 60},
        {"group": HOUSING, "label": _("Import register"), "url_name": "tenancies:import_register",
         "perm": "tenancies.import_register", "order": 70},
    ]

    # The client's "Boende" tab (referrals.client_tabs).
    client_tabs = [
        {"tab": "tenancies", "label": HOUSING, "url_name": "tenancies:client_tenancies",
         "perm": "tenancies.view_tenancy", "order": 60},
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
        },
    }
    role_permissions = {
        Role.CASE_OFFICER: [
            "tenancies.view_apartment", "tenancies.view_tenancy", "tenancies.add_tenancy", "tenancies.change_tenancy",
            "tenancies.view_complaint", "tenancies.add_complaint",
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
        ],
        Role.MANAGER: [
            "tenancies.view_apartment", "tenancies.view_tenancy", "tenancies.view_complaint",
        ],
    }
