"""The review's forms: the verdict on one read, the closing of an
investigation, the month's sign-off. The rules themselves (own reads, notes
required, signed-off months) are the service's (logreview.services); the
forms give the same messages beside the field before the service is asked."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import VersionedFormMixin

from ..models import Outcome, Verdict


class JudgeForm(VersionedFormMixin, forms.Form):
    verdict = forms.ChoiceField(
        label=_("Verdict"), choices=Verdict.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose justified or investigate.")},
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for “Justified”: why the read was needed (the order, the case, the task)."),
    )

    def clean(self):
        data = super().clean()
        if data.get("verdict") == Verdict.JUSTIFIED and not (data.get("note") or "").strip():
            self.add_error("note", _("Write why the read was justified."))
        return data


class CloseInvestigationForm(VersionedFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome of the investigation"), choices=Outcome.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose the outcome of the investigation.")},
    )
    outcome_note = forms.CharField(
        label=_("Measures taken"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the measures taken, or that none were needed.")},
    )

    def clean_outcome_note(self):
        note = self.cleaned_data["outcome_note"].strip()
        if not note:
            raise forms.ValidationError(_("Write the measures taken, or that none were needed."), code="required")
        return note


class SignOffForm(forms.Form):
    note = forms.CharField(
        label=_("Sign-off note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the review found and what follows from it."),
        error_messages={"required": _("Write a note for the sign-off: what was found, what follows.")},
    )

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError(_("Write a note for the sign-off: what was found, what follows."),
                                        code="required")
        return note
