"""Orders (uppdrag) from case officers to the bolots unit, their lifecycle,
and bulk reassignment of one person's caseload.

Lifecycle (services.orders holds the transitions and refuses others):

    sent ──accept──▶ accepted ──start──▶ in_progress ──complete──▶ completed
     │ ▲                 └──────────────complete──────────────────▶
     │ └─answer── returned ◀─return── sent
     └────────── cancel (from any open state) ──▶ cancelled
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from audit.versioning import VersionedModel

# Outreach and eviction-prevention orders must get a first visit within this.
FIRST_VISIT_WITHIN = timedelta(hours=48)


class OrderKind(models.TextChoices):
    BOLOTS_SUPPORT = "bolots_support", _("Bolots support")
    EVICTION_PREVENTION = "eviction_prevention", _("Eviction prevention")
    OUTREACH = "outreach", _("Outreach")
    SINGLE_ERRAND = "single_errand", _("Single errand")
    # Support in a Housing First tenancy: the same visits, but the
    # programme's rules (no demands), so its checklist asks no questions
    # about sobriety or treatment (bolots.ChecklistRule).
    HOUSING_FIRST = "housing_first", _("Housing First support")

    @classmethod
    def with_48_hour_rule(cls):
        return [cls.OUTREACH, cls.EVICTION_PREVENTION]


class ErrandType(models.TextChoices):
    ESCORT_TREATMENT = "escort_treatment", _("Escort to treatment")
    ESCORT_DOCTOR = "escort_doctor", _("Escort to a doctor")
    LVM_HOME_VISIT = "lvm_home_visit", _("Home visit in an LVM case")
    OTHER = "other", _("Other errand")


class OrderState(models.TextChoices):
    SENT = "sent", _("Sent")
    RETURNED = "returned", _("Returned with a question")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")

    @classmethod
    def open_states(cls):
        return [cls.SENT, cls.RETURNED, cls.ACCEPTED, cls.IN_PROGRESS]

    @classmethod
    def active_states(cls):
        """Accepted and under way: the assigned bolotsar work on the client."""
        return [cls.ACCEPTED, cls.IN_PROGRESS]

    @classmethod
    def ended_states(cls):
        return [cls.COMPLETED, cls.CANCELLED]

    @classmethod
    def queue_states(cls):
        """Waiting for the unit to accept (or for the case officer's answer)."""
        return [cls.SENT, cls.RETURNED]


class OrderOutcome(models.TextChoices):
    # Bolots support
    GOALS_REACHED = "goals_reached", _("Goals reached")
    MOVED_TO_OWN_HOUSING = "moved_to_own_housing", _("Moved to own housing")
    ENDED_BY_DECISION = "ended_by_decision", _("Support ended as decided")
    CLIENT_DECLINED = "client_declined", _("The client declined further support")
    # Eviction prevention
    EVICTION_PREVENTED = "eviction_prevented", _("Eviction prevented")
    REPAYMENT_PLAN = "repayment_plan", _("Repayment plan agreed")
    REFERRED_TO_ASSISTANCE = "referred_to_assistance", _("Referred to financial assistance")
    EVICTED = "evicted", _("Evicted")
    NOT_REACHED = "not_reached", _("Could not be reached")
    # Outreach
    CONTACT_ESTABLISHED = "contact_established", _("Contact established")
    NEEDS_ASSESSED = "needs_assessed", _("Needs assessed, back to the case officer")
    DECLINED_CONTACT = "declined_contact", _("Declined contact")
    NOT_FOUND = "not_found", _("Not found")
    # Single errand
    CARRIED_OUT = "carried_out", _("Carried out")
    NOT_CARRIED_OUT = "not_carried_out", _("Not carried out")
    OTHER = "other", _("Other")


OUTCOMES_BY_KIND = {
    OrderKind.BOLOTS_SUPPORT: [
        OrderOutcome.GOALS_REACHED, OrderOutcome.MOVED_TO_OWN_HOUSING, OrderOutcome.ENDED_BY_DECISION,
        OrderOutcome.CLIENT_DECLINED, OrderOutcome.OTHER,
    ],
    OrderKind.EVICTION_PREVENTION: [
        OrderOutcome.EVICTION_PREVENTED, OrderOutcome.REPAYMENT_PLAN, OrderOutcome.REFERRED_TO_ASSISTANCE,
        OrderOutcome.EVICTED, OrderOutcome.NOT_REACHED, OrderOutcome.OTHER,
    ],
    OrderKind.OUTREACH: [
        OrderOutcome.CONTACT_ESTABLISHED, OrderOutcome.NEEDS_ASSESSED, OrderOutcome.DECLINED_CONTACT,
        OrderOutcome.NOT_FOUND, OrderOutcome.OTHER,
    ],
    OrderKind.SINGLE_ERRAND: [OrderOutcome.CARRIED_OUT, OrderOutcome.NOT_CARRIED_OUT, OrderOutcome.OTHER],
}

RISK_FIELDS = ("risk_animals", "risk_substance_use", "risk_violence", "risk_children", "risk_threats")


def own_notes_cutoff(now=None):
    """Orders that ended after this still show their assigned bolotsar their
    own visit notes (settings.BOLOTS_OWN_NOTES_DAYS, docs/access.md "Former
    clients"): documentation is to be completed without undue delay after
    the last visit (SoL 11 kap. 5 §, SOSFS 2014:5), and the final report is
    written from the notes. After that the bolots has no access at all."""
    return (now or timezone.now()) - timedelta(days=settings.BOLOTS_OWN_NOTES_DAYS)


def pilot_working_rule(user, prefix=""):
    """THE access rule for a bolots and an order (as a Q on Order, or on a
    model reaching it through `prefix`, e.g. "order__"): assigned to the
    order while it is accepted or in progress. A bolots keeps no access to
    the person of an ended order: every page showing a client's name,
    address or phone through an order (order, visits, frequency, housing
    search, client file) checks this rule, through
    OrderQuerySet.visible_to/Order.details_visible_to,
    referrals.services.orders.with_details_for and ClientQuerySet.visible_to."""
    return (Q(**{f"{prefix}active_pilot": user}) | Q(**{f"{prefix}passive_pilot": user})) & Q(
        **{f"{prefix}state__in": OrderState.active_states()}
    )


def pilot_own_notes_rule(user, prefix="", now=None):
    """Ended orders the bolots was assigned to, within the own-notes window:
    the order itself is shown without personal details, and only the
    bolots's own visits with their notes (bolots.models.VisitQuerySet)."""
    cutoff = own_notes_cutoff(now)
    return (Q(**{f"{prefix}active_pilot": user}) | Q(**{f"{prefix}passive_pilot": user})) & (
        Q(**{f"{prefix}state": OrderState.COMPLETED, f"{prefix}completed_at__gte": cutoff})
        | Q(**{f"{prefix}state": OrderState.CANCELLED, f"{prefix}cancelled_at__gte": cutoff})
    )


class OrderQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The access rule for orders.

        Case officers and managers: their unit's orders. Bolotsar: orders
        assigned to them while accepted or in progress, their unit's queue
        of orders not yet accepted, and for BOLOTS_OWN_NOTES_DAYS the ended
        orders they worked on (both shown without personal details; see
        Order.details_visible_to).
        """
        if not (user.is_authenticated and user.is_active and user.unit_id):
            return self.none()
        rule = Q()
        if user.has_role(Role.CASE_OFFICER) or user.has_role(Role.MANAGER):
            rule |= Q(unit_id=user.unit_id)
        if user.has_role(Role.PILOT):
            rule |= pilot_working_rule(user) | pilot_own_notes_rule(user)
            rule |= Q(unit_id=user.unit_id, state__in=OrderState.queue_states())
        if not rule:
            return self.none()
        return self.filter(rule)

    def open(self):
        return self.filter(state__in=OrderState.open_states())

    def assigned_to(self, user):
        return self.filter(Q(active_pilot=user) | Q(passive_pilot=user))

    def past_first_visit_deadline(self, now=None):
        """Open orders whose 48 hours have run out without a first visit."""
        return self.open().filter(
            first_visit_due_at__lt=now or timezone.now(), first_visit_at__isnull=True
        )

    def for_list(self):
        return self.select_related("client", "ordered_by", "active_pilot", "passive_pilot")


class Order(VersionedModel):
    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="orders")
    kind = models.CharField(_("kind of order"), max_length=30, choices=OrderKind.choices)
    errand_type = models.CharField(_("kind of errand"), max_length=30, choices=ErrandType.choices, blank=True)
    # The person: a registered client, or for outreach possibly only a name or
    # a description and an address, linked to a client later.
    client = models.ForeignKey(
        "referrals.Client", verbose_name=_("client"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="orders",
    )
    subject_name = models.CharField(_("name or description of the person"), max_length=200, blank=True)
    subject_address = models.CharField(_("address"), max_length=300, blank=True)
    decision = models.ForeignKey(
        "referrals.Decision", verbose_name=_("decision"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="orders",
    )
    eviction_notice = models.ForeignKey(
        "referrals.EvictionNotice", verbose_name=_("eviction notice"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="orders",
    )
    concern_report = models.ForeignKey(
        "referrals.ConcernReport", verbose_name=_("concern report"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="orders",
    )
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("case officer"), on_delete=models.PROTECT, related_name="orders_sent"
    )
    assignment = models.TextField(_("assignment"), help_text=_("What the bolots unit is asked to do."))

    # Risk information, shown before every visit.
    risk_animals = models.BooleanField(_("animals in the home"), default=False)
    risk_substance_use = models.BooleanField(_("known or suspected substance use"), default=False)
    risk_violence = models.BooleanField(_("violence in close relationships"), default=False)
    risk_children = models.BooleanField(_("children in the home"), default=False)
    risk_threats = models.BooleanField(_("threats or weapons"), default=False)
    risk_notes = models.TextField(_("other risks"), blank=True)

    state = models.CharField(_("state"), max_length=20, choices=OrderState.choices, default=OrderState.SENT)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    # sent_at + 48 hours for outreach and eviction prevention; null otherwise.
    first_visit_due_at = models.DateTimeField(_("first visit due"), null=True, blank=True)
    # Set by the bolots app when the first visit attempt is logged.
    first_visit_at = models.DateTimeField(_("first visit"), null=True, blank=True)
    active_pilot = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("active bolots"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="orders_active",
    )
    passive_pilot = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("passive bolots"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="orders_passive",
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=30, choices=OrderOutcome.choices, blank=True)
    report = models.TextField(_("report to the case officer"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-sent_at", "-id"]
        constraints = [
            # An order without a client names whom to visit: services.notices.
            # create_prevention_order / create_outreach_order copy the name or
            # address, and the worklist and order page show it.
            models.CheckConstraint(
                condition=Q(client__isnull=False) | ~Q(subject_name="") | ~Q(subject_address=""),
                name="referrals_order_has_subject",
            ),
            # services.orders._check_pilots refuses it with a message first;
            # the visit forms (bolots) assume two people.
            models.CheckConstraint(
                condition=Q(active_pilot__isnull=True) | Q(passive_pilot__isnull=True)
                | ~Q(active_pilot=models.F("passive_pilot")),
                name="referrals_order_two_different_pilots",
            ),
            # An accepted order is someone's: OrderQuerySet.assigned_to and
            # pilot_working_rule (who may see the client) rely on it.
            models.CheckConstraint(
                condition=~Q(state__in=OrderState.active_states()) | Q(active_pilot__isnull=False),
                name="referrals_order_accepted_has_pilot",
            ),
        ]
        permissions = [
            ("accept_order", _("Can accept orders and assign bolotsar")),
            ("carry_out_order", _("Can return, start and complete assigned orders")),
        ]
        indexes = [
            # A unit's orders by state, newest first: views.orders._unit_orders
            # (the order list), bolots.services.worklist.queue_summary and
            # unit_overdue, services.reassignment.orders_of.
            models.Index(fields=["unit", "state", "-sent_at"], name="referrals_order_unit_state_idx"),
            # A bolots's orders by state: OrderQuerySet.assigned_to (bolots.
            # services.worklist.assigned_orders, _count_of_orders) and
            # services.reassignment.orders_of.
            models.Index(fields=["active_pilot", "state"], name="referrals_order_active_idx"),
            models.Index(fields=["passive_pilot", "state"], name="referrals_order_passive_idx"),
            # A case officer's own orders: views.orders._unit_orders ("mine")
            # and services.reassignment.orders_of.
            models.Index(fields=["ordered_by", "state"], name="referrals_order_officer_idx"),
            # Orders of a kind sent in a period: the KPI engine
            # (reports.kpis.evictions.sent_in_two_years) and the yearly volumes.
            models.Index(fields=["kind", "sent_at"], name="referrals_order_kind_sent_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    def save(self, *args, **kwargs):
        if self.kind in OrderKind.with_48_hour_rule() and self.sent_at and not self.first_visit_due_at:
            self.first_visit_due_at = self.sent_at + FIRST_VISIT_WITHIN
        super().save(*args, **kwargs)

    @property
    def subject_label(self):
        return self.client.full_name if self.client_id else self.subject_name or self.subject_address

    @property
    def person_name(self):
        """Who the order is about, without an address (an outreach order's
        label may be its address): for pages that must not show one."""
        return self.client.full_name if self.client_id else self.subject_name

    @property
    def risks(self):
        """[(field name, label)] of the risks flagged on this order."""
        return [(name, self._meta.get_field(name).verbose_name) for name in RISK_FIELDS if getattr(self, name)]

    @property
    def has_risk(self):
        return bool(self.risks or self.risk_notes)

    @property
    def current_risk(self):
        """What to show as the risks now: the client's current risk
        information (Client.risk_*), or this order's own for an order about
        an unregistered person. The order's fields stay the snapshot it was
        sent with. Load the client with select_related("client")."""
        return self.client if self.client_id else self

    @property
    def sent_risk_differs(self):
        """Has the client's risk information changed since this order was
        sent? (The order page then also shows what was sent.)"""
        return bool(self.client_id) and any(
            getattr(self, name) != getattr(self.client, name) for name in (*RISK_FIELDS, "risk_notes")
        )

    def is_assigned_to(self, user):
        return user.pk in (self.active_pilot_id, self.passive_pilot_id)

    def details_visible_to(self, user):
        """Personal details are shown to the unit's case officers and managers
        and to the assigned bolotsar while the order is under way
        (pilot_working_rule); the unaccepted queue and ended orders show
        bolotsar only the kind and the times."""
        if user.unit_id == self.unit_id and (user.has_role(Role.CASE_OFFICER) or user.has_role(Role.MANAGER)):
            return True
        return self.is_assigned_to(user) and self.state in OrderState.active_states()

    @property
    def ended_at(self):
        if self.state == OrderState.COMPLETED:
            return self.completed_at
        if self.state == OrderState.CANCELLED:
            return self.cancelled_at
        return None

    def own_notes_until(self):
        """The last moment the assigned bolotsar may read their own notes."""
        ended = self.ended_at
        return None if ended is None else ended + timedelta(days=settings.BOLOTS_OWN_NOTES_DAYS)

    def own_notes_visible_to(self, user, now=None):
        """May `user` read their own visit notes of this ended order
        (pilot_own_notes_rule in Python)?"""
        until = self.own_notes_until()
        return (
            until is not None
            and self.is_assigned_to(user)
            and user.has_role(Role.PILOT)
            and (now or timezone.now()) <= until
        )

    def is_past_first_visit_deadline(self, now=None):
        return (
            self.first_visit_due_at is not None
            and self.first_visit_at is None
            and self.state in OrderState.open_states()
            and self.first_visit_due_at < (now or timezone.now())
        )

    def time_left_for_first_visit(self, now=None):
        if self.first_visit_due_at is None or self.first_visit_at is not None:
            return None
        return self.first_visit_due_at - (now or timezone.now())

    @property
    def audit_client(self):
        return self.client

    @property
    def audit_label(self):
        return self.subject_label


class OrderEvent(models.Model):
    """One transition of an order, with the text that went with it (the
    question, the answer, the report, the reason)."""

    class Transition(models.TextChoices):
        SENT = "sent", _("Sent")
        RETURNED = "returned", _("Returned with a question")
        ANSWERED = "answered", _("Answered and sent back")
        ACCEPTED = "accepted", _("Accepted")
        STARTED = "started", _("Started")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        REASSIGNED = "reassigned", _("Reassigned")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    transition = models.CharField(_("event"), max_length=20, choices=Transition.choices)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.order_id} {self.transition}"


class Reassignment(models.Model):
    """A bulk move of one person's caseload to another, with its reason."""

    class Scope(models.TextChoices):
        CASE_OFFICER = "case_officer", _("Case officer: clients and orders")
        PILOT = "pilot", _("Bolots: assigned orders")

    at = models.DateTimeField(_("time"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(_("what is moved"), max_length=20, choices=Scope.choices)
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("from"), on_delete=models.PROTECT, related_name="reassigned_from"
    )
    # Empty when the caseload was split between several people: each order's
    # receiver is then on its ReassignedOrder row (services.reassignment.
    # split_pilot_caseload).
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("to"), on_delete=models.PROTECT, related_name="reassigned_to",
        null=True, blank=True,
    )
    reason = models.CharField(_("reason"), max_length=300)
    clients_moved = models.PositiveIntegerField(_("clients moved"), default=0)
    orders_moved = models.PositiveIntegerField(_("orders moved"), default=0)

    class Meta:
        verbose_name = _("reassignment")
        verbose_name_plural = _("reassignments")
        ordering = ["-at"]
        constraints = [
            # services.reassignment._check refuses it with a message first.
            models.CheckConstraint(condition=~Q(from_user=models.F("to_user")), name="referrals_reassignment_other_person"),
        ]

    def __str__(self):
        return f"{self.from_user} → {self.to_user or '…'}"


class ReassignedOrder(models.Model):
    """One order moved in a split reassignment: who took over which place.
    The result page and the history count the moves per receiver from these
    rows; the order's own trace is its REASSIGNED OrderEvent."""

    class Place(models.TextChoices):
        ACTIVE = "active", _("Active bolots")
        PASSIVE = "passive", _("Passive bolots")

    reassignment = models.ForeignKey(
        Reassignment, verbose_name=_("reassignment"), on_delete=models.PROTECT, related_name="moves"
    )
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="+")
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("to"), on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField(_("place"), max_length=10, choices=Place.choices)

    class Meta:
        verbose_name = _("reassigned order")
        verbose_name_plural = _("reassigned orders")
        constraints = [
            # services.reassignment.split_pilot_caseload moves an order once
            # per reassignment; the per-receiver counts rely on it.
            models.UniqueConstraint(fields=["reassignment", "order"], name="referrals_reassignedorder_once"),
        ]

    def __str__(self):
        return f"{self.order_id} → {self.to_user_id} ({self.place})"
