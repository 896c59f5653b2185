from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role

CLIENTS = _("Clients and decisions")
ORDERS = _("Orders")


def _open_decisions(today):
    """Granted decisions in effect keep the file (culling_sources)."""
    from django.db.models import Q

    from .models.decisions import GRANTED_OUTCOMES

    return Q(annulled_at__isnull=True, outcome__in=GRANTED_OUTCOMES, closed_on__isnull=True) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    )


def _open_orders(today):
    from django.db.models import Q

    from .models.orders import OrderState

    return Q(state__in=OrderState.open_states())


def _open_notices(today):
    from django.db.models import Q

    from .models.notices import NoticeOutcome

    return Q(outcome__in=["", NoticeOutcome.UNKNOWN])


def _open_transfers(today):
    from django.db.models import Q

    from .models.transfers import TransferState

    return Q(state=TransferState.PENDING)

class ReferralsConfig(AppConfig):
    name = "referrals"
    # The records of a person's file, for culling (docs/culling.md): the
    # model, the lookup from it to the client's id, the dates that count as
    # an entry in the file, what keeps the file open, and the delete order
    # (lowest first; a higher app deletes its rows before these). Records
    # removed with their parent by a cascading foreign key name the parent.
    culling_sources = [
        {"model": "referrals.Client", "client": "pk", "dates": ["created_at", "updated_at", "risk_changed_at"],
         "delete": 900},
        {"model": "referrals.Decision", "client": "client",
         "dates": ["applied_on", "decided_on", "executed_on", "partly_executed_on", "closed_on", "annulled_at",
                   "created_at"],
         "open": _open_decisions, "delete": 800},
        {"model": "referrals.Interruption", "client": "decision__client", "dates": ["started_on", "ended_on"],
         "cascade": "referrals.Decision"},
        {"model": "referrals.Offer", "client": "decision__client", "dates": ["offered_on"],
         "cascade": "referrals.Decision"},
        {"model": "referrals.IndividualPlan", "client": "client", "dates": ["established_on"], "delete": 700},
        {"model": "referrals.PlanGoal", "client": "plan__client", "dates": ["achieved_on"],
         "cascade": "referrals.IndividualPlan"},
        {"model": "referrals.PlanAction", "client": "plan__client", "dates": ["done_on"],
         "cascade": "referrals.IndividualPlan"},
        {"model": "referrals.PlanReview", "client": "plan__client", "dates": ["reviewed_on"],
         "cascade": "referrals.IndividualPlan"},
        {"model": "referrals.TransferRequest", "client": "client", "dates": ["requested_at", "decided_at"],
         "open": _open_transfers, "delete": 600},
        {"model": "referrals.ConcernReport", "client": "client", "dates": ["received_on", "created_at"],
         "delete": 550},
        {"model": "referrals.EvictionNotice", "client": "client", "dates": ["received_on", "outcome_on", "created_at"],
         "open": _open_notices, "delete": 500},
        {"model": "referrals.ContactAttempt", "client": "notice__client", "dates": ["at"],
         "cascade": "referrals.EvictionNotice"},
        {"model": "referrals.Order", "client": "client",
         "dates": ["sent_at", "accepted_at", "started_at", "first_visit_at", "completed_at", "cancelled_at"],
         "open": _open_orders, "delete": 400},
        {"model": "referrals.OrderEvent", "client": "order__client", "dates": ["at"], "cascade": "referrals.Order"},
        # The reassignment itself (who moved a caseload) names no client and stays.
        # Housing First (docs/housing-chain.md): a candidacy and its place in
        # the steering group's orders go with the file; the steering
        # decision itself names no one and stays.
        {"model": "referrals.SteeringPriority", "client": "candidate__client", "dates": ["steering_decision__decided_on"],
         "delete": 340},
        {"model": "referrals.HousingFirstCandidate", "client": "client", "dates": ["proposed_on", "created_at"],
         "delete": 350},
        {"model": "referrals.CandidateAssessment", "client": "candidate__client", "dates": ["met_on"],
         "cascade": "referrals.HousingFirstCandidate"},
        # Person links: before the orders (400) they may name.
        {"model": "referrals.PersonLink", "client": "client", "dates": ["linked_at", "unlinked_at"], "delete": 380},
        {"model": "referrals.ReassignedOrder", "client": "order__client", "dates": ["reassignment__at"],
         "delete": 300},
    ]
    verbose_name = _("Referrals")
    # Menu entries (see accounts.navigation): grouped so that a manager's
    # many entries fit a menu bar.
    navigation = [
        {"group": CLIENTS, "label": _("Clients"), "url_name": "referrals:client_list",
         "perm": "referrals.view_client", "order": 10},
        {"group": CLIENTS, "label": _("Non-executed decisions"), "url_name": "referrals:decision_waiting_list",
         "perm": "referrals.view_decision", "order": 20},
        {"group": CLIENTS, "label": _("Plan reviews"), "url_name": "referrals:plan_reviews_due",
         "perm": "referrals.view_individualplan", "order": 25},
        {"group": CLIENTS, "label": _("IVO reporting"), "url_name": "referrals:ivo_report",
         "perm": "referrals.view_ivo_report", "order": 28},
        {"group": CLIENTS, "label": _("Transfer requests"), "url_name": "referrals:transfer_requests",
         "perm": "referrals.decide_transferrequest", "order": 29},
        {"group": ORDERS, "label": _("Orders"), "url_name": "referrals:order_list",
         "perm": "referrals.view_order", "order": 30},
        {"group": ORDERS, "label": _("Eviction notices"), "url_name": "referrals:notice_list",
         "perm": "referrals.view_evictionnotice", "order": 40},
        {"group": ORDERS, "label": _("Concern reports"), "url_name": "referrals:concern_list",
         "perm": "referrals.view_concernreport", "order": 45},
        # A leaving bolots's orders are the usual reassignment (issue 12 §9);
        # the split page links to the case officers' page.
        {"group": ORDERS, "label": _("Reassignment"), "url_name": "referrals:reassign_pilot",
         "perm": "referrals.add_reassignment", "order": 48},
        # Housing First candidates (views.housing_first): case officers,
        # bolotsar (the reversed referral) and the steering group's managers.
        {"group": CLIENTS, "label": _("Housing First"), "url_name": "referrals:hf_candidates",
         "perm": "referrals.view_housingfirstcandidate", "order": 27},
    ]

    # The tabs of a client's file (referrals.client_tabs); higher apps add theirs.
    client_tabs = [
        {"tab": "overview", "label": _("Overview"), "url_name": "referrals:client_detail", "order": 10},
        {"tab": "decisions", "label": _("Decisions"), "url_name": "referrals:client_decisions",
         "perm": "referrals.view_decision", "order": 20},
        {"tab": "plan", "label": _("Individual plan"), "url_name": "referrals:client_plan",
         "perm": "referrals.view_individualplan", "order": 30},
        {"tab": "orders", "label": ORDERS, "url_name": "referrals:client_orders",
         "perm": "referrals.view_order", "order": 40},
        {"tab": "notices", "label": _("Eviction notices"), "url_name": "referrals:client_notices",
         "perm": "referrals.view_evictionnotice", "order": 50},
        # One person, one record (views.person_links).
        {"tab": "person_links", "label": _("Linked records"), "url_name": "referrals:person_links",
         "perm": "referrals.view_personlink", "order": 95},
    ]

    # The search box in every page's header (accounts.navigation.header_search_for).
    header_search = {"url_name": "referrals:client_search", "perm": "referrals.view_client",
                     "label": _("Search client"), "help": _("Name or personal identity number")}

    # The case officer's "Att göra" start page (accounts.todo); the
    # permissions are ones only case officers hold, since these are their
    # own items to act on.
    todo_sections = [
        {"key": "returned_orders", "title": _("Orders returned with a question"), "perm": "referrals.change_order",
         "order": 10, "items": "referrals.todo.returned_orders", "more_url_name": "referrals:order_list"},
        {"key": "first_visits", "title": _("48-hour orders not yet visited"), "perm": "referrals.add_order",
         "order": 20, "items": "referrals.todo.first_visits_due", "more_url_name": "referrals:order_list"},
        {"key": "ivo_deadlines", "title": _("Decisions nearing the IVO deadline"), "perm": "referrals.add_decision",
         "order": 40, "items": "referrals.todo.ivo_deadlines", "more_url_name": "referrals:decision_waiting_list"},
        {"key": "plan_reviews", "title": _("Individual plans due for review"),
         "perm": "referrals.change_individualplan", "order": 50, "items": "referrals.todo.plan_reviews",
         "more_url_name": "referrals:plan_reviews_due"},
    ]

    # The boxes on the client's overview (referrals.client_summaries); higher
    # apps add theirs.
    client_summaries = [
        {"key": "decisions", "label": _("Open decisions"), "tab": "decisions", "perm": "referrals.view_decision",
         "order": 20, "lines": "referrals.client_summaries.decisions"},
        {"key": "orders", "label": _("Open orders"), "tab": "orders", "perm": "referrals.view_order",
         "order": 40, "lines": "referrals.client_summaries.orders"},
        {"key": "plan", "label": _("Individual plan"), "tab": "plan", "perm": "referrals.view_individualplan",
         "order": 30, "lines": "referrals.client_summaries.plan"},
        {"key": "person_links", "label": _("Linked records"), "tab": "person_links",
         "perm": "referrals.view_personlink", "order": 95, "lines": "referrals.views.person_links.summary_lines"},
    ]

    # What each role may do here (collected by accounts.roles.sync_roles).
    role_permissions = {
        Role.CASE_OFFICER: [
            "referrals.view_client", "referrals.add_client", "referrals.change_client", "referrals.view_decision",
            "referrals.add_decision", "referrals.change_decision", "referrals.view_ivo_report",
            "referrals.view_individualplan", "referrals.add_individualplan", "referrals.change_individualplan",
            "referrals.view_order", "referrals.add_order", "referrals.change_order", "referrals.view_evictionnotice",
            "referrals.add_evictionnotice", "referrals.change_evictionnotice", "referrals.view_concernreport",
            "referrals.add_concernreport", "referrals.change_concernreport",
            # The client's current risk information (views.risks).
            "referrals.change_client_risk",
            # Housing First (services.housing_first): the unit's case officers
            # propose and sit in the working group that assesses.
            "referrals.view_housingfirstcandidate", "referrals.add_housingfirstcandidate",
            "referrals.change_housingfirstcandidate", "referrals.assess_housing_first",
            "referrals.view_candidateassessment", "referrals.add_candidateassessment",
            "referrals.view_steeringdecision",
            # One person, one record (services.person_matching).
            "referrals.view_personlink", "referrals.link_person",
        ],
        Role.PILOT: [
            "referrals.view_client", "referrals.view_order", "referrals.accept_order", "referrals.carry_out_order",
            # Of the clients of their accepted orders (ClientQuerySet.visible_to):
            # they see the risks first at the door.
            "referrals.change_client_risk",
            # The reversed referral: outreach proposes people met on the
            # street for Housing First (services.housing_first).
            "referrals.view_housingfirstcandidate", "referrals.add_housingfirstcandidate",
        ],
        Role.MANAGER: [
            "referrals.view_client", "referrals.view_decision", "referrals.view_ivo_report",
            "referrals.view_individualplan", "referrals.view_order", "referrals.view_evictionnotice",
            "referrals.view_concernreport", "referrals.view_reassignment", "referrals.add_reassignment",
            # Accept or decline another unit's request for a file (referrals.services.transfers).
            "referrals.decide_transferrequest",
            # The Housing First steering group (services.housing_first).
            "referrals.view_housingfirstcandidate", "referrals.view_candidateassessment",
            "referrals.view_steeringdecision", "referrals.add_steeringdecision", "referrals.decide_housing_first",
            "referrals.view_personlink",
        ],
        Role.SYSTEM_ADMIN: [
            "referrals.view_legalreference", "referrals.add_legalreference", "referrals.change_legalreference",
            "referrals.view_targetgroup", "referrals.add_targetgroup", "referrals.change_targetgroup",
        ],
    }

    # The permission to see protected people's personal data and
    # whereabouts (referrals.protection): given to named accounts only, with
    # a manager's approval (accounts.users.services.protected_permission).
    # The access log in Swedish (audit.labels): record types written as
    # literals and the codes this app writes as a row's note.
    access_log_labels = {
        "object_types": {
            "referrals.client.number_lookup": _("Identity number check at registration"),
            "referrals.client.protected_address": _("Protected address shown on the visit page"),
            "referrals.ivo_report": _("IVO reports of a quarter"),
            "referrals.ivo_individual_report": _("IVO individual report"),
            "referrals.ivo_statistics": _("Statistics of non-executed decisions"),
        },
        "notes": {
            # An order's lifecycle steps (OrderEvent.Transition, services.orders._save).
            "sent": _("Order sent"),
            "returned": _("Order returned with a question"),
            "answered": _("Order answered and sent back"),
            "accepted": _("Order accepted"),
            "started": _("Order started"),
            "completed": _("Order completed"),
            "cancelled": _("Order cancelled"),
            "reassigned": _("Order reassigned"),
            "reassignment": _("Reassignment"),
            "client": _("Order linked to the client's file"),
            "first_visit_at": _("First visit recorded on the order"),
            "bolots_support with training_apartment": _("Bolots support decided with the training apartment"),
            "transfer accepted": _("Transfer request accepted"),
            "transfer declined": _("Transfer request declined"),
            "registration refused: number held elsewhere;": _(
                "Registration refused: the number is held by another unit"
            ),
            "order #": _("Visit page of order #"),
            "#": _("Request #"),
            "CSV ": _("CSV file"),
            "PDF ": _("PDF file"),
            # One person, one record (services.person_matching).
            "same person": _("Records linked as the same person"),
            "not the same person": _("Records confirmed to be different people"),
            "link undone": _("Link of records undone"),
        },
    }

    protected_data_permission = "referrals.view_protected_client"

    def ready(self) -> None:
        # Every client read is logged (audit.reads; Client.from_db reports
        # each one): audit sits below referrals, so it is told which model
        # that is and which fields its log rows name the client by
        # (Client.audit_label is the full name).
        from audit import reads

        from .models import Client

        reads.track(Client, label_fields=("first_name", "last_name"), number_field="personal_number")

    def access_log_flags(self):
        """For the log review (audit.flags): the flags of referrals.log_flags."""
        from .log_flags import flags

        return flags()

    def access_log_client_links(self, user, client_ids):
        """For the log review: {client id: URL of the client's page} for the
        clients among `client_ids` that `user` may open (the same rule as the
        page itself, ClientQuerySet.visible_to). Values only: no client is
        read for this; the row's label is already on the page."""
        from django.urls import reverse

        from .models import Client

        visible = Client.objects.visible_to(user).filter(pk__in=client_ids).values_list("pk", flat=True)
        return {pk: reverse("referrals:client_detail", args=[pk]) for pk in visible}

    def hidden_whereabouts_ids(self, user, client_ids):
        """For the log review (audit.masking): the protected clients among
        `client_ids` whose whereabouts `user` may not see, by the one rule in
        referrals.protection. Values only: no client is read for this."""
        from . import protection
        from .models import Client, ProtectionLevel

        if user.has_perm(protection.PROTECTED_PERMISSION):
            return set()
        return set(
            Client.objects.filter(pk__in=client_ids)
            .exclude(protection_level=ProtectionLevel.NONE)
            .values_list("pk", flat=True)
        )
