from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from accounts.widgets import DateInput
from core.dates import DateBoundsMixin
from core.forms import SaveAnywayMixin, VersionedFormMixin

from ..models import Decision, LegalReference, Offer


def not_in_future(day):
    if day and day > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."), code="future")


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
        self.fields["legal_basis"].queryset = LegalReference.objects.filter(
            Q(is_active=True) | Q(pk=self.instance.legal_basis_id)
        )
        officers = User.objects.with_role(Role.CASE_OFFICER)
        if user.unit_id:
            officers = officers.filter(unit_id=user.unit_id)
        self.fields["decided_by"].queryset = User.objects.filter(
            Q(pk__in=officers.values("pk")) | Q(pk=self.instance.decided_by_id)
        ).order_by("first_name", "last_name")
        if not self.instance.pk:
            self.fields["decided_by"].initial = user.pk
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
