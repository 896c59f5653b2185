"""What comes in against the notices: payments (from Bankgirot's BgMax files
or registered by hand), credit notes and write-offs, and how each is
allocated to notices (Allocation)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class BgMaxFile(models.Model):
    """An imported BgMax file. The SHA-256 of its bytes is unique, so the same
    file is never imported twice (services.bgmax_import)."""

    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(_("checksum"), max_length=64, unique=True)
    filename = models.CharField(_("file name"), max_length=255)
    created_at_bank = models.DateTimeField(_("written by the bank"), null=True, blank=True)
    is_test = models.BooleanField(_("test file"), default=False)
    payments = models.PositiveIntegerField(_("payments"), default=0)
    deposits = models.PositiveIntegerField(_("deposits"), default=0)
    total = models.BigIntegerField(_("total (öre)"), default=0)
    matched = models.PositiveIntegerField(_("matched automatically"), default=0)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        verbose_name = _("BgMax file")
        verbose_name_plural = _("BgMax files")
        ordering = ["-imported_at"]

    def __str__(self):
        return self.filename


class PaymentSource(models.TextChoices):
    BGMAX = "bgmax", _("Bankgiro (BgMax file)")
    CASH = "cash", _("Cash")
    TRANSFER = "transfer", _("Bank transfer")
    OTHER = "other", _("Other")


class PaymentQuerySet(models.QuerySet):
    def unmatched(self):
        """The manual matching queue: payments with no tenancy yet."""
        return self.filter(tenancy__isnull=True, returned=False)


class Payment(models.Model):
    """Money received. A BgMax payment whose reference is a valid OCR of an
    open notice gets its tenancy at import (services.payments.match_payment);
    the rest wait in the manual queue with tenancy empty. A payment with a
    tenancy is allocated to its notices oldest first (services.allocation);
    what is left over is the tenant's credit."""

    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    tenancy = models.ForeignKey(
        "tenancies.Tenancy", verbose_name=_("tenancy"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="rent_payments",
    )
    source = models.CharField(_("paid by"), max_length=20, choices=PaymentSource.choices)
    paid_on = models.DateField(_("payment date"))
    amount = models.PositiveIntegerField(_("amount (öre)"))
    reference = models.CharField(_("reference"), max_length=25, blank=True)
    # From the BgMax records (20 and 22/23, 25–29); empty for a manual payment.
    bgmax_file = models.ForeignKey(BgMaxFile, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="payment_rows")
    sender_bankgiro = models.CharField(_("sender's bankgiro"), max_length=10, blank=True)
    bank_serial = models.CharField(_("the bank's serial number"), max_length=12, blank=True)
    payer_name = models.CharField(_("payer"), max_length=70, blank=True)
    payer_address = models.CharField(_("payer's address"), max_length=200, blank=True)
    information = models.TextField(_("information from the payer"), blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # Paid back to the sender instead of matched (services.payments.return_payment).
    returned = models.BooleanField(_("paid back"), default=False)
    matched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", help_text=_("Empty when matched automatically."))
    matched_at = models.DateTimeField(_("matched"), null=True, blank=True)
    booked_month = models.DateField(_("booked in month"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="rent_payment_amount_positive"),
            # forms.payments.ManualPaymentForm requires it with a message first.
            models.CheckConstraint(condition=Q(source="bgmax") | ~Q(note=""), name="rent_payment_manual_note"),
        ]
        indexes = [
            # The manual matching queue (PaymentQuerySet.unmatched) per unit.
            models.Index(fields=["unit", "tenancy"], name="rent_payment_unit_tenancy_idx"),
        ]

    def __str__(self):
        return f"{self.paid_on} {self.amount}"

    @property
    def audit_client(self):
        return self.tenancy.client if self.tenancy_id else None


class CreditNote(models.Model):
    """A credit (kreditering) of a notice or part of one, with its reason."""

    tenancy = models.ForeignKey("tenancies.Tenancy", verbose_name=_("tenancy"), on_delete=models.PROTECT,
                                related_name="rent_credit_notes")
    notice = models.ForeignKey("rent.RentNotice", verbose_name=_("rent notice"), on_delete=models.PROTECT,
                               related_name="credit_notes")
    credited_on = models.DateField(_("date"))
    amount = models.PositiveIntegerField(_("amount (öre)"))
    reason = models.CharField(_("reason"), max_length=300)
    booked_month = models.DateField(_("booked in month"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        ordering = ["credited_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="rent_credit_amount_positive"),
            models.CheckConstraint(condition=~Q(reason=""), name="rent_credit_reason_given"),
        ]

    def __str__(self):
        return f"{self.credited_on} {self.amount}"


class WriteOff(models.Model):
    """A debt written off (avskrivning). Only a manager may (rent.write_off),
    and it is logged (services.ledger.write_off)."""

    tenancy = models.ForeignKey("tenancies.Tenancy", verbose_name=_("tenancy"), on_delete=models.PROTECT,
                                related_name="rent_write_offs")
    notice = models.ForeignKey("rent.RentNotice", verbose_name=_("rent notice"), on_delete=models.PROTECT,
                               related_name="write_offs")
    written_off_on = models.DateField(_("date"))
    amount = models.PositiveIntegerField(_("amount (öre)"))
    reason = models.CharField(_("reason"), max_length=300)
    booked_month = models.DateField(_("booked in month"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("write-off")
        verbose_name_plural = _("write-offs")
        ordering = ["written_off_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="rent_write_off_amount_positive"),
            models.CheckConstraint(condition=~Q(reason=""), name="rent_write_off_reason_given"),
        ]

    def __str__(self):
        return f"{self.written_off_on} {self.amount}"


class Allocation(models.Model):
    """How much of one payment, credit note or write-off settles one notice,
    from which day (`on`: the payment's, credit's or write-off's date).
    Exactly one of the three sources is set. RentNoticeQuerySet.with_settled
    sums these; services.allocation is the only code that writes them."""

    notice = models.ForeignKey("rent.RentNotice", on_delete=models.PROTECT, related_name="allocations")
    amount = models.PositiveIntegerField(_("amount (öre)"))
    on = models.DateField(_("date"))
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="allocations")
    credit_note = models.ForeignKey(CreditNote, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="allocations")
    write_off = models.ForeignKey(WriteOff, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="allocations")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="rent_allocation_amount_positive"),
            models.CheckConstraint(
                condition=(
                    Q(payment__isnull=False, credit_note__isnull=True, write_off__isnull=True)
                    | Q(payment__isnull=True, credit_note__isnull=False, write_off__isnull=True)
                    | Q(payment__isnull=True, credit_note__isnull=True, write_off__isnull=False)
                ),
                name="rent_allocation_one_source",
            ),
        ]
        indexes = [
            # RentNoticeQuerySet.with_settled: a notice's allocations up to a day.
            models.Index(fields=["notice", "on"], name="rent_allocation_notice_on_idx"),
        ]

    def __str__(self):
        return f"{self.on} {self.amount}"


class OpeningBalanceImport(models.Model):
    """One all-or-nothing import of existing debts (services.opening_balances);
    each debt becomes a RentNotice of kind opening_balance pointing here."""

    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("checksum"), max_length=64)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    total = models.BigIntegerField(_("total (öre)"), default=0)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        verbose_name = _("import of opening balances")
        verbose_name_plural = _("imports of opening balances")

    def __str__(self):
        return self.filename
