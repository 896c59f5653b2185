"""Forms of the apartment register: the apartment, its keys, complaints and
damage, and the list filters."""

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.widgets import DateInput
from core.dates import DateBoundsMixin
from core.forms import VersionedFormMixin
from referrals.forms.notices import KronorField

from ..models import Apartment, ApartmentKind, ApartmentStatus, Area, Complaint, KeySet, Landlord
from ..services.apartments import holder_of_object_number, object_number_taken_message

APARTMENT_FIELDS = [
    "object_number",
    "street_address",
    "postal_code",
    "area",
    "kind",
    "tenure",
    "rooms",
    "size_m2",
    "floor",
    "has_lift",
    "accessibility_notes",
    "landlord",
    "lease_start",
    "lease_end",
    "monthly_cost",
    "rent",
    "status",
    "notes",
]


class ApartmentForm(DateBoundsMixin, VersionedFormMixin, forms.ModelForm):
    """Every field of the apartment. Money is typed in kronor and stored in
    öre; the status is checked against the tenancies by the service."""

    monthly_cost = KronorField(
        label=_("Monthly cost to social services (kr)"), required=False,
        help_text=_("The first-hand rent the social services pay, in kronor, for example 6 500 or 6 500,50."),
    )
    rent = KronorField(
        label=_("Rent charged to the tenant (kr)"), required=False,
        help_text=_("In kronor per month, for example 6 500 or 6 500,50."),
    )

    class Meta:
        model = Apartment
        fields = APARTMENT_FIELDS
        widgets = {
            "lease_start": DateInput,
            "lease_end": DateInput,
            "accessibility_notes": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            # A decimal comma ("2,5") is what Swedes type; a localized text
            # input accepts it where a number input would refuse it.
            "rooms": forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            "size_m2": forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        }
        localized_fields = ["rooms", "size_m2"]

    def __init__(self, *args, unit_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_id = unit_id
        # The unit's lists (views.lists): active entries, and the one the
        # apartment has even if deactivated since (saving must not drop it).
        for name, model in (("area", Area), ("landlord", Landlord)):
            current = getattr(self.instance, f"{name}_id", None)
            self.fields[name].queryset = model.objects.filter(unit_id=unit_id).filter(
                Q(is_active=True) | Q(pk=current)
            ).order_by("name", "pk")
        self.fields["landlord"].required = True
        self.fields["landlord"].help_text = _(
            "Chosen from the unit's list of landlords; a housing administrator adds new ones under "
            "Areas and landlords."
        )
        self.fields["area"].help_text = _(
            "Chosen from the unit's list of areas; a housing administrator adds new ones under Areas and landlords."
        )
        self.fields["floor"].help_text = _("0 for the ground floor; negative below ground.")
        self.fields["status"].help_text = _(
            "Vacant and occupied follow the move-ins and move-outs. Under repair and left the programme "
            "cannot be chosen while a tenancy runs."
        )
        if not self.instance.pk:
            self.fields["status"].choices = [
                choice for choice in ApartmentStatus.choices if choice[0] != ApartmentStatus.OCCUPIED
            ]

    def clean_object_number(self):
        number = self.cleaned_data["object_number"].strip()
        holder = holder_of_object_number(self.unit_id, number, exclude_pk=self.instance.pk)
        if holder is not None:
            raise forms.ValidationError(
                format_html(
                    '{} <a href="{}">{}</a>',
                    object_number_taken_message(holder),
                    reverse("tenancies:apartment_detail", args=[holder.pk]),
                    _("Open that apartment."),
                ),
                code="duplicate",
            )
        return number

    def clean_rooms(self):
        rooms = self.cleaned_data.get("rooms")
        if rooms is not None and rooms <= 0:
            raise forms.ValidationError(_("Enter a number of rooms above zero."), code="min")
        return rooms

    def clean_size_m2(self):
        size = self.cleaned_data.get("size_m2")
        if size is not None and size <= 0:
            raise forms.ValidationError(_("Enter a size above zero."), code="min")
        return size

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("lease_start"), cleaned.get("lease_end")
        if start and end and end < start:
            self.add_error("lease_end", forms.ValidationError(
                _("The lease cannot end before it starts."), code="end_before_start"))
        return cleaned


class KeySetForm(forms.ModelForm):
    class Meta:
        model = KeySet
        fields = ["count", "tag", "kept_at", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["count"].widget.attrs["min"] = 1

    def clean_count(self):
        count = self.cleaned_data["count"]
        if count < 1:
            raise forms.ValidationError(_("At least one key."), code="min")
        return count


class ComplaintForm(DateBoundsMixin, forms.ModelForm):
    class Meta:
        model = Complaint
        fields = ["occurred_on", "kind", "source", "description", "action_taken"]
        widgets = {
            "occurred_on": DateInput,
            "description": forms.Textarea(attrs={"rows": 3}),
            "action_taken": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "description": _("What happened. Write about the apartment and the event; keep other people's "
                             "personal details out."),
            "action_taken": _("Can be filled in later."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_on"].initial = timezone.localdate()

    def clean_occurred_on(self):
        day = self.cleaned_data["occurred_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."), code="future")
        return day


class ComplaintActionForm(VersionedFormMixin, forms.ModelForm):
    """The action taken on a complaint, with the complaint's version for the
    optimistic lock (core.forms.VersionedFormMixin)."""

    class Meta:
        model = Complaint
        fields = ["action_taken"]
        labels = {"action_taken": _("Action taken")}
        widgets = {"action_taken": forms.Textarea(attrs={"rows": 3})}


class ApartmentFilterForm(forms.Form):
    """The list filters. Plain GET parameters: none carries personal data."""

    typ = forms.ChoiceField(label=_("Kind of apartment"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    omrade = forms.ChoiceField(label=_("Area"), required=False)
    hyresvard = forms.ChoiceField(label=_("Landlord"), required=False)

    def __init__(self, *args, areas=(), landlords=(), with_status=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["typ"].choices = [("", _("All kinds"))] + list(ApartmentKind.choices)
        if with_status:
            self.fields["status"].choices = [("", _("All statuses"))] + list(ApartmentStatus.choices)
        else:
            del self.fields["status"]
        # The unit's list entries by id (the ids are no personal data).
        self.fields["omrade"].choices = [("", _("All areas"))] + [(str(pk), name) for pk, name in areas]
        self.fields["hyresvard"].choices = [("", _("All landlords"))] + [(str(pk), name) for pk, name in landlords]
