"""The client's risk information form (views.risks.client_risk_edit)."""

from django import forms
from django.core.validators import MaxLengthValidator

from core.forms import VersionedFormMixin

from ..models import Client
from ..models.risks import RISK_FIELDS

NOTES_MAX = 2000


class ClientRiskForm(VersionedFormMixin, forms.ModelForm):
    """The flags and the notes, with the client's version for the
    optimistic lock: a bolots and the case officer updating at once see each
    other's change instead of overwriting it."""

    class Meta:
        model = Client
        fields = list(RISK_FIELDS)
        widgets = {"risk_notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A text field has no length of its own: keep the notes to what a
        # card can show (Swedish message beside the field).
        self.fields["risk_notes"].validators.append(MaxLengthValidator(NOTES_MAX))
        self.fields["risk_notes"].widget.attrs["maxlength"] = NOTES_MAX

    def risk_values(self):
        return {name: self.cleaned_data[name] for name in RISK_FIELDS}
