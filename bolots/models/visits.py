"""Visits (besök) on orders, the monthly checklist, signals to the case
officer and the visit frequency of an order."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from audit.annulment import AnnullableModel, AnnullableQuerySet, annulment_constraint
from audit.versioning import VersionedModel
from referrals.models import Client, Order, OrderKind

# Young adults are 18–25 years old on the day of the visit (Visit.client_age,
# both ends inclusive): the cancellations figures count them apart (seed 003)
# and the demo data gives that many visits such ages.
YOUNG_ADULT_AGES = (18, 25)


class VisitKind(models.TextChoices):
    LOOK_IN = "look_in", _("Look-in")
    QUARTERLY_FOLLOW_UP = "quarterly_follow_up", _("Quarterly follow-up")
    OUTREACH_ATTEMPT = "outreach_attempt", _("Outreach attempt")
    MEETING = "meeting", _("Meeting")
    ESCORT = "escort", _("Escort")


class VisitOutcome(models.TextChoices):
    DONE = "done", _("Done")
    CANCELLED_BY_CLIENT = "cancelled_by_client", _("Cancelled by the client")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED_BY_STAFF = "cancelled_by_staff", _("Cancelled by staff")
    NOBODY_HOME = "nobody_home", _("Nobody home, note left")

    @classmethod
    def attempts(cls):
        """Outcomes that count as a first visit attempt (KPI 3): the bolotsar
        went there."""
        return [cls.DONE, cls.NOBODY_HOME]

    @classmethod
    def cancellations(cls):
        return [cls.CANCELLED_BY_CLIENT, cls.NO_SHOW, cls.CANCELLED_BY_STAFF, cls.NOBODY_HOME]

    @classmethod
    def needing_reason(cls):
        return [cls.CANCELLED_BY_CLIENT, cls.CANCELLED_BY_STAFF]


class CancelReason(models.TextChoices):
    """Kept as a fixed list so that cancellations can be analysed (why do
    young adults cancel?), with free text only for "other"."""

    FEELING_UNWELL = "feeling_unwell", _("Feeling unwell")
    PHYSICAL_ILLNESS = "physical_illness", _("Physical illness")
    WORK_OR_STUDIES = "work_or_studies", _("Work or studies")
    FORGOT = "forgot", _("Forgot")
    DID_NOT_WANT = "did_not_want", _("Did not want to")
    OTHER = "other", _("Other")


class VisitQuerySet(AnnullableQuerySet):
    def visible_to(self, user):
        """Visits of the orders the user may see with their details: the
        unit's for case officers and managers, the assigned ones under way
        for bolotsar (referrals.services.orders.with_details_for decides),
        plus a bolots's own visits of an ended order for
        BOLOTS_OWN_NOTES_DAYS (referrals.models.orders.pilot_own_notes_rule)."""
        from referrals.models.orders import pilot_own_notes_rule
        from referrals.services.orders import with_details_for

        rule = Q(order__in=with_details_for(user))
        if user.is_authenticated and user.is_active and user.has_role(Role.PILOT):
            # A former client's file is closed to the bolots; their own
            # visits of the ended order stay readable for a short window.
            rule |= Q(Q(active_pilot=user) | Q(passive_pilot=user) | Q(logged_by=user),
                      pilot_own_notes_rule(user, prefix="order__"))
        return self.filter(rule)

    def done(self):
        return self.filter(outcome=VisitOutcome.DONE)


class Visit(AnnullableModel, VersionedModel):
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="visits")
    # The order's client when the visit was logged (none for an outreach
    # order about an unregistered person). Stored for statistics by age.
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.PROTECT, null=True, blank=True, related_name="visits"
    )
    # Age in whole years on the day of the visit; statistics show 18–25 apart.
    client_age = models.PositiveSmallIntegerField(_("age at the visit"), null=True, blank=True, editable=False)
    visited_at = models.DateTimeField(_("date and time"))
    kind = models.CharField(_("kind of visit"), max_length=30, choices=VisitKind.choices)
    outcome = models.CharField(_("outcome"), max_length=30, choices=VisitOutcome.choices)
    cancel_reason = models.CharField(_("reason for the cancellation"), max_length=30, choices=CancelReason.choices, blank=True)
    cancel_reason_text = models.CharField(_("other reason"), max_length=300, blank=True)
    active_pilot = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("active bolots"), on_delete=models.PROTECT, related_name="visits_active"
    )
    passive_pilot = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("second bolots"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="visits_passive",
    )
    notes = models.TextField(_("notes"), blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("logged by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The optimistic lock of the visit's edit page (services.visits.update_visit).
    # db_default: the demo's bulk loader (COPY) writes visits without it.
    version = models.PositiveIntegerField(_("version"), default=1, db_default=1, editable=False)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_at", "-id"]
        permissions = [
            ("view_unit_overview", _("Can see the unit's caseload and overdue visits")),
            ("view_visit_statistics", _("Can see visit and cancellation statistics")),
            # The visit's bolotsar and the unit's managers (services.visits.may_annul_visit).
            ("annul_visit", _("Can annul a visit logged by mistake")),
        ]
        constraints = [
            # services.visits.visit_errors refuses it with a message first.
            models.CheckConstraint(
                condition=Q(passive_pilot__isnull=True) | ~Q(passive_pilot=models.F("active_pilot")),
                name="bolots_visit_two_different_pilots",
            ),
            # Cancellations must be analysable: these outcomes carry a reason,
            # and a done visit none. services.visits._reason_errors gives the
            # messages; the cancellation figures count by reason.
            models.CheckConstraint(
                condition=~Q(outcome__in=VisitOutcome.needing_reason()) | ~Q(cancel_reason=""),
                name="bolots_visit_cancellation_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=VisitOutcome.DONE) | Q(cancel_reason=""),
                name="bolots_visit_done_has_no_reason",
            ),
            # Annulled: who, when and a reason, all or none. services.visits.
            # annul_visit fills them (audit.annulment.annul); the visit page's
            # "Makulerad" banner and VisitQuerySet.effective (the KPI engine's
            # reports.kpis.visits.visits, the worklist's frequency facts) rely on it.
            annulment_constraint("bolots_visit_annulment_complete"),
        ]
        indexes = [
            # An order's visits in time: views.visits.order_visits, the
            # worklist's latest visit (services.worklist._latest_visit) and
            # services.visits.is_first_visit.
            models.Index(fields=["order", "visited_at"], name="bolots_visit_order_idx"),
            # Visits in a period by outcome: the visit and cancellation figures
            # (services.statistics.cancellation_statistics, reports.kpis.
            # additional.visit_section, reports.charts.visits_data).
            models.Index(fields=["visited_at", "outcome"], name="bolots_visit_month_idx"),
            # A bolots's own visits: VisitQuerySet.visible_to's own-notes rule
            # (active_pilot=user) for an ended order.
            models.Index(fields=["active_pilot", "visited_at"], name="bolots_visit_pilot_idx"),
            # Every column the visit figures read, for the visits in effect:
            # reports.kpis.visits.visit_section and monthly_counts count
            # visited_at from an index-only scan of it instead of a scan of the
            # table (Y−1 of the running year is a full year of visits; issue 16).
            # Key columns, not INCLUDE, so that SQLite accepts it too.
            models.Index(
                fields=["visited_at", "outcome", "cancel_reason", "client_age"],
                condition=Q(annulled_at__isnull=True), name="bolots_visit_kpi_year_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {timezone.localtime(self.visited_at):%Y-%m-%d %H:%M}"

    @property
    def audit_client(self):
        return self.client

    @property
    def audit_label(self):
        return self.order.subject_label


class ChecklistAnswer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


CHECKLIST_ITEMS = ("rent_paid", "insurance_valid", "housing_search_active", "treatment_followed")


class VisitChecklist(models.Model):
    """The monthly follow-up checklist, filled in on a visit. A "no" on rent
    (or a new complaint) signals the case officer at once."""

    visit = models.OneToOneField(Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="checklist")
    rent_paid = models.CharField(_("rent paid (receipt seen)"), max_length=20, choices=ChecklistAnswer.choices)
    rent_comment = models.CharField(_("comment on the rent"), max_length=300, blank=True)
    insurance_valid = models.CharField(_("home insurance valid"), max_length=20, choices=ChecklistAnswer.choices)
    insurance_comment = models.CharField(_("comment on the insurance"), max_length=300, blank=True)
    housing_search_active = models.CharField(
        _("registered in housing queues and searching"), max_length=20, choices=ChecklistAnswer.choices
    )
    housing_search_comment = models.CharField(_("comment on the housing search"), max_length=300, blank=True)
    treatment_followed = models.CharField(
        _("outpatient treatment followed"), max_length=20, choices=ChecklistAnswer.choices
    )
    treatment_comment = models.CharField(_("comment on the treatment"), max_length=300, blank=True)
    new_complaint = models.BooleanField(_("new complaint or damage since the last visit"), default=False)
    complaint_description = models.TextField(_("what the complaint or damage is"), blank=True)
    notes = models.TextField(_("other notes"), blank=True)

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        constraints = [
            # forms.visits.ChecklistForm.clean asks for the description;
            # services.signals._register_complaint copies it to the apartment.
            models.CheckConstraint(
                condition=Q(new_complaint=False) | ~Q(complaint_description=""),
                name="bolots_checklist_complaint_described",
            ),
        ]

    def __str__(self):
        return str(self.visit)

    @property
    def failing_items(self):
        return [name for name in CHECKLIST_ITEMS if getattr(self, name) == ChecklistAnswer.NO]

    @property
    def audit_client(self):
        return self.visit.client


class ChecklistRule(models.Model):
    """Whether the monthly checklist asks an item on a kind of order, per
    unit. No row: the default of bolots.services.checklist_rules (every item
    asked, except the treatment question on Housing First support, whose
    programme makes no demands of sobriety or treatment)."""

    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    order_kind = models.CharField(_("kind of order"), max_length=30, choices=OrderKind.choices)
    item = models.CharField(
        _("checklist item"), max_length=30,
        choices=[(name, name) for name in CHECKLIST_ITEMS],
    )
    asked = models.BooleanField(_("asked on the visit"), default=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("checklist rule")
        verbose_name_plural = _("checklist rules")
        constraints = [
            # bolots.services.checklist_rules reads one row per unit, kind and item.
            models.UniqueConstraint(fields=["unit", "order_kind", "item"], name="bolots_checklist_rule_unique"),
        ]

    def __str__(self):
        return f"{self.order_kind} {self.item}"


class SignalKind(models.TextChoices):
    RENT_UNPAID = "rent_unpaid", _("Rent not paid")
    COMPLAINT = "complaint", _("New complaint or damage")
    # Raised by the rent ledger (rent.services): no visit.
    INSTALMENT_MISSED = "instalment_missed", _("Instalment on the repayment plan missed")
    RECOVERY_DEADLINE = "recovery_deadline", _("Three weeks to recover the tenancy")


class Signal(models.Model):
    """Something the responsible case officer must know without delay,
    raised from a visit. Shown in their signal list until acknowledged."""

    kind = models.CharField(_("signal"), max_length=20, choices=SignalKind.choices)
    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="signals")
    # Empty for a signal raised by the ledger rather than a visit (rent: an
    # unpaid notice, a missed instalment), which names its cause in source_key.
    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.PROTECT, related_name="signals",
                              null=True, blank=True)
    # What raised a signal that has no visit, e.g. "rent.notice:123"; unique
    # per recipient so that the daily job raises one signal per cause, not
    # one per day (rent.services.overdue).
    # db_default: the demo bulk loader writes signals without the column.
    source_key = models.CharField(_("cause"), max_length=60, blank=True, editable=False, default="", db_default="")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("case officer"), on_delete=models.PROTECT, related_name="signals"
    )
    text = models.CharField(_("comment"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("acknowledged by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )

    class Meta:
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        ordering = ["acknowledged_at", "-created_at"]
        indexes = [
            # A user's unacknowledged signals: views.visits.signal_list and
            # services.signals.mine_or_all.
            models.Index(fields=["recipient", "acknowledged_at"], name="bolots_signal_recipient_idx"),
        ]
        constraints = [
            # rent.services.overdue raises one signal per cause and recipient.
            models.UniqueConstraint(fields=["source_key", "recipient"], condition=~Q(source_key=""),
                                    name="bolots_signal_one_per_cause"),
        ]

    def __str__(self):
        return self.get_kind_display()

    @property
    def audit_client(self):
        return self.client


class VisitInterval(models.TextChoices):
    """How often an order's look-ins are due. Never less often than monthly."""

    WEEKLY = "weekly", _("Weekly")
    EVERY_OTHER_WEEK = "every_other_week", _("Every other week")
    MONTHLY = "monthly", _("Monthly")


class FrequencyChange(models.Model):
    """A change of an order's visit frequency, with its date and reason. The
    latest change in effect decides; without one the default rules apply
    (bolots/frequency.py)."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="frequency_changes")
    changed_on = models.DateField(_("from"))
    interval = models.CharField(_("look-in frequency"), max_length=20, choices=VisitInterval.choices)
    reason = models.CharField(_("reason"), max_length=300)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("frequency change")
        verbose_name_plural = _("frequency changes")
        ordering = ["-changed_on", "-id"]

    def __str__(self):
        return f"{self.get_interval_display()} {self.changed_on:%Y-%m-%d}"
