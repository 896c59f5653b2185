"""The unit's rent settings (models.RentSettings): a plain model form.
RentSettings is not versioned (one administrator per unit edits it a few
times a year), so the last save wins; every change is kept in the field
history (audit.services.record_changes) by `save_settings`."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from stdnum import luhn
from stdnum.se import orgnr

from audit.context import AuditContext
from audit.services import diff_fields, record_changes, snapshot
from rent.models import RentSettings

ACCOUNT_FIELDS = (
    "receivable_account", "rent_income_account", "other_income_account", "bank_account", "write_off_account",
)
FIELDS = (
    "bankgiro", "payee_name", "contact_text", "notice_run_day", "grace_days", "organisation_number",
    *ACCOUNT_FIELDS, "cost_centre", "cost_centre_dimension", "apartment_dimension",
)
# SIE's own dimensions are 1 (cost centre) to 19; 20 and up are the user's.
MAX_DIMENSION = 999


def normalise_bankgiro(value: str) -> str:
    """The digits of a bankgiro number as typed ("5050-1055", "991 2346")."""
    return "".join(ch for ch in (value or "") if ch not in " -")


def is_valid_bankgiro(value: str) -> bool:
    """A bankgiro number: 7 or 8 digits whose last is a Luhn (modulus-10)
    check digit over the others."""
    digits = normalise_bankgiro(value)
    return digits.isdigit() and 7 <= len(digits) <= 8 and luhn.is_valid(digits)


def format_bankgiro(value: str) -> str:
    """As printed: "991-2346", "5050-1055"."""
    digits = normalise_bankgiro(value)
    return f"{digits[:-4]}-{digits[-4:]}" if len(digits) >= 7 else digits


class RentSettingsForm(forms.ModelForm):
    class Meta:
        model = RentSettings
        fields = list(FIELDS)
        widgets = {"contact_text": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "bankgiro": _("7 or 8 digits, with or without the hyphen: the last digit is a check digit."),
            "grace_days": _("A notice unpaid this many days after its due date raises the signal \"rent unpaid\"."),
            "notice_run_day": _("The notices for next month are made on this day (1–28)."),
            "organisation_number": _("The municipality's organisation number (NNNNNN-NNNN), printed in the SIE file."),
        }

    def clean_bankgiro(self):
        value = self.cleaned_data["bankgiro"].strip()
        if not value:
            return ""
        digits = normalise_bankgiro(value)
        if not digits.isdigit() or not 7 <= len(digits) <= 8:
            raise ValidationError(_("A bankgiro number has 7 or 8 digits."), code="bankgiro_length")
        if not luhn.is_valid(digits):
            raise ValidationError(
                _("The bankgiro number's check digit is wrong: check the number on the bankgiro agreement."),
                code="bankgiro_check_digit",
            )
        return digits

    def clean_organisation_number(self):
        value = self.cleaned_data["organisation_number"].strip()
        if not value:
            return ""
        if not orgnr.is_valid(value):
            raise ValidationError(_("Enter a valid organisation number (NNNNNN-NNNN)."), code="orgnr")
        return orgnr.format(value)

    def _clean_account(self, name):
        value = self.cleaned_data[name].strip()
        if not (value.isdigit() and len(value) == 4):
            raise ValidationError(_("An account is four digits (the BAS account plan)."), code="account")
        return value

    def clean_receivable_account(self):
        return self._clean_account("receivable_account")

    def clean_rent_income_account(self):
        return self._clean_account("rent_income_account")

    def clean_other_income_account(self):
        return self._clean_account("other_income_account")

    def clean_bank_account(self):
        return self._clean_account("bank_account")

    def clean_write_off_account(self):
        return self._clean_account("write_off_account")

    def _clean_dimension(self, name):
        value = self.cleaned_data[name]
        if value is None or not 1 <= value <= MAX_DIMENSION:
            raise ValidationError(_("A dimension is a number from 1 to %(max)s.") % {"max": MAX_DIMENSION},
                                  code="dimension")
        return value

    def clean_cost_centre_dimension(self):
        return self._clean_dimension("cost_centre_dimension")

    def clean_apartment_dimension(self):
        return self._clean_dimension("apartment_dimension")

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("cost_centre_dimension") is not None
                and cleaned.get("cost_centre_dimension") == cleaned.get("apartment_dimension")):
            self.add_error("apartment_dimension", _("The apartment needs a dimension of its own, not the cost "
                                                    "centre's."))
        return cleaned


@transaction.atomic
def save_settings(ctx: AuditContext, form: RentSettingsForm) -> RentSettings:
    """Save the form's settings and keep what changed in the field history."""
    settings = form.instance
    before = (snapshot(RentSettings.objects.get(pk=settings.pk), FIELDS) if settings.pk
              else snapshot(RentSettings(unit_id=settings.unit_id), FIELDS))
    settings = form.save()
    changes = diff_fields(before, snapshot(settings, FIELDS), FIELDS)
    if changes:
        record_changes(ctx, settings, changes)
    return settings
