"""Eviction notices (underrättelser) from landlords and the enforcement
authority, and concern reports (orosanmälningar) about adults."""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, Least
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from audit.versioning import VersionedModel

# After a termination for unpaid rent the tenant has three weeks to pay and
# keep the home (12 kap. 44 § jordabalken).
PAY_WITHIN = timedelta(weeks=3)


class NoticeSource(models.TextChoices):
    LANDLORD_TERMINATION = "landlord_termination", _("Landlord's termination")
    ENFORCEMENT_APPLICATION = "enforcement_application", _("Enforcement authority: application for eviction")
    ENFORCEMENT_EVICTION_DATE = "enforcement_eviction_date", _("Enforcement authority: eviction date")


class NoticeReason(models.TextChoices):
    RENT_ARREARS = "rent_arrears", _("Rent arrears")
    DISTURBANCE = "disturbance", _("Disturbance")
    OTHER = "other", _("Other")


class NoticeOutcome(models.TextChoices):
    PREVENTED_PAID = "prevented_paid", _("Prevented: paid")
    PREVENTED_REPAYMENT_PLAN = "prevented_repayment_plan", _("Prevented: repayment plan")
    PREVENTED_ASSISTANCE = "prevented_assistance", _("Prevented: assistance granted")
    MOVED_VOLUNTARILY = "moved_voluntarily", _("Moved voluntarily")
    EVICTED = "evicted", _("Evicted")
    UNKNOWN = "unknown", _("Unknown")


class ReporterType(models.TextChoices):
    POLICE = "police", _("Police")
    HEALTHCARE = "healthcare", _("Health care")
    LANDLORD = "landlord", _("Landlord")
    RELATIVE = "relative", _("Relative")
    NEIGHBOUR = "neighbour", _("Neighbour")
    OTHER_AUTHORITY = "other_authority", _("Other authority")
    OTHER = "other", _("Other")


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Phone")
    LETTER = "letter", _("Letter")
    HOME_VISIT = "home_visit", _("Home visit")
    OTHER = "other", _("Other")


class _UnitScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Case officers and managers: their own unit's records."""
        if not (user.is_authenticated and user.is_active and user.unit_id):
            return self.none()
        if user.has_role(Role.CASE_OFFICER) or user.has_role(Role.MANAGER):
            return self.filter(unit_id=user.unit_id)
        return self.none()


class EvictionNoticeQuerySet(_UnitScopedQuerySet):
    def open(self):
        return self.filter(Q(outcome="") | Q(outcome=NoticeOutcome.UNKNOWN))

    def by_urgency(self):
        """Nearest deadline first (eviction date or pay-by date, whichever is
        earlier), households with children before others on the same day,
        notices without any date last."""
        far = date(9999, 12, 31)
        return self.annotate(
            deadline=Least(Coalesce("eviction_date", models.Value(far)), Coalesce("pay_by_date", models.Value(far)))
        ).order_by("deadline", "-children_count", "received_on", "id")


class EvictionNotice(VersionedModel):
    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="eviction_notices")
    received_on = models.DateField(_("received on"))
    source = models.CharField(_("source"), max_length=30, choices=NoticeSource.choices)
    landlord = models.CharField(_("landlord"), max_length=200)
    client = models.ForeignKey(
        "referrals.Client", verbose_name=_("client"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="eviction_notices",
    )
    tenant_name = models.CharField(_("tenant"), max_length=200, blank=True,
                                   help_text=_("When the tenant is not a registered client."))
    address = models.CharField(_("address of the home"), max_length=300, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=NoticeReason.choices)
    amount_owed = models.PositiveIntegerField(_("amount owed (öre)"), null=True, blank=True)
    termination_date = models.DateField(_("date of the termination"), null=True, blank=True)
    # Three weeks after the termination for rent arrears; derived in save().
    pay_by_date = models.DateField(_("pay by"), null=True, blank=True, editable=False)
    eviction_date = models.DateField(_("eviction date"), null=True, blank=True)
    children_count = models.PositiveSmallIntegerField(_("children in the household"), default=0)
    outcome = models.CharField(_("outcome"), max_length=30, choices=NoticeOutcome.choices, blank=True)
    outcome_on = models.DateField(_("outcome date"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = EvictionNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("eviction notice")
        verbose_name_plural = _("eviction notices")
        ordering = ["-received_on", "-id"]
        constraints = [
            # forms.notices.EvictionNoticeForm asks for one; services.notices.
            # create_prevention_order copies tenant_name into the order.
            models.CheckConstraint(
                condition=Q(client__isnull=False) | ~Q(tenant_name=""),
                name="referrals_notice_has_tenant",
            ),
        ]
        indexes = [
            # A unit's notices (visible_to), newest first on a client's page
            # (views.notices.client_notices) and in the list.
            models.Index(fields=["unit", "received_on"], name="referrals_notice_unit_idx"),
            # No query uses it today: views.notices.notice_list sorts by
            # by_urgency(), an expression over eviction_date and pay_by_date
            # that this index cannot serve. Dropping it needs a migration.
            models.Index(fields=["eviction_date"], name="referrals_notice_eviction_idx"),
        ]

    def __str__(self):
        return f"{self.get_source_display()} {self.received_on:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        self.pay_by_date = self.compute_pay_by_date()
        super().save(*args, **kwargs)

    def compute_pay_by_date(self):
        if self.reason != NoticeReason.RENT_ARREARS:
            return None
        start = self.termination_date or self.received_on
        return start + PAY_WITHIN if start else None

    @property
    def tenant_label(self):
        return self.client.full_name if self.client_id else self.tenant_name

    @property
    def deadline_date(self):
        dates = [day for day in (self.eviction_date, self.pay_by_date) if day]
        return min(dates) if dates else None

    def days_left(self, today=None):
        deadline = self.deadline_date
        return None if deadline is None else (deadline - (today or date.today())).days

    @property
    def is_open(self):
        return self.outcome in ("", NoticeOutcome.UNKNOWN)

    @property
    def audit_client(self):
        return self.client

    @property
    def audit_label(self):
        return self.tenant_label


class ContactAttempt(models.Model):
    notice = models.ForeignKey(EvictionNotice, on_delete=models.CASCADE, related_name="contact_attempts")
    at = models.DateTimeField(_("time"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("how"), max_length=20, choices=ContactMethod.choices, default=ContactMethod.PHONE)
    reached = models.BooleanField(_("reached the tenant"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M}"

    @property
    def audit_client(self):
        return self.notice.client


class ConcernReport(VersionedModel):
    """A concern report about an adult; usually leads to an outreach order."""

    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="concern_reports")
    received_on = models.DateField(_("received on"))
    reporter_type = models.CharField(_("reported by"), max_length=20, choices=ReporterType.choices)
    reporter = models.CharField(_("reporter's name or organisation"), max_length=200, blank=True)
    client = models.ForeignKey(
        "referrals.Client", verbose_name=_("client"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="concern_reports",
    )
    subject_name = models.CharField(_("name or description of the person"), max_length=200, blank=True)
    subject_address = models.CharField(_("address or place"), max_length=300, blank=True)
    concern = models.TextField(_("what the concern is about"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = _UnitScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("concern report")
        verbose_name_plural = _("concern reports")
        ordering = ["-received_on", "-id"]
        constraints = [
            # forms.notices.ConcernReportForm.clean asks for one;
            # services.notices.create_outreach_order copies it into the order.
            models.CheckConstraint(
                condition=Q(client__isnull=False) | ~Q(subject_name="") | ~Q(subject_address=""),
                name="referrals_concern_has_subject",
            ),
        ]
        indexes = [
            # A unit's reports newest first: views.notices.concern_list.
            models.Index(fields=["unit", "received_on"], name="referrals_concern_unit_idx"),
        ]

    def __str__(self):
        return f"{self.get_reporter_type_display()} {self.received_on:%Y-%m-%d}"

    @property
    def subject_label(self):
        return self.client.full_name if self.client_id else self.subject_name or self.subject_address

    @property
    def audit_client(self):
        return self.client

    @property
    def audit_label(self):
        return self.subject_label
