"""The training-apartment package form: both decisions and optionally the
bolots-support order on one page (services.packages.grant_package).

Kept apart from DecisionForm on purpose: the single-decision form has its
own checks (duplicates, the training-apartment rule's refusal) and this one
asks only what the two decisions share.
"""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from accounts.widgets import DateInput
from core.dates import DateBoundsMixin

from ..models import Decision, LegalReference, Order
from ..services.packages import PackageTerms, usual_legal_basis
from .decisions import LegalBasisField, check_basis_in_force, legal_bases, not_in_future


def _label(name):
    return capfirst(Decision._meta.get_field(name).verbose_name)


class PackageForm(DateBoundsMixin, forms.Form):
    # The decision form's labels (the model's), so both forms read alike.
    legal_basis = LegalBasisField(label=_label("legal_basis"), queryset=LegalReference.objects.none())
    decided_by = forms.ModelChoiceField(label=_label("decided_by"), queryset=User.objects.none())
    applied_on = forms.DateField(label=_label("applied_on"), widget=DateInput, validators=[not_in_future])
    decided_on = forms.DateField(label=_label("decided_on"), widget=DateInput, validators=[not_in_future])
    valid_from = forms.DateField(label=_label("valid_from"), widget=DateInput)
    valid_to = forms.DateField(
        label=_label("valid_to"), widget=DateInput, required=False,
        help_text=_("Leave empty when the decisions are valid until further notice. A training stay is meant to "
                    "last one to three years."),
    )
    reasoning = forms.CharField(label=_label("reasoning"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    send_order = forms.BooleanField(
        label=_("Also send the order for bolots support to the bolots unit"), required=False,
    )
    assignment = forms.CharField(
        label=_("Assignment"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
        help_text=_("What the bolots unit is asked to do."),
    )
    risk_animals = forms.BooleanField(label=Order._meta.get_field("risk_animals").verbose_name, required=False)
    risk_substance_use = forms.BooleanField(
        label=Order._meta.get_field("risk_substance_use").verbose_name, required=False
    )
    risk_violence = forms.BooleanField(label=Order._meta.get_field("risk_violence").verbose_name, required=False)
    risk_children = forms.BooleanField(label=Order._meta.get_field("risk_children").verbose_name, required=False)
    risk_threats = forms.BooleanField(label=Order._meta.get_field("risk_threats").verbose_name, required=False)
    risk_notes = forms.CharField(
        label=Order._meta.get_field("risk_notes").verbose_name, widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    ORDER_FIELDS = ("assignment", "risk_animals", "risk_substance_use", "risk_violence", "risk_children",
                    "risk_threats", "risk_notes")

    def __init__(self, *args, user, client, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["legal_basis"].queryset = legal_bases()
        officers = User.objects.with_role(Role.CASE_OFFICER).filter(unit_id=user.unit_id)
        self.fields["decided_by"].queryset = User.objects.filter(
            Q(pk__in=officers.values("pk")) | Q(pk=user.pk)
        ).order_by("first_name", "last_name")
        # Defaults: the acting case officer decides today, the package starts
        # the day it is decided, under the unit's usual legal basis.
        if not self.is_bound:
            self.initial.update({
                "decided_by": user.pk, "decided_on": today, "valid_from": today,
                "risk_children": client.children_in_home > 0,
            })
            usual = usual_legal_basis(user.unit_id, today)
            if usual is not None:
                self.initial["legal_basis"] = usual.pk

    def clean(self):
        data = super().clean()
        applied_on, decided_on = data.get("applied_on"), data.get("decided_on")
        if applied_on and decided_on and decided_on < applied_on:
            self.add_error("decided_on", _("The decision date cannot be before the application date."))
        valid_from, valid_to = data.get("valid_from"), data.get("valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            self.add_error("valid_to", _("The end of the validity cannot be before its start."))
        if data.get("send_order") and not (data.get("assignment") or "").strip():
            self.add_error("assignment", _("Write what the bolots unit is asked to do, or do not send the order now."))
        check_basis_in_force(self, data)
        return data

    def terms(self) -> PackageTerms:
        data = self.cleaned_data
        return PackageTerms(
            legal_basis=data["legal_basis"], applied_on=data["applied_on"], decided_on=data["decided_on"],
            valid_from=data["valid_from"], valid_to=data["valid_to"], decided_by=data["decided_by"],
            reasoning=data["reasoning"].strip(),
        )

    def order(self) -> Order | None:
        """The unsaved order to send, or None."""
        if not self.cleaned_data.get("send_order"):
            return None
        values = {name: self.cleaned_data[name] for name in self.ORDER_FIELDS}
        values["assignment"] = values["assignment"].strip()
        return Order(**values)
