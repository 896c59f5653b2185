from django import forms
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from accounts.widgets import DateInput
from core.dates import DateBoundsMixin
from core.forms import SaveAnywayMixin, VersionedFormMixin

from ..models import Decision, LegalReference, LegalTopic, Offer
from ..models.decisions import DECISION_BASIS_TOPICS
from ..services.legal import reference_for


def not_in_future(day):
    if day and day > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."), code="future")


def _day(day):
    return day.strftime("%Y-%m-%d")


class LegalBasisField(forms.ModelChoiceField):
    """A decision's legal basis; each choice says when it was in force, so
    the user sees which act applies to the decision date."""

    def label_from_instance(self, obj):
        if obj.valid_to:
            return _("%(reference)s (in force until %(date)s)") % {"reference": obj, "date": _day(obj.valid_to)}
        if obj.valid_from:
            return _("%(reference)s (in force from %(date)s)") % {"reference": obj, "date": _day(obj.valid_from)}
        return str(obj)


def legal_bases(keep_pk=None):
    """The references a decision form offers: selectable ones that can be a
    decision's basis (not the reporting duty or the special fee), and the
    decision's own stored one (a decision keeps the reference it was made
    under, even one since retired)."""
    return LegalReference.objects.filter(
        Q(is_active=True, topic__in=DECISION_BASIS_TOPICS) | Q(pk=keep_pk)
    ).order_by("-is_active", F("valid_from").desc(nulls_last=True), "law", "code")


def check_basis_in_force(form, data):
    """The legal basis must be in force on the decision date: a decision of
    June 2025 is made under the old act, one of July 2025 under the new."""
    basis, decided_on = data.get("legal_basis"), data.get("decided_on")
    if basis and decided_on and not basis.is_valid_on(decided_on):
        form.add_error("legal_basis", _(
            "%(reference)s was not in force on the decision date %(date)s. Choose a reference in force then."
        ) % {"reference": basis, "date": _day(decided_on)})


class PastDateField(forms.DateField):
    """A date picker for something that has happened: today or earlier."""

    widget = DateInput
    default_validators = [not_in_future]


class DecisionForm(DateBoundsMixin, VersionedFormMixin, SaveAnywayMixin, forms.ModelForm):
    draft_fields = ("reasoning",)  # autosaved as a draft (accounts.drafts)

    # Shown after the training-apartment rule refused the decision (or when
    # already ticked): registers a bolots-support decision at the same time.
    with_bolots_support = forms.BooleanField(
        label=_("Also register a decision on bolots support for the same period"), required=False
    )

    class Meta:
        model = Decision
        fields = [
            "kind",
            "legal_basis",
            "applied_on",
            "decided_on",
            "outcome",
            "valid_from",
            "valid_to",
            "decided_by",
            "reasoning",
        ]
        widgets = {
            "applied_on": DateInput,
            "decided_on": DateInput,
            "valid_from": DateInput,
            "valid_to": DateInput,
            "reasoning": forms.Textarea(attrs={"rows": 4}),
        }
        field_classes = {"legal_basis": LegalBasisField}
        help_texts = {
            "valid_to": _("Leave empty when the decision is valid until further notice."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer_bolots_support = False
        if self.instance.pk:
            del self.fields["with_bolots_support"]
            # An edit is checked by its own rules; the question is for new ones.
            del self.fields["save_anyway"]
        # Only legal references in use can be chosen; a decision made under
        # one since retired keeps it.
        self.fields["legal_basis"].queryset = legal_bases(self.instance.legal_basis_id)
        officers = User.objects.with_role(Role.CASE_OFFICER)
        if user.unit_id:
            officers = officers.filter(unit_id=user.unit_id)
        self.fields["decided_by"].queryset = User.objects.filter(
            Q(pk__in=officers.values("pk")) | Q(pk=self.instance.decided_by_id)
        ).order_by("first_name", "last_name")
        if not self.instance.pk:
            self.fields["decided_by"].initial = user.pk
            # The right to assistance under the act in force today.
            current = reference_for(LegalTopic.ASSISTANCE, timezone.localdate())
            if current is not None and current.is_active:
                self.fields["legal_basis"].initial = current.pk
        for name in ("applied_on", "decided_on"):
            self.fields[name].validators.append(not_in_future)

    @property
    def show_bolots_support_choice(self):
        return "with_bolots_support" in self.fields and (
            self.offer_bolots_support or bool(self.data.get("with_bolots_support"))
        )

    def clean(self):
        data = super().clean()
        applied_on, decided_on = data.get("applied_on"), data.get("decided_on")
        if applied_on and decided_on and decided_on < applied_on:
            self.add_error("decided_on", _("The decision date cannot be before the application date."))
        valid_from, valid_to = data.get("valid_from"), data.get("valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            self.add_error("valid_to", _("The end of the validity cannot be before its start."))
        check_basis_in_force(self, data)
        return data


class ExecuteForm(DateBoundsMixin, forms.Form):
    executed_on = PastDateField(label=_("Executed on"))
    note = forms.CharField(
        label=_("Note"), max_length=300, required=False,
        help_text=_("For example how the decision was executed."),
    )


class InterruptForm(DateBoundsMixin, forms.Form):
    started_on = PastDateField(label=_("Interrupted on"))
    reason = forms.CharField(label=_("Reason for the interruption"), max_length=300)


class ResumeForm(DateBoundsMixin, forms.Form):
    ended_on = PastDateField(label=_("Resumed on"))


class CloseForm(DateBoundsMixin, forms.Form):
    closed_on = PastDateField(label=_("Closed on"))
    reason = forms.CharField(label=_("Reason for closing"), max_length=300)


class OfferForm(DateBoundsMixin, forms.ModelForm):
    offered_on = PastDateField(label=_("Offered on"))

    class Meta:
        model = Offer
        fields = ["offered_on", "description", "answer", "note"]


class DelayReasonForm(forms.Form):
    delay_reason = forms.CharField(
        label=_("Reason for the delay"), max_length=300, required=False,
        help_text=_("Why the decision has not been executed; reported to IVO."),
    )


class DecisionIvoForm(DateBoundsMixin, VersionedFormMixin, forms.ModelForm):
    """What IVO's individual report asks beside the dates: the reason for the
    delay, the consequences for the person, interim support, and a partial
    execution ("Delvis verkställt"). Saved by services.decisions.
    update_ivo_details, which checks the dates again on the stored decision."""

    partly_executed_on = PastDateField(
        label=_("Partly executed on"), required=False,
        help_text=_("The day part of the assistance started. Leave empty if nothing has started."),
    )

    class Meta:
        model = Decision
        fields = ["delay_reason", "consequences", "interim_support", "partly_executed_on", "unexecuted_part"]
        widgets = {
            "consequences": forms.Textarea(attrs={"rows": 3}),
            "interim_support": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        data = super().clean()
        day, part = data.get("partly_executed_on"), (data.get("unexecuted_part") or "").strip()
        decision = self.instance
        if day:
            if day < decision.decided_on:
                self.add_error("partly_executed_on", _(
                    "The decision cannot be partly executed before the decision date (%(date)s)."
                ) % {"date": _day(decision.decided_on)})
            elif decision.executed_on and day > decision.executed_on:
                self.add_error("partly_executed_on", _(
                    "The date of the partial execution cannot be after the execution date (%(date)s)."
                ) % {"date": _day(decision.executed_on)})
            if not part:
                self.add_error("unexecuted_part", _("Write what of the decision has not been executed."))
        elif part and "partly_executed_on" not in self.errors:
            self.add_error("partly_executed_on", _("Give the date part of the decision was executed."))
        return data


class OfferEditForm(DateBoundsMixin, VersionedFormMixin, forms.ModelForm):
    """Edit an offer, typically to record the answer when it comes."""

    offered_on = PastDateField(label=_("Offered on"))

    class Meta:
        model = Offer
        fields = ["offered_on", "description", "answer", "note"]

    def clean_offered_on(self):
        day = self.cleaned_data["offered_on"]
        decided_on = self.instance.decision.decided_on
        if day < decided_on:
            raise forms.ValidationError(
                _("The offer date cannot be before the decision date (%(date)s).") % {"date": _day(decided_on)},
                code="before_decision",
            )
        return day
