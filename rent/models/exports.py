"""Exports to the finance system. An exported month is locked: a ledger
entry dated in it is booked in the first month not yet exported
(services.periods.booking_month)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportFormat(models.TextChoices):
    SIE = "sie", _("SIE 4I")
    CSV = "csv", _("CSV")


class FinanceExport(models.Model):
    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))
    format = models.CharField(_("format"), max_length=10, choices=ExportFormat.choices)
    sha256 = models.CharField(_("checksum"), max_length=64)
    vouchers = models.PositiveIntegerField(_("vouchers"), default=0)
    exported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    exported_at = models.DateTimeField(_("exported"), auto_now_add=True)

    class Meta:
        verbose_name = _("export to the finance system")
        verbose_name_plural = _("exports to the finance system")
        ordering = ["-month", "-exported_at"]
        indexes = [
            # services.periods: the locked months of a unit.
            models.Index(fields=["unit", "month"], name="rent_export_unit_month_idx"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.format}"
