"""Forms of the tenancy pages: move-in, move-out, internal move, terms, home
insurance and income sources. The rules themselves live in
tenancies.services.tenancies; the forms check what a single field can, and
the views put a refused rule's message beside the field it names."""

from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.db.models import Case, CharField, Exists, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.widgets import DateInput
from core.dates import DateBoundsMixin
from core.formatting import decimal_text, kr
from core.forms import VersionedFormMixin
from referrals import protection
from referrals.models import Client, Decision, DecisionKind, ProtectionLevel

from ..models import Apartment, ApartmentKind, ApartmentStatus, EndReason, HomeInsurance, IncomeSource, Tenancy


def _decision_kind_of_apartment():
    """SQL for ApartmentKind.decision_kind: the decision kind an apartment needs."""
    return Case(
        *[When(kind=kind.value, then=Value(kind.decision_kind.value)) for kind in ApartmentKind],
        output_field=CharField(),
    )


def waiting_apartment_decisions(client):
    """The client's granted decisions on an apartment that no move-in has
    executed yet (and that are not closed)."""
    return (
        Decision.objects.not_executed()
        .filter(client=client, kind__in=DecisionKind.apartment_kinds())
        .order_by("decided_on", "id")
    )


def vacant_apartments_for(user, client, *, also_decision_kind=None, exclude=None):
    """Vacant apartments of the client's unit that the user may see, of a kind
    matching one of the client's waiting decisions (or `also_decision_kind`:
    the decision an internal move carries over). One query."""
    waiting = waiting_apartment_decisions(client).filter(kind=OuterRef("needs_decision"))
    matching = Q(Exists(waiting))
    if also_decision_kind:
        matching |= Q(needs_decision=also_decision_kind)
    apartments = (
        Apartment.objects.visible_to(user)
        .filter(unit_id=client.unit_id, status=ApartmentStatus.VACANT)
        .annotate(needs_decision=_decision_kind_of_apartment())
        .filter(matching)
        .order_by("street_address", "object_number")
    )
    if exclude is not None:
        apartments = apartments.exclude(pk=exclude.pk)
    return apartments


class ApartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, apartment):
        return _("%(apartment)s – %(kind)s, %(rooms)s rooms, rent %(rent)s") % {
            "apartment": apartment,
            "kind": apartment.get_kind_display(),
            "rooms": decimal_text(apartment.rooms),
            "rent": kr(apartment.rent),
        }


class DecisionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, decision):
        return _("%(kind)s, decided %(decided)s, valid from %(valid)s") % {
            "kind": decision.get_kind_display(),
            "decided": decision.decided_on.strftime("%Y-%m-%d"),
            "valid": decision.valid_from.strftime("%Y-%m-%d"),
        }


def ore_from_kronor(amount):
    """Kronor as typed (Decimal) to integer öre; None stays None."""
    if amount is None:
        return None
    return int((amount * 100).to_integral_value())


def kronor_from_ore(ore):
    if ore is None:
        return None
    return (Decimal(ore) / 100).quantize(Decimal(1) if ore % 100 == 0 else Decimal("0.01"))


class KronorField(forms.DecimalField):
    """An amount in kronor as Swedish users write it: "6 500", "6500,50"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(min_value=0, max_digits=9, decimal_places=2, localize=True, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace(" ", "").replace("\xa0", "").removesuffix("kr")
        return super().to_python(value)


class RentInKronorMixin(forms.Form):
    """Rent is typed in kronor and stored in öre; a contract runs at least
    one month (the database's check constraint, here with a message beside
    the field)."""

    rent_kr = KronorField(label=_("Monthly rent (kr)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "contract_months" in self.fields:
            self.fields["contract_months"].validators.append(MinValueValidator(1))

    def rent_in_ore(self):
        return ore_from_kronor(self.cleaned_data.get("rent_kr"))


TERMS_WIDGETS = {
    "contract_months": forms.NumberInput(attrs={"min": 1}),
    "notice_weeks": forms.NumberInput(attrs={"min": 0}),
}


class MoveInForm(DateBoundsMixin, RentInKronorMixin, forms.ModelForm):
    # Planned events: at most two years ahead (core.dates).
    planned_dates = ("start_date",)
    apartment = ApartmentChoiceField(label=_("Apartment"), queryset=Apartment.objects.none())
    decision = DecisionChoiceField(label=_("Decision executed by the move-in"), queryset=Decision.objects.none())

    class Meta:
        model = Tenancy
        fields = ["apartment", "decision", "start_date", "contract_months", "notice_weeks", "renews_automatically"]
        widgets = {"start_date": DateInput, **TERMS_WIDGETS}
        labels = {"start_date": _("Move-in date")}

    field_order = [
        "apartment", "decision", "start_date", "rent_kr", "contract_months", "notice_weeks", "renews_automatically",
    ]

    def __init__(self, *args, client, user, offer=None, **kwargs):
        super().__init__(*args, **kwargs)
        if offer is not None:
            # From an accepted offer (views.offers): its apartment, decision
            # and planned move-in, for the user to check and save.
            self.initial.setdefault("apartment", offer.apartment_id)
            self.initial.setdefault("decision", offer.decision_id)
            self.initial.setdefault("start_date", offer.move_in_on)
        self.fields["apartment"].queryset = vacant_apartments_for(user, client)
        self.fields["apartment"].help_text = _(
            "Vacant apartments of a kind the client has a granted decision on, waiting for execution."
        )
        self.fields["decision"].queryset = waiting = waiting_apartment_decisions(client)
        self.fields["rent_kr"].help_text = _("Leave empty to charge the apartment's rent.")
        # The move-in executes a decision: default to the only one waiting,
        # and never to a date before the (first) decision starts.
        first_two = list(waiting.only("pk", "valid_from")[:2])
        if len(first_two) == 1:
            self.initial.setdefault("decision", first_two[0].pk)
        today = timezone.localdate()
        starts = first_two[0].valid_from if first_two else None
        self.initial.setdefault("start_date", max(today, starts) if starts else today)

    def save(self, commit=False):
        tenancy = super().save(commit=False)
        tenancy.rent = self.rent_in_ore()
        return tenancy


def clients_to_move_into(apartment, user):
    """Whom a move-in from the apartment page may choose: the clients of the
    apartment's unit with a granted decision of the apartment's kind waiting
    for execution and no current tenancy. Clients with protected personal
    data only for users who may see where they live: choosing one for an
    apartment would connect the two (referrals.protection); their case
    officer registers the move-in from the client's page instead."""
    waiting = waiting_apartment_decisions(OuterRef("pk")).filter(kind=apartment.decision_kind)
    current = Tenancy.objects.filter(client=OuterRef("pk"), end_date__isnull=True)
    clients = (
        Client.objects.filter(unit_id=apartment.unit_id)
        .filter(Exists(waiting))
        .exclude(Exists(current))
        .order_by("last_name", "first_name", "pk")
    )
    if not protection.sees_every_tenant(user):
        clients = clients.filter(protection_level=ProtectionLevel.NONE)
    return clients


class ClientChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, client):
        # Name and birth date: enough to tell two people apart, without the
        # whole identity number in a list.
        return _("%(name)s, born %(born)s") % {
            "name": f"{client.last_name}, {client.first_name}",
            # birth_date, not the number's digits: people without a Swedish number have none.
            "born": f"{client.birth_date:%Y-%m-%d}",
        }


class ApartmentMoveInForm(DateBoundsMixin, RentInKronorMixin, forms.ModelForm):
    """The move-in from the apartment page (the housing administrator's):
    the tenant is chosen, the decision is not (the case officer links it,
    services.moves.link_decision)."""

    planned_dates = ("start_date",)
    client = ClientChoiceField(label=_("Tenant"), queryset=Client.objects.none())

    class Meta:
        model = Tenancy
        fields = ["client", "start_date", "contract_months", "notice_weeks", "renews_automatically"]
        widgets = {"start_date": DateInput, **TERMS_WIDGETS}
        labels = {"start_date": _("Move-in date")}

    field_order = ["client", "start_date", "rent_kr", "contract_months", "notice_weeks", "renews_automatically"]

    def __init__(self, *args, apartment, user, offer=None, **kwargs):
        super().__init__(*args, **kwargs)
        if offer is not None:
            # From an accepted offer (views.offers): its client and planned move-in.
            self.initial.setdefault("client", offer.decision.client_id)
            self.initial.setdefault("start_date", offer.move_in_on)
        self.fields["client"].queryset = clients_to_move_into(apartment, user)
        self.fields["client"].help_text = _(
            "Clients of the unit with a granted decision on this kind of apartment, waiting for execution. "
            "The client's case officer links the decision after the move-in."
        )
        self.fields["rent_kr"].help_text = _("Leave empty to charge the apartment's rent.")
        self.initial.setdefault("start_date", timezone.localdate())

    def save(self, commit=False):
        tenancy = super().save(commit=False)
        tenancy.rent = self.rent_in_ore()
        return tenancy


class LinkDecisionForm(VersionedFormMixin, forms.Form):
    decision = DecisionChoiceField(label=_("Decision executed by the move-in"), queryset=Decision.objects.none())

    def __init__(self, *args, tenancy, **kwargs):
        super().__init__(*args, version=tenancy.version, **kwargs)
        self.fields["decision"].queryset = waiting = waiting_apartment_decisions(tenancy.client).filter(
            kind=tenancy.apartment.decision_kind
        )
        first_two = list(waiting.only("pk")[:2])
        if len(first_two) == 1:
            self.initial.setdefault("decision", first_two[0].pk)


class MoveOutForm(DateBoundsMixin, VersionedFormMixin, forms.Form):
    # Planned events: at most two years ahead (core.dates).
    planned_dates = ("end_date",)
    end_date = forms.DateField(
        label=_("Move-out date"), widget=DateInput, help_text=_("The last day of the tenancy.")
    )
    end_reason = forms.ChoiceField(
        label=_("Reason for ending"), choices=[("", _("Choose the reason"))] + EndReason.choices,
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class InternalMoveForm(DateBoundsMixin, RentInKronorMixin, VersionedFormMixin, forms.ModelForm):
    # Planned events: at most two years ahead (core.dates).
    planned_dates = ("start_date", "move_out_date")
    apartment = ApartmentChoiceField(label=_("New apartment"), queryset=Apartment.objects.none())
    # A gap between the two (docs/housing-chain.md, "Internal moves with a
    # gap"): the client may wait in an emergency apartment or elsewhere.
    move_out_date = forms.DateField(
        label=_("Move-out date from the current apartment"), required=False, widget=DateInput,
        help_text=_("The last day in the current apartment. Leave empty when it is the day before the move-in; "
                    "an earlier day leaves a gap, and the time in the programme still continues."),
    )
    decision = DecisionChoiceField(
        label=_("Decision for the new apartment"), queryset=Decision.objects.none(), required=False,
        empty_label=_("Continue under the current decision"),
    )

    class Meta:
        model = Tenancy
        fields = ["apartment", "decision", "start_date", "contract_months", "notice_weeks", "renews_automatically"]
        widgets = {"start_date": DateInput, **TERMS_WIDGETS}
        labels = {"start_date": _("Move-in date in the new apartment")}

    field_order = [
        "version", "apartment", "decision", "move_out_date", "start_date", "rent_kr", "contract_months",
        "notice_weeks", "renews_automatically",
    ]

    def __init__(self, *args, tenancy, user, **kwargs):
        # The version of the tenancy being moved out of, not of the new one.
        super().__init__(*args, version=tenancy.version, **kwargs)
        self.moved_tenancy = tenancy
        # Who may not link decisions (the housing administrator) is not
        # offered them: a new kind of apartment waits for the case officer.
        self.chooses_decision = user.has_perm("tenancies.link_decision")
        current_kind = tenancy.decision.kind if tenancy.decision_id else None
        self.fields["apartment"].queryset = vacant_apartments_for(
            user, tenancy.client, also_decision_kind=current_kind, exclude=tenancy.apartment
        )
        self.fields["decision"].queryset = waiting_apartment_decisions(tenancy.client)
        self.fields["decision"].help_text = _(
            "Leave empty when the new apartment is of the same kind: the current decision continues. "
            "Another kind of apartment needs its own granted decision."
        )
        if not self.chooses_decision:
            del self.fields["decision"]
        self.fields["start_date"].help_text = _(
            "The current tenancy ends the day before, unless a move-out date is given."
        )
        self.fields["rent_kr"].help_text = _("Leave empty to charge the apartment's rent.")

    def clean(self):
        cleaned = super().clean()
        move_out, move_in = cleaned.get("move_out_date"), cleaned.get("start_date")
        if move_out is not None and move_out < self.moved_tenancy.start_date:
            self.add_error("move_out_date", _("The move-out date cannot be before the move-in date (%(date)s).")
                           % {"date": self.moved_tenancy.start_date.strftime("%Y-%m-%d")})
        elif move_out is not None and move_in is not None and move_in <= move_out:
            self.add_error("start_date", _(
                "The move-in date in the new apartment must be after the move-out date (%(date)s)."
            ) % {"date": move_out.strftime("%Y-%m-%d")})
        return cleaned

    def save(self, commit=False):
        new_tenancy = super().save(commit=False)
        new_tenancy.rent = self.rent_in_ore()
        return new_tenancy

    def move_out_on(self):
        """The last day in the current apartment (None: the day before the move-in)."""
        return self.cleaned_data.get("move_out_date")


class TermsForm(RentInKronorMixin, VersionedFormMixin, forms.ModelForm):

    class Meta:
        model = Tenancy
        fields = ["contract_months", "notice_weeks", "renews_automatically"]
        widgets = TERMS_WIDGETS

    field_order = ["version", "rent_kr", "contract_months", "notice_weeks", "renews_automatically"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rent_kr"].initial = kronor_from_ore(self.instance.rent)

    def save(self, commit=False):
        tenancy = super().save(commit=False)
        tenancy.rent = self.rent_in_ore()
        return tenancy


class InsuranceForm(DateBoundsMixin, forms.ModelForm):
    class Meta:
        model = HomeInsurance
        fields = ["company", "policy_number", "valid_from", "valid_until"]
        widgets = {"valid_from": DateInput, "valid_until": DateInput}
        labels = {
            "company": _("Insurance company"), "policy_number": _("Policy number"),
            "valid_from": _("Valid from"), "valid_until": _("Valid until"),
        }

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The end of the period cannot be before its start."))
        return data


class IncomeForm(DateBoundsMixin, forms.ModelForm):
    class Meta:
        model = IncomeSource
        fields = ["kind", "valid_from", "valid_to"]
        widgets = {"valid_from": DateInput, "valid_to": DateInput}
        labels = {"kind": _("Income source"), "valid_from": _("From"), "valid_to": _("Until")}
        help_texts = {"valid_to": _("Leave empty while the income continues.")}

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("The end of the period cannot be before its start."))
        return data


class EndIncomeForm(DateBoundsMixin, forms.Form):
    valid_to = forms.DateField(label=_("Last day of the income"), widget=DateInput)
