"""What a tenant is charged: the rent with its dated changes, other charges,
and the monthly rent notices (hyresavier) with their OCR references.

Money is in öre throughout (integers), as on Tenancy.rent and Apartment.rent.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


class RentIncrease(models.Model):
    """A rent change applied from a date to all tenancies of an apartment
    kind (the yearly increase): services.rates.apply_increase makes one
    RentRate per tenancy and keeps this as the reason."""

    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    apartment_kind = models.CharField(_("apartment kind"), max_length=30, blank=True)
    valid_from = models.DateField(_("from"))
    percent = models.DecimalField(_("increase (per cent)"), max_digits=5, decimal_places=2, null=True, blank=True)
    amount = models.IntegerField(_("increase per month (öre)"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("rent increase")
        verbose_name_plural = _("rent increases")
        constraints = [
            # services.rates.apply_increase: a percentage or an amount, never both.
            models.CheckConstraint(
                condition=Q(percent__isnull=True, amount__isnull=False) | Q(percent__isnull=False, amount__isnull=True),
                name="rent_increase_percent_xor_amount",
            ),
        ]

    def __str__(self):
        return f"{self.valid_from}"


class RentRate(models.Model):
    """The monthly rent of a tenancy from a date. The rent on a day is the
    newest rate whose valid_from is on or before it; before the first rate,
    Tenancy.rent (set at move-in from the apartment's rent charged)."""

    tenancy = models.ForeignKey(
        "tenancies.Tenancy", verbose_name=_("tenancy"), on_delete=models.PROTECT, related_name="rent_rates"
    )
    valid_from = models.DateField(_("from"))
    monthly_rent = models.PositiveIntegerField(_("monthly rent (öre)"))
    increase = models.ForeignKey(
        RentIncrease, verbose_name=_("rent increase"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="rates",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("rent rate")
        verbose_name_plural = _("rent rates")
        ordering = ["tenancy", "valid_from"]
        constraints = [
            # services.rates.rent_on: one rate per tenancy and day.
            models.UniqueConstraint(fields=["tenancy", "valid_from"], name="rent_rate_one_per_day"),
        ]

    def __str__(self):
        return f"{self.valid_from} {self.monthly_rent}"


class ChargeKind(models.TextChoices):
    DAMAGE = "damage", _("Damage")
    KEYS = "keys", _("Keys")
    ELECTRICITY = "electricity", _("Electricity")
    OTHER = "other", _("Other")


class Charge(models.Model):
    """A charge other than rent (damage, keys, electricity), with its own
    text. It goes on the next notice made for its tenancy (notice set by
    services.runs), or on a notice of its own (services.charges)."""

    tenancy = models.ForeignKey(
        "tenancies.Tenancy", verbose_name=_("tenancy"), on_delete=models.PROTECT, related_name="charges"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ChargeKind.choices)
    text = models.CharField(_("text"), max_length=200)
    amount = models.PositiveIntegerField(_("amount (öre)"))
    charged_on = models.DateField(_("date"))
    notice = models.ForeignKey(
        "rent.RentNotice", verbose_name=_("rent notice"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="charges",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        ordering = ["charged_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="rent_charge_amount_positive"),
        ]

    def __str__(self):
        return self.text


class NoticeRun(models.Model):
    """One monthly run of a unit's rent notices (services.runs.run_month)."""

    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    period = models.DateField(_("month"), help_text=_("The first day of the month the notices are for."))
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text=_("Empty when the scheduled run made it."),
    )
    notices_made = models.PositiveIntegerField(_("notices made"), default=0)

    class Meta:
        verbose_name = _("notice run")
        verbose_name_plural = _("notice runs")
        ordering = ["-period", "-started_at"]

    def __str__(self):
        return f"{self.period:%Y-%m}"


class NoticeKind(models.TextChoices):
    RENT = "rent", _("Rent notice")
    CHARGE = "charge", _("Invoice for a charge")
    OPENING_BALANCE = "opening_balance", _("Opening balance")


class RentNoticeQuerySet(models.QuerySet):
    def with_settled(self, on: date | None = None):
        """`settled`: what payments, credit notes and write-offs have paid of
        each notice (on `on`, when given), and `outstanding`: amount − settled.
        The one definition of a notice's open amount: aging, arrears, the
        overdue signals and the KPI figures all start here."""
        allocations = Allocation.objects.filter(notice=OuterRef("pk"))
        if on is not None:
            allocations = allocations.filter(on__lte=on)
        settled = Subquery(
            allocations.order_by().values("notice").annotate(total=Sum("amount")).values("total")[:1],
            output_field=models.BigIntegerField(),
        )
        return self.annotate(settled=Coalesce(settled, Value(0), output_field=models.BigIntegerField())).annotate(
            outstanding=F("amount") - F("settled")
        )

    def open_on(self, on: date):
        """Notices made by `on` that are not fully settled on that day."""
        return self.filter(issued_on__lte=on).with_settled(on).filter(outstanding__gt=0)


class RentNotice(models.Model):
    """A rent notice (hyresavi) or other debt of a tenancy, with its lines.

    `amount` is the sum of the lines. `ocr` is made from the primary key
    (ocr.notice_reference) right after the insert, so it is unique for ever."""

    tenancy = models.ForeignKey(
        "tenancies.Tenancy", verbose_name=_("tenancy"), on_delete=models.PROTECT, related_name="rent_notices"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices, default=NoticeKind.RENT)
    period = models.DateField(_("month"), null=True, blank=True, help_text=_("The month a rent notice is for."))
    issued_on = models.DateField(_("date of the notice"))
    due_date = models.DateField(_("due date"))
    amount = models.PositiveIntegerField(_("amount (öre)"))
    ocr = models.CharField(_("OCR reference"), max_length=25, blank=True)
    run = models.ForeignKey(NoticeRun, verbose_name=_("notice run"), on_delete=models.PROTECT, null=True,
                            blank=True, related_name="notices")
    opening_import = models.ForeignKey("rent.OpeningBalanceImport", on_delete=models.PROTECT, null=True,
                                       blank=True, related_name="notices")
    # The accounting month the notice is booked in: its own month, or the
    # first month not yet exported (services.periods.booking_month).
    booked_month = models.DateField(_("booked in month"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RentNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("rent notice")
        verbose_name_plural = _("rent notices")
        # The rent area's permissions, held per role (apps.RentConfig.role_permissions).
        permissions = [
            ("view_ledger", "Can see rent ledgers and arrears"),
            ("manage_rent", "Can run notices, import and match payments, credit"),
            ("write_off", "Can write off rent debts"),
            ("export_finance", "Can export to the finance system"),
            ("manage_plans", "Can make repayment plans"),
            ("manage_terminations", "Can terminate for arrears and record letters"),
            ("sign_delivery", "Can sign that a letter was handed over"),
        ]
        ordering = ["due_date", "id"]
        constraints = [
            # services.runs.run_month is idempotent: one rent notice per
            # tenancy and month, however often the run is started.
            models.UniqueConstraint(
                fields=["tenancy", "period"], condition=Q(kind="rent"), name="rent_notice_one_per_month"
            ),
            # services.payments.match_reference finds the notice by it.
            models.UniqueConstraint(fields=["ocr"], condition=~Q(ocr=""), name="rent_notice_ocr_unique"),
        ]
        indexes = [
            # A tenancy's ledger in date order (services.ledger) and the
            # oldest-first allocation (services.allocation).
            models.Index(fields=["tenancy", "due_date"], name="rent_notice_tenancy_due_idx"),
            # Overdue notices by due date (services.overdue, aging lists).
            models.Index(fields=["due_date"], name="rent_notice_due_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.ocr}"

    @property
    def audit_client(self):
        return self.tenancy.client


class LineKind(models.TextChoices):
    RENT = "rent", _("Rent")
    CHARGE = "charge", _("Charge")
    INSTALMENT = "instalment", _("Instalment on the repayment plan")
    OPENING_BALANCE = "opening_balance", _("Debt brought forward")


class NoticeLine(models.Model):
    notice = models.ForeignKey(RentNotice, verbose_name=_("rent notice"), on_delete=models.CASCADE,
                               related_name="lines")
    kind = models.CharField(_("kind"), max_length=20, choices=LineKind.choices)
    text = models.CharField(_("text"), max_length=200)
    amount = models.PositiveIntegerField(_("amount (öre)"))
    # services.runs: days charged of the month's days for a move-in or
    # move-out inside the month (pro rata); empty for a whole month.
    days = models.PositiveSmallIntegerField(_("days charged"), null=True, blank=True)
    days_in_month = models.PositiveSmallIntegerField(_("days in the month"), null=True, blank=True)
    # SET_NULL: culling deletes charges and plans before the notices (apps.culling_sources).
    charge = models.ForeignKey(Charge, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    plan = models.ForeignKey("rent.RepaymentPlan", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="instalment_lines")

    class Meta:
        verbose_name = _("notice line")
        verbose_name_plural = _("notice lines")
        ordering = ["notice", "id"]

    def __str__(self):
        return self.text


from .payments import Allocation  # noqa: E402  (the queryset above refers to it)
