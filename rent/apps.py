from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role

RENT = _("Rent")


class RentConfig(AppConfig):
    """The rent ledger (docs/rent.md): above bolots, because it raises the
    bolots's signals and feeds Min dag, and below reports, whose figures
    read it (docs/architecture.md)."""

    name = "rent"
    verbose_name = _("Rent")
    default_auto_field = "django.db.models.BigAutoField"

    # Menu entries are added by each area's urls (see docs/rent.md).
    navigation = [
        {"group": RENT, "label": _("Rent ledger"), "url_name": "rent:overview",
         "perm": "rent.view_ledger", "order": 75},
        {"group": RENT, "label": _("Notice runs"), "url_name": "rent:runs",
         "perm": "rent.manage_rent", "order": 76},
        {"group": RENT, "label": _("Payments to match"), "url_name": "rent:payment_queue",
         "perm": "rent.manage_rent", "order": 77},
        {"group": RENT, "label": _("Aging of rent arrears"), "url_name": "rent:aging",
         "perm": "rent.view_ledger", "order": 78},
        {"group": RENT, "label": _("Export to the finance system"), "url_name": "rent:export_finance",
         "perm": "rent.export_finance", "order": 79},
    ]

    role_permissions = {
        Role.CASE_OFFICER: ["rent.view_ledger", "rent.manage_plans"],
        Role.PILOT: ["rent.sign_delivery"],
        Role.HOUSING_ADMIN: [
            "rent.view_ledger", "rent.manage_rent", "rent.export_finance", "rent.manage_plans",
            "rent.manage_terminations",
        ],
        Role.MANAGER: ["rent.view_ledger", "rent.write_off", "rent.export_finance"],
    }

    # The client's "Hyra" tab (referrals.client_tabs): the ledger of each tenancy.
    client_tabs = [
        {"tab": "rent", "label": RENT, "url_name": "rent:client_ledger", "perm": "rent.view_ledger", "order": 65},
    ]

    # Min dag's section "Hyra" and the note beside the checklist's "rent
    # paid (receipt seen)" (rent/worklist.py, collected by
    # bolots.services.worklist).
    worklist_sections = [
        {"key": "hyra", "title": RENT, "order": 10, "annotate": "rent.worklist.annotate",
         "items": "rent.worklist.items",
         "template": "bolots/worklist/_section.html"},
    ]
    checklist_notes = [
        {"field": "rent_paid", "note": "rent.worklist.rent_status"},
    ]

    access_log_labels = {
        "object_types": {
            "rent.financeexport": _("Export to the finance system"),
            "rent.payment_queue": _("Payments to match, with suggested tenants"),
            # The ledger (services.rates, services.runs, views.runs).
            "rent.noticerun": _("Run of rent notices"),
            "rent.rentrate": _("Rent from a date"),
            "rent.rentincrease": _("Rent increase"),
            "rent.aging": _("Aging list of rent arrears"),
            "rent.behind": _("List of tenants more than a month behind with the rent"),
            "rent.aging_export": _("Export of the aging list of rent arrears"),
            "rent.notice_pdf": _("Rent notice (PDF)"),
            "rent.notice_pdf_month": _("Rent notices of a month (PDF)"),
            "rent.termination_list": _("List of terminations for arrears"),
        },
        "notes": {
            "bgmax_import": _("BgMax file imported"),
            "payment_matched": _("Payment matched by hand"),
            "payment_manual": _("Payment registered by hand"),
            "payment_returned": _("Payment paid back"),
            "notice_run": _("Rent notices made for a month"),
            "rent_increase": _("New rent by a rent increase"),
            "charge_invoice": _("Invoice for a charge"),
            # services.ledger: the corrections of a notice.
            "credit_note": _("Credit note on a rent notice"),
            "write_off": _("Rent debt written off"),
            # services.opening_balances: a tenant found by identity number in the file.
            "opening_balance_match": _("Matched by the import of opening balances"),
            "notice #": _("Rent notice no. "),
            "period ": _("Month"),
            "rent notice PDF": _("Rent notice (PDF)"),
            "rent notices PDF": _("Rent notices of a month (PDF)"),
            # services.terminations (docs/rent.md, "Termination for arrears and the letters").
            "letter:": _("Letter of a termination for arrears"),
            "letter:termination": _("Letter read: termination with the right to recover"),
            "letter:board_notice": _("Letter read: notice to the social welfare board"),
            "delivery:": _("Delivery of a letter recorded"),
            "delivery:termination": _("Delivery of the termination letter recorded"),
            "delivery:board_notice": _("Delivery of the notice to the social welfare board recorded"),
            "termination:": _("Termination for arrears"),
            "termination:recovered": _("Termination for arrears: recovered, paid in time"),
            "termination:lapsed": _("Termination for arrears: not recovered in time"),
        },
    }

    def ready(self):
        # Termination for arrears (services.terminations): a payment in time
        # recovers the tenancy; no end for arrears while it may still be.
        from tenancies.signals import tenancy_ending

        from .services import terminations
        from .signals import payments_allocated

        payments_allocated.connect(terminations.on_payments_allocated, dispatch_uid="rent.termination_recovery")
        tenancy_ending.connect(terminations.refuse_early_end, dispatch_uid="rent.termination_refuse_end")

    # A person's rent records for culling (docs/culling.md): they go with the
    # tenancy, deleted before it.
    culling_sources = [
        {"model": "rent.Allocation", "client": "notice__tenancy__client", "dates": ["on"], "delete": 230},
        {"model": "rent.NoticeLine", "client": "notice__tenancy__client", "dates": [],
         "cascade": "rent.RentNotice"},
        {"model": "rent.LetterDelivery", "client": "termination__tenancy__client", "dates": ["delivered_on"],
         "delete": 231},
        {"model": "rent.ArrearsTermination", "client": "tenancy__client", "dates": ["decided_on"], "delete": 232},
        {"model": "rent.PlanInstalment", "client": "plan__tenancy__client", "dates": ["month"],
         "cascade": "rent.RepaymentPlan"},
        {"model": "rent.RepaymentPlan", "client": "tenancy__client", "dates": ["start_month", "end_month"],
         "delete": 233},
        {"model": "rent.CreditNote", "client": "tenancy__client", "dates": ["credited_on"], "delete": 234},
        {"model": "rent.WriteOff", "client": "tenancy__client", "dates": ["written_off_on"], "delete": 235},
        {"model": "rent.Payment", "client": "tenancy__client", "dates": ["paid_on"], "delete": 236},
        {"model": "rent.Charge", "client": "tenancy__client", "dates": ["charged_on"], "delete": 237},
        {"model": "rent.RentNotice", "client": "tenancy__client", "dates": ["due_date"], "delete": 238},
        {"model": "rent.RentRate", "client": "tenancy__client", "dates": ["valid_from"], "delete": 239},
    ]
