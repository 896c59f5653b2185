from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from core import personnummer
from core.forms import ModelMultipleChoiceField, VersionedFormMixin

from ..models import PROTECTED_FIELDS, Client, ProtectionLevel


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


class ClientForm(VersionedFormMixin, forms.ModelForm):
    personal_number = PersonalNumberField()

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

    def clean_protection_level(self):
        return self.cleaned_data.get("protection_level") or ProtectionLevel.NONE


class ClientSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search by name or personal identity number"),
        help_text=_("Full or partial number, or the last four digits."),
        required=False,
        max_length=100,
    )
