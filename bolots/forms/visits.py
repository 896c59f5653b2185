"""The visit form and its monthly checklist, made for a phone: large radio
buttons for kind, outcome, reason and the checklist answers, defaults that
leave a done visit a few taps away.

The forms collect input and show the rules' refusals beside the fields; the
rules themselves are in services/visits.py (checked again there).
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.widgets import DateTimeInput
from core.dates import DateBoundsMixin
from core.forms import SaveAnywayMixin, VersionedFormMixin
from referrals.models import ErrandType, OrderKind
from referrals.services.orders import unit_pilots
from tenancies.models import ComplaintKind

from ..models import CancelReason, ChecklistAnswer, Visit, VisitChecklist, VisitKind, VisitOutcome
from ..models.visits import CHECKLIST_ITEMS
from ..services import visits as services

# Comment field of each checklist item, in the order shown.
CHECKLIST_COMMENTS = {
    "rent_paid": "rent_comment",
    "insurance_valid": "insurance_comment",
    "housing_search_active": "housing_search_comment",
    "treatment_followed": "treatment_comment",
}


class PilotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.username


class ButtonRadioSelect(forms.RadioSelect):
    """Radio buttons drawn as large toggle buttons (Bootstrap btn-check):
    the inputs stay real radio buttons, so keyboards, screen readers and
    browsers without JavaScript work as usual."""

    def __init__(self, attrs=None, choices=()):
        super().__init__({"class": "btn-check", **(attrs or {})}, choices)


def default_kind(order):
    if order.kind == OrderKind.OUTREACH:
        return VisitKind.OUTREACH_ATTEMPT
    if order.kind == OrderKind.SINGLE_ERRAND and order.errand_type in (
        ErrandType.ESCORT_TREATMENT, ErrandType.ESCORT_DOCTOR,
    ):
        return VisitKind.ESCORT
    return VisitKind.LOOK_IN


def other_pilot_of(order, user):
    """The order's other assigned bolots, seen from `user`."""
    if user.pk == order.active_pilot_id:
        return order.passive_pilot_id
    if user.pk == order.passive_pilot_id:
        return order.active_pilot_id
    return order.passive_pilot_id


# The value of the "None" reason button; stored as no reason ("").
NO_REASON = "none"


class VisitForm(DateBoundsMixin, SaveAnywayMixin, forms.ModelForm):
    # Kept as a server-side draft while the user types (accounts.drafts):
    # the whole visit, so that a restored draft keeps its time and kind too.
    draft_fields = ("visited_at", "kind", "outcome", "cancel_reason", "cancel_reason_text", "notes")

    active_pilot = PilotChoiceField(label=_("Active bolots"), queryset=None)
    passive_pilot = PilotChoiceField(
        label=_("Second bolots"), queryset=None, required=False, empty_label=_("Nobody else")
    )

    class Meta:
        model = Visit
        fields = [
            "visited_at", "active_pilot", "passive_pilot", "kind", "outcome",
            "cancel_reason", "cancel_reason_text", "notes",
        ]
        widgets = {
            "visited_at": DateTimeInput,
            "kind": ButtonRadioSelect,
            "outcome": ButtonRadioSelect,
            "cancel_reason": ButtonRadioSelect,
            "notes": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "cancel_reason": _("Needed when the client or staff cancelled."),
            "notes": _("Part of the client's record: write what matters for the support."),
        }

    def __init__(self, *args, order, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        pilots = unit_pilots(order.unit_id).filter(is_active=True).order_by("first_name", "last_name", "username")
        self.fields["active_pilot"].queryset = pilots
        self.fields["passive_pilot"].queryset = pilots
        self.fields["kind"].choices = VisitKind.choices
        self.fields["outcome"].choices = VisitOutcome.choices
        # "None" is a choice of its own (saved as no reason), so that an
        # empty field preselects nothing: a cancellation is never saved with
        # a reason nobody chose.
        self.fields["cancel_reason"].choices = [(NO_REASON, _("None")), *CancelReason.choices]
        self.fields["cancel_reason_text"].widget.attrs["autocomplete"] = "off"
        if not self.is_bound and self.instance.pk is None:
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.initial.update({
                "visited_at": now,
                "active_pilot": user.pk,
                "passive_pilot": other_pilot_of(order, user),
                "kind": default_kind(order),
                "outcome": VisitOutcome.DONE,
            })

    def clean_cancel_reason(self):
        reason = self.cleaned_data.get("cancel_reason") or ""
        return "" if reason == NO_REASON else reason

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        visit = Visit(pk=self.instance.pk, order=self.order, **{name: data.get(name) for name in self.Meta.fields})
        visit.cancel_reason = visit.cancel_reason or ""
        for field_name, message in services.visit_errors(self.order, visit):
            self.add_error(field_name, message)
        return data


class VisitEditForm(VersionedFormMixin, VisitForm):
    """Correcting a logged visit: the same fields and rules as logging it,
    with the visit's version for the optimistic lock. The checklist is not
    edited here (what it set off, a signal or a complaint, stays)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk and self.instance.outcome == VisitOutcome.DONE:
            # A done visit has no reason: the "None" button, as it was logged.
            self.initial["cancel_reason"] = NO_REASON


class ChecklistForm(forms.ModelForm):
    """The monthly checklist. Optional on a visit: it counts as filled in
    as soon as anything in it is, and then every item must be answered."""

    # Kept as a server-side draft with the visit (accounts.drafts).
    draft_fields = (*CHECKLIST_ITEMS, *CHECKLIST_COMMENTS.values(), "complaint_kind", "complaint_description", "notes")

    complaint_kind = forms.ChoiceField(
        label=_("Kind of complaint"), required=False, choices=[("", "---------"), *ComplaintKind.choices]
    )

    class Meta:
        model = VisitChecklist
        fields = [
            "rent_paid", "rent_comment", "insurance_valid", "insurance_comment",
            "housing_search_active", "housing_search_comment", "treatment_followed", "treatment_comment",
            "new_complaint", "complaint_description", "notes",
        ]
        widgets = {
            **{name: ButtonRadioSelect for name in CHECKLIST_ITEMS},
            "complaint_description": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "complaint_description": _("It is also registered on the apartment. Keep other people's personal "
                                       "details out."),
        }

    def __init__(self, *args, asked=CHECKLIST_ITEMS, **kwargs):
        """`asked`: the items the checklist asks on this order
        (services.checklist_rules.asked_items); the others are not shown
        and are stored as "not applicable"."""
        kwargs.setdefault("prefix", "checklist")
        super().__init__(*args, **kwargs)
        self.not_asked = [name for name in CHECKLIST_ITEMS if name not in asked]
        for name in self.not_asked:
            del self.fields[name]
            del self.fields[CHECKLIST_COMMENTS[name]]
        self.draft_fields = tuple(name for name in self.draft_fields if name in self.fields)
        for name in CHECKLIST_ITEMS:
            if name in self.fields:
                self.fields[name].required = False
                self.fields[name].choices = ChecklistAnswer.choices
        for name in [*CHECKLIST_COMMENTS.values(), "complaint_description", "notes"]:
            if name in self.fields:
                self.fields[name].widget.attrs["autocomplete"] = "off"

    def items(self):
        """(answer field, comment field) per asked item, for the template."""
        return [(self[name], self[comment]) for name, comment in CHECKLIST_COMMENTS.items() if name in self.fields]

    def is_filled(self):
        """Has the user filled in anything of the checklist?"""
        if not self.is_bound or not hasattr(self, "cleaned_data"):
            return False
        return any(self.cleaned_data.get(name) for name in self.Meta.fields)

    def clean(self):
        data = super().clean()
        if not any(data.get(name) for name in self.Meta.fields):
            return data
        for name in CHECKLIST_ITEMS:
            if name in self.not_asked:
                # Not asked on this kind of order: stored as not applicable
                # (never failing, never a signal).
                data[name] = ChecklistAnswer.NOT_APPLICABLE
            elif not data.get(name) and name not in self.errors:
                self.add_error(name, _("Answer yes, no or not applicable."))
        description = (data.get("complaint_description") or "").strip()
        if data.get("new_complaint"):
            if not description:
                self.add_error("complaint_description", _("Describe the complaint or damage."))
            if not data.get("complaint_kind"):
                self.add_error("complaint_kind", _("Choose the kind of complaint."))
        elif description:
            self.add_error(
                "new_complaint", _("Tick the box if there is a new complaint or damage, or empty the description.")
            )
        return data

    def check_against(self, order, visit):
        """Add the refusals of a checklist on this visit (kind, outcome, a
        registered client) to the form. True when it may be saved."""
        for field_name, message in services.checklist_errors(order, visit):
            self.add_error(field_name, message)
        return not self.errors
