"""A unit's rent settings: where tenants pay, when notices go out, and the
finance system's account plan for the SIE export (docs/rent.md)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class RentSettings(models.Model):
    unit = models.OneToOneField(
        "accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="rent_settings"
    )
    # Printed on every notice and checked against the BgMax file's opening
    # record (services.bgmax_import refuses a file for another bankgiro).
    bankgiro = models.CharField(_("bankgiro number"), max_length=10, blank=True)
    payee_name = models.CharField(_("payee on the notice"), max_length=200, blank=True)
    contact_text = models.TextField(
        _("what to do if you cannot pay"), blank=True,
        help_text=_("Printed on every rent notice. Leave empty for the standard text."),
    )
    # services.runs: the monthly run for the next month starts on this day.
    notice_run_day = models.PositiveSmallIntegerField(
        _("day of the month the notices are made"), default=20,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    # services.overdue: a notice is overdue this many days after its due date.
    grace_days = models.PositiveSmallIntegerField(
        _("days of grace after the due date"), default=5, validators=[MaxValueValidator(30)]
    )
    # The SIE export (services.finance_export): account plan and dimensions.
    organisation_number = models.CharField(_("organisation number"), max_length=11, blank=True)
    receivable_account = models.CharField(_("account for rent receivables"), max_length=10, default="1510")
    rent_income_account = models.CharField(_("account for rent income"), max_length=10, default="3911")
    other_income_account = models.CharField(_("account for other charges"), max_length=10, default="3990")
    bank_account = models.CharField(_("account for incoming payments"), max_length=10, default="1930")
    write_off_account = models.CharField(_("account for written-off rent"), max_length=10, default="6351")
    cost_centre = models.CharField(_("cost centre"), max_length=20, blank=True)
    cost_centre_dimension = models.PositiveSmallIntegerField(_("SIE dimension for the cost centre"), default=1)
    apartment_dimension = models.PositiveSmallIntegerField(_("SIE dimension for the apartment"), default=6)

    class Meta:
        verbose_name = _("rent settings")
        verbose_name_plural = _("rent settings")

    def __str__(self):
        return str(self.unit)
