"""Forms for eviction notices, contact attempts, outcomes and concern reports."""

import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.widgets import DateInput, DateTimeInput
from core.dates import DateBoundsMixin
from core.formatting import number
from core.forms import VersionedFormMixin

from ..models import Client, ConcernReport, ContactAttempt, EvictionNotice, NoticeOutcome
from .clients import PersonalNumberField

# amount_owed is a PositiveIntegerField of öre: 2^31 - 1 on PostgreSQL.
MAX_ORE = 2_147_483_647
_THOUSANDS_WITH_DOTS = re.compile(r"^\d{1,3}(\.\d{3})+$")


def parse_kronor(text):
    """'12 500', '12500,50', '12 500 kr', '12.500' -> öre (int).

    Swedes write a decimal comma and group thousands with a space (or a dot);
    a dot followed by anything other than groups of three digits is taken as
    a decimal point. Raises ValueError with a message for the user."""
    compact = re.sub(r"[\s\u00a0\u202f]", "", text).lower().removesuffix("kr").removesuffix(":-")
    if not compact:
        raise ValueError(_("Enter an amount in kronor, for example 12 500 or 12 500,50."))
    if compact.startswith("-"):
        raise ValueError(_("The amount cannot be negative."))
    if "," in compact:
        compact = compact.replace(".", "").replace(",", ".")
    elif _THOUSANDS_WITH_DOTS.match(compact):
        compact = compact.replace(".", "")
    if not re.fullmatch(r"\d+(\.\d+)?", compact):
        raise ValueError(_("Enter an amount in kronor, for example 12 500 or 12 500,50."))
    try:
        kronor = Decimal(compact)
    except InvalidOperation:  # pragma: no cover - the pattern above rules it out
        raise ValueError(_("Enter an amount in kronor, for example 12 500 or 12 500,50.")) from None
    if kronor != kronor.quantize(Decimal("0.01")):
        raise ValueError(_("Enter at most two decimals (öre)."))
    ore = int(kronor * 100)
    if ore > MAX_ORE:
        raise ValueError(_("The amount is too large."))
    return ore


class KronorField(forms.Field):
    """An amount typed in kronor, cleaned to integer öre."""

    widget = forms.TextInput
    MAX_TYPED = 30

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off", "maxlength": str(self.MAX_TYPED)})
        return attrs

    def prepare_value(self, value):
        # Stored öre shown as kronor; what the user typed is shown as typed.
        if isinstance(value, int):
            return number(Decimal(value) / 100, 0 if value % 100 == 0 else 2)
        return value

    def to_python(self, value):
        text = str(value).strip() if value is not None else ""
        if not text:
            return None
        if len(text) > self.MAX_TYPED:
            raise forms.ValidationError(_("Enter an amount in kronor, for example 12 500 or 12 500,50."), code="invalid")
        try:
            return parse_kronor(text)
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid") from None


class PersonLookupMixin:
    """A personal identity number field that finds a registered client the
    user may see. Outsiders' clients are not found, so that the form cannot
    be used to probe who is registered elsewhere."""

    lookup_field = "personal_number_lookup"
    not_found_message = _(
        "No client you have access to has this personal identity number. Leave the field empty "
        "and write the name instead, or register the client first."
    )

    def _init_lookup(self, user):
        self.user = user
        if self.instance.client_id:
            self.fields[self.lookup_field].initial = self.instance.client.personal_number

    def _lookup_client(self):
        digits = self.cleaned_data.get(self.lookup_field)
        if not digits:
            current = self.instance.client if self.instance.client_id else None
            # A client without a Swedish number has no number to show in the
            # field: left empty, the link stays (never a lookup of "").
            return current if current is not None and not current.personal_number else None
        client = Client.objects.visible_to(self.user).filter(personal_number=digits).first()
        if client is None:
            self.add_error(self.lookup_field, forms.ValidationError(self.not_found_message, code="not_found"))
        return client


def _not_in_future(day):
    if day and day > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."), code="future")
    return day


class EvictionNoticeForm(DateBoundsMixin, PersonLookupMixin, VersionedFormMixin, forms.ModelForm):
    draft_fields = ("notes",)  # autosaved as a draft (accounts.drafts)

    lookup_field = "tenant_personal_number"

    tenant_personal_number = PersonalNumberField(
        label=_("Tenant's personal identity number"),
        required=False,
        help_text=_("When the tenant is a registered client. Otherwise leave it empty and write the name instead."),
    )
    amount_owed = KronorField(
        label=_("Amount owed (kr)"), required=False,
        help_text=_("In kronor, for example 12 500 or 12 500,50."),
    )

    class Meta:
        model = EvictionNotice
        fields = [
            "received_on",
            "source",
            "landlord",
            "tenant_personal_number",
            "tenant_name",
            "address",
            "reason",
            "amount_owed",
            "termination_date",
            "eviction_date",
            "children_count",
            "notes",
        ]
        widgets = {
            "received_on": DateInput,
            "termination_date": DateInput,
            "eviction_date": DateInput,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "termination_date": _("For rent arrears the pay-by date is computed from it: three weeks later."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_lookup(user)
        if not self.instance.pk:
            self.fields["received_on"].initial = timezone.localdate()
        self.fields["tenant_name"].label = _("Tenant's name")
        self.fields["children_count"].widget.attrs["min"] = 0
        self.fields["landlord"].widget.attrs["autocomplete"] = "organization"
        self.fields["tenant_name"].widget.attrs["autocomplete"] = "off"
        self.fields["address"].widget.attrs["autocomplete"] = "off"
        if self.instance.client_id and not self.instance.client.contact_visible_to(user):
            # A protected client's home address is neither shown nor changed.
            del self.fields["address"]

    def clean_received_on(self):
        return _not_in_future(self.cleaned_data.get("received_on"))

    def clean(self):
        cleaned = super().clean()
        client = self._lookup_client()
        if self.has_error(self.lookup_field):
            return cleaned
        if client is None and not cleaned.get("tenant_name", "").strip():
            self.add_error(
                "tenant_name",
                forms.ValidationError(
                    _("Enter the tenant's personal identity number or, if the tenant is not a client, the name."),
                    code="no_tenant",
                ),
            )
        self.instance.client = client
        if client is not None:
            # The client's name is in the client file; keep one source.
            cleaned["tenant_name"] = ""
        termination, eviction = cleaned.get("termination_date"), cleaned.get("eviction_date")
        if termination and eviction and eviction < termination:
            self.add_error(
                "eviction_date",
                forms.ValidationError(_("The eviction date cannot be before the termination."), code="order"),
            )
        return cleaned


class ContactAttemptForm(DateBoundsMixin, forms.ModelForm):
    class Meta:
        model = ContactAttempt
        fields = ["at", "method", "reached", "note"]
        widgets = {"at": DateTimeInput, "method": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "contact")
        super().__init__(*args, **kwargs)
        self.fields["at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["reached"].label = _("Reached the tenant")

    def clean_at(self):
        at = self.cleaned_data["at"]
        if at and at > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError(_("The time cannot be in the future."), code="future")
        return at


class NoticeOutcomeForm(DateBoundsMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = EvictionNotice
        fields = ["outcome", "outcome_on"]
        widgets = {"outcome_on": DateInput}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "outcome")
        super().__init__(*args, **kwargs)
        self.fields["outcome"].required = True
        self.fields["outcome"].choices = [("", "---------"), *NoticeOutcome.choices]
        self.fields["outcome_on"].required = True
        if not self.instance.outcome_on:
            # self.initial, not the field's: the instance's None would win.
            self.initial["outcome_on"] = timezone.localdate()

    def clean_outcome_on(self):
        day = _not_in_future(self.cleaned_data.get("outcome_on"))
        if day and day < self.instance.received_on:
            raise forms.ValidationError(_("The date cannot be before the notice was received."), code="order")
        return day


class ConcernReportForm(DateBoundsMixin, PersonLookupMixin, VersionedFormMixin, forms.ModelForm):
    draft_fields = ("concern",)  # autosaved as a draft (accounts.drafts)

    lookup_field = "person_personal_number"

    person_personal_number = PersonalNumberField(
        label=_("The person's personal identity number"),
        required=False,
        help_text=_("When the person is a registered client. Otherwise leave it empty and describe the person instead."),
    )

    class Meta:
        model = ConcernReport
        fields = [
            "received_on",
            "reporter_type",
            "reporter",
            "person_personal_number",
            "subject_name",
            "subject_address",
            "concern",
        ]
        widgets = {"received_on": DateInput, "concern": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_lookup(user)
        if not self.instance.pk:
            self.fields["received_on"].initial = timezone.localdate()
        self.fields["subject_name"].help_text = _("A name, or a description if the name is not known.")
        self.fields["subject_address"].help_text = _("Where the person lives or can be found.")
        self.fields["subject_name"].widget.attrs["autocomplete"] = "off"
        self.fields["subject_address"].widget.attrs["autocomplete"] = "off"
        if self.instance.client_id and not self.instance.client.contact_visible_to(user):
            del self.fields["subject_address"]

    def clean_received_on(self):
        return _not_in_future(self.cleaned_data.get("received_on"))

    def clean(self):
        cleaned = super().clean()
        client = self._lookup_client()
        if self.has_error(self.lookup_field):
            return cleaned
        name = cleaned.get("subject_name", "").strip()
        address = (cleaned.get("subject_address") or self.instance.subject_address or "").strip()
        if client is None and not (name or address):
            self.add_error(
                "subject_name",
                forms.ValidationError(
                    _("Enter the person's personal identity number, or a name or description, or an address or place."),
                    code="no_subject",
                ),
            )
        self.instance.client = client
        if client is not None:
            cleaned["subject_name"] = ""
        return cleaned
