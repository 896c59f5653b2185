"""Forms of the order pages: the new order, one small form per lifecycle
step, and the bulk reassignment.

The step forms only collect input; the service functions decide whether the
user may take the step (services.orders). Each carries the version of the
order the user saw, for the optimistic lock.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role

from ..models import (
    Client,
    Decision,
    DecisionKind,
    Order,
    OrderKind,
    OrderState,
    Reassignment,
)
from ..models.orders import OUTCOMES_BY_KIND
from ..models.risks import RISK_FIELDS, RISK_FLAGS
from ..services.orders import unit_pilots
from ..services.reassignment import people_of_role


class ClientChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, client):
        return f"{client.last_name}, {client.first_name} ({client.personal_number_display})"


class DecisionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, decision):
        return _("%(client)s: %(kind)s decided %(date)s") % {
            "client": decision.client.full_name,
            "kind": decision.get_kind_display(),
            "date": decision.decided_on.strftime("%Y-%m-%d"),
        }


class PilotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.username


class PersonChoiceField(forms.ModelChoiceField):
    """A member of staff with their roles, and whether they have left
    (the queryset prefetches the groups)."""

    def label_from_instance(self, user):
        roles = ", ".join(sorted(group.name for group in user.groups.all() if group.name in Role.ALL))
        label = f"{user.get_full_name() or user.username} ({roles})"
        if not user.is_active:
            label = _("%(person)s, inactive") % {"person": label}
        return label


def risk_basis(client):
    """A fingerprint of when the client's risk information last changed."""
    return client.risk_changed_at.isoformat() if client.risk_changed_at else "-"


def visible_clients(user):
    # The risk fields too: clean() keeps the chosen client's known risks.
    return Client.objects.visible_to(user).only(
        "first_name", "last_name", "personal_number", "children_in_home", "risk_changed_at", *RISK_FIELDS
    ).order_by(
        "last_name", "first_name", "pk"
    )


class OrderForm(forms.ModelForm):
    """A new order. `preset_client` is the client the user came from (the
    client's orders tab), chosen in advance."""

    draft_fields = ("assignment", "risk_notes")  # autosaved as a draft (accounts.drafts)

    client = ClientChoiceField(
        label=_("Client"),
        queryset=Client.objects.none(),
        required=False,
        help_text=_("For outreach to a person who is not a registered client, leave empty and describe the person below."),
    )
    decision = DecisionChoiceField(
        label=_("Decision"),
        queryset=Decision.objects.none(),
        required=False,
        help_text=_("Bolots support follows a granted bolots-support decision of the client."),
    )

    # When the client's risk information was last changed as the form was
    # prefilled from it: if it changed before sending, what someone else
    # added is kept (clean), not overwritten by the older prefill.
    risk_basis = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Order
        fields = [
            "kind",
            "client",
            "subject_name",
            "subject_address",
            "decision",
            "errand_type",
            "assignment",
            "risk_animals",
            "risk_substance_use",
            "risk_violence",
            "risk_children",
            "risk_threats",
            "risk_notes",
        ]
        widgets = {
            "assignment": forms.Textarea(attrs={"rows": 5}),
            "risk_notes": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "subject_name": _("Only for outreach to a person without a client file: a name or a description."),
            "subject_address": _("Where the person can be found."),
            "errand_type": _("Only for single errands."),
        }

    def __init__(self, *args, user, preset_client=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.preset_client = preset_client
        self.fields["client"].queryset = visible_clients(user)
        decisions = (
            Decision.objects.visible_to(user)
            .granted()
            .filter(kind=DecisionKind.BOLOTS_SUPPORT, closed_on__isnull=True)
            .select_related("client")
            .order_by("client__last_name", "client__first_name", "-decided_on")
        )
        if preset_client is not None:
            decisions = decisions.filter(client=preset_client)
            self.initial.setdefault("client", preset_client.pk)
            # The client's current risk information (it belongs to the
            # client: services.risks); sending makes the order's the client's.
            for name in RISK_FIELDS:
                self.initial.setdefault(name, getattr(preset_client, name))
            self.initial.setdefault("risk_basis", risk_basis(preset_client))
            # Children in the home are a risk to know before the first visit.
            if preset_client.children_in_home > 0:
                self.initial["risk_children"] = True
            # The client's only decision an order can follow is the one meant.
            only = list(decisions.values_list("pk", flat=True)[:2])
            if len(only) == 1:
                self.initial.setdefault("decision", only[0])
        self.fields["decision"].queryset = decisions
        for name in ("subject_name", "subject_address"):
            self.fields[name].widget.attrs["autocomplete"] = "off"

    def clean(self):
        data = super().clean()
        kind, client = data.get("kind"), data.get("client")
        if kind and kind != OrderKind.OUTREACH and client is None and "client" not in self.errors:
            self.add_error("client", _("Choose the client. Only outreach orders may be about an unregistered person."))
        if kind == OrderKind.OUTREACH and client is None and "client" not in self.errors and not (data.get("subject_name") or data.get("subject_address")):
            self.add_error(
                "subject_name", _("Choose a client, or give a name or description of the person or an address.")
            )
        if client is not None:
            # The client file is the source of the name and address.
            data["subject_name"] = data["subject_address"] = ""
            if client != self.preset_client and client.children_in_home > 0:
                # The box was not preset for this client (chosen in the list),
                # so set it from the file rather than miss a known risk.
                data["risk_children"] = True
            if client != self.preset_client or data.get("risk_basis") != risk_basis(client):
                # The boxes were not prefilled from this client's current
                # risks (chosen in the list, or changed since the form was
                # opened): keep every known risk rather than drop one.
                for name in RISK_FLAGS:
                    data[name] = bool(data.get(name)) or getattr(client, name)
                data["risk_notes"] = data.get("risk_notes") or client.risk_notes
        decision = data.get("decision")
        if kind == OrderKind.BOLOTS_SUPPORT:
            if decision is None:
                self.add_error("decision", _("Bolots support needs a granted bolots-support decision."))
            elif client is not None and decision.client_id != client.pk:
                self.add_error("decision", _("The decision belongs to another client."))
        else:
            data["decision"] = None
        if kind == OrderKind.SINGLE_ERRAND:
            if not data.get("errand_type"):
                self.add_error("errand_type", _("Choose the kind of errand."))
        else:
            data["errand_type"] = ""
        return data


class _StepForm(forms.Form):
    # The version of the order the user saw: see audit.versioning.
    version = forms.IntegerField(widget=forms.HiddenInput)


class AcceptForm(_StepForm):
    active_pilot = PilotChoiceField(label=_("Active bolots"), queryset=None)
    passive_pilot = PilotChoiceField(label=_("Passive bolots"), queryset=None)

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        pilots = unit_pilots(order.unit_id).order_by("first_name", "last_name", "username")
        self.fields["active_pilot"].queryset = pilots
        self.fields["passive_pilot"].queryset = pilots

    def clean(self):
        data = super().clean()
        active, passive = data.get("active_pilot"), data.get("passive_pilot")
        if active is not None and active == passive:
            self.add_error("passive_pilot", _("The active and the passive bolots must be two different people."))
        return data


class ReturnForm(_StepForm):
    draft_fields = ("question",)  # autosaved as a draft (accounts.drafts)
    question = forms.CharField(
        label=_("Question to the case officer"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class AnswerForm(_StepForm):
    draft_fields = ("answer",)  # autosaved as a draft (accounts.drafts)

    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class StartForm(_StepForm):
    pass


class CompleteForm(_StepForm):
    # The report back (återrapport), autosaved as a draft (accounts.drafts).
    draft_fields = ("outcome", "report")

    outcome = forms.ChoiceField(label=_("Outcome"))
    report = forms.CharField(
        label=_("Report to the case officer"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [("", "---------")] + [
            (outcome.value, outcome.label) for outcome in OUTCOMES_BY_KIND[order.kind]
        ]


class CancelForm(_StepForm):
    draft_fields = ("reason",)  # autosaved as a draft (accounts.drafts)

    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=Order._meta.get_field("cancel_reason").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LinkClientForm(_StepForm):
    client = ClientChoiceField(label=_("Client file"), queryset=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = visible_clients(user)


STEP_FORMS = {
    "accept": AcceptForm,
    "return": ReturnForm,
    "answer": AnswerForm,
    "start": StartForm,
    "complete": CompleteForm,
    "cancel": CancelForm,
    "link": LinkClientForm,
}


class OrderFilterForm(forms.Form):
    """The case officers' list filters. Plain GET parameters: none of them
    carries personal data."""

    MINE, ALL = "mina", "alla"

    visa = forms.ChoiceField(
        label=_("Show"), required=False, choices=[(MINE, _("Orders I sent")), (ALL, _("All the unit's orders"))]
    )
    status = forms.ChoiceField(label=_("State"), required=False)
    typ = forms.ChoiceField(label=_("Kind"), required=False)

    OPEN = "oppna"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All states")), (self.OPEN, _("Open"))] + list(OrderState.choices)
        self.fields["typ"].choices = [("", _("All kinds"))] + list(OrderKind.choices)


class ReassignmentForm(forms.Form):
    """A case officer's whole caseload to another case officer. A bolots's
    orders are split on their own page (forms.reassignment.SplitForm)."""

    from_user = PersonChoiceField(
        label=_("From"), queryset=None,
        help_text=_("Also people who have left (deactivated accounts)."),
    )
    to_user = PersonChoiceField(label=_("To"), queryset=None, help_text=_("An active person with the same role."))
    reason = forms.CharField(
        label=_("Reason for the reassignment"), max_length=Reassignment._meta.get_field("reason").max_length,
        help_text=_("For example: has left the unit, long leave."),
    )

    def __init__(self, *args, manager, **kwargs):
        super().__init__(*args, **kwargs)
        staff = people_of_role(manager.unit_id, Role.CASE_OFFICER, active_only=False).prefetch_related("groups")
        self.fields["from_user"].queryset = staff
        self.fields["to_user"].queryset = staff.filter(is_active=True)

    def clean(self):
        data = super().clean()
        from_user, to_user = data.get("from_user"), data.get("to_user")
        if from_user and to_user and from_user == to_user:
            self.add_error("to_user", _("Choose two different people."))
        return data
