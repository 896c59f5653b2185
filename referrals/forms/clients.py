from datetime import date

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from accounts.widgets import DateInput
from core import personnummer
from core.dates import DateBoundsMixin
from core.forms import ModelMultipleChoiceField, VersionedFormMixin

from ..models import PROTECTED_FIELDS, Client, LegalGender, ProtectionLevel

# The earliest birth date accepted for a person without a Swedish number
# (the number's own check stops typing errors for everyone else).
EARLIEST_BIRTH_DATE = date(1900, 1, 1)


class PersonalNumberField(forms.CharField):
    """Accepts the written forms of a personal identity or coordination
    number and cleans to the stored 12 digits."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 13)
        kwargs.setdefault("label", _("Personal identity number"))
        kwargs.setdefault(
            "help_text",
            _("YYYYMMDD-NNNN, YYMMDD-NNNN or YYMMDD+NNNN (100 years or older). Coordination numbers are accepted."),
        )
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"})
        return attrs

    def prepare_value(self, value):
        # Show stored digits in the written form, keep what the user typed.
        if isinstance(value, str) and len(value) == 12 and value.isdigit():
            return personnummer.format_digits(value)
        return value

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            return personnummer.parse(value).digits
        except personnummer.InvalidPersonalNumber as error:
            raise forms.ValidationError(str(error), code="invalid") from None


class ClientForm(DateBoundsMixin, VersionedFormMixin, forms.ModelForm):
    personal_number = PersonalNumberField(required=False)
    # People without a Swedish personal identity or coordination number are
    # in the housing chain too: for them the birth date and legal gender are
    # entered (otherwise both come from the number, Client.save()), and IVO
    # gets a stored code instead of the number (services.ivo_identity).
    no_swedish_number = forms.BooleanField(
        label=_("Has no Swedish personal identity number or coordination number"), required=False,
    )
    birth_date = forms.DateField(
        label=_("Date of birth"), required=False, help_text=_("YYYY-MM-DD. Only for a person without a number."),
        widget=DateInput,
    )
    legal_gender = forms.ChoiceField(
        label=_("Legal gender"), required=False, choices=[("", "---------"), *LegalGender.choices],
        help_text=_("Only for a person without a number."),
    )

    class Meta:
        model = Client
        fields = [
            "first_name",
            "last_name",
            "personal_number",
            "protection_level",
            "target_groups",
            "children_in_home",
            "phone",
            "street_address",
            "postal_code",
            "city",
            "responsible_officer",
            "is_municipal_staff",
            "notes",
        ]
        widgets = {
            "target_groups": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 4}),
        }
        # An id beyond 64 bits is a form error, not an OverflowError (core.forms).
        field_classes = {"target_groups": ModelMultipleChoiceField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.held_elsewhere = False
        self.fields["first_name"].widget.attrs["autocomplete"] = "off"
        self.fields["last_name"].widget.attrs["autocomplete"] = "off"
        self.fields["children_in_home"].widget.attrs["min"] = 0
        if self.instance.pk and not self.instance.personal_number:
            self.fields["no_swedish_number"].initial = True
            self.fields["birth_date"].initial = self.instance.birth_date
            self.fields["legal_gender"].initial = self.instance.legal_gender
        officers = User.objects.with_role(Role.CASE_OFFICER)
        if user.unit_id:
            officers = officers.filter(unit_id=user.unit_id)
        self.fields["responsible_officer"].queryset = officers.order_by("first_name", "last_name")
        if not self.instance.pk and officers.filter(pk=user.pk).exists():
            # A new client: the acting case officer is the usual responsible one.
            self.fields["responsible_officer"].initial = user.pk
        if self.instance.pk and not self.instance.contact_visible_to(user):
            # The user may neither see nor change a protected client's
            # contact details, nor lower the protection to reveal them.
            for name in PROTECTED_FIELDS:
                del self.fields[name]
            self.fields["protection_level"].disabled = True

    def clean_personal_number(self):
        digits = self.cleaned_data["personal_number"]
        if not digits:
            return ""  # Required or not: clean() decides, with the tick box.
        holder = Client.objects.filter(personal_number=digits).exclude(pk=self.instance.pk).first()
        if holder is None:
            return digits
        if Client.objects.visible_to(self.user).filter(pk=holder.pk).exists():
            raise forms.ValidationError(
                format_html(
                    '{} <a href="{}">{}</a>.',
                    _("The personal identity number is already registered for"),
                    reverse("referrals:client_detail", args=[holder.pk]),
                    holder.full_name,
                ),
                code="duplicate",
            )
        # Held by a unit the user cannot see. Saying so would tell anyone
        # who may register clients where a person is a client (an existence
        # oracle, issue 10): the message names no unit and no person, and
        # the view logs the attempt and offers a transfer request instead.
        self.held_elsewhere = True
        raise forms.ValidationError(
            _("This personal identity number cannot be registered by you. If the person should be a client "
              "of your unit, send a transfer request to a manager below."),
            code="not_registrable",
        )

    def clean(self):
        cleaned = super().clean()
        no_number = cleaned.get("no_swedish_number")
        if not no_number:
            if not cleaned.get("personal_number") and "personal_number" not in self.errors:
                self.add_error("personal_number", forms.ValidationError(
                    _("Enter the personal identity number, or tick that the person has none."), code="required"))
            return cleaned
        if cleaned.get("personal_number") or "personal_number" in self.errors:
            # Both a number and "has none": which is right is the user's call.
            self.errors.pop("personal_number", None)
            self.add_error("personal_number", forms.ValidationError(
                _("Leave the number empty when the person has no Swedish number, or untick the box."),
                code="number_and_none"))
        birth_date = cleaned.get("birth_date")
        if birth_date is None and "birth_date" not in self.errors:
            self.add_error("birth_date", forms.ValidationError(
                _("Enter the date of birth of a person without a Swedish number."), code="required"))
        elif birth_date is not None and not EARLIEST_BIRTH_DATE <= birth_date <= timezone.localdate():
            self.add_error("birth_date", forms.ValidationError(
                _("The date of birth must be between 1900 and today."), code="out_of_range"))
        if not cleaned.get("legal_gender"):
            self.add_error("legal_gender", forms.ValidationError(
                _("Choose the legal gender of a person without a Swedish number."), code="required"))
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        if self.is_bound and not self.errors and self.cleaned_data.get("no_swedish_number"):
            # Not model form fields (they are derived from a number otherwise):
            # set here, after validation, so an invalid form changes nothing.
            self.instance.personal_number = ""
            self.instance.birth_date = self.cleaned_data["birth_date"]
            self.instance.legal_gender = self.cleaned_data["legal_gender"]

    def clean_protection_level(self):
        return self.cleaned_data.get("protection_level") or ProtectionLevel.NONE


class ClientSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search by name or personal identity number"),
        help_text=_("Full or partial number, or the last four digits."),
        required=False,
        max_length=100,
    )
