"""Assistance decisions (biståndsbeslut), their execution, interruptions and
the offers made while a client waits.

Status is derived from dates (executed_on, interruptions, closed_on) and never
stored: see Decision.status_on() and DecisionQuerySet.with_status().
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.utils.translation import gettext_lazy as _

from audit.annulment import AnnullableModel, AnnullableQuerySet, annulment_constraint
from audit.versioning import VersionedModel
from core.calendar import first_day_after, last_day_within

# A granted decision not executed (an interruption not ended) within three
# calendar months is reportable to IVO (referrals.services.ivo): the due dates
# stored below and the first reportable days follow from it.
REPORTING_MONTHS = 3


class LegalTopic(models.TextChoices):
    """What a legal reference is about, so that code asks for "the reference
    on topic T in force on day D" (services.legal.reference_for) instead of
    naming a paragraph: the paragraph changed with the new act."""

    ASSISTANCE = "assistance", _("Right to assistance")
    IVO_REPORT_DUTY = "ivo_report_duty", _("Duty to report non-executed decisions to IVO")
    SPECIAL_FEE = "special_fee", _("Special fee for a decision not executed in reasonable time")


# Topics that can be the legal basis of a decision (the decision form offers
# only these, and references without a topic that an administrator added).
DECISION_BASIS_TOPICS = ("", LegalTopic.ASSISTANCE)


class LegalReferenceQuerySet(models.QuerySet):
    def valid_on(self, day: date):
        """References in force on `day` (an open end is unbounded)."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )


class LegalReference(models.Model):
    """A legal basis for decisions, kept as data: the new Social Services Act
    (SoL 2025:400) replaced the old one (2001:453) on 1 July 2025, and both are
    in use for decisions made before and after the change. A decision keeps
    the reference it was made under; validity (valid_from/valid_to) says which
    act applied on a day (docs/ivo.md "Legal references")."""

    # Data migrations 0004_legal_references and 0012_legal_reference_topics
    # update references by code (update_or_create), and the demo casework
    # looks them up by topic (services.legal.reference_for).
    code = models.CharField(_("reference"), max_length=100, unique=True)
    law = models.CharField(_("act"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    topic = models.CharField(_("topic"), max_length=40, choices=LegalTopic.choices, blank=True)
    valid_from = models.DateField(_("in force from"), null=True, blank=True)
    valid_to = models.DateField(_("in force until"), null=True, blank=True)
    is_active = models.BooleanField(_("selectable"), default=True)

    objects = LegalReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal reference")
        verbose_name_plural = _("legal references")
        ordering = ["-is_active", "law", "code"]
        indexes = [
            # services.legal.reference_for: the reference on a topic in force on a day.
            models.Index(fields=["topic", "valid_from"], name="referrals_legalref_topic_idx"),
        ]

    def __str__(self):
        return self.code

    def is_valid_on(self, day: date) -> bool:
        """In force on `day`; mirrors LegalReferenceQuerySet.valid_on."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or self.valid_to >= day)


class DecisionKind(models.TextChoices):
    TRAINING_APARTMENT = "training_apartment", _("Training apartment")
    TRIAL_APARTMENT = "trial_apartment", _("Trial apartment")
    EMERGENCY_HOUSING = "emergency_housing", _("Emergency or temporary housing")
    BOLOTS_SUPPORT = "bolots_support", _("Bolots support")
    HOME_SUPPORT = "home_support", _("Home support")
    HOUSING_FIRST = "housing_first", _("Housing First")

    @classmethod
    def apartment_kinds(cls):
        """Kinds executed by a move-in (tenancies app)."""
        return [cls.TRAINING_APARTMENT, cls.TRIAL_APARTMENT, cls.EMERGENCY_HOUSING, cls.HOUSING_FIRST]


class DecisionOutcome(models.TextChoices):
    GRANTED = "granted", _("Granted")
    PARTLY_GRANTED = "partly_granted", _("Partly granted")
    REJECTED = "rejected", _("Rejected")


GRANTED_OUTCOMES = (DecisionOutcome.GRANTED, DecisionOutcome.PARTLY_GRANTED)


class DecisionStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for execution")
    EXECUTED = "executed", _("Executed")
    INTERRUPTED = "interrupted", _("Interrupted")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    ANNULLED = "annulled", _("Annulled")


class DecisionQuerySet(AnnullableQuerySet):
    def visible_to(self, user):
        """Decisions of the clients the user may see."""
        from .clients import Client

        return self.filter(client__in=Client.objects.visible_to(user))

    def granted(self):
        """Granted decisions in effect. An annulled decision (audit.annulment)
        was never in effect: granted() is the base of every decision figure
        (KPI 6 in reports.kpis.decisions, the IVO report in services.ivo,
        not_executed(), the bolots-support cover rule), so leaving annulled
        ones out here leaves them out of all of those."""
        return self.effective().filter(outcome__in=GRANTED_OUTCOMES)

    def not_executed(self):
        return self.granted().filter(executed_on__isnull=True, closed_on__isnull=True)

    def with_status(self, on=None):
        """Annotate `status` as of the day `on` (today by default), in SQL."""
        on = on or date.today()
        open_interruption = Interruption.objects.filter(
            decision=OuterRef("pk"), started_on__lte=on
        ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
        return self.annotate(
            status=Case(
                When(annulled_at__isnull=False, then=Value(DecisionStatus.ANNULLED)),
                When(~Q(outcome__in=GRANTED_OUTCOMES), then=Value(DecisionStatus.REJECTED)),
                When(closed_on__lte=on, then=Value(DecisionStatus.CLOSED)),
                When(Q(executed_on__lte=on) & Exists(open_interruption), then=Value(DecisionStatus.INTERRUPTED)),
                When(executed_on__lte=on, then=Value(DecisionStatus.EXECUTED)),
                default=Value(DecisionStatus.WAITING),
                output_field=models.CharField(),
            )
        )


class Decision(AnnullableModel, VersionedModel):
    client = models.ForeignKey(
        "referrals.Client", verbose_name=_("client"), on_delete=models.PROTECT, related_name="decisions"
    )
    kind = models.CharField(_("kind of assistance"), max_length=30, choices=DecisionKind.choices)
    legal_basis = models.ForeignKey(
        LegalReference, verbose_name=_("legal basis"), on_delete=models.PROTECT, related_name="decisions"
    )
    applied_on = models.DateField(_("applied on"))
    decided_on = models.DateField(_("decided on"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=DecisionOutcome.choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+"
    )
    reasoning = models.TextField(_("reasoning"), blank=True)
    # The last day the decision can be executed without being reportable to
    # IVO: decided_on plus three calendar months. Derived in save(); stored so
    # that lists and KPIs can filter on it in SQL.
    execution_due_by = models.DateField(_("execute by"), editable=False)
    executed_on = models.DateField(_("executed on"), null=True, blank=True)
    execution_note = models.CharField(_("execution note"), max_length=300, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.CharField(_("reason for closing"), max_length=300, blank=True)
    delay_reason = models.CharField(
        _("reason for the delay"), max_length=300, blank=True,
        help_text=_("Why the decision has not been executed; reported to IVO."),
    )
    # What IVO's individual report asks beside the reason for the delay
    # (docs/ivo.md "The individual report"); edited through
    # services.decisions with save_tracked, shown in the report's section
    # "Uppgifter om beslutet".
    consequences = models.TextField(
        _("consequences for the person"), blank=True,
        help_text=_("What the delay means for the person; reported to IVO."),
    )
    interim_support = models.TextField(
        _("interim support"), blank=True,
        help_text=_("Support given while the person waits; reported to IVO."),
    )
    # A partly executed decision: part of the assistance has started
    # (partly_executed_on), the rest has not (unexecuted_part). It stays
    # reportable for the part not executed until executed_on is set
    # (services.ivo); executed_on means the whole service has started.
    partly_executed_on = models.DateField(_("partly executed on"), null=True, blank=True)
    unexecuted_part = models.CharField(
        _("part not executed"), max_length=300, blank=True,
        help_text=_("What of the decision has not started yet."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-decided_on", "-id"]
        permissions = [
            ("view_ivo_report", _("Can see and export the IVO report of non-executed decisions")),
        ]
        constraints = [
            # forms.decisions.DecisionForm.clean refuses both with a message;
            # services.decisions._period and the status annotation
            # (DecisionQuerySet.with_status) assume periods run forwards.
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="referrals_decision_valid_to_after_from",
            ),
            models.CheckConstraint(
                condition=Q(decided_on__gte=models.F("applied_on")),
                name="referrals_decision_decided_after_applied",
            ),
            # Only a granted decision can be executed: services.decisions.
            # execute_decision checks first; with_status relies on it.
            models.CheckConstraint(
                condition=Q(executed_on__isnull=True) | Q(outcome__in=GRANTED_OUTCOMES),
                name="referrals_decision_only_granted_executed",
            ),
            # Annulled: who, when and a reason, all or none. services.decisions.
            # annul_decision fills them (audit.annulment.annul); the detail
            # page's "Makulerad" banner and DecisionQuerySet.granted/with_status
            # (every figure and the IVO report) rely on it.
            annulment_constraint("referrals_decision_annulment_complete"),
        ]
        indexes = [
            # A client's decisions of a kind: views.decisions.client_decisions,
            # tenancies.forms.tenancies.waiting_apartment_decisions and
            # services.decisions.covering_bolots_support.
            models.Index(fields=["client", "kind"], name="referrals_decision_client_idx"),
            # The non-executed list (services.decisions.waiting_for_execution)
            # and the IVO report (services.ivo.report_queryset) filter on these.
            models.Index(fields=["outcome", "executed_on", "execution_due_by"], name="referrals_decision_ivo_idx"),
            # Decisions up to a day: the KPI engine (reports.kpis.decisions.waiting_on)
            # and the decision lists' newest-first order.
            models.Index(fields=["decided_on"], name="referrals_decision_decided_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.decided_on:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        self.execution_due_by = last_day_within(self.decided_on, REPORTING_MONTHS)
        super().save(*args, **kwargs)

    @property
    def is_granted(self):
        return self.outcome in GRANTED_OUTCOMES

    @property
    def reportable_from(self):
        """First day the decision is reportable if still not executed."""
        return first_day_after(self.decided_on, REPORTING_MONTHS)

    def open_interruption(self, on=None):
        on = on or date.today()
        for interruption in self.interruptions.all():
            if interruption.started_on <= on and (interruption.ended_on is None or interruption.ended_on > on):
                return interruption
        return None

    def status_on(self, on=None):
        """The status on day `on`, from the dates; mirrors with_status()."""
        on = on or date.today()
        if self.annulled_at is not None:
            return DecisionStatus.ANNULLED
        if not self.is_granted:
            return DecisionStatus.REJECTED
        if self.closed_on and self.closed_on <= on:
            return DecisionStatus.CLOSED
        if self.executed_on and self.executed_on <= on:
            return DecisionStatus.INTERRUPTED if self.open_interruption(on) else DecisionStatus.EXECUTED
        return DecisionStatus.WAITING

    @property
    def status(self):
        """Today's status, or the one with_status() annotated (as of its day)."""
        annotated = self.__dict__.get("_annotated_status")
        return DecisionStatus(annotated) if annotated is not None else self.status_on()

    @status.setter
    def status(self, value):
        # with_status() annotates `status`; Django sets annotations as
        # attributes, which a read-only property would refuse.
        self.__dict__["_annotated_status"] = value

    def is_partly_executed_on(self, on=None) -> bool:
        """Partly executed ("Delvis verkställt") on day `on`: part of the
        assistance has started, the whole has not. Not a status of its own:
        the decision stays waiting (with_status) and so non-executed for
        every list, KPI and the IVO report; pages show it as a mark."""
        on = on or date.today()
        return (
            self.partly_executed_on is not None
            and self.partly_executed_on <= on
            and not (self.executed_on and self.executed_on <= on)
        )

    @property
    def is_partly_executed(self) -> bool:
        return self.is_partly_executed_on()

    def days_waiting(self, on=None):
        """Days from the decision to execution (or to `on` while waiting)."""
        end = self.executed_on or (on or date.today())
        return (end - self.decided_on).days

    @property
    def audit_client(self):
        return self.client


class Interruption(models.Model):
    """A pause in an executed decision (avbrott). IVO must be told when an
    interruption has lasted three months without the service resuming."""

    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.CASCADE, related_name="interruptions"
    )
    started_on = models.DateField(_("interrupted on"))
    ended_on = models.DateField(_("resumed on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    # started_on plus three calendar months: the last day before it becomes
    # reportable. Derived in save() for SQL filtering.
    resume_due_by = models.DateField(_("resume by"), editable=False)

    class Meta:
        verbose_name = _("interruption")
        verbose_name_plural = _("interruptions")
        ordering = ["-started_on"]
        constraints = [
            # services.decisions.resume_decision refuses an earlier end with a
            # message; with_status and services.ivo assume it never happens.
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="referrals_interruption_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.started_on:%Y-%m-%d}–{self.ended_on or ''}"

    def save(self, *args, **kwargs):
        self.resume_due_by = last_day_within(self.started_on, REPORTING_MONTHS)
        super().save(*args, **kwargs)

    @property
    def reportable_from(self):
        return first_day_after(self.started_on, REPORTING_MONTHS)

    @property
    def audit_client(self):
        return self.decision.client


class OfferAnswer(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    NO_ANSWER = "no_answer", _("No answer")


class OfferDeclineReason(models.TextChoices):
    """Why an offer was declined; the IVO report's offers log shows it
    (services.ivo) and tenancies.ApartmentOffer keeps the same reason."""

    AREA = "area", _("The area")
    SIZE = "size", _("The size or the number of rooms")
    ACCESSIBILITY = "accessibility", _("Accessibility")
    RENT = "rent", _("The rent")
    CONDITIONS = "conditions", _("The conditions of the contract")
    OTHER_SOLUTION = "other_solution", _("Has found another solution")
    NO_CONTACT = "no_contact", _("Could not be reached")
    OTHER = "other", _("Other reason")


class Offer(VersionedModel):
    """An offer made while the client waits; IVO asks for them (date, what,
    the answer). The answer often comes later, so an offer is edited
    (services.decisions.update_offer, with the version for conflicts). A
    declined offer changes nothing in the decision: it counts as executed
    only when the service starts (executed_on)."""

    decision = models.ForeignKey(Decision, verbose_name=_("decision"), on_delete=models.CASCADE, related_name="offers")
    offered_on = models.DateField(_("offered on"))
    description = models.CharField(_("what was offered"), max_length=300)
    answer = models.CharField(_("answer"), max_length=20, choices=OfferAnswer.choices, default=OfferAnswer.NO_ANSWER)
    decline_reason = models.CharField(
        _("reason for declining"), max_length=30, choices=OfferDeclineReason.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["offered_on", "id"]

    def __str__(self):
        return f"{self.offered_on:%Y-%m-%d} {self.description}"

    @property
    def audit_client(self):
        return self.decision.client
