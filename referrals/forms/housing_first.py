"""Forms of the Housing First pages (views.housing_first). The rules live in
services.housing_first; these forms only read the input. No form asks about
sobriety or treatment: the apartment comes without such demands (seed 002)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from core.dates import DateBoundsMixin
from core.forms import VersionedFormMixin

from ..models import Client
from ..models.housing_first import (
    CandidateAssessment,
    CandidateStage,
    HomelessSituation,
    HousingFirstCandidate,
    ProposalSource,
)
from ..services.housing_first import proposable_orders
from .decisions import PastDateField


class ClientChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name


class OutreachOrderField(forms.ModelChoiceField):
    """An outreach order by the person's name or description only: never the
    address (a protected person's whereabouts)."""

    def label_from_instance(self, obj):
        return _("%(name)s (outreach order #%(pk)s)") % {"name": obj.subject_name or _("Unnamed person"), "pk": obj.pk}


class CandidateForm(DateBoundsMixin, forms.Form):
    """Propose a candidate: a client of the unit (case officers) or the
    person of an outreach order (case officers and bolotsar)."""

    source = forms.ChoiceField(label=_("Proposed through"), choices=ProposalSource.choices)
    client = ClientChoiceField(label=_("Client"), queryset=Client.objects.none(), required=False)
    outreach_order = OutreachOrderField(label=_("Outreach order"), queryset=None, required=False,
                                        help_text=_("A person met in outreach who has no client file yet."))
    proposed_on = PastDateField(label=_("Proposed on"))
    situation = forms.ChoiceField(
        label=_("Situation"), choices=HomelessSituation.choices,
        help_text=_("The person's situation now, as in the national homelessness mapping."),
    )
    needs = forms.CharField(
        label=_("Needs"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The need of support now, at the moment of the proposal, whatever the history."),
    )
    assessment = forms.CharField(label=_("The case officer's assessment"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outreach_order"].queryset = proposable_orders(user).order_by("-sent_at", "-pk")
        if user.has_role(Role.CASE_OFFICER):
            self.fields["client"].queryset = (
                Client.objects.visible_to(user).filter(unit_id=user.unit_id).order_by("last_name", "first_name", "pk")
            )
        else:
            # The reversed referral: a bolots proposes through outreach only,
            # and leaves the assessment to the unit's case officer.
            self.fields["source"].choices = [(ProposalSource.OUTREACH.value, ProposalSource.OUTREACH.label)]
            self.fields["source"].initial = ProposalSource.OUTREACH
            del self.fields["client"]
            del self.fields["assessment"]

    def clean(self):
        data = super().clean()
        client, order = data.get("client"), data.get("outreach_order")
        if "client" in self.fields and client and order:
            self.add_error("outreach_order", _("Choose either a client or an outreach order, not both."))
        elif not client and not order and not self.has_error("client") and not self.has_error("outreach_order"):
            field = "client" if data.get("source") == ProposalSource.UNIT and "client" in self.fields else "outreach_order"
            self.add_error(field, _("Choose the person."))
        return data


class CandidateEditForm(VersionedFormMixin, forms.ModelForm):
    """The case officer adds current information and their assessment
    (seed 002: the units filled in the list the working group drew up)."""

    class Meta:
        model = HousingFirstCandidate
        fields = ["situation", "needs", "assessment"]
        widgets = {"needs": forms.Textarea(attrs={"rows": 4}), "assessment": forms.Textarea(attrs={"rows": 4})}


class AssessmentForm(DateBoundsMixin, forms.Form):
    draft_fields = ("notes",)  # autosaved as a draft (accounts.drafts)

    met_on = PastDateField(label=_("Meeting date"))
    notes = forms.CharField(
        label=_("The working group's notes"), widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Judge the need now: who gains most from Housing First here and now?"),
    )
    recommendation = forms.ChoiceField(label=_("Recommendation"), choices=CandidateAssessment.Recommendation.choices)


class SteeringForm(DateBoundsMixin, forms.Form):
    """The steering group's priority order: a place (1, 2, …) for each
    assessed or prioritised candidate it prioritises, empty for the others."""

    decided_on = PastDateField(label=_("Decided on"))
    notes = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, candidates, labels, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        for candidate in self.candidates:
            self.fields[f"place_{candidate.pk}"] = forms.IntegerField(
                label=labels.get(candidate.pk, ""), required=False, min_value=1, max_value=len(self.candidates),
                initial=candidate.current_place,
            )

    def place_fields(self):
        return [self[f"place_{candidate.pk}"] for candidate in self.candidates]

    def clean(self):
        data = super().clean()
        places = {}
        for candidate in self.candidates:
            place = data.get(f"place_{candidate.pk}")
            if place is None:
                continue
            if place in places:
                self.add_error(f"place_{candidate.pk}", _("Two candidates cannot have the same place."))
            places[place] = candidate
        if not places and not self.errors:
            raise forms.ValidationError(_("Give at least one candidate a place in the order."))
        data["ordered"] = [places[place] for place in sorted(places)]
        return data


class DecisionForm(DateBoundsMixin, forms.Form):
    decided_on = PastDateField(label=_("Decision date"))
    applied_on = PastDateField(label=_("Applied on"), required=False,
                               help_text=_("Empty: the day the candidate was proposed."))
    reasoning = forms.CharField(label=_("Reasoning"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class FilterForm(forms.Form):
    """The list's filters (no personal data: a stage and a source)."""

    steg = forms.ChoiceField(label=_("Stage"), required=False,
                             choices=[("", _("Active stages"))] + list(CandidateStage.choices) + [("alla", _("All"))])
    kalla = forms.ChoiceField(label=_("Proposed through"), required=False,
                              choices=[("", _("All"))] + list(ProposalSource.choices))
